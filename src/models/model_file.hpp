#pragma once

// The one model file format: an HDF5 file holding every parameter and buffer by name, and the
// ModelMeta as root attributes. A user with h5py can read every tensor:
//
//   /                      attributes: format="lockerctl-model", format_version, architecture,
//                          alpha, input_size, dropout, preprocess_scale, preprocess_offset,
//                          channel_order, positive_class, negative_class, threshold, input, created,
//                          source, dataset_manifest, config_yaml, metrics_json, lockerctl_version
//   /parameters/<name>     float32, PyTorch layout (conv weights OIHW)
//   /buffers/<name>        BatchNorm running_mean / running_var (float32), num_batches_tracked (int64)

#include <filesystem>
#include <optional>

#include <memory>

#include "models/spec.hpp"

namespace lockerctl::models {

class BinaryNet;  // models/binary_net.hpp; this header stays free of LibTorch

inline constexpr const char* kModelFormat = "lockerctl-model";
inline constexpr int kModelFormatVersion = 1;

/// A network with its metadata, as loaded from a model file.
struct LoadedModel {
  std::shared_ptr<BinaryNet> net;
  ModelMeta meta;
};

/// Writes `net` and `meta` to `path` atomically (temp file, fsync, rename): a crash leaves the
/// previous file or the new one. Fills in meta.created when empty. Throws IoError.
void save_model(const std::filesystem::path& path, BinaryNet& net, ModelMeta meta);

/// Reads a model file's metadata only. Throws ModelError (not HDF5, not a model file, newer format).
ModelMeta read_model_meta(const std::filesystem::path& path);

/// Loads a model file, checking every tensor's presence and shape against the architecture it
/// names; with `expected`, also that it is that architecture. Throws ModelError naming each
/// mismatch.
LoadedModel load_model(const std::filesystem::path& path,
                       std::optional<Architecture> expected = std::nullopt);

}  // namespace lockerctl::models
