#include "access/owner_check.hpp"

#include <fmt/format.h>

#include <opencv2/imgproc.hpp>

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
  v.threshold = threshold_;
  const auto crop = vision::layer2_input(frame, faces, margin_);
  if (!crop) return v;
  v.face = true;
  v.detail = faces_seen(frame, faces);
  std::vector<std::string> without;
  for (const std::string& person : candidates) {
    const auto it = models_.find(person);
    if (it == models_.end()) {
      without.push_back(person);
      continue;
    }
    const double score = frame_probability(*it->second, crop->image);
    if (!v.score || score > *v.score) {
      v.score = score;
      v.holder = score >= threshold_ ? person : "";
    }
  }
  if (!without.empty()) add(v.detail, fmt::format("no owner model: {}", fmt::join(without, ", ")));
  return v;
}

}  // namespace lockerctl::access
