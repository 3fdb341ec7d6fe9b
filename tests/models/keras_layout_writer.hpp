#pragma once

// Writes a MobileNetV2 weights file the way Keras 2.2.4's save_weights does (fixed-length string
// attributes, empty float64 arrays for layers without weights), from its own list of Keras layer
// names and shapes, so the importer is checked against an independent description of the layout.

#include <filesystem>
#include <set>
#include <string>

namespace lockerctl::test {

struct KerasLayoutOptions {
  double alpha = 0.35;
  unsigned seed = 1;
  std::string skip;        ///< a "layer/weight:0" to leave out
  std::string bad_shape;   ///< a "layer/weight:0" to write with one extra output channel
  bool extra = false;      ///< add an unexpected tensor "Conv1/extra:0"
  bool no_layer_names = false;  ///< leave out the root `layer_names` attribute
};

/// Writes the file; returns the number of tensors written.
int write_keras_mobilenet_v2(const std::filesystem::path& path, const KerasLayoutOptions& options);

}  // namespace lockerctl::test
