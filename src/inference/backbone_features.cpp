#include "inference/backbone_features.hpp"

#include <torch/torch.h>

#include <cstring>

#include "core/errors.hpp"
#include "export/onnx_export.hpp"
#include "inference/opencv_net.hpp"
#include "models/mobilenet_v2.hpp"

namespace lockerctl::inference {

BackboneFeatures::BackboneFeatures(models::MobileNetV2BackboneImpl& backbone, int input_size)
    : net_(read_onnx_net(exporter::export_backbone_onnx(backbone, input_size).bytes, "the exported MobileNetV2 backbone")),
      size_(input_size),
      dim_(backbone.feature_dim()) {}

void BackboneFeatures::run(const float* images, int count, float* features) {
  const int dims[] = {count, 3, size_, size_};
  net_.setInput(cv::Mat(4, dims, CV_32F, const_cast<float*>(images)));
  const cv::Mat out = net_.forward();
  if (!out.isContinuous() || out.total() != static_cast<std::size_t>(count) * dim_) {
    throw ModelError("OpenCV DNN gave the MobileNetV2 backbone an output of the wrong shape");
  }
  std::memcpy(features, out.ptr<float>(), out.total() * sizeof(float));
}

}  // namespace lockerctl::inference
