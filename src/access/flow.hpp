#pragma once

// The four-layer access flow as an explicit state machine, one thread:
//
//   Idle --trigger--> [Locker: the number typed, when the station serves several] --> Human --pass--> Liveness --pass--> Owner --pass--> Password --ok--> Otp --ok--> [Approval] --> Open --> Idle
//     ^                 |closed/deny    |spoof             |deny           |3 wrong         |3 wrong/expired  |refused/timeout
//     +-----------------+---------------+------------------+---------------+----------------+-----------------+
//   (a spoof or a stranger: evidence photo and alert; 3 wrong passwords or codes: evidence photo,
//   alert with police advice, lockout. Without a liveness check, Human leads to Owner.)
//
// The bank's rules (flow_bank.cpp): outside opening hours or on a holiday no attempt starts unless
// an officer opened a window for the locker; a locker in joint mode `all` opens only once every
// holder has passed layers 1-3 within the joint window (each holder's pass ends that attempt and
// waits for the others); under dual control the Approval state waits for a bank officer.
//
// Whatever the state, the flow watches the lock board: door opened without an unlock (forced),
// door left open, sensors, tamper, power, link lost and back. The rules answer a forced door,
// tamper, a sensor or motion with actuators (a siren), the reader's alarm, a photo and alerts. Every decision and event goes to the audit
// log; alerts and codes go through the durable outbox. Camera, face detector, liveness check, models, board,
// audit log, outbox and owners are interfaces or stores handed in, so tests drive every branch.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "access/owner_check.hpp"
#include "access/lockers.hpp"
#include "access/owners.hpp"
#include "access/windows.hpp"
#include "audit/audit_log.hpp"
#include "core/schedule.hpp"
#include "devices/lock_board.hpp"
#include "evidence/retention.hpp"
#include "inference/engine.hpp"
#include "notify/outbox.hpp"
#include "vision/camera.hpp"
#include "vision/clip.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"
#include "vision/motion.hpp"

namespace lockerctl::access {

enum class State { Idle, Locker, Human, Liveness, Owner, Password, Otp, Approval, Open, Stopped };
const char* state_name(State s);
std::optional<State> parse_state(const std::string& name);

/// A sensor on a lock-board input, by name.
struct Sensor {
  std::string name;
  int input = 0;
};

/// What a lock-board output drives (a siren relay, a light), by name.
struct Actuator {
  std::string name;
  int output = 0;
};

/// What answers an alarm (the config's `rules`, docs/lock-board.md).
struct Rule {
  std::string when;               ///< a sensor's name, "door forced", "tamper", "link attack" or "motion"
  std::optional<Schedule> hours;  ///< only at these times; nullopt: at any time
  bool only_locked = false;       ///< only while the lock is locked
  std::vector<std::string> then;  ///< an actuator's name, "alert", "alarm" (the board's buzzer and red LED), "evidence"
  double for_s = 60;              ///< how long actuators stay on
};

struct FlowOptions {
  std::string owner;               ///< with no lockers: the one person this station opens for
  std::vector<std::string> lockers;  ///< lockers served (their holders may open); several: the number is asked first
  int frames = 5;
  bool majority_vote = false;      ///< else the best frame decides
  double human_threshold = 0.5;
  double liveness_threshold = 0.5;
  int liveness_frames = 3;         ///< layer-1-accepted frames the liveness check scores
  bool trigger_on_face = false;    ///< else a key / Enter starts an attempt
  bool keys_from_board = true;     ///< keypad digits of the board make entries (end with '#')
  int password_tries = 3;
  bool totp = false;               ///< else an SMS code
  int otp_digits = 6;
  int otp_tries = 3;
  double otp_ttl_s = 120;
  double lockout_s = 900;
  double unlock_s = 5;
  double door_open_max_s = 60;
  double input_timeout_s = 60;
  double camera_retry_s = 1;
  double watch_fps = 5;            ///< frames a second read between attempts (motion, clips)
  Schedule opening_hours;          ///< motion outside it is an alarm
  bool motion_trigger = false;     ///< motion during opening hours starts an attempt
  double motion_quiet_s = 30;      ///< motion after this long without any is a new event
  int door_input = 0;
  int lock_output = 0;
  std::vector<Sensor> sensors;
  std::vector<Actuator> actuators;
  std::vector<Rule> rules;
  std::filesystem::path incidents_dir = "var/incidents";
  bool alert_on_access = true;     ///< every holder is told when the locker opens
  std::string branch;              ///< named in that alert; "" = not named
  std::optional<Schedule> hours;   ///< when attempts may start; nullopt: at any time
  std::set<std::string> holidays;  ///< local dates (YYYY-MM-DD) on which none starts
  double joint_window_s = 300;     ///< joint mode `all`: every holder passes within this long
  bool dual_control = false;       ///< every opening waits for an officer (a locker may ask it alone)
  double approval_timeout_s = 120;
  int retention_days = 0;          ///< with FlowParts::holds: incident folders older than this are purged daily
};

struct FlowParts {
  vision::Camera& camera;
  vision::FaceDetector& faces;
  vision::LivenessCheck* liveness;  ///< nullptr: no liveness step
  inference::InferenceEngine& human;
  OwnerCheck& owner_check;          ///< layer 2
  devices::LockBoard& board;
  audit::AuditLog& audit;
  notify::Outbox& outbox;
  OwnerStore& owners;
  LockerStore* lockers = nullptr;   ///< needed when FlowOptions::lockers is not empty
  vision::MotionDetector* motion = nullptr;  ///< nullptr: no motion detection
  vision::ClipRecorder* clips = nullptr;     ///< nullptr: no incident clips
  AccessWindows* windows = nullptr;          ///< officers' windows outside hours; nullptr: none
  evidence::Holds* holds = nullptr;          ///< legal holds; nullptr: the flow purges no evidence
};

/// How the last attempt ended.
enum class Outcome { None, Granted, Denied, Waiting /* a joint holder passed; the others have yet to */ };

/// Where the flow is, for a display at the locker (the kiosk page).
struct Progress {
  State state = State::Idle;
  Outcome last = Outcome::None;  ///< of the last attempt that ended
  std::chrono::steady_clock::time_point ended{};  ///< when it ended
  bool board_ready = true;  ///< the lock board takes commands (LockBoard::ready): an attempt may start
  bool closed = false;      ///< outside opening hours or a holiday: only an officer's window lets one start
};

/// The attempt waiting in the Approval state for a bank officer (dual control).
struct PendingApproval {
  std::string attempt;
  std::string locker;                ///< "" at a station of one owner
  std::vector<std::string> opening;  ///< who passed layers 1-3 and would open it
  double seconds_left = 0;
};

/// Counts of a run, for the summary line.
struct FlowSummary {
  int attempts = 0, granted = 0, denied = 0, alerts = 0;
};

class Flow {
 public:
  Flow(FlowOptions options, FlowParts parts);

  /// Runs until stop() or `stop_flag`; leaves the lock locked. DeviceError/IoError of one attempt
  /// end that attempt (logged and audited), not the run.
  FlowSummary run(const std::atomic<bool>& stop_flag);

  // Inputs, from any thread.
  void press();                             ///< Enter on the console: start an attempt
  void enter(const std::string& entry);     ///< a whole password or code (console, script)
  void stop();                              ///< end at the next safe point
  /// A bank officer's answer for the attempt waiting for approval, from any thread: "" when the
  /// flow takes it, else why not (no attempt `attempt` waits for approval; the officer holds the
  /// locker). The flow audits what it takes; the caller audits a refusal.
  std::string decide(const std::string& attempt, const std::string& officer, bool approve);
  std::optional<PendingApproval> pending_approval() const;

  State state() const;
  Progress progress() const;
  /// Waits until the flow has entered `s` after the `seen`-th state change; updates `seen`. Only
  /// the last kKeptChanges changes are kept: a `seen` older than those looks at those.
  bool wait_for(State s, std::size_t& seen, std::chrono::milliseconds timeout) const;
  static constexpr std::size_t kKeptChanges = 256;
  /// State changes so far (for wait_for's `seen`).
  std::size_t changes() const;

 private:
  enum class Input { None, Trigger, Entry, Decision, Timeout, Stop };
  struct Attempt {
    std::string id;
    cv::Mat frame;  ///< the best frame of layer 1 (with a face, once the liveness check ran), evidence
    std::vector<cv::Mat> accepted;  ///< frames that passed layer 1, best first
    std::optional<std::vector<vision::Face>> faces;  ///< the faces of `frame`, once detected
    std::string locker;  ///< the locker asked for ("" with no lockers)
    std::string holder;  ///< the person layer 2 recognised
    std::vector<std::string> opening;  ///< who opens: the holder, or every joint holder once all passed
    bool all = false;   ///< the locker's joint mode is `all`
    bool dual = false;  ///< an officer approves the opening
    std::string officer;  ///< who approved it
  };

  /// Joint mode `all`: the holders of a locker who passed layers 1-3, waiting for the others.
  struct JointPasses {
    std::vector<std::string> passed;
    std::chrono::steady_clock::time_point until;
    std::string attempt;  ///< of the first pass: an expiry is filed under it
  };
  /// The officer's answer the Approval state waits for.
  struct Approval {
    PendingApproval pending;
    std::vector<std::string> holders;  ///< every holder of the locker: none of them may approve
    std::chrono::steady_clock::time_point until;
    std::optional<std::pair<std::string, bool>> answer;  ///< officer, approved
  };

  /// One question of layer 3 (password or code): how many tries, until when, what passes.
  struct Question {
    const char* layer;  ///< audit layer: "password" or "otp"
    const char* what;   ///< for people: "password", "one-time code"
    int tries;
    std::optional<std::chrono::steady_clock::time_point> expires;  ///< when the answer stops counting
    State next;         ///< where a right answer leads
    std::function<bool(const std::string&)> accept;
  };

  void enter_state(State s);
  /// Logs requests for access (presses) that came during the attempt under way.
  void ignored_requests(std::ptrdiff_t n) const;
  State idle();
  State ask_locker(Attempt& a);
  /// Starts `a` on its locker: who may open it, and the audit line.
  State begin(Attempt& a);
  State check_human(Attempt& a);
  State check_liveness(Attempt& a);
  State check_owner(Attempt& a);
  State ask(Attempt& a, const Question& q);
  State password(Attempt& a);
  State one_time_password(Attempt& a);
  /// The bank's rules at the start of `a`: false (audited as closed) outside hours or on a
  /// holiday without an officer's window for its locker.
  bool open_for(const Attempt& a);
  /// Layers 1-3 passed: joint mode `all` records the pass and waits for the other holders
  /// (Idle) until all have; then Approval under dual control, else Open.
  State layer3_passed(Attempt& a);
  State approval(Attempt& a);
  /// Joint passes whose window ran out: denied, every holder alerted.
  void expire_joint_passes();
  /// Once a day (the first time at the start): the evidence past retention, unless on hold.
  void purge_evidence();
  /// Why no attempt may start now ("a holiday", "outside opening hours"), or nullopt when one may.
  std::optional<std::string> closed_now() const;
  State open(Attempt& a);
  /// Failure of layer 3: photo, alert with police advice, lockout.
  State fail_layer3(Attempt& a, const std::string& why);

  /// Waits for an input until `deadline`, meanwhile handling board events and the door timer.
  Input wait_input(std::chrono::steady_clock::time_point deadline, std::string* entry = nullptr);
  void handle_board(const devices::BoardEvent& e);
  void service();
  std::optional<cv::Mat> grab_frame();
  /// Between attempts, at watch_fps: a frame for the clips' ring and for motion detection; writes
  /// and uploads the clips that are done.
  void watch();
  void detect_motion(const cv::Mat& frame);
  /// An alarm `event` (a sensor's name, "door forced", "tamper", "link attack", "motion") answered by the rules
  /// that hold now, under a new incident id: the audit row `layer`/`decision`/`detail`, actuators
  /// on, the board's alarm, a photo (`frame`, else one grabbed when a rule asks for evidence), and
  /// `alert_text` to those concerned when a rule asks for an alert or `always_alert`. Returns
  /// false, having done nothing, when no rule holds and not `always_alert`.
  bool raise_alarm(const std::string& event, const std::string& layer, const std::string& decision,
                   const std::string& detail, const std::string& alert_text, bool always_alert, cv::Mat frame = {});
  /// An input other than the door contact changed.
  void sensor_changed(int input, bool active);
  /// The board reports an output other than the lock's.
  void actuator_changed(int output, bool on);
  /// Writes and uploads the clips that are done (all of them with `all`).
  void finish_clips(bool all);
  std::string keep_evidence(const Attempt& a, const std::string& reason);
  /// Who an alert goes to: the holders of the attempt's locker, else every holder of every
  /// locker served (or the station's owner).
  std::vector<std::string> concerned() const;
  /// Raises `text` (and the upload of `photo`, when given) for `to`, by default everyone concerned.
  void alert(const std::string& attempt, const std::string& text, const std::string& photo = {},
             std::vector<std::string> to = {});
  /// A new attempt or incident id: PREFIX, the UTC time, a counter ("A20261123T101500Z-1").
  std::string new_id(char prefix);
  std::int64_t log(const std::string& attempt, const std::string& layer, const std::string& decision,
                   const std::string& detail = {}, std::optional<double> score = std::nullopt,
                   std::optional<double> threshold = std::nullopt, const std::string& image = {});
  void relock();

  FlowOptions o_;
  FlowParts p_;
  const std::atomic<bool>* stop_flag_ = nullptr;
  FlowSummary summary_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<std::pair<Input, std::string>> inputs_;
  /// The last kKeptChanges state changes, from construction on (a script's first press comes
  /// after it); a station that runs for months must not keep them all.
  std::deque<State> history_{State::Idle};
  std::size_t dropped_changes_ = 0;  ///< changes no longer in history_
  State state_ = State::Idle;
  bool stop_ = false;

  std::string attempt_;  ///< the attempt under way, "" in idle: board events are filed under it
  std::vector<std::string> holders_;  ///< who the attempt under way may be; empty in idle
  std::string keypad_;   ///< digits typed on the board so far
  bool door_open_ = false;
  int door_openings_ = 0;  ///< since start: the open state counts an opening however short, even one between two looks
  std::chrono::steady_clock::time_point door_opened_at_{};
  bool door_alerted_ = false;
  std::set<int> active_inputs_;  ///< sensor inputs that went off and have not cleared
  std::set<int> outputs_on_;     ///< actuator outputs known to be on
  std::chrono::steady_clock::time_point released_until_{};  ///< the lock is ours to open until then
  std::chrono::steady_clock::time_point camera_retry_at_{};
  double camera_backoff_s_ = 0;
  bool camera_lost_ = false;
  bool face_in_view_ = false;  ///< access.trigger: face; set while a face stays in front of the camera
  int attempt_counter_ = 0;
  std::chrono::steady_clock::time_point next_watch_{};
  std::chrono::steady_clock::time_point last_motion_{};  ///< also the end of the last attempt
  std::map<std::string, std::vector<std::string>> clip_owners_;  ///< incident -> who its clip is uploaded for
  std::map<std::string, JointPasses> joint_;  ///< by locker
  std::optional<Approval> approval_;          ///< under mutex_
  std::chrono::steady_clock::time_point next_purge_{};
  int granted_before_ = 0;  ///< summary_.granted when the attempt under way started
  bool waiting_ = false;    ///< the attempt under way ended as a joint holder's pass
  Outcome last_ = Outcome::None;
  std::chrono::steady_clock::time_point ended_{};
};

}  // namespace lockerctl::access
