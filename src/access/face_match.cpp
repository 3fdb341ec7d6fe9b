#include "access/face_match.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vision/face_chip.hpp"

namespace lockerctl::access {

FaceVerifier::FaceVerifier(vision::FaceDetector& detector, inference::FaceEmbedder& embedder,
                           vision::LivenessCheck* liveness, FaceTemplates& templates, FaceMatchOptions options)
    : detector_(detector), embedder_(embedder), liveness_(liveness), templates_(templates), o_(options) {}

std::optional<EnrolledFace> FaceVerifier::enrollment_face(const cv::Mat& frame, std::string& why) {
  const std::vector<vision::Face> faces = detector_.detect(frame);
  if (faces.empty()) {
    why = "no face found";
    return std::nullopt;
  }
  if (faces.size() > 1) {
    why = fmt::format("{} faces; an enrollment photo shows exactly one", faces.size());
    return std::nullopt;
  }
  const vision::Face& f = faces.front();
  if (!f.has_landmarks) {
    why = "the face detector gives no landmarks (face.detector: yunet)";
    return std::nullopt;
  }
  const double side = std::min(f.box.width, f.box.height);
  if (side < o_.min_face_px) {
    why = fmt::format("face too small: {:.0f} px, owner.min_face_px is {}", side, o_.min_face_px);
    return std::nullopt;
  }
  if (f.cut_off(frame.size())) {
    why = "face cut off at the border";
    return std::nullopt;
  }
  const cv::Mat chip = vision::align_face(frame, f);
  const double sharpness = vision::chip_sharpness(chip);
  if (sharpness < o_.min_sharpness) {
    why = fmt::format("face too blurred: sharpness {:.0f}, owner.min_sharpness is {:.0f}", sharpness, o_.min_sharpness);
    return std::nullopt;
  }
  if (liveness_) {
    const double live = liveness_->score(frame, f);
    if (live < o_.liveness_threshold) {
      why = fmt::format("not a live face: liveness {:.3f} < {:.3f}", live, o_.liveness_threshold);
      return std::nullopt;
    }
  }
  return EnrolledFace{embedder_.embed(chip), chip};
}

std::optional<double> similarity(const inference::FaceDescriptor& probe, const std::vector<inference::FaceDescriptor>& templates) {
  std::optional<double> best;
  for (const auto& t : templates) best = std::max(best.value_or(-1e9), 1.0 - inference::descriptor_distance(probe, t));
  return best;
}

std::optional<inference::FaceDescriptor> FaceVerifier::describe(const cv::Mat& frame, const std::vector<vision::Face>& faces) {
  if (faces.empty() || !faces.front().has_landmarks) return std::nullopt;
  return embedder_.embed(vision::align_face(frame, faces.front()));
}

FaceMatch FaceVerifier::match(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                              const std::vector<std::string>& candidates) {
  FaceMatch m;
  const auto probe = describe(frame, faces);
  if (!probe) return m;
  m.face = true;
  for (const std::string& person : candidates) {
    const OwnerTemplates t = templates_.load(person);
    m.damaged += t.damaged;
    const auto score = similarity(*probe, t.templates);
    if (!score) {
      m.without_templates.push_back(person);
    } else if (m.closest.empty() || *score > m.score) {
      m.score = *score;
      m.closest = person;
    }
  }
  m.matched = !m.closest.empty() && m.score >= o_.threshold;
  return m;
}

}  // namespace lockerctl::access
