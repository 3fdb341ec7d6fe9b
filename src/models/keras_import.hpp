#pragma once

// Imports Keras' MobileNetV2 ImageNet weights (the HDF5 layout of
// mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_<size>_no_top.h5, written by Keras'
// save_weights) into the LibTorch MobileNetV2.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace lockerctl::models {

class MobileNetV2Impl;  // models/mobilenet_v2.hpp; this header stays free of LibTorch

struct KerasImportOptions {
  std::optional<double> alpha;  ///< width multiplier; default: read from the file's tensor shapes
  int input_size = 224;         ///< input size of the model built (the weights do not fix it)
};

struct KerasImport {
  std::shared_ptr<MobileNetV2Impl> model;
  double alpha = 1.0;
  int tensors = 0;  ///< Keras tensors imported
};

/// Reads the Keras layout (root or /model_weights attribute `layer_names`, per-layer
/// `weight_names`, datasets at <layer>/<weight_name>), maps every tensor (HWIO -> OIHW,
/// depthwise [kh,kw,C,1] -> [C,1,kh,kw], BatchNorm gamma/beta/moving mean/variance) and loads it
/// into a MobileNetV2 backbone; the head stays untrained. Throws ModelError: not an HDF5 file, not
/// a Keras weights file, and every missing, unexpected or mis-shaped tensor by name.
KerasImport import_keras_mobilenet_v2(const std::filesystem::path& file,
                                      const KerasImportOptions& options = {});

/// Imports `file` as above and saves the backbone with an untrained head as a lockerctl model file
/// at `out` (atomically), recording the source in its provenance. Throws ModelError, IoError.
KerasImport import_keras_weights(const std::filesystem::path& file,
                                 const std::filesystem::path& out,
                                 const KerasImportOptions& options = {});

/// The Keras layer and weight name ("block_3_expand/kernel:0") for a backbone tensor name
/// ("backbone.blocks.3.expand.conv.weight"); "" for tensors Keras does not have.
std::string keras_name_for(const std::string& torch_name);

}  // namespace lockerctl::models
