#pragma once

// `lockerctl bench train`: training throughput of each kind of run on random data. Prints
// figures; asserts nothing. This header does not include LibTorch.

#include <string>
#include <vector>

namespace lockerctl::train {

struct BenchOptions {
  int batch_size = 32;
  int batches = 5;            ///< timed batches per case (after one warm-up batch)
  int human_size = 224;       ///< MobileNetV2 input side
  int owner_size = 256;       ///< owner CNN input side
  std::vector<std::string> devices{"cpu"};
};

struct BenchRow {
  std::string device;
  std::string name;           ///< what was timed
  double images_per_second = 0;
};

/// Times: the frozen MobileNetV2 backbone forward (what the feature cache computes once; on a CPU
/// also image by image, through LibTorch and through OpenCV DNN as training does it), head
/// training on cached features, head training through the frozen backbone (no cache), full
/// fine-tuning (every layer learns), and owner-CNN training. Throws DeviceError for an unusable
/// device.
std::vector<BenchRow> bench_training(const BenchOptions& options);

}  // namespace lockerctl::train
