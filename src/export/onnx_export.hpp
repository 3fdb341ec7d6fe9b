#pragma once

// Exports a lockerctl model file to ONNX that Debian 12's OpenCV 4.6 DNN reads: opset 10 (the
// last opset whose Clip takes min/max as attributes, the only form OpenCV 4.6 imports), BatchNorm
// folded into the convolutions, TF "SAME" padding as explicit asymmetric Conv pads for the fixed
// input size, the sigmoid included, no Identity nodes. The graph is built with ONNX's own protobuf
// classes and checked with onnx::checker. This header does not include LibTorch or ONNX.

#include <filesystem>
#include <string>

namespace lockerctl::models {
class MobileNetV2BackboneImpl;
class FaceRecognitionNetImpl;
}

namespace lockerctl::exporter {

inline constexpr int kOnnxOpset = 10;

struct OnnxExport {
  std::string bytes;    ///< the serialised ModelProto
  int nodes = 0;
  std::string input;    ///< input name, "input"
  std::string output;   ///< output name, "probability"
};

/// Builds and checks the ONNX model for a model file (batch 1, the model's input size). Throws
/// ModelError for an unusable model file or a graph the checker rejects.
OnnxExport export_onnx(const std::filesystem::path& model_file);

/// The MobileNetV2 feature extractor alone, input "input" [N, 3, size, size] to output "features"
/// [N, feature_dim] for any batch N: what the feature cache of layer-1 training holds.
OnnxExport export_backbone_onnx(models::MobileNetV2BackboneImpl& backbone, int input_size);

/// face-api's face recognition network, input "input" [N, 3, 150, 150] RGB 0..255 (the mean and
/// the / 255 folded into the first convolution) to output "descriptor" [N, 128] for any batch N.
OnnxExport export_face_recognition_onnx(models::FaceRecognitionNetImpl& net);

/// export_onnx + an atomic write to `out`. Throws IoError when it cannot write.
OnnxExport export_onnx_file(const std::filesystem::path& model_file, const std::filesystem::path& out);

}  // namespace lockerctl::exporter
