#pragma once

// The inference engine the access flow uses: one interface, backed by LibTorch (a .h5 model file)
// or by OpenCV DNN (an .onnx file, or a .h5 exported in memory). This header does not include
// LibTorch.

#include <filesystem>
#include <memory>
#include <optional>
#include <opencv2/core.hpp>
#include <string>

#include "models/spec.hpp"

namespace lockerctl::inference {

enum class Backend { Torch, OpenCv };
/// "torch" / "opencv"; nullopt for anything else.
std::optional<Backend> parse_backend(const std::string& name);

/// What a loaded model expects and decides.
struct EngineInfo {
  models::Architecture architecture = models::Architecture::MobileNetV2;
  int input_size = 224;
  double scale = 1.0 / 127.5;    ///< value = pixel * scale + offset
  double offset = -1.0;
  std::string positive_class, negative_class;
  double threshold = 0.5;
  std::string input = models::kImageInput;  ///< models::ModelMeta::input
};

class InferenceEngine {
 public:
  virtual ~InferenceEngine() = default;
  /// Probability of the positive class for one 8-bit RGB image of any size (resized inside with
  /// the same bilinear 8-bit resize as the dataset cache).
  virtual float probability(const cv::Mat& rgb) = 0;
  const EngineInfo& info() const { return info_; }

 protected:
  EngineInfo info_;
};

/// Opens `model` (.h5 model file or .onnx export) with `backend`. The torch backend needs the .h5
/// file. With `expected`, the model must be that architecture. Throws ModelError (corrupt,
/// truncated, not a model, wrong architecture, torch backend given an .onnx file).
std::unique_ptr<InferenceEngine> open_engine(const std::filesystem::path& model, Backend backend,
                                             std::optional<models::Architecture> expected = std::nullopt);

}  // namespace lockerctl::inference
