#pragma once

// `lockerctl bench infer`: per-frame latency (batch 1) of each model on each backend. Prints
// figures; asserts nothing. This header does not include LibTorch.

#include <filesystem>
#include <string>
#include <vector>

namespace lockerctl::inference {

struct LatencyRow {
  std::string model;      ///< e.g. "mobilenet_v2 1.0 224 + head"
  std::string backend;    ///< e.g. "torch eager NCHW", "opencv dnn"
  double median_ms = 0;
  double p95_ms = 0;
  double peak_rss_mb = 0; ///< process peak resident memory after this row (a high-water mark)
};

/// Times `frames` forward passes (an empty `models` list stands for the paper's two networks at
/// 224x224 with random weights) (after 10 warm-up passes) of each model file with: LibTorch
/// eager (NCHW), LibTorch with channels-last tensors, and OpenCV DNN on the ONNX export.
std::vector<LatencyRow> bench_inference(const std::vector<std::filesystem::path>& models, int frames);

}  // namespace lockerctl::inference
