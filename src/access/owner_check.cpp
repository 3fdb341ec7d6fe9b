#include "access/owner_check.hpp"

#include <fmt/format.h>

#include <opencv2/imgproc.hpp>

#include "vision/face_chip.hpp"

namespace lockerctl::access {

double frame_probability(inference::InferenceEngine& model, const cv::Mat& frame) {
  cv::Mat rgb;
  cv::cvtColor(frame, rgb, frame.channels() == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
  return model.probability(rgb);
}

namespace {

void add(std::string& detail, const std::string& more) { detail += (detail.empty() ? "" : "; ") + more; }

/// What the audit log notes about the faces in view.
std::string faces_seen(const cv::Mat& frame, const std::vector<vision::Face>& faces) {
  std::string seen;
  if (faces.size() > 1) seen = fmt::format("{} faces in view, the largest decides", faces.size());
  if (!faces.empty() && faces.front().cut_off(frame.size())) add(seen, "face cut off at the frame border");
  return seen;
}

}  // namespace

OwnerVerdict EmbeddingOwnerCheck::check(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                                        const std::vector<std::string>& candidates) {
  const FaceMatch m = verifier_.match(frame, faces, candidates);
  OwnerVerdict v;
  v.face = m.face;
  v.threshold = verifier_.options().threshold;
  v.detail = faces_seen(frame, faces);
  if (m.damaged) add(v.detail, fmt::format("{} damaged face template(s) left out", m.damaged));
  if (!m.without_templates.empty()) add(v.detail, fmt::format("not enrolled: {}", fmt::join(m.without_templates, ", ")));
  if (!m.closest.empty()) {
    v.score = m.score;
    add(v.detail, fmt::format("closest: {}", m.closest));
    if (m.matched) v.holder = m.closest;
  }
  return v;
}

OwnerVerdict CnnOwnerCheck::check(const cv::Mat& frame, const std::vector<vision::Face>& faces,
                                  const std::vector<std::string>& candidates) {
  OwnerVerdict v;
  if (candidates.size() == 1 && models_.count(candidates.front())) v.threshold = models_.at(candidates.front()).threshold;
  const auto crop = vision::layer2_input(frame, faces, margin_);
  if (!crop) return v;
  v.face = true;
  v.detail = faces_seen(frame, faces);
  cv::Mat chip;  // made once, for the first model that takes chips
  std::vector<std::string> without;
  std::optional<double> best_margin;
  for (const std::string& person : candidates) {
    const auto it = models_.find(person);
    if (it == models_.end()) {
      without.push_back(person);
      continue;
    }
    const Model& m = it->second;
    double score;
    if (m.engine->info().input == models::kFaceChipInput) {
      if (!faces.front().has_landmarks) {
        add(v.detail, fmt::format("no landmarks for the chip of {}'s model", person));
        continue;
      }
      if (chip.empty()) chip = vision::align_face(frame, faces.front());
      score = m.engine->probability(chip);
    } else {
      score = frame_probability(*m.engine, crop->image);
    }
    if (!best_margin || score - m.threshold > *best_margin) {
      best_margin = score - m.threshold;
      v.score = score;
      v.threshold = m.threshold;
      v.holder = score >= m.threshold ? person : "";
    }
  }
  if (!without.empty()) add(v.detail, fmt::format("no owner model: {}", fmt::join(without, ", ")));
  return v;
}

}  // namespace lockerctl::access
