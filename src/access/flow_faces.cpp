// Layers 1 and 2 of the flow: the human check on camera frames, the liveness check, and who the face is.
#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "access/flow_time.hpp"
#include "core/clock.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

std::optional<cv::Mat> Flow::grab_frame() {
  const auto now = Clock::now();
  if (camera_lost_) {
    if (now < camera_retry_at_) return std::nullopt;
    if (!p_.camera.reopen()) {
      camera_backoff_s_ = std::min(60.0, camera_backoff_s_ * 2);
      camera_retry_at_ = now + seconds(camera_backoff_s_);
      return std::nullopt;
    }
  }
  auto frame = p_.camera.grab();
  if (!frame) {
    if (!camera_lost_) {
      camera_lost_ = true;
      camera_backoff_s_ = o_.camera_retry_s;
      log(attempt_, "camera", "lost", fmt::format("{}: no frame; retrying every {:.1f} s and longer", p_.camera.name(), camera_backoff_s_));
    } else {
      camera_backoff_s_ = std::min(60.0, camera_backoff_s_ * 2);
    }
    camera_retry_at_ = now + seconds(camera_backoff_s_);
    return std::nullopt;
  }
  if (camera_lost_) {
    camera_lost_ = false;
    log(attempt_, "camera", "back", p_.camera.name());
    if (p_.motion) p_.motion->reset();  // it may point elsewhere now
  }
  if (p_.clips) p_.clips->push(*frame);
  return frame;
}

State Flow::check_human(Attempt& a) {
  std::vector<double> scores;
  std::vector<std::pair<double, cv::Mat>> accepted;
  double best = -1;
  // A lost camera gets a few of its retries before the attempt gives up.
  const auto deadline = Clock::now() + seconds(std::max(2.0, 4 * o_.camera_retry_s));
  while (static_cast<int>(scores.size()) < o_.frames && Clock::now() < deadline) {
    auto frame = grab_frame();
    if (!frame) {
      if (wait_input(Clock::now() + 20ms) == Input::Stop) return State::Stopped;
      continue;
    }
    const double score = frame_probability(p_.human, *frame);
    scores.push_back(score);
    if (score >= o_.human_threshold) accepted.emplace_back(score, *frame);
    if (score > best) {
      best = score;
      a.frame = *frame;
    }
  }
  if (scores.empty()) {
    log(a.id, "human", "error", "no frame from the camera; attempt ended");
    ++summary_.denied;
    return State::Idle;
  }
  const auto passing = std::count_if(scores.begin(), scores.end(), [&](double s) { return s >= o_.human_threshold; });
  const bool pass = o_.majority_vote ? passing * 2 > static_cast<long>(scores.size()) : best >= o_.human_threshold;
  log(a.id, "human", pass ? "pass" : "deny",
      fmt::format("{} of {} frames passed, {} vote", passing, scores.size(), o_.majority_vote ? "majority" : "best"),
      best, o_.human_threshold);
  if (!pass) {
    ++summary_.denied;
    return State::Idle;
  }
  std::stable_sort(accepted.begin(), accepted.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (auto& [score, frame] : accepted) a.accepted.push_back(std::move(frame));
  return p_.liveness ? State::Liveness : State::Owner;
}

State Flow::check_liveness(Attempt& a) {
  // The mean over the accepted frames that show a face decides; the best of them is the one
  // layer 2 looks at and the evidence.
  double sum = 0;
  int scored = 0;
  const int frames = std::min(o_.liveness_frames, static_cast<int>(a.accepted.size()));
  for (int i = 0; i < frames; ++i) {
    auto faces = p_.faces.detect(a.accepted[i]);
    if (faces.empty()) continue;
    if (scored == 0) {
      a.frame = a.accepted[i];
      a.faces = faces;
    }
    sum += p_.liveness->score(a.accepted[i], faces.front());
    ++scored;
  }
  if (scored == 0) {
    log(a.id, "liveness", "no face", fmt::format("no face in the {} frames layer 1 accepted; layer 2 decides", frames));
    return State::Owner;
  }
  const double score = sum / scored;
  const std::string detail = fmt::format("mean of {} of {} frames", scored, frames);
  if (score >= o_.liveness_threshold) {
    log(a.id, "liveness", "pass", detail, score, o_.liveness_threshold);
    return State::Owner;
  }
  const std::string why = "a photo or screen was shown to the camera";
  const std::string image = keep_evidence(a, why);
  log(a.id, "liveness", "deny", fmt::format("{}; {}", why, detail), score, o_.liveness_threshold, image);
  alert(a.id, fmt::format("lockerctl: ALERT: {} at your locker at {}.", why, utc_now_iso8601()), image);
  ++summary_.denied;
  return State::Idle;
}

State Flow::check_owner(Attempt& a) {
  if (!a.faces) a.faces = p_.faces.detect(a.frame);
  const OwnerVerdict v = p_.owner_check.check(a.frame, *a.faces, holders_);
  if (!v.holder.empty()) {
    a.holder = v.holder;
    const std::string who = a.locker.empty() ? v.detail : fmt::format("locker {}: holder {}{}{}", a.locker, a.holder,
                                                                      v.detail.empty() ? "" : "; ", v.detail);
    log(a.id, "owner", "pass", who, v.score, v.threshold);
    const double until = p_.owners.locked_until(a.holder);
    if (until > unix_now()) {
      log(a.id, "lockout", "deny", fmt::format("{} is locked out for {:.0f} more s after a failed attempt", a.holder, until - unix_now()));
      ++summary_.denied;
      return State::Idle;
    }
    if (const auto j = joint_.find(a.locker); a.all && j != joint_.end()) {
      const auto& passed = j->second.passed;
      if (std::find(passed.begin(), passed.end(), a.holder) != passed.end()) {
        log(a.id, "joint", "already passed", fmt::format("{} passed already; the locker waits for the other holders", a.holder));
        waiting_ = true;
        return State::Idle;
      }
    }
    return State::Password;
  }
  const std::string why = v.face ? "not the owner" : "no face found";
  const std::string image = keep_evidence(a, why);
  log(a.id, "owner", "deny", v.detail.empty() ? why : why + "; " + v.detail, v.score, v.threshold, image);
  alert(a.id, fmt::format("lockerctl: someone who is not you tried to open your locker at {}.", utc_now_iso8601()),
        image);
  ++summary_.denied;
  return State::Idle;
}

}  // namespace lockerctl::access
