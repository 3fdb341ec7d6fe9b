#pragma once

// Inside the inference library: an ONNX graph loaded into OpenCV DNN on its own CPU backend.

#include <opencv2/dnn.hpp>
#include <string>

namespace lockerctl::inference {

/// Reads the serialised ONNX model `bytes`; `what` names it in the ModelError thrown when OpenCV
/// cannot read it.
cv::dnn::Net read_onnx_net(const std::string& bytes, const std::string& what);

}  // namespace lockerctl::inference
