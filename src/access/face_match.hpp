#pragma once

// Layer 2 by face embeddings (owner.method: embedding): a face is aligned (vision::align_face),
// embedded (inference::FaceEmbedder) and compared with the enrolled templates of the people it
// may be. The score is a similarity, 1 - the Euclidean distance to the closest template: the
// same person scores about 0.5-0.8, strangers below about 0.4. Enrollment photos pass a stricter
// check than run-time frames: exactly one face, large, sharp and (with a liveness check) live.

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "access/face_templates.hpp"
#include "inference/face_embedder.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace lockerctl::access {

struct FaceMatchOptions {
  double threshold = 0.51;         ///< similarity needed to match (owner.match_threshold)
  int min_face_px = 48;            ///< enrollment: smallest face box side, frame pixels
  double min_sharpness = 15;       ///< enrollment: smallest chip_sharpness
  double liveness_threshold = 0.5;
};

/// 1 - the distance from `probe` to the closest of `templates`; nullopt without templates.
std::optional<double> similarity(const inference::FaceDescriptor& probe, const std::vector<inference::FaceDescriptor>& templates);

/// The result of comparing a frame's largest face with some people's templates.
struct FaceMatch {
  bool face = false;          ///< a face was found (and had landmarks)
  std::string closest;        ///< the person whose template is closest ("" when no candidate has one)
  double score = 0;           ///< similarity to `closest`
  bool matched = false;       ///< score >= threshold
  int damaged = 0;            ///< damaged templates left out
  std::vector<std::string> without_templates;  ///< candidates with no intact template
};

/// An enrollment photo's face: its descriptor (the template) and its aligned chip (what the owner
/// CNN trains on, owner.method: cnn).
struct EnrolledFace {
  inference::FaceDescriptor descriptor;
  cv::Mat chip;  ///< 150x150 RGB, vision::align_face
};

class FaceVerifier {
 public:
  /// `liveness` may be null (no liveness check at enrollment).
  FaceVerifier(vision::FaceDetector& detector, inference::FaceEmbedder& embedder, vision::LivenessCheck* liveness,
               FaceTemplates& templates, FaceMatchOptions options);

  /// The face of an enrollment photo (BGR), or nullopt with `why` set: no face, several faces,
  /// too small, too blurred, not live.
  std::optional<EnrolledFace> enrollment_face(const cv::Mat& frame, std::string& why);

  /// The descriptor of the largest of `faces` (detected in the BGR `frame`); nullopt when there
  /// is none or it has no landmarks.
  std::optional<inference::FaceDescriptor> describe(const cv::Mat& frame, const std::vector<vision::Face>& faces);

  /// Compares the largest of `faces` (detected in the BGR `frame`) with the templates of
  /// `candidates`: 1:N over them, never over anyone else.
  FaceMatch match(const cv::Mat& frame, const std::vector<vision::Face>& faces, const std::vector<std::string>& candidates);

  const FaceMatchOptions& options() const { return o_; }

 private:
  vision::FaceDetector& detector_;
  inference::FaceEmbedder& embedder_;
  vision::LivenessCheck* liveness_;
  FaceTemplates& templates_;
  FaceMatchOptions o_;
};

}  // namespace lockerctl::access
