// The access flow end to end, through every branch: a folder camera showing generated scenes,
// the simulated lock board on a real pseudo-terminal (OSDP), the SQLite audit log, the outbox
// with the simulated phone, and scripted input. Only the two models, the liveness check and (in
// two tests) the face detector are stand-ins, behind their interfaces: they score a scene by its
// colour, so each branch is chosen on purpose.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>
#include <thread>

#include "access/credentials.hpp"
#include "access/flow.hpp"
#include "vision/face_chip.hpp"
#include "access/register.hpp"
#include "access/script.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/schedule.hpp"
#include "devices/board_link.hpp"
#include "notify/courier.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::access {
namespace {

using namespace std::chrono_literals;

/// Scores an RGB image by the mean of one channel: red for "human", green for "owner".
class ColourModel final : public inference::InferenceEngine {
 public:
  explicit ColourModel(int channel) : channel_(channel) { info_.threshold = 0.5; }
  float probability(const cv::Mat& rgb) override { return static_cast<float>(cv::mean(rgb)[channel_] / 255.0); }

 private:
  int channel_;
};

/// Scores the face by the mean of its blue channel (BGR frame): blue scenes are live.
class BlueLiveness final : public vision::LivenessCheck {
 public:
  double score(const cv::Mat& frame, const vision::Face& face) override {
    ++calls;
    return cv::mean(frame(cv::Rect(face.box) & cv::Rect(0, 0, frame.cols, frame.rows)))[0] / 255.0;
  }
  int calls = 0;
};

/// A detector that sees the faces it is given, in every frame.
class FixedFaces final : public vision::FaceDetector {
 public:
  explicit FixedFaces(std::vector<vision::Face> faces) : faces_(std::move(faces)) {}
  std::vector<vision::Face> detect(const cv::Mat&) override { return faces_; }
  std::string name() const override { return "fixed"; }

 private:
  std::vector<vision::Face> faces_;
};

std::unique_ptr<vision::FaceDetector> whole_frame() {
  vision::FaceOptions o;
  o.kind = vision::DetectorKind::WholeFrame;
  return vision::make_face_detector(o);
}

vision::Face face_at(float x, float y, float side) {
  vision::Face f;
  f.box = cv::Rect2f(x, y, side, side);
  return f;
}

void write_scene(const std::filesystem::path& dir, int r, int g, int b = 230) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 3; ++i) {
    cv::Mat img(48, 48, CV_8UC3, cv::Scalar(b, g, r));  // BGR
    img.at<cv::Vec3b>(i, i) = {0, 0, 0};
    cv::imwrite((dir / fmt::format("{}.png", i)).string(), img);
  }
}

struct Locker {
  test::TempDir dir;
  std::filesystem::path owner_scene = dir / "scenes/owner", stranger = dir / "scenes/stranger",
                        empty = dir / "scenes/empty", photo = dir / "scenes/photo";
  audit::Database db{dir / "lockerctl.db"};
  audit::AuditLog audit{db, audit::Key{}};
  notify::SimulatedPhone phone{dir / "phone"};
  notify::Outbox outbox{db};
  evidence::LocalStore store;
  notify::Courier courier{dir / "lockerctl.db", {}, {{"sms", &phone}}, &store, audit::Key{}};
  OwnerStore owners{db};
  vision::FolderCamera camera;
  std::unique_ptr<vision::FaceDetector> faces = whole_frame();
  BlueLiveness liveness;
  vision::LivenessCheck* liveness_check = &liveness;
  ColourModel human{0}, owner_model{1};
  CnnOwnerCheck owner_check{{{"alice", {&owner_model, 0.5}}}, 0.2};
  std::unique_ptr<devices::BoardLink> board;
  FlowOptions options;
  vision::MotionDetector* motion = nullptr;
  vision::ClipRecorder* clips = nullptr;
  AccessWindows* windows = nullptr;
  Outcome outcome = Outcome::None;  ///< how the last run's last attempt ended

  Locker() {
    outbox.on_raise([this] { courier.wake(); });
    write_scene(owner_scene, 230, 230);
    write_scene(stranger, 230, 20);
    write_scene(empty, 20, 20);
    write_scene(photo, 230, 230, 20);  // the owner's colours, but not live
    owners.add("alice", "+15550001");
    owners.set_password_hash("alice", hash_password("2468"));
    devices::BoardLinkOptions b;
    b.panel.poll_interval = 20ms;
    b.panel.reply_timeout = 50ms;
    b.panel.offline_after = 500ms;
    b.panel.secure = devices::osdp::SecureMode::Required;  // the simulated board holds the same key
    b.panel.keys = {devices::osdp::random_key()};
    board = std::make_unique<devices::BoardLink>(b);
    board->panel().wait_online(5s);  // as lockerctl run waits for it: no attempt starts before
    options.owner = "alice";
    options.frames = 3;
    options.unlock_s = 0.4;
    options.door_open_max_s = 0.6;
    options.input_timeout_s = 5;
    options.lockout_s = 600;
    options.camera_retry_s = 0.05;
    options.incidents_dir = dir / "incidents";
  }

  /// Runs a flow with `script` (at `lockers` when given); returns "layer:decision" for every audit row.
  std::vector<std::string> run(const std::string& script, bool keys_via_board = true, LockerStore* lockers = nullptr) {
    return run_with(owner_check, script, keys_via_board, lockers);
  }
  /// As run, with `check` as layer 2. A script's approve/refuse lines go to the flow as they are
  /// (the officer's password is the console's business: tests/web, tests/cli).
  std::vector<std::string> run_with(OwnerCheck& check, const std::string& script, bool keys_via_board = true,
                                    LockerStore* lockers = nullptr) {
    Flow flow(options, {camera, *faces, liveness_check, human, check, board->panel(), audit, outbox, owners, lockers,
                        motion, clips, windows});
    std::atomic<bool> stop{false};
    std::thread runner([&] { flow.run(stop); });
    std::istringstream in(script);
    std::string error;
    const auto decide = [&](const std::string& officer, const std::string&, const std::string& attempt, bool approve) {
      return flow.decide(attempt, officer, approve);
    };
    try {
      run_script(in, "test", {flow, &camera, board->simulator(), &phone, "+15550001", keys_via_board, decide}, stop);
    } catch (const std::exception& e) {
      error = e.what();
    }
    flow.stop();
    runner.join();
    outcome = flow.progress().last;
    EXPECT_EQ(error, "");
    std::vector<std::string> rows;
    for (const auto& e : audit.list()) rows.push_back(e.layer + ":" + e.decision);
    return rows;
  }
  std::string scene(const std::filesystem::path& p) const { return "show " + p.string() + "\n"; }
  /// What arrived on `number`'s simulated phone, once the courier has delivered what is pending.
  std::string inbox(const std::string& number = "+15550001") const {
    for (int i = 0; i < 500 && outbox.pending() > 0; ++i) std::this_thread::sleep_for(10ms);
    std::ifstream in(phone.inbox(number));
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

bool has(const std::vector<std::string>& rows, const std::string& row) {
  return std::find(rows.begin(), rows.end(), row) != rows.end();
}
std::string joined(const std::vector<std::string>& rows) {
  std::string s;
  for (const auto& r : rows) s += r + " ";
  return s;
}

TEST(Flow, WaitIdleAfterAPressWaitsForTheEndOfThatAttempt) {
  // `press` then `wait idle`: the wait is for the idle state the attempt ends in, not the one the
  // press found; else the next press comes during the attempt and starts nothing.
  Locker l;
  std::string script = l.scene(l.stranger);
  for (int i = 0; i < 5; ++i) script += "press\nwait idle\n";
  std::ostringstream lines;
  log::configure(log::Level::Info, log::Format::Text, &lines);
  const auto rows = l.run(script);
  log::configure(log::Level::Info, log::Format::Text, nullptr);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "trigger:start"), 5) << joined(rows);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "owner:deny"), 5) << joined(rows);
  EXPECT_EQ(lines.str().find("during the attempt ignored"), std::string::npos) << lines.str();
}

TEST(Flow, ScriptWaitsStillWorkOnceTheFlowHasDroppedItsOldestStateChanges) {
  // 150 attempts denied at layer 1 make 300 state changes; the flow keeps the last 256.
  static_assert(Flow::kKeptChanges < 300);
  Locker l;
  std::string script = l.scene(l.empty);
  for (int i = 0; i < 150; ++i) script += "press\nwait human\nwait idle\n";
  const auto rows = l.run(script);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "trigger:start"), 150) << joined(rows);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "human:deny"), 150);
}

TEST(Flow, APressDuringAnAttemptIsLoggedNotSilentlyDropped) {
  Locker l;
  std::ostringstream lines;
  log::configure(log::Level::Info, log::Format::Text, &lines);
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\npress\nsleep 200\ntype 0000\ntype 0000\ntype 0000\nwait idle\n",
                         false);  // a press on the keypad would end the password as typed so far
  log::configure(log::Level::Info, log::Format::Text, nullptr);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "trigger:start"), 1) << joined(rows);
  EXPECT_NE(lines.str().find("1 request(s) for access during the attempt ignored; ask again when it ends"), std::string::npos)
      << lines.str();
}

TEST(Flow, NotHumanIsDeniedAtLayerOne) {
  Locker l;
  const auto rows = l.run(l.scene(l.empty) + "press\nwait human\nwait idle\n");
  EXPECT_TRUE(has(rows, "human:deny")) << joined(rows);
  EXPECT_FALSE(has(rows, "owner:pass"));
  EXPECT_FALSE(has(rows, "alert:queued")) << "no alert for an empty scene";
  EXPECT_TRUE(l.audit.verify().ok);
}

TEST(Flow, NotTheOwnerIsDeniedWithEvidenceAndAnAlert) {
  Locker l;
  const auto rows = l.run(l.scene(l.stranger) + "press\nwait owner\nwait idle\nsleep 300\n");
  EXPECT_TRUE(has(rows, "human:pass")) << joined(rows);
  EXPECT_TRUE(has(rows, "owner:deny")) << joined(rows);
  const auto events = l.audit.list();
  const auto deny = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "deny"; });
  ASSERT_NE(deny, events.end());
  EXPECT_TRUE(std::filesystem::exists(deny->image)) << deny->image;
  EXPECT_NE(l.inbox().find("file://" + deny->image), std::string::npos) << l.inbox();
  EXPECT_FALSE(l.board->simulator()->lock_released());
}

TEST(Flow, ThreeWrongPasswordsLockOutWithPoliceAdviceAndTheLockoutSurvivesARestart) {
  Locker l;
  auto rows = l.run(l.scene(l.owner_scene) +
                    "press\nwait password\ntype 1111\ntype 2222\ntype 3333\nwait idle\nsleep 300\n");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "password:deny"), 3) << joined(rows);
  EXPECT_TRUE(has(rows, "lockout:start")) << joined(rows);
  EXPECT_NE(l.inbox().find("report it to the police"), std::string::npos) << l.inbox();
  EXPECT_EQ(l.outcome, Outcome::Denied);
  // A new flow on the same database (a restart) still refuses.
  rows = l.run("press\nsleep 500\n");
  EXPECT_TRUE(has(rows, "lockout:deny")) << joined(rows);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "trigger:start"), 1) << "no new attempt while locked out";
  EXPECT_TRUE(l.audit.verify().ok);
}

TEST(Flow, RightPasswordAndThreeWrongCodesFail) {
  Locker l;
  const auto rows = l.run(l.scene(l.owner_scene) +
                          "press\nwait password\ntype 2468\nwait otp\ntype 000000\ntype 000001\ntype 000002\nwait idle\n");
  EXPECT_TRUE(has(rows, "password:pass")) << joined(rows);
  EXPECT_TRUE(has(rows, "otp:sent"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "otp:deny"), 3) << joined(rows);
  EXPECT_TRUE(has(rows, "lockout:start"));
  EXPECT_FALSE(has(rows, "access:granted"));
}

TEST(Flow, OwnerWithPasswordAndCodeOpensTheLockerWhichRelocks) {
  Locker l;
  const auto rows = l.run(l.scene(l.owner_scene) +
                          "press\nwait password\ntype 2468\nwait otp\notp\nwait open\n"
                          "door open\nsleep 700\ndoor close\nwait idle\n");
  for (const char* r : {"trigger:start", "human:pass", "liveness:pass", "owner:pass", "password:pass", "otp:sent", "otp:pass",
                        "access:granted", "lock:released", "door:opened", "door:closed", "lock:locked", "access:done"}) {
    EXPECT_TRUE(has(rows, r)) << r << " missing from " << joined(rows);
  }
  EXPECT_FALSE(has(rows, "door:forced"));
  EXPECT_TRUE(has(rows, "door:left open")) << "open 0.7 s, allowed 0.6 s";
  EXPECT_EQ(l.outcome, Outcome::Granted);
  EXPECT_NE(l.inbox().find("lockerctl: your locker was opened by alice at "), std::string::npos)
      << "every opening is an alert (alerts.on_access): " << l.inbox();
  EXPECT_FALSE(l.board->simulator()->lock_released());
  EXPECT_TRUE(l.audit.verify().ok);
  int codes_in_db = 0;
  l.db.query("SELECT COUNT(*) FROM outbox_jobs WHERE kind = 'otp' AND text LIKE '%code is%'", {},
             [&](const audit::Statement& s) { codes_in_db = static_cast<int>(s.integer(0)); });
  EXPECT_EQ(codes_in_db, 0) << "a delivered code does not stay in the database";
}

// Open for 50 ms: the board's polls (every 20 ms) see it, and the open state, which looks at the
// door every 100 ms, must not miss it between two looks.
TEST(Flow, ADoorOpenedOnlyBrieflyCountsAsOpened) {
  Locker l;
  const auto rows = l.run(l.scene(l.owner_scene) +
                          "press\nwait password\ntype 2468\nwait otp\notp\nwait open\ndoor open\nsleep 50\ndoor close\nwait idle\n");
  ASSERT_TRUE(has(rows, "door:opened")) << joined(rows);
  bool said_opened = false;
  for (const auto& e : l.audit.list()) {
    if (e.layer == "access" && e.decision == "done") said_opened = e.detail == "door closed, locker locked";
  }
  EXPECT_TRUE(said_opened) << "the attempt's last row must not say the door stayed shut: " << joined(rows);
}

TEST(Flow, AnExpiredCodeEndsTheAttempt) {
  Locker l;
  l.options.otp_ttl_s = 0.3;
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\ntype 2468\nwait otp\nwait idle\n");
  EXPECT_TRUE(has(rows, "otp:expired")) << joined(rows);
  EXPECT_FALSE(has(rows, "access:granted"));
}

TEST(Flow, ADoorOpenedWithoutAnUnlockIsForced) {
  Locker l;
  const auto rows = l.run("sleep 300\ndoor open\nsleep 300\ndoor close\nsleep 200\n");
  EXPECT_TRUE(has(rows, "door:forced")) << joined(rows);
  EXPECT_NE(l.inbox().find("without access being granted"), std::string::npos) << l.inbox();
}

/// The simulated board's wiring, and `rules`.
void wire(FlowOptions& o, std::vector<Rule> rules) {
  o.sensors = {{"vibration", 1}, {"smoke", 2}};
  o.actuators = {{"siren", 1}, {"light", 2}};
  o.rules = std::move(rules);
}

/// The audit rows of `layer`, as "decision: detail".
std::vector<std::string> details(const audit::AuditLog& log, const std::string& layer) {
  std::vector<std::string> out;
  for (const auto& e : log.list()) {
    if (e.layer == layer) out.push_back(e.decision + ": " + e.detail);
  }
  return out;
}

TEST(Flow, SmokeSoundsTheSirenForItsTimeAndAlertsTheOwner) {
  Locker l;
  wire(l.options, {{"smoke", std::nullopt, false, {"siren", "alert"}, 0.4}});
  const auto rows = l.run("sleep 200\ninput smoke on\nsleep 250\ninput smoke off\nsleep 600\n");
  EXPECT_EQ(details(l.audit, "sensor"),
            (std::vector<std::string>{"alarm: smoke (input 2); then siren alert", "clear: smoke (input 2)"}));
  EXPECT_EQ(details(l.audit, "actuator"),
            (std::vector<std::string>{"on: siren (output 1) for 0.4 s", "off: siren (output 1)"}))
      << "on when commanded, off when the board reports its timer ran out";
  EXPECT_FALSE(l.board->simulator()->output(1));
  EXPECT_FALSE(l.board->simulator()->lock_released());
  EXPECT_NE(l.inbox().find("the smoke sensor at your locker went off"), std::string::npos) << l.inbox();
  const auto events = l.audit.list();
  const auto alarm = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "alarm"; });
  ASSERT_NE(alarm, events.end());
  EXPECT_EQ(alarm->attempt.rfind("I", 0), 0u) << "an incident of its own: " << alarm->attempt;
}

TEST(Flow, ASensorThatNoRuleHoldsForIsAuditedButRaisesNothing) {
  Locker l;
  wire(l.options, {{"vibration", Schedule::parse(""), false, {"siren", "alert"}, 5},  // a schedule of no hours
                   {"smoke", std::nullopt, false, {"light"}, 5}});
  const auto rows = l.run("sleep 200\ninput vibration on\ninput 3 on\nsleep 300\n");
  EXPECT_EQ(details(l.audit, "sensor"),
            (std::vector<std::string>{"active: vibration (input 1)", "active: input 3"}));
  EXPECT_TRUE(details(l.audit, "actuator").empty()) << joined(rows);
  EXPECT_FALSE(has(rows, "alert:queued")) << joined(rows);
  EXPECT_FALSE(l.board->simulator()->output(1));
}

TEST(Flow, VibrationWhileTheOwnerIsInsideIsNoAlarmAndOnAClosedLockerItIs) {
  Locker l;
  l.options.unlock_s = 1.5;
  l.options.door_open_max_s = 10;
  wire(l.options, {{"vibration", Schedule::parse("00:00-24:00"), true, {"alert", "alarm"}, 60}});
  const auto rows = l.run(l.scene(l.owner_scene) +
                          "press\nwait password\ntype 2468\nwait otp\notp\nwait open\n"
                          "door open\ninput vibration on\nsleep 100\ninput vibration off\ndoor close\nwait idle\n"
                          "sleep 200\ninput vibration on\nsleep 400\n");
  EXPECT_TRUE(has(rows, "access:granted")) << joined(rows);
  EXPECT_EQ(details(l.audit, "sensor"),
            (std::vector<std::string>{"active: vibration (input 1)", "clear: vibration (input 1)",
                                      "alarm: vibration (input 1); then alert alarm"}))
      << joined(rows);
  EXPECT_TRUE(has(rows, "actuator:alarm")) << joined(rows);
  ASSERT_TRUE(l.board->simulator()->last_buzzer());
  EXPECT_NE(l.inbox().find("the vibration sensor at your locker went off"), std::string::npos) << l.inbox();
}

TEST(Flow, AForcedDoorIsAlwaysAlertedAndItsRuleAddsTheSirenAndAPhoto) {
  Locker l;
  wire(l.options, {{"door forced", std::nullopt, false, {"siren", "evidence"}, 30}});
  const auto rows = l.run(l.scene(l.stranger) + "sleep 300\ndoor open\nsleep 300\n");
  const auto events = l.audit.list();
  const auto forced = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "forced"; });
  ASSERT_NE(forced, events.end()) << joined(rows);
  EXPECT_EQ(forced->detail, "the door opened while the lock was not released; then siren evidence");
  ASSERT_FALSE(forced->image.empty());
  EXPECT_TRUE(std::filesystem::exists(forced->image)) << forced->image;
  EXPECT_EQ(std::filesystem::path(forced->image).parent_path().filename().string(), forced->attempt);
  EXPECT_TRUE(l.board->simulator()->output(1)) << "the siren sounds for 30 s";
  EXPECT_FALSE(l.board->simulator()->lock_released());
  const std::string inbox = l.inbox();
  EXPECT_NE(inbox.find("without access being granted"), std::string::npos) << inbox;
  EXPECT_NE(inbox.find("file://" + forced->image), std::string::npos) << inbox;
}

/// A room (blurred noise, 160x120) in `empty`, and the same room with someone in it in `someone`.
/// Red and blue, not green: to the colour models, someone human and live who is not the owner.
void write_room(const std::filesystem::path& empty, const std::filesystem::path& someone) {
  cv::Mat room(120, 160, CV_8UC3);
  cv::RNG(3).fill(room, cv::RNG::UNIFORM, cv::Scalar(190, 0, 190), cv::Scalar(256, 70, 256));
  cv::GaussianBlur(room, room, {7, 7}, 0);
  std::filesystem::create_directories(empty);
  std::filesystem::create_directories(someone);
  cv::imwrite((empty / "room.png").string(), room);
  cv::rectangle(room, cv::Rect(100, 30, 25, 70), cv::Scalar(20, 20, 20), cv::FILLED);
  cv::imwrite((someone / "room.png").string(), room);
}

int frames_in(const std::filesystem::path& clip) {
  cv::VideoCapture video(clip.string(), cv::CAP_FFMPEG);
  int n = 0;
  for (cv::Mat f; video.read(f);) ++n;
  return n;
}

/// A locker whose camera shows a room, watched between attempts (25 frames a second) with
/// motion detection and clips (0.5 s before, 0.3 s after).
struct WatchedLocker : Locker {
  vision::MotionDetector detector{{}};
  vision::ClipRecorder recorder{{0.5, 0.3, 640}};
  WatchedLocker() {
    write_room(dir / "room/empty", dir / "room/someone");
    motion = &detector;
    clips = &recorder;
    options.watch_fps = 25;
  }
};

TEST(Flow, MotionOutsideOpeningHoursIsAnAlarmWithAPhotoAndAClipThatAreUploaded) {
  WatchedLocker l;
  l.options.opening_hours = Schedule::parse("");  // never open
  const auto rows = l.run(l.scene(l.dir / "room/empty") + "sleep 1000\n" + l.scene(l.dir / "room/someone") +
                          "sleep 400\n" + l.scene(l.dir / "room/empty") + "sleep 800\n");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "motion:alarm"), 1) << "one alarm for one spell of motion: " << joined(rows);
  EXPECT_FALSE(has(rows, "trigger:start")) << "motion alone starts no attempt";
  const auto events = l.audit.list();
  const auto alarm = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.layer == "motion"; });
  ASSERT_NE(alarm, events.end());
  EXPECT_EQ(alarm->attempt.rfind("I", 0), 0u) << alarm->attempt;
  EXPECT_EQ(alarm->detail.rfind("zone frame, ", 0), 0u) << alarm->detail;
  EXPECT_TRUE(std::filesystem::exists(alarm->image)) << alarm->image;
  const auto clip = std::filesystem::path(alarm->image).parent_path() / "clip.mp4";
  const auto clip_row = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "clip"; });
  ASSERT_NE(clip_row, events.end()) << joined(rows);
  EXPECT_EQ(clip_row->attempt, alarm->attempt);
  EXPECT_EQ(clip_row->image, clip.string());
  EXPECT_GE(frames_in(clip), 4) << "0.5 s before and 0.3 s after, at up to 25 frames a second";
  EXPECT_NE(l.inbox().find("motion in zone frame outside opening hours"), std::string::npos) << l.inbox();
  // The photo and the clip both went through the evidence store.
  for (int i = 0; i < 200 && l.outbox.pending() > 0; ++i) std::this_thread::sleep_for(10ms);
  int stored = 0;
  for (const auto& e : l.audit.list()) stored += e.layer == "evidence" && e.decision == "stored" && e.attempt == alarm->attempt;
  EXPECT_EQ(stored, 2);
}

TEST(Flow, MotionInOpeningHoursCanStartAnAttemptAndADenialGetsAClipBesideThePhoto) {
  WatchedLocker l;
  l.options.opening_hours = Schedule::parse("00:00-24:00");
  l.options.motion_trigger = true;
  const auto rows = l.run(l.scene(l.dir / "room/empty") + "sleep 1000\n" + l.scene(l.dir / "room/someone") +
                          "wait human\nwait idle\nsleep 600\n");
  EXPECT_TRUE(has(rows, "motion:detected")) << joined(rows);
  EXPECT_FALSE(has(rows, "motion:alarm"));
  EXPECT_TRUE(has(rows, "trigger:start")) << joined(rows);
  EXPECT_TRUE(has(rows, "owner:deny")) << joined(rows);
  const auto events = l.audit.list();
  const auto deny = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "deny"; });
  ASSERT_NE(deny, events.end());
  const auto clip = std::filesystem::path(deny->image).parent_path() / "clip.mp4";
  EXPECT_TRUE(has(rows, "evidence:clip")) << joined(rows);
  EXPECT_GE(frames_in(clip), 4);
}

TEST(Flow, ALostCameraEndsTheAttemptAndIsFoundAgain) {
  Locker l;
  const auto rows = l.run("show none\npress\nwait human\nwait idle\n" + l.scene(l.empty) + "press\nwait human\nwait idle\n");
  EXPECT_TRUE(has(rows, "camera:lost")) << joined(rows);
  EXPECT_TRUE(has(rows, "human:error"));
  EXPECT_TRUE(has(rows, "camera:back")) << joined(rows);
  EXPECT_TRUE(has(rows, "human:deny"));
}

TEST(Flow, ALostBoardIsLoggedAndNothingOpens) {
  Locker l;
  const auto rows = l.run(l.scene(l.owner_scene) + "sleep 200\npower off\nsleep 900\npress\n" +
                          "sleep 100\npower on\nsleep 600\n");
  EXPECT_TRUE(has(rows, "board:offline")) << joined(rows);
  EXPECT_FALSE(has(rows, "trigger:start")) << "its keypad is gone with it";
  EXPECT_TRUE(has(rows, "board:online"));
}

/// Waits until the lock board takes no command (at most 5 s); false if it still does.
bool board_down(Locker& l) {
  for (int i = 0; i < 500 && l.board->panel().ready(); ++i) std::this_thread::sleep_for(10ms);
  return !l.board->panel().ready();
}

TEST(Flow, TheBoardTalksInsideASecureChannelAndAnAttackOnItIsAnAlarmAndOpensNothing) {
  Locker l;
  wire(l.options, {{"link attack", std::nullopt, false, {"evidence"}, 60}});
  // The board starts answering under another key: swapped for an attacker's, or its wires taken over.
  l.run(l.scene(l.owner_scene) + "sleep 200\nscbk 000102030405060708090a0b0c0d0e0f\nsleep 300\n", false);
  ASSERT_TRUE(board_down(l));
  const auto rows = l.run("press\nsleep 300\n", false);
  EXPECT_TRUE(has(rows, "board:secure channel")) << "the session is audited: " << joined(rows);
  EXPECT_TRUE(has(rows, "board:link attack")) << joined(rows);
  EXPECT_TRUE(has(rows, "board:out of service")) << joined(rows);
  EXPECT_FALSE(has(rows, "trigger:start")) << "nobody goes through the layers for a locker that cannot open";
  EXPECT_FALSE(has(rows, "lock:released"));
  EXPECT_FALSE(l.board->simulator()->lock_released());
  const auto events = l.audit.list();
  const auto attack = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.decision == "link attack"; });
  ASSERT_NE(attack, events.end());
  EXPECT_NE(attack->detail.find("; then evidence"), std::string::npos) << attack->detail;
  EXPECT_NE(l.inbox().find("tampering with the wires"), std::string::npos);
}

TEST(Flow, NoAttemptStartsWhileTheBoardIsOfflineAndOneDoesWhenItIsBack) {
  Locker l;
  l.run(l.scene(l.owner_scene) + "power off\nsleep 100\n", false);
  ASSERT_TRUE(board_down(l));
  auto rows = l.run("press\nsleep 300\n", false);
  EXPECT_TRUE(has(rows, "board:out of service")) << joined(rows);
  EXPECT_FALSE(has(rows, "trigger:start"));
  EXPECT_EQ(l.inbox().find("one-time code"), std::string::npos) << "no code for a locker that cannot open";
  l.run("power on\nsleep 100\n", false);
  ASSERT_TRUE(l.board->panel().wait_online(5s));
  rows = l.run("press\nwait password\ntype 2468\nwait otp\notp\nwait open\nwait idle\n", false);
  EXPECT_TRUE(has(rows, "lock:released")) << joined(rows);
}

TEST(Flow, AnUnlockThatTheBoardCannotTakeOpensNothing) {
  Locker l;
  const auto rows = l.run(l.scene(l.owner_scene) +
                              "press\nwait password\ntype 2468\nwait otp\npower off\nsleep 800\notp\nwait idle\n",
                          false);
  EXPECT_TRUE(has(rows, "board:offline")) << joined(rows);
  EXPECT_TRUE(has(rows, "lock:error")) << joined(rows);
  EXPECT_FALSE(has(rows, "lock:released"));
}

TEST(Flow, StoppingWhileOpenRelocksAtOnce) {
  Locker l;
  l.options.unlock_s = 60;
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\ntype 2468\nwait otp\notp\nwait open\nsleep 300\n");
  EXPECT_TRUE(has(rows, "access:granted")) << joined(rows);
  EXPECT_TRUE(has(rows, "lock:locked")) << joined(rows);
  EXPECT_FALSE(l.board->simulator()->lock_released()) << "a 60 s release was cut short by the stop";
}

TEST(Flow, AnAuthenticatorCodeWorksInsteadOfAnSms) {
  Locker l;
  l.options.totp = true;
  const auto secret = new_totp_secret();
  l.owners.set_totp_secret("alice", secret);
  const auto now = static_cast<std::uint64_t>(unix_now());
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\ntype 2468\nwait otp\ntype " +
                          totp(secret, now, 6) + "\nwait open\nwait idle\n");
  EXPECT_TRUE(has(rows, "otp:requested")) << joined(rows);
  EXPECT_TRUE(has(rows, "access:granted")) << joined(rows);
  EXPECT_FALSE(has(rows, "otp:sent")) << "no SMS with an authenticator";
}

TEST(Flow, AFaceComingIntoViewStartsOneAttempt) {
  Locker l;
  l.options.trigger_on_face = true;
  const auto rows = l.run("show none\nsleep 600\n" + l.scene(l.empty) + "wait human\nwait idle\nsleep 1500\n");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "trigger:start"), 1) << joined(rows);
  EXPECT_TRUE(has(rows, "human:deny"));
}

TEST(Flow, APhotoShownToTheCameraIsDeniedAtTheLivenessStepWithEvidenceAndAnAlert) {
  Locker l;
  const auto rows = l.run(l.scene(l.photo) + "press\nwait liveness\nwait idle\nsleep 300\n");
  EXPECT_TRUE(has(rows, "human:pass")) << joined(rows);
  EXPECT_TRUE(has(rows, "liveness:deny")) << joined(rows);
  EXPECT_FALSE(has(rows, "owner:pass")) << "layer 2 never sees a spoof";
  EXPECT_FALSE(has(rows, "owner:deny"));
  const auto events = l.audit.list();
  const auto deny = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.layer == "liveness"; });
  ASSERT_NE(deny, events.end());
  ASSERT_TRUE(deny->score && deny->threshold);
  EXPECT_NEAR(*deny->score, 20 / 255.0, 0.02);
  EXPECT_DOUBLE_EQ(*deny->threshold, 0.5);
  EXPECT_NE(deny->detail.find("a photo or screen was shown to the camera"), std::string::npos) << deny->detail;
  EXPECT_NE(deny->detail.find("mean of 3 of 3 frames"), std::string::npos) << deny->detail;
  EXPECT_TRUE(std::filesystem::exists(deny->image)) << deny->image;
  EXPECT_NE(l.inbox().find("a photo or screen was shown to the camera"), std::string::npos) << l.inbox();
  EXPECT_NE(l.inbox().find("file://" + deny->image), std::string::npos) << l.inbox();
  EXPECT_FALSE(l.board->simulator()->lock_released());
}

TEST(Flow, LivenessScoresOnlyTheFramesLayerOneAcceptedUpToItsCount) {
  Locker l;
  l.options.liveness_frames = 2;
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\n");
  EXPECT_TRUE(has(rows, "liveness:pass")) << joined(rows);
  EXPECT_EQ(l.liveness.calls, 2);
  Locker empty;
  empty.run(empty.scene(empty.empty) + "press\nwait human\nwait idle\n");
  EXPECT_EQ(empty.liveness.calls, 0) << "no liveness check on frames layer 1 refused";
}

TEST(Flow, WithoutALivenessCheckHumanLeadsToOwner) {
  Locker l;
  l.liveness_check = nullptr;
  const auto rows = l.run(l.scene(l.photo) + "press\nwait password\n");
  EXPECT_TRUE(has(rows, "owner:pass")) << "with liveness off, a photo reaches layer 2: " << joined(rows);
  EXPECT_FALSE(has(rows, "liveness:deny"));
}

TEST(Flow, SeveralFacesTheLargestDecidesAndTheCountAndACutOffFaceAreAudited) {
  Locker l;
  // The larger face reaches past the 48-px frame's right edge.
  l.faces = std::make_unique<FixedFaces>(std::vector<vision::Face>{face_at(30, 10, 30), face_at(2, 2, 10)});
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait password\n");
  const auto events = l.audit.list();
  const auto owner = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.layer == "owner"; });
  ASSERT_NE(owner, events.end()) << joined(rows);
  EXPECT_EQ(owner->decision, "pass");
  EXPECT_NE(owner->detail.find("2 faces in view, the largest decides"), std::string::npos) << owner->detail;
  EXPECT_NE(owner->detail.find("face cut off at the frame border"), std::string::npos) << owner->detail;
}

TEST(Flow, NoFaceForTheLivenessCheckLeavesTheDecisionToLayerTwoWhichDenies) {
  Locker l;
  l.faces = std::make_unique<FixedFaces>(std::vector<vision::Face>{});
  const auto rows = l.run(l.scene(l.owner_scene) + "press\nwait owner\nwait idle\n");
  EXPECT_TRUE(has(rows, "liveness:no face")) << joined(rows);
  EXPECT_TRUE(has(rows, "owner:deny")) << joined(rows);
  EXPECT_EQ(l.liveness.calls, 0);
}

TEST(Flow, SeveralLockersTheNumberComesFirstAndOnlyItsHoldersMayOpen) {
  Locker l;
  // bob is the "stranger" scene: blue, not green. Locker 12 is alice's; 14 is joint.
  l.owners.add("bob", "+15550002");
  l.owners.set_password_hash("bob", hash_password("1357"));
  ColourModel bob_model{2};
  LockerStore lockers(l.db);
  lockers.add("12", {"alice"});
  lockers.add("14", {"alice", "bob"});
  CnnOwnerCheck check{{{"alice", {&l.owner_model, 0.5}}, {"bob", {&bob_model, 0.5}}}, 0.2};
  l.options.lockers = {"12", "14"};
  Flow flow(l.options, {l.camera, *l.faces, l.liveness_check, l.human, check, l.board->panel(), l.audit, l.outbox, l.owners, &lockers});
  std::atomic<bool> stop{false};
  std::thread runner([&] { flow.run(stop); });
  std::istringstream in(l.scene(l.stranger) +
                        "press\nwait locker\ntype 99\nwait idle\n"                   // not served here
                        "press\nwait locker\ntype 12\nwait owner\nwait idle\n"      // bob is no holder of 12
                        "press\nwait locker\ntype 14\nwait password\ntype 1357\nwait otp\notp +15550002\nwait open\n"
                        "door open\nsleep 100\ndoor close\nwait idle\n");
  std::string error;
  try {
    run_script(in, "test", {flow, &l.camera, l.board->simulator(), &l.phone, "+15550001", true}, stop);
  } catch (const std::exception& e) {
    error = e.what();
  }
  flow.stop();
  runner.join();
  EXPECT_EQ(error, "");
  std::vector<std::string> details;
  for (const auto& e : l.audit.list()) details.push_back(e.layer + ":" + e.decision + ":" + e.detail);
  const auto logged = [&](const std::string& part) {
    return std::any_of(details.begin(), details.end(), [&](const std::string& d) { return d.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(logged("locker:deny:locker 99 is not served here")) << joined(details);
  EXPECT_TRUE(logged("trigger:start:locker 12, holders alice")) << joined(details);
  EXPECT_TRUE(logged("owner:deny:not the owner")) << joined(details);
  EXPECT_TRUE(logged("trigger:start:locker 14, holders alice, bob")) << joined(details);
  EXPECT_TRUE(logged("owner:pass:locker 14: holder bob")) << joined(details);
  EXPECT_TRUE(logged("access:granted")) << joined(details);
  // The denial on locker 12 alerted its holder only; bob's code went to bob.
  EXPECT_NE(l.inbox().find("someone who is not you"), std::string::npos) << l.inbox();
  const std::string bob_inbox = l.inbox("+15550002");
  EXPECT_EQ(bob_inbox.find("someone who is not you"), std::string::npos) << bob_inbox;
  EXPECT_NE(bob_inbox.find("code is"), std::string::npos) << bob_inbox;
  EXPECT_TRUE(l.audit.verify().ok);
}

TEST(Flow, AnOpeningIsAnAlertToEveryHolderNamingWhoOpenedItAndTheBranch) {
  Locker l;
  l.owners.add("bob", "+15550002");
  LockerStore lockers(l.db);
  lockers.add("14", {"alice", "bob"});
  l.options.lockers = {"14"};
  l.options.branch = "Albany Road";
  l.run(l.scene(l.owner_scene) + "press\nwait password\ntype 2468\nwait otp\notp\nwait open\nwait idle\n", true, &lockers);
  for (const char* phone : {"+15550001", "+15550002"}) {
    const std::string inbox = l.inbox(phone);
    EXPECT_NE(inbox.find("your locker 14 was opened by alice at 20"), std::string::npos) << phone << ": " << inbox;
    EXPECT_NE(inbox.find(" at the Albany Road branch."), std::string::npos) << phone << ": " << inbox;
  }
  EXPECT_EQ(l.inbox("+15550002").find("code is"), std::string::npos) << "bob gets the news, not alice's code";

  Locker quiet;
  quiet.options.alert_on_access = false;
  const auto rows = quiet.run(quiet.scene(quiet.owner_scene) + "press\nwait password\ntype 2468\nwait otp\notp\nwait open\nwait idle\n");
  EXPECT_TRUE(has(rows, "access:granted")) << joined(rows);
  EXPECT_FALSE(has(rows, "alert:queued")) << "alerts.on_access: false: " << joined(rows);
}

TEST(Flow, ADenialAtAJointLockerAlertsEveryHolder) {
  Locker l;
  l.owners.add("bob", "+15550002");
  LockerStore lockers(l.db);
  lockers.add("14", {"alice", "bob"});
  l.options.lockers = {"14"};  // one locker: no number to type
  l.run(l.scene(l.stranger) + "press\nwait owner\nwait idle\nsleep 300\n", true, &lockers);
  const std::string bob_inbox = l.inbox("+15550002");
  EXPECT_NE(l.inbox().find("someone who is not you"), std::string::npos) << l.inbox();
  EXPECT_NE(bob_inbox.find("someone who is not you"), std::string::npos) << bob_inbox;
}

/// alice and bob, joint holders of locker 14 (bob is the blue "stranger" scene), with `joint`.
struct JointLocker {
  explicit JointLocker(Joint joint, bool dual_control = false) {
    l.owners.add("bob", "+15550002");
    l.owners.set_password_hash("bob", hash_password("1357"));
    lockers.add("14", {"alice", "bob"}, joint, dual_control);
    l.options.lockers = {"14"};
  }
  std::vector<std::string> run(const std::string& script) { return l.run_with(check, script, true, &lockers); }
  std::string alice_passes() const {
    return l.scene(l.owner_scene) + "press\nwait password\ntype 2468\nwait otp\notp\n";
  }
  std::string bob_passes() const {
    return l.scene(l.stranger) + "press\nwait password\ntype 1357\nwait otp\notp +15550002\n";
  }
  std::vector<std::string> details() const {
    std::vector<std::string> out;
    for (const auto& e : l.audit.list()) out.push_back(e.layer + ":" + e.decision + ":" + e.detail);
    return out;
  }
  bool logged(const std::string& part) const {
    const auto d = details();
    return std::any_of(d.begin(), d.end(), [&](const std::string& x) { return x.find(part) != std::string::npos; });
  }
  Locker l;
  LockerStore lockers{l.db};
  ColourModel bob_model{2};
  CnnOwnerCheck check{{{"alice", {&l.owner_model, 0.5}}, {"bob", {&bob_model, 0.5}}}, 0.2};
};

TEST(Flow, AJointLockerOpensOnlyOnceEveryHolderPassedAndTellsBothWhoOpenedIt) {
  JointLocker j(Joint::All);
  j.l.options.joint_window_s = 30;
  const auto rows = j.run(j.alice_passes() + "wait idle\n" +  // alice alone: the locker waits for bob
                          j.alice_passes().substr(0, j.alice_passes().find("wait password")) + "wait idle\n" +  // alice again: nothing new
                          j.bob_passes() + "wait open\ndoor open\nsleep 100\ndoor close\nwait idle\n");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "access:granted"), 1) << joined(rows);
  EXPECT_TRUE(j.logged("joint:pass:locker 14: alice passed; waiting")) << joined(j.details());
  EXPECT_TRUE(j.logged("joint:already passed:alice passed already")) << joined(j.details());
  EXPECT_TRUE(j.logged("joint:complete:locker 14: every holder passed (alice, bob)")) << joined(j.details());
  EXPECT_TRUE(j.logged("access:granted:locker 14; by alice, bob; unlocking")) << joined(j.details());
  // The granted row comes after both passes: alice's pass alone opened nothing.
  const auto pass = std::find(rows.begin(), rows.end(), "joint:pass");
  const auto granted = std::find(rows.begin(), rows.end(), "access:granted");
  EXPECT_LT(pass - rows.begin(), granted - rows.begin());
  for (const char* phone : {"+15550001", "+15550002"}) {
    EXPECT_NE(j.l.inbox(phone).find("your locker 14 was opened by alice and bob"), std::string::npos) << phone << j.l.inbox(phone);
  }
}

TEST(Flow, AJointWindowThatRunsOutDeniesAndAlertsEveryHolder) {
  JointLocker j(Joint::All);
  j.l.options.joint_window_s = 1;
  const auto rows = j.run(j.alice_passes() + "wait idle\nsleep 1500\n");  // bob never comes
  EXPECT_FALSE(has(rows, "access:granted")) << joined(rows);
  EXPECT_TRUE(j.logged("joint:expired:locker 14: only alice passed within 1 s")) << joined(j.details());
  for (const char* phone : {"+15550001", "+15550002"}) {
    EXPECT_NE(j.l.inbox(phone).find("locker 14 was not opened: it needs every joint holder, and only alice came"), std::string::npos)
        << phone << j.l.inbox(phone);
  }
  EXPECT_TRUE(j.l.audit.verify().ok);
}

TEST(Flow, EitherOrSurvivorOpensForOneHolder) {
  JointLocker j(Joint::Any);
  const auto rows = j.run(j.bob_passes() + "wait open\nwait idle\n");
  EXPECT_TRUE(has(rows, "access:granted")) << joined(rows);
  EXPECT_FALSE(j.logged("joint:")) << joined(j.details());
}

TEST(Flow, DualControlWaitsForAnOfficerWhoIsNoHolder) {
  JointLocker j(Joint::Any, true);  // dual control asked by the locker alone
  j.l.options.approval_timeout_s = 5;
  j.l.owners.add("carol", "+15550003");  // an owner elsewhere, and the officer
  const auto rows = j.run(j.alice_passes() + "wait approval\n"
                                             "approve bob x\n"     // a holder of 14: not taken
                                             "approve carol x\nwait open\nwait idle\n");
  EXPECT_TRUE(j.logged("approval:requested:locker 14: alice passed; waiting 5 s for a bank officer")) << joined(j.details());
  EXPECT_TRUE(j.logged("approval:approved:officer carol")) << joined(j.details());
  EXPECT_TRUE(j.logged("access:granted:locker 14; by alice; officer carol; unlocking")) << joined(j.details());
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "approval:approved"), 1) << joined(rows);
}

TEST(Flow, DualControlRefusedOrTimedOutDeniesWithAnAlert) {
  JointLocker j(Joint::Any);
  j.l.options.dual_control = true;  // for every locker of the station
  j.l.options.approval_timeout_s = 1;
  const auto rows = j.run(j.alice_passes() + "wait approval\nrefuse carol x\nwait idle\n" +  // refused
                          j.alice_passes() + "wait approval\nwait idle 5\n");             // nobody answers
  EXPECT_FALSE(has(rows, "access:granted")) << joined(rows);
  EXPECT_TRUE(j.logged("approval:refused:officer carol refused the opening")) << joined(j.details());
  EXPECT_TRUE(j.logged("approval:timeout:no officer approved within 1 s")) << joined(j.details());
  EXPECT_NE(j.l.inbox().find("was not opened at"), std::string::npos) << j.l.inbox();
  EXPECT_EQ(j.l.outcome, Outcome::Denied);
}

TEST(Flow, OutsideHoursNoAttemptStartsUnlessAnOfficerOpenedAWindow) {
  JointLocker j(Joint::Any);
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  j.l.options.holidays = {local_date(local)};  // today is a holiday
  AccessWindows windows(j.l.db);
  j.l.windows = &windows;
  const auto closed = j.run(j.l.scene(j.l.owner_scene) + "press\nwait idle\n");
  EXPECT_TRUE(has(closed, "hours:closed")) << joined(closed);
  EXPECT_FALSE(has(closed, "human:pass")) << "no attempt starts: " << joined(closed);
  EXPECT_TRUE(j.logged("hours:closed:a holiday; no attempt starts (an officer may open a window: lockerctl access open-window 14)"))
      << joined(j.details());
  const auto led = j.l.board->simulator()->last_led();
  ASSERT_TRUE(led.has_value()) << "the reader's LED says closed";
  EXPECT_EQ(led->temp_on_color, devices::osdp::kLedAmber);

  windows.open("14", 5, "carol", "client flying out tonight", unix_now());
  const auto open = j.run(j.alice_passes() + "wait open\nwait idle\n");
  EXPECT_TRUE(has(open, "access:granted")) << joined(open);
  EXPECT_TRUE(j.logged("hours:window:a holiday, but officer carol opened locker 14 until")) << joined(j.details());
  EXPECT_TRUE(j.logged("client flying out tonight")) << joined(j.details());
}

TEST(Register, ListsEachOpeningWithItsPartiesTimesAndTheChainHash) {
  JointLocker j(Joint::All);
  j.run(j.alice_passes() + "wait idle\n" + j.bob_passes() + "wait open\ndoor open\nsleep 1100\ndoor close\nwait idle\n");
  const Register r = read_register(j.l.audit, {});
  ASSERT_EQ(r.operations.size(), 1u);
  const Operation& op = r.operations[0];
  EXPECT_EQ(op.parties.locker, "14");
  EXPECT_EQ(op.parties.by, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_FALSE(op.out.empty());
  ASSERT_TRUE(op.duration_s.has_value());
  EXPECT_GE(*op.duration_s, 1.0);
  EXPECT_TRUE(r.chain.ok);
  EXPECT_EQ(j.l.audit.hash_of(r.chain.rows), r.chain.last_hash);
  EXPECT_NE(register_footer(r).find("lockerctl audit verify --at " + std::to_string(r.chain.rows) + ":" + r.chain.last_hash),
            std::string::npos);
  EXPECT_EQ(read_register(j.l.audit, {"", "bob", "", ""}).operations.size(), 1u);
  EXPECT_EQ(read_register(j.l.audit, {"", "carol", "", ""}).operations.size(), 0u);
  EXPECT_EQ(read_register(j.l.audit, {"12", "", "", ""}).operations.size(), 0u);
  EXPECT_EQ(read_register(j.l.audit, {"", "", "", "2000"}).operations.size(), 0u);
  const std::string csv = register_csv(r);
  EXPECT_NE(csv.find("14,alice + bob,,"), std::string::npos) << csv;
}

TEST(Register, OperationDetailsReadBackAsWritten) {
  const OperationParties p{"7", {"a", "b c"}, "carol", "unlocking for 5.0 s"};
  const OperationParties back = parse_operation_detail(operation_detail(p));
  EXPECT_EQ(back.locker, "7");
  EXPECT_EQ(back.by, p.by);
  EXPECT_EQ(back.officer, "carol");
  EXPECT_EQ(back.note, "unlocking for 5.0 s");
  EXPECT_EQ(parse_operation_detail("by alice; unlocking").locker, "");
}

TEST(Lockers, AJointModeAllNeedsTwoHoldersAndIsKept) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  OwnerStore owners(db);
  owners.add("alice", "+1");
  owners.add("bob", "+2");
  LockerStore lockers(db);
  EXPECT_THROW(lockers.add("7", {"alice"}, Joint::All), DataError);
  lockers.add("7", {"alice", "bob"}, Joint::All, true);
  EXPECT_EQ(lockers.get("7").joint, Joint::All);
  EXPECT_TRUE(lockers.get("7").dual_control);
  EXPECT_THROW(lockers.set_holders("7", {"alice"}), DataError);
  lockers.set_operation("7", Joint::Any, false);
  lockers.set_holders("7", {"alice"});
  EXPECT_EQ(describe_operation(lockers.get("7")), "either or survivor (any)");
  EXPECT_THROW(lockers.set_operation("7", Joint::All, false), DataError);
}

TEST(Lockers, RefuseBadNumbersUnknownHoldersAndDuplicates) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  OwnerStore owners(db);
  owners.add("alice", "+1");
  LockerStore lockers(db);
  const auto refused = [&](auto fn) {
    try {
      fn();
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused([&] { lockers.add("1a", {"alice"}); }), "locker number '1a': 1 to 8 digits, as typed on the keypad");
  EXPECT_EQ(refused([&] { lockers.add("7", {}); }), "locker 7: name at least one holder (--holder NAME)");
  EXPECT_EQ(refused([&] { lockers.add("7", {"zed"}); }), "locker 7: holder 'zed' is not an owner (lockerctl owner add zed --phone NUMBER)");
  EXPECT_EQ(refused([&] { lockers.add("7", {"alice", "alice"}); }), "locker 7: holder 'alice' is named twice");
  lockers.add("7", {"alice"});
  EXPECT_EQ(refused([&] { lockers.add("7", {"alice"}); }), "locker 7 already exists (lockerctl locker set-holders 7 ...)");
  EXPECT_EQ(refused([&] { lockers.remove("8"); }), "locker 8: no such locker (lockerctl locker add 8 --holder NAME)");
  owners.add("bob", "+2");
  lockers.set_holders("7", {"bob", "alice"});
  EXPECT_EQ(lockers.get("7").holders, (std::vector<std::string>{"bob", "alice"}));
  lockers.remove("7");
  EXPECT_TRUE(lockers.list().empty());
}

/// Gives a fixed score and remembers the size of the image it was given.
class FixedScore final : public inference::InferenceEngine {
 public:
  FixedScore(float score, double threshold, const char* input) : score_(score) {
    info_.threshold = threshold;
    info_.input = input;
  }
  float probability(const cv::Mat& rgb) override {
    seen = rgb.size();
    return score_;
  }
  cv::Size seen;

 private:
  float score_;
};

TEST(CnnOwnerCheck, AChipModelSeesTheAlignedFaceAndEachModelIsJudgedByItsOwnThreshold) {
  cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(90, 120, 150));
  vision::Face face;
  face.box = cv::Rect2f(110, 60, 100, 120);
  face.landmarks = {cv::Point2f(140, 100), cv::Point2f(180, 100), cv::Point2f(160, 125), cv::Point2f(145, 150),
                    cv::Point2f(175, 150)};
  face.has_landmarks = true;
  // alice's chip model scores higher but below its own threshold; bob's crop model passes its own.
  FixedScore alice(0.65f, 0.7, models::kFaceChipInput), bob(0.55f, 0.5, models::kImageInput);
  CnnOwnerCheck check({{"alice", {&alice, 0.7}}, {"bob", {&bob, 0.5}}}, 0.2);
  const OwnerVerdict v = check.check(frame, {face}, {"alice", "bob", "carol"});
  EXPECT_TRUE(v.face);
  EXPECT_EQ(v.holder, "bob");
  ASSERT_TRUE(v.score.has_value());
  EXPECT_FLOAT_EQ(static_cast<float>(*v.score), 0.55f);
  EXPECT_DOUBLE_EQ(v.threshold, 0.5);
  EXPECT_EQ(alice.seen, cv::Size(vision::kFaceChipSize, vision::kFaceChipSize));
  EXPECT_EQ(bob.seen, cv::Size(168, 168));  // the layer-2 crop: the face box squared, with a 20% margin
  EXPECT_NE(v.detail.find("no owner model: carol"), std::string::npos) << v.detail;

  // Without landmarks there is no chip: the chip model cannot decide, and says so.
  face.has_landmarks = false;
  const OwnerVerdict only_alice = check.check(frame, {face}, {"alice"});
  EXPECT_EQ(only_alice.holder, "");
  EXPECT_FALSE(only_alice.score.has_value());
  EXPECT_NE(only_alice.detail.find("no landmarks for the chip of alice's model"), std::string::npos) << only_alice.detail;
}

}  // namespace
}  // namespace lockerctl::access
