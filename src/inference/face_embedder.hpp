#pragma once

// Face embeddings: face-api's 128-d face recognition ResNet (models/face_recognition_net.hpp) on
// aligned 150x150 face chips (vision::align_face), run by OpenCV DNN (the network exported to ONNX
// in memory) or by LibTorch. Two chips of the same person lie close together; face-api and dlib
// call two faces the same person below a Euclidean distance of about 0.6. This header does not
// include LibTorch.

#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "inference/engine.hpp"

namespace lockerctl::inference {

using FaceDescriptor = std::array<float, 128>;

/// The pinned SHA-256 of the two files scripts/fetch-face-models.sh takes from face-api's npm
/// package (scripts/face-models.sha256 pins the same).
inline constexpr const char* kFaceRecognitionBinSha256 = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589";
inline constexpr const char* kFaceRecognitionManifestSha256 = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b";

/// The weights file face-api's manifest `manifest` loads: face_recognition_model.bin beside it.
inline std::filesystem::path face_embedder_weights(const std::filesystem::path& manifest) {
  return manifest.parent_path() / "face_recognition_model.bin";
}

class FaceEmbedder {
 public:
  /// Opens face-api's weights manifest (face_recognition_model-weights_manifest.json, with
  /// face_recognition_model.bin beside it), after checking both files against their pins, and
  /// runs the network on `backend`. Throws ModelError naming the file and the reason.
  explicit FaceEmbedder(const std::filesystem::path& manifest, Backend backend = Backend::OpenCv);
  ~FaceEmbedder();
  FaceEmbedder(const FaceEmbedder&) = delete;
  FaceEmbedder& operator=(const FaceEmbedder&) = delete;

  /// One descriptor per 150x150 8-bit RGB chip, computed in one batch.
  std::vector<FaceDescriptor> embed(const std::vector<cv::Mat>& chips);
  FaceDescriptor embed(const cv::Mat& chip);

  struct Net;  ///< the network on its backend, defined in face_embedder.cpp

 private:
  std::unique_ptr<Net> net_;
};

/// Euclidean distance between two descriptors.
float descriptor_distance(const FaceDescriptor& a, const FaceDescriptor& b);

}  // namespace lockerctl::inference
