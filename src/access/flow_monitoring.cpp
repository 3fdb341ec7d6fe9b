// Monitoring around the flow: sensors and actuators by the rules, alarms, motion and clips, and the alerts and evidence of every layer.
#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "access/flow_time.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

std::vector<std::string> Flow::concerned() const {
  std::vector<std::string> to = holders_;
  if (to.empty() && o_.lockers.empty()) to = {o_.owner};
  if (to.empty()) {
    for (const std::string& number : o_.lockers) {
      for (const std::string& h : p_.lockers->get(number).holders) {
        if (std::find(to.begin(), to.end(), h) == to.end()) to.push_back(h);
      }
    }
  }
  return to;
}

void Flow::alert(const std::string& attempt, const std::string& text, const std::string& photo, std::vector<std::string> to) {
  if (to.empty()) to = concerned();
  for (const std::string& name : to) {
    const Owner owner = p_.owners.get(name);
    p_.outbox.raise({owner.name, owner.phone, owner.email}, attempt, text, photo);
  }
  ++summary_.alerts;
  log(attempt, "alert", "queued", text);
}

std::string Flow::keep_evidence(const Attempt& a, const std::string& reason) {
  if (a.frame.empty()) return {};
  const auto dir = std::filesystem::absolute(o_.incidents_dir / a.id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the incident folder: {}", dir.string(), ec.message()));
  vision::save_frame(dir / "frame.jpg", a.frame);
  if (p_.clips) {
    p_.clips->start(a.id, dir / "clip.mp4");
    clip_owners_[a.id] = concerned();
  }
  write_file_atomically(dir / "incident.txt",
                        fmt::format("attempt: {}\ntime: {}\n{}holders: {}\nreason: {}\n", a.id, utc_now_iso8601(),
                                    a.locker.empty() ? "" : "locker: " + a.locker + "\n", fmt::join(holders_, ", "), reason));
  return (dir / "frame.jpg").string();
}

void Flow::sensor_changed(int input, bool active) {
  const auto sensor = std::find_if(o_.sensors.begin(), o_.sensors.end(), [&](const Sensor& x) { return x.input == input; });
  const std::string name = sensor == o_.sensors.end() ? fmt::format("input {}", input) : sensor->name;
  const std::string detail = sensor == o_.sensors.end() ? name : fmt::format("{} (input {})", name, input);
  if (!active) {
    if (active_inputs_.erase(input)) log(attempt_, "sensor", "clear", detail);
    return;
  }
  if (!active_inputs_.insert(input).second) return;
  if (!raise_alarm(name, "sensor", "alarm", detail, fmt::format("lockerctl: ALERT: the {} sensor at your locker went off.", name), false)) {
    log(attempt_, "sensor", "active", detail);
  }
}

void Flow::actuator_changed(int output, bool on) {
  const auto actuator = std::find_if(o_.actuators.begin(), o_.actuators.end(), [&](const Actuator& x) { return x.output == output; });
  const std::string detail = actuator == o_.actuators.end() ? fmt::format("output {}", output)
                                                            : fmt::format("{} (output {})", actuator->name, output);
  if (on && outputs_on_.insert(output).second) log(attempt_, "actuator", "on", detail + ", reported by the board");
  if (!on && outputs_on_.erase(output)) log(attempt_, "actuator", "off", detail);
}

bool Flow::raise_alarm(const std::string& event, const std::string& layer, const std::string& decision,
                       const std::string& detail, const std::string& alert_text, bool always_alert, cv::Mat frame) {
  const bool locked = Clock::now() >= released_until_ && state() != State::Open;
  bool alert_owners = always_alert, board_alarm = false, evidence = !frame.empty();
  std::map<std::string, double> actuators_on;  // name -> the longest time a rule asks for
  std::vector<std::string> actions;
  for (const Rule& rule : o_.rules) {
    if (rule.when != event || (rule.hours && !rule.hours->contains_now()) || (rule.only_locked && !locked)) continue;
    for (const std::string& word : rule.then) {
      if (std::find(actions.begin(), actions.end(), word) == actions.end()) actions.push_back(word);
      if (word == "alert") {
        alert_owners = true;
      } else if (word == "alarm") {
        board_alarm = true;
      } else if (word == "evidence") {
        evidence = true;
      } else {
        actuators_on[word] = std::max(actuators_on[word], rule.for_s);
      }
    }
  }
  if (actions.empty() && !always_alert) return false;

  Attempt incident;
  incident.id = new_id('I');
  if (evidence && frame.empty()) {
    if (auto grabbed = grab_frame()) frame = *grabbed;
  }
  incident.frame = frame;
  std::string image;
  try {
    image = keep_evidence(incident, fmt::format("{}: {}", event, detail));
  } catch (const IoError& e) {
    log::error("{}: {}", incident.id, e.what());
    log(incident.id, "evidence", "error", e.what());
  }
  log(incident.id, layer, decision, actions.empty() ? detail : fmt::format("{}; then {}", detail, fmt::join(actions, " ")),
      std::nullopt, std::nullopt, image);
  if (evidence && frame.empty()) log(incident.id, "evidence", "none", "no frame from the camera");
  for (const auto& [name, for_s] : actuators_on) {
    const auto a = std::find_if(o_.actuators.begin(), o_.actuators.end(), [&](const Actuator& x) { return x.name == name; });
    if (a == o_.actuators.end()) continue;  // the configuration names only actuators it has
    const std::string what = fmt::format("{} (output {})", a->name, a->output);
    try {
      p_.board.set_output(a->output, std::chrono::milliseconds(static_cast<long long>(for_s * 1000)));
      outputs_on_.insert(a->output);
      log(incident.id, "actuator", "on", fmt::format("{} for {:g} s", what, for_s));
    } catch (const DeviceError& e) {
      log(incident.id, "actuator", "failed", fmt::format("{}: {}", what, e.what()));
    }
  }
  if (board_alarm) {
    try {
      p_.board.alarm();
      log(incident.id, "actuator", "alarm", "the reader's buzzer and red LED");
    } catch (const DeviceError& e) {
      log(incident.id, "actuator", "failed", fmt::format("the reader's alarm: {}", e.what()));
    }
  }
  if (alert_owners) alert(incident.id, alert_text, image);
  return true;
}

void Flow::watch() {
  if (!p_.motion && !p_.clips) return;
  const auto now = Clock::now();
  if (now < next_watch_) return;
  next_watch_ = now + seconds(1.0 / o_.watch_fps);
  if (auto frame = grab_frame(); frame && p_.motion) detect_motion(*frame);
  finish_clips(false);
}

void Flow::detect_motion(const cv::Mat& frame) {
  const vision::Motion m = p_.motion->feed(frame);
  if (!m.moving() || !attempt_.empty()) return;
  // One event per spell of motion; the spell of an attempt that just ended is the attempt's.
  const auto now = Clock::now();
  const bool quiet_before = now - last_motion_ > seconds(o_.motion_quiet_s);
  last_motion_ = now;
  if (!quiet_before) return;
  const std::string detail = fmt::format("zone {}, {:.1f}% of the frame", m.zone, 100 * m.area);
  if (o_.opening_hours.contains_now()) {
    log({}, "motion", "detected", detail);
    if (o_.motion_trigger) press();
    return;
  }
  cv::Mat photo = frame.clone();
  for (const cv::Rect& box : m.boxes) cv::rectangle(photo, box, cv::Scalar(0, 0, 255), 2);
  raise_alarm("motion", "motion", "alarm", detail,
              fmt::format("lockerctl: ALERT: motion in zone {} outside opening hours at {}.", m.zone, utc_now_iso8601()),
              true, photo);
}

void Flow::finish_clips(bool all) {
  if (!p_.clips) return;
  for (const vision::Clip& clip : p_.clips->finish(Clock::now(), all)) {
    const auto owners = clip_owners_.extract(clip.incident);
    if (!clip.error.empty()) {
      log::error("{}: {}", clip.incident, clip.error);
      log(clip.incident, "evidence", "error", clip.error);
      continue;
    }
    log(clip.incident, "evidence", "clip", fmt::format("{} frames, {:.1f} s", clip.frames, clip.seconds), std::nullopt,
        std::nullopt, clip.file.string());
    if (owners.empty()) continue;
    for (const std::string& name : owners.mapped()) {
      const Owner owner = p_.owners.get(name);
      p_.outbox.upload({owner.name, owner.phone, owner.email}, clip.incident, clip.file);
    }
  }
}

}  // namespace lockerctl::access
