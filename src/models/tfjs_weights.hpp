#pragma once

// TensorFlow.js weights: a manifest (JSON) naming tensors that lie back to back in one or more
// .bin files. The format, as TF.js writes it:
//
//   [ { "paths": ["x.bin", ...],
//       "weights": [ { "name": "...", "shape": [...], "dtype": "float32" | "int32",
//                      "quantization": { "dtype": "uint8" | "uint16", "scale": s, "min": m } }, ... ] },
//     ... ]
//
// A group's paths are read one after another as one stream; tensors follow in manifest order.
// Unquantized tensors are little-endian float32 or int32. A quantized tensor holds one uint8 or
// uint16 per value, and the value is q * scale + min, computed in double and stored as float
// (as TF.js decodes it). This header does not include LibTorch.

#include <filesystem>
#include <string>
#include <vector>

namespace lockerctl::models {

struct TfjsTensor {
  std::string name;
  std::vector<long> shape;  ///< TF.js layout: conv filters are [h, w, in, out]
  std::vector<float> values;
};

/// Every tensor of `manifest`, in manifest order, with the .bin files looked up beside it.
/// Throws ModelError naming the file and the reason: not JSON, not a manifest, an unknown dtype,
/// a missing .bin, a .bin shorter or longer than its tensors.
std::vector<TfjsTensor> read_tfjs_weights(const std::filesystem::path& manifest);

}  // namespace lockerctl::models
