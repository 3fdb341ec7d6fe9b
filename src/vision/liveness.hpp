#pragma once

// Presentation-attack detection: is the face in front of the camera a live person, or a photo
// or a screen held up to it? The check is the Silent-Face-Anti-Spoofing pair (MiniFASNetV2 and
// MiniFASNetV1SE, Apache-2.0) through OpenCV DNN, with the authors' crops and the average of the
// two models' softmax outputs.

#include <memory>
#include <utility>
#include <string>

#include <opencv2/core.hpp>

#include "vision/face.hpp"

namespace lockerctl::vision {

class LivenessCheck {
 public:
  virtual ~LivenessCheck() = default;
  /// Probability that `face` in the BGR `frame` is a live person (0..1).
  virtual double score(const cv::Mat& frame, const Face& face) = 0;
};

/// Model files of the MiniFASNet pair.
struct LivenessModels {
  std::string v2;    ///< MiniFASNetV2.onnx: crop scale 2.7
  std::string v1se;  ///< MiniFASNetV1SE.onnx: crop scale 4.0
};

/// Pinned SHA-256 of the two ONNX exports (scripts/face-models.sha256 pins the same).
inline constexpr const char* kMiniFasNetV2Sha256 = "4eed38f0bde33c9b805942a5f25e42ce1161e2bda545254be622be957727794e";
inline constexpr const char* kMiniFasNetV1SeSha256 = "d819a69bac6b9ade2a0f4d9b60b618e1260f7bf3ba1fddff6c5d82131cb1083f";

/// Loads both models. Throws ModelError naming a missing, corrupt or unloadable file.
std::unique_ptr<LivenessCheck> make_liveness_check(const LivenessModels& models);

/// The authors' crop: the box widened `scale` times around its centre (less when the frame is
/// too small for that), shifted back inside the frame, resized to `size` x `size` (bilinear).
cv::Mat liveness_crop(const cv::Mat& frame, const cv::Rect2f& box, double scale, int size);

/// A frame of the same scene a moment later, simulated from a still for measuring decisions over
/// several frames: the face box moved by up to `jitter` of its size each way and scaled by
/// 1 +- jitter, the brightness scaled by 1 +- 2 jitter. The same `seed` gives the same frame.
/// A simulation: a real camera also changes pose, blur and noise between frames.
std::pair<cv::Mat, Face> simulated_frame(const cv::Mat& frame, const Face& face, unsigned seed, double jitter = 0.05);

}  // namespace lockerctl::vision
