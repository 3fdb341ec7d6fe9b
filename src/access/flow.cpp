#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <opencv2/imgproc.hpp>

#include "access/credentials.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace lockerctl::access {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

constexpr const char* kStateNames[] = {"idle", "locker", "human", "liveness", "owner", "password", "otp", "open", "stopped"};

}  // namespace

const char* state_name(State s) { return kStateNames[static_cast<int>(s)]; }

std::optional<State> parse_state(const std::string& name) {
  for (int i = 0; i < static_cast<int>(std::size(kStateNames)); ++i) {
    if (name == kStateNames[i]) return static_cast<State>(i);
  }
  return std::nullopt;
}

Flow::Flow(FlowOptions options, FlowParts parts) : o_(std::move(options)), p_(parts) {}

void Flow::press() {
  std::lock_guard lock(mutex_);
  inputs_.emplace_back(Input::Trigger, std::string());
  changed_.notify_all();
}

void Flow::enter(const std::string& entry) {
  std::lock_guard lock(mutex_);
  inputs_.emplace_back(Input::Entry, entry);
  changed_.notify_all();
}

void Flow::stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  changed_.notify_all();
}

State Flow::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

Progress Flow::progress() const {
  const bool board_ready = p_.board.ready();
  std::lock_guard lock(mutex_);
  return {state_, last_, ended_, board_ready};
}

bool Flow::wait_for(State s, std::size_t& seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  std::size_t found = 0;
  const bool ok = changed_.wait_for(lock, timeout, [&] {
    for (std::size_t i = seen; i < history_.size(); ++i) {
      if (history_[i] == s) {
        found = i + 1;
        return true;
      }
    }
    return false;
  });
  if (ok) seen = found;
  return ok;
}

void Flow::ignored_requests(std::ptrdiff_t n) const {
  // Said, so that whoever pressed knows to ask again once the attempt has ended.
  if (n > 0) log::warn("{}: {} request(s) for access during the attempt ignored; ask again when it ends", attempt_, n);
}

std::size_t Flow::changes() const {
  std::lock_guard lock(mutex_);
  return history_.size();
}

void Flow::enter_state(State s) {
  log::debug("flow: {}", state_name(s));
  std::lock_guard lock(mutex_);
  state_ = s;
  history_.push_back(s);
  changed_.notify_all();
}

std::int64_t Flow::log(const std::string& attempt, const std::string& layer, const std::string& decision,
                       const std::string& detail, std::optional<double> score, std::optional<double> threshold,
                       const std::string& image) {
  if (score) {
    log::info("{} {}: {} (score {:.4g}, threshold {:.4g}){}{}", attempt.empty() ? "-" : attempt, layer, decision,
              *score, threshold.value_or(0), detail.empty() ? "" : ": ", detail);
  } else {
    log::info("{} {}: {}{}{}", attempt.empty() ? "-" : attempt, layer, decision, detail.empty() ? "" : ": ", detail);
  }
  return p_.audit.append({0, {}, attempt, layer, decision, score, threshold, image, detail});
}

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

void Flow::alert(const std::string& attempt, const std::string& text, const std::string& photo) {
  for (const std::string& name : concerned()) {
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

void Flow::relock() {
  if (Clock::now() >= released_until_) return;
  released_until_ = {};
  try {
    p_.board.lock();
    log(attempt_, "lock", "locked", "re-locked before leaving the open state");
  } catch (const DeviceError& e) {
    // The release was a timed pulse: the board locks by itself when it runs out.
    log::warn("could not re-lock at once ({}); the board re-locks when the pulse ends", e.what());
  }
}

void Flow::service() {
  const auto now = Clock::now();
  if (door_open_ && !door_alerted_ && now - door_opened_at_ > seconds(o_.door_open_max_s)) {
    door_alerted_ = true;
    log(attempt_, "door", "left open", fmt::format("open for more than {:.0f} s", o_.door_open_max_s));
    alert(attempt_, fmt::format("lockerctl: your locker door has been open for more than {:.0f} s.", o_.door_open_max_s));
  }
}

void Flow::handle_board(const devices::BoardEvent& e) {
  using K = devices::BoardEvent::Kind;
  const auto now = Clock::now();
  switch (e.kind) {
    case K::Online:
      log(attempt_, "board", "online");
      break;
    case K::Offline:
      log(attempt_, "board", "offline", "no valid reply from the lock board");
      break;
    case K::Input:
      if (e.index != o_.door_input) {
        sensor_changed(e.index, e.active);
        break;
      }
      if (e.active && !door_open_) {
        door_open_ = true;
        door_alerted_ = false;
        door_opened_at_ = now;
        if (now >= released_until_ && state_ != State::Open) {
          raise_alarm("door forced", "door", "forced", "the door opened while the lock was not released",
                      "lockerctl: ALERT: your locker door was opened without access being granted. "
                      "Report it to the police and the branch.", true);
        } else {
          log(attempt_, "door", "opened");
        }
      } else if (!e.active && door_open_) {
        door_open_ = false;
        log(attempt_, "door", "closed");
      }
      break;
    case K::Output:
      if (e.index == o_.lock_output) {
        log(attempt_, "lock", e.active ? "released" : "locked", "reported by the board");
      } else {
        actuator_changed(e.index, e.active);
      }
      break;
    case K::Keypad:
      if (!o_.keys_from_board) break;
      if (state() == State::Idle) {
        press();  // any key asks for access; the keys themselves mean nothing yet
        break;
      }
      for (char c : e.text) {
        if (c == '*') {
          keypad_.clear();
        } else if (c == '#') {
          enter(keypad_);
          keypad_.clear();
        } else if (keypad_.size() < 64) {
          keypad_ += c;
        }
      }
      break;
    case K::Tamper:
      if (e.active) {
        raise_alarm("tamper", "board", "tamper", "the lock board's tamper switch is open",
                    "lockerctl: ALERT: the lock board of your locker reports tampering.", true);
      }
      break;
    case K::Power:
      if (e.active) log(attempt_, "board", "power failure", "running on battery");
      break;
    case K::Nak:
      log(attempt_, "board", "refused", e.text);
      break;
    case K::Secure:
      if (e.active) {
        raise_alarm("link attack", "board", "link attack", e.text,
                    "lockerctl: ALERT: someone is tampering with the wires of your locker's lock board. The locker "
                    "stays locked. Report it to the branch.", true);
      } else {
        log(attempt_, "board", "secure channel", e.text);
      }
      break;
  }
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

Flow::Input Flow::wait_input(Clock::time_point deadline, std::string* entry) {
  for (;;) {
    service();
    watch();
    {
      std::lock_guard lock(mutex_);
      if (stop_ || (stop_flag_ && *stop_flag_)) return Input::Stop;
      while (!inputs_.empty()) {
        auto [kind, text] = inputs_.front();
        inputs_.pop_front();
        if (kind == Input::Entry && entry == nullptr) continue;  // nobody asked for one
        if (kind == Input::Trigger && !attempt_.empty()) {
          ignored_requests(1);
          continue;
        }
        if (entry) *entry = text;
        return kind;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) return Input::Timeout;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (auto e = p_.board.next_event(std::clamp(left, 1ms, 50ms))) handle_board(*e);
  }
}

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

std::string Flow::new_id(char prefix) {
  std::string id = fmt::format("{}{}-{}", prefix, utc_now_iso8601(), ++attempt_counter_);
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == ':' || c == '-'; }), id.end());
  id.insert(id.find('Z') + 1, "-");
  return id;
}

State Flow::idle() {
  for (;;) {
    const auto deadline = Clock::now() + (o_.trigger_on_face ? 500ms : 1000ms);
    const Input in = wait_input(deadline);
    if (in == Input::Stop) return State::Stopped;
    if (in == Input::Timeout) {
      if (!o_.trigger_on_face) continue;
      // A face that comes into view starts one attempt; it has to leave before it starts another.
      auto frame = grab_frame();
      const bool face = frame && !p_.faces.detect(*frame).empty();
      const bool appeared = face && !face_in_view_;
      face_in_view_ = face;
      if (!appeared) continue;
    }
    // Nobody goes through the layers, nor gets a code, for a locker that cannot be opened now.
    if (!p_.board.ready()) {
      log({}, "board", "out of service",
          "the lock board takes no command now (offline, or no secure channel); no attempt until it does");
      continue;
    }
    if (o_.lockers.size() > 1) return State::Locker;
    if (o_.lockers.empty()) {
      const double until = p_.owners.locked_until(o_.owner);
      if (until > unix_now()) {
        log({}, "lockout", "deny", fmt::format("locked out for {:.0f} more s after a failed attempt", until - unix_now()));
        continue;
      }
    }
    return State::Human;
  }
}

State Flow::ask_locker(Attempt& a) {
  log::info("{} locker: type the locker number", a.id);
  std::string entry;
  const Input in = wait_input(Clock::now() + seconds(o_.input_timeout_s), &entry);
  if (in == Input::Stop) return State::Stopped;
  if (in != Input::Entry) {
    log(a.id, "locker", "timeout", "no locker number entered; attempt ended");
    ++summary_.denied;
    return State::Idle;
  }
  if (std::find(o_.lockers.begin(), o_.lockers.end(), entry) == o_.lockers.end()) {
    log(a.id, "locker", "deny", fmt::format("locker {} is not served here", entry));
    ++summary_.denied;
    return State::Idle;
  }
  a.locker = entry;
  return begin(a);
}

State Flow::begin(Attempt& a) {
  if (a.locker.empty() && o_.lockers.size() == 1) a.locker = o_.lockers.front();
  holders_ = a.locker.empty() ? std::vector<std::string>{o_.owner} : p_.lockers->get(a.locker).holders;
  log(a.id, "trigger", "start",
      a.locker.empty() ? fmt::format("owner '{}'", o_.owner)
                       : fmt::format("locker {}, holders {}", a.locker, fmt::join(holders_, ", ")));
  return State::Human;
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

State Flow::fail_layer3(Attempt& a, const std::string& why) {
  const std::string image = keep_evidence(a, why);
  const double until = unix_now() + o_.lockout_s;
  p_.owners.lock_out(a.holder, until);
  log(a.id, "lockout", "start", fmt::format("{}; no attempts for {:.0f} s", why, o_.lockout_s), std::nullopt,
      std::nullopt, image);
  alert(a.id,
        fmt::format("lockerctl: ALERT: {} at your locker at {}. If this was not you, report it to the police.", why,
                    utc_now_iso8601()),
        image);
  ++summary_.denied;
  return State::Idle;
}

State Flow::ask(Attempt& a, const Question& q) {
  for (int tries = 1; tries <= q.tries;) {
    if (q.what == std::string("password")) log::info("{} password: enter it now (try {} of {})", a.id, tries, q.tries);
    std::string entry;
    const auto deadline = std::min(q.expires.value_or(Clock::time_point::max()), Clock::now() + seconds(o_.input_timeout_s));
    const Input in = wait_input(deadline, &entry);
    if (in == Input::Stop) return State::Stopped;
    const bool expired = q.expires && Clock::now() >= *q.expires;
    if (in == Input::Timeout || (in == Input::Entry && expired)) {
      log(a.id, q.layer, expired ? "expired" : "timeout",
          expired ? fmt::format("the {} expired; attempt ended", q.what) : fmt::format("no {} entered; attempt ended", q.what));
      ++summary_.denied;
      return State::Idle;
    }
    if (in != Input::Entry) continue;
    if (q.accept(entry)) {
      log(a.id, q.layer, "pass", fmt::format("try {}", tries));
      return q.next;
    }
    log(a.id, q.layer, "deny", fmt::format("wrong {}, try {} of {}", q.what, tries, q.tries));
    ++tries;
  }
  return fail_layer3(a, fmt::format("{} wrong {}s", q.tries, q.what));
}

State Flow::password(Attempt& a) {
  const Owner owner = p_.owners.get(a.holder);
  if (owner.password_hash.empty()) {
    log(a.id, "password", "error", fmt::format("owner '{}' has no password (lockerctl owner set-password)", owner.name));
    ++summary_.denied;
    return State::Idle;
  }
  return ask(a, {"password", "password", o_.password_tries, std::nullopt, State::Otp,
                 [&](const std::string& entry) { return verify_password(entry, owner.password_hash); }});
}

State Flow::one_time_password(Attempt& a) {
  const Owner owner = p_.owners.get(a.holder);
  if (o_.totp) {
    if (owner.totp_secret.empty()) {
      log(a.id, "otp", "error", fmt::format("owner '{}' has no authenticator (lockerctl owner enroll-totp)", owner.name));
      ++summary_.denied;
      return State::Idle;
    }
    log(a.id, "otp", "requested", "code from the authenticator app");
    return ask(a, {"otp", "one-time code", o_.otp_tries, std::nullopt, State::Open, [&](const std::string& entry) {
                     return totp_matches(owner.totp_secret, static_cast<std::uint64_t>(unix_now()), o_.otp_digits, entry);
                   }});
  }
  // The code lives only here and in the outbox until it is sent; it is good for one attempt.
  const std::string code = random_code(o_.otp_digits);
  p_.outbox.send_code({owner.name, owner.phone, owner.email}, a.id,
                      fmt::format("lockerctl: your one-time code is {}. It expires in {:.0f} s.", code, o_.otp_ttl_s),
                      unix_now() + o_.otp_ttl_s);
  log(a.id, "otp", "sent", fmt::format("to the owner, valid {:.0f} s", o_.otp_ttl_s));
  return ask(a, {"otp", "one-time code", o_.otp_tries, Clock::now() + seconds(o_.otp_ttl_s), State::Open,
                 [&](const std::string& entry) { return codes_equal(entry, code); }});
}

State Flow::open(Attempt& a) {
  const auto duration = std::chrono::milliseconds(static_cast<long long>(o_.unlock_s * 1000));
  log(a.id, "access", "granted", fmt::format("unlocking for {:.1f} s", o_.unlock_s));
  try {
    released_until_ = Clock::now() + duration;
    p_.board.unlock(duration);
  } catch (const DeviceError& e) {
    released_until_ = {};
    log(a.id, "lock", "error", e.what());
    ++summary_.denied;
    return State::Idle;
  }
  ++summary_.granted;
  if (o_.alert_on_access) {
    // Every holder reads at once that the locker was opened, and by whom: a joint holder who
    // did not open it learns that someone else did. Through the outbox: nobody waits for it.
    alert(a.id, fmt::format("lockerctl: your locker{} was opened by {} at {}{}. If that was not you or someone you "
                            "trust, call the branch now.",
                            a.locker.empty() ? "" : " " + a.locker, a.holder, utc_now_iso8601(),
                            o_.branch.empty() ? "" : " at the " + o_.branch + " branch"));
  }
  bool was_opened = false;
  for (;;) {
    const Input in = wait_input(Clock::now() + 100ms);
    if (in == Input::Stop) {
      relock();
      return State::Stopped;
    }
    was_opened |= door_open_;
    const bool window_over = Clock::now() >= released_until_;
    if (window_over && !door_open_) {
      log(a.id, "access", "done", was_opened ? "door closed, locker locked" : "door not opened; locker locked");
      return State::Idle;
    }
  }
}

FlowSummary Flow::run(const std::atomic<bool>& stop_flag) {
  stop_flag_ = &stop_flag;
  log::debug("flow: {}", state_name(State::Idle));  // the state it was made in
  State s = State::Idle;
  Attempt a;
  while (s != State::Stopped) {
    try {
      switch (s) {
        case State::Idle:
          s = idle();
          if (s == State::Human || s == State::Locker) {
            a = Attempt{};
            a.id = new_id('A');
            ++summary_.attempts;
            granted_before_ = summary_.granted;
            attempt_ = a.id;
            if (s == State::Human) s = begin(a);
          }
          break;
        case State::Locker: s = ask_locker(a); break;
        case State::Human: s = check_human(a); break;
        case State::Liveness: s = check_liveness(a); break;
        case State::Owner: s = check_owner(a); break;
        case State::Password: s = password(a); break;
        case State::Otp: s = one_time_password(a); break;
        case State::Open: s = open(a); break;
        case State::Stopped: break;
      }
    } catch (const std::exception& e) {  // lockerctl's errors, and OpenCV's or a model's
      log::error("{}: {}", a.id.empty() ? "-" : a.id, e.what());
      try {
        log(a.id, "system", "error", e.what());
      } catch (const Error&) {
        // The audit log itself failed (disk full): the locker stays locked, the error is on stderr.
      }
      relock();
      ++summary_.denied;
      s = State::Idle;
    }
    if (s == State::Idle && !attempt_.empty()) {
      // Keys and presses left over from the attempt that just ended do not start the next one.
      std::lock_guard lock(mutex_);
      ignored_requests(std::count_if(inputs_.begin(), inputs_.end(), [](const auto& i) { return i.first == Input::Trigger; }));
      attempt_.clear();
      holders_.clear();
      keypad_.clear();
      inputs_.clear();
      last_ = summary_.granted > granted_before_ ? Outcome::Granted : Outcome::Denied;
      ended_ = Clock::now();
      last_motion_ = ended_;
    }
    enter_state(s);
  }
  relock();
  finish_clips(true);
  log({}, "system", "stopped", fmt::format("{} attempts, {} granted, {} denied", summary_.attempts, summary_.granted, summary_.denied));
  return summary_;
}

}  // namespace lockerctl::access
