#pragma once

// Layer 2: which of the people who may open this locker (its holders) the face in front of the
// camera is, if any. Two methods (owner.method): face embeddings compared with enrolled templates
// (the default), or the paper's owner CNN, one model per holder.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "access/face_match.hpp"
#include "inference/engine.hpp"
#include "vision/face.hpp"

namespace lockerctl::access {

/// A model's score for a camera frame (BGR or grey; the models take RGB).
double frame_probability(inference::InferenceEngine& model, const cv::Mat& frame);

struct OwnerVerdict {
  bool face = false;             ///< a usable face was found
  std::string holder;            ///< the holder it is; "" = none of them
  std::optional<double> score;   ///< the best candidate's score (none without a face or a model)
  double threshold = 0;
  std::string detail;            ///< what else the audit log should know (several faces, damaged templates)
};

class OwnerCheck {
 public:
  virtual ~OwnerCheck() = default;
  /// Decides on the largest of `faces` (found in the BGR `frame`), 1:N over `candidates` only.
  virtual OwnerVerdict check(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                             const std::vector<std::string>& candidates) = 0;
};

/// owner.method: embedding.
class EmbeddingOwnerCheck : public OwnerCheck {
 public:
  explicit EmbeddingOwnerCheck(FaceVerifier& verifier) : verifier_(verifier) {}
  OwnerVerdict check(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                     const std::vector<std::string>& candidates) override;

 private:
  FaceVerifier& verifier_;
};

/// owner.method: cnn. Each holder's own owner CNN scores the largest face: its aligned chip
/// (vision::align_face) for a model trained on chips (`lockerctl owner train`), else the layer-2
/// crop (vision::layer2_input). The holder whose model scores highest, relative to that model's
/// threshold, matches when the score reaches it. A holder without a model never matches.
class CnnOwnerCheck : public OwnerCheck {
 public:
  struct Model {
    inference::InferenceEngine* engine;
    double threshold;
  };
  CnnOwnerCheck(std::map<std::string, Model> models, double margin) : models_(std::move(models)), margin_(margin) {}
  OwnerVerdict check(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                     const std::vector<std::string>& candidates) override;

 private:
  std::map<std::string, Model> models_;
  double margin_;
};

}  // namespace lockerctl::access
