#pragma once

// The frozen MobileNetV2 backbone through OpenCV DNN: the feature pass of layer-1 training on a
// CPU, where OpenCV's convolutions run the exported graph faster than LibTorch. This header does
// not include LibTorch.

#include <opencv2/dnn.hpp>

namespace lockerctl::models {
class MobileNetV2BackboneImpl;
}

namespace lockerctl::inference {

class BackboneFeatures {
 public:
  /// Exports `backbone` with its weights as they are now, for `input_size` images, and loads the
  /// export. Throws ModelError when OpenCV cannot read it.
  BackboneFeatures(models::MobileNetV2BackboneImpl& backbone, int input_size);
  int feature_dim() const { return dim_; }
  /// The features [count × feature_dim()] of `count` preprocessed NCHW images, into `features`.
  void run(const float* images, int count, float* features);

 private:
  cv::dnn::Net net_;
  int size_, dim_;
};

}  // namespace lockerctl::inference
