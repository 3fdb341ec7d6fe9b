#include "cmd_run.hpp"
#include "cmd_monitor.hpp"
#include "cmd_web.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "access/flow.hpp"
#include "access/script.hpp"
#include "access/windows.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/schedule.hpp"
#include "core/signals.hpp"
#include "devices/board_link.hpp"
#include "inference/engine.hpp"
#include "notify/courier.hpp"
#include "web/approvals.hpp"

namespace lockerctl::cli {
namespace {

using namespace std::chrono_literals;

/// Reads the console: an empty line (Enter) asks for access, any other line is a password or
/// code. Echo is off while it runs, so nothing typed shows on the screen.
class ConsoleInput {
 public:
  explicit ConsoleInput(access::Flow& flow) : flow_(flow) {
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      restore_ = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
    }
    thread_ = std::thread([this] { read(); });
  }
  ~ConsoleInput() {
    done_ = true;
    thread_.join();
    if (restore_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }

 private:
  void read() {
    std::string line;
    while (!done_) {
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c = 0;
      if (::read(STDIN_FILENO, &c, 1) != 1) return;  // end of input
      if (c != '\n') {
        line += c;
        continue;
      }
      if (line.empty()) {
        flow_.press();
      } else {
        flow_.enter(line);
      }
      line.clear();
    }
  }

  access::Flow& flow_;
  termios saved_{};
  bool restore_ = false;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

void setup_run(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the four-layer access flow at a locker: camera -> [the locker number, when access.locker names "
      "several] -> layer 1 (human, MobileNetV2) -> layer 2 (liveness check, then who the face is: face embeddings "
      "against the enrolled templates of the locker's holders, or each holder's owner CNN from `owner train`; owner.method) -> layer 3 (that "
      "holder's password, then a one-time code) -> layer 4 (the lock board releases the lock; the door is watched). "
      "Every decision goes to the audit log, alerts to the holders' phones. With web.enabled: true it also serves the operator console "
      "and the kiosk (the page at the locker; access.input: web takes passwords and codes from it) and prints their address. "
      "With mqtt.enabled: true it publishes its events, state and heartbeat to the MQTT broker for lockerctl monitor and "
      "Home Assistant (docs/branches.md); it never takes a command from the broker. "
      "With motion.enabled it watches the camera between attempts: motion outside motion.opening_hours is an alarm with a photo "
      "and an alert; with clips.enabled each alarm or denial also gets an H.264 clip of the seconds around it (docs/cameras.md). "
      "The board's sensors (smoke, vibration, temperature) and events (a forced door, tamper, motion) are answered by the "
      "config's rules: actuators such as a siren relay on for a while, an alert, the reader's alarm, a photo (docs/lock-board.md). "
      "The bank's rules (docs/operations.md): outside access.hours and on access.holidays no attempt starts unless an "
      "officer opened a window for the locker (lockerctl access open-window); a locker in joint mode all opens only once "
      "every holder has passed within access.joint_window_s; under dual control (access.dual_control, locker --dual-control) "
      "layer 4 waits for an officer's approval on the console's Officer's desk; every opening is an alert to every holder "
      "(alerts.on_access); incident photos past evidence.retention_days are purged once a day unless on hold. "
      "Runs until Ctrl-C, or to the end of a script. Exits non-zero only when it cannot "
      "start (configuration, models, owners, lockers, enrolled faces, dual control without an officer, camera, board, the console's certificate and address, an OpenCV that cannot write clips, "
      "or the broker's address and CA file); later device and broker faults are logged and retried, and the locker stays locked. "
      "A board that answers but refuses the secure channel (a wrong key, no Secure Channel under board.secure: required) "
      "is not such a start failure: it is a link attack, raised as an alarm while the locker stays locked and the "
      "handshake is retried (docs/lock-board.md). See docs/access-flow.md and docs/console.md.");
  run->add_option("--script", opts->script,
                  "Scripted input (tests, demos): show/press/type/otp/approve/refuse/wait/sleep and board lines; "
                  "overrides access.script");
  run->callback([&global, &action, opts] { action = [&global, opts] { return run_access(global, *opts); }; });
}

int run_access(const GlobalOptions& global, const RunOptions& options) {
  const config::Config cfg = load_config(global);
  const auto& a = cfg.access;
  const std::string script = options.script.empty() ? a.script : options.script;
  signals::catch_stop_signals();

  Station station(cfg);
  // The channels and the evidence store, checked before anything starts.
  const Messengers messengers(cfg);
  const notify::OutboxOptions outbox_settings = outbox_options(cfg);
  access::LockerStore lockers(station.db);
  // Who may open: the holders of each locker served, or the station's owner.
  std::vector<std::string> served, people;
  bool dual_control = a.dual_control;
  for (const std::string& number : split_list(a.locker)) {
    const access::Locker locker = lockers.get(number);
    served.push_back(locker.number);
    dual_control |= locker.dual_control;
    for (const auto& h : locker.holders) {
      if (std::find(people.begin(), people.end(), h) == people.end()) people.push_back(h);
    }
  }
  if (served.empty()) people = {a.owner};
  for (const std::string& name : people) {
    const access::Owner owner = station.owners.get(name);
    if (owner.password_hash.empty()) {
      throw DataError(fmt::format("owner '{}' has no password yet (lockerctl owner set-password {})", owner.name, owner.name));
    }
    if (a.otp == config::OtpMethod::Totp && owner.totp_secret.empty()) {
      throw DataError(fmt::format("owner '{}': access.otp is totp but no authenticator is enrolled "
                                  "(lockerctl owner enroll-totp {})", owner.name, owner.name));
    }
  }

  web::OperatorStore operators(station.db);
  if (dual_control && !operators.any(web::Role::Officer)) {
    throw ConfigError({{global.config_file.empty() ? "<defaults>" : global.config_file, 0, 0, "access.dual_control",
                        "dual control needs a bank officer to approve, and no operator has role officer "
                        "(lockerctl operator add NAME --role officer)"}});
  }

  auto human = inference::open_engine(a.human_model, inference_backend(cfg));
  std::vector<std::unique_ptr<inference::InferenceEngine>> owner_models;  // owner.method: cnn, one per person
  bool chip_models = false;
  std::unique_ptr<FaceRecognition> recognition;
  std::unique_ptr<access::OwnerCheck> owner_check;
  std::string owner_thresholds = fmt::format("{:.3f}", cfg.owner.match_threshold);
  if (cfg.owner.method == config::OwnerMethod::Cnn) {
    std::map<std::string, access::CnnOwnerCheck::Model> by_holder;
    std::vector<std::string> thresholds;
    for (const std::string& name : people) {
      owner_models.push_back(open_owner_model(cfg, name));
      inference::InferenceEngine& engine = *owner_models.back();
      chip_models |= engine.info().input == models::kFaceChipInput;
      by_holder[name] = {&engine, model_threshold(a.owner_threshold, engine)};
      thresholds.push_back(fmt::format("{:.3f}", by_holder[name].threshold));
    }
    owner_thresholds = fmt::format("{}", fmt::join(thresholds, "/"));
    owner_check = std::make_unique<access::CnnOwnerCheck>(std::move(by_holder), cfg.face.margin);
  } else {
    recognition = std::make_unique<FaceRecognition>(cfg, station.db, station.key);
    for (const std::string& name : people) {
      const access::OwnerTemplates t = recognition->templates.load(name);
      if (t.templates.empty()) {
        throw DataError(fmt::format("owner '{}' has no face enrolled for owner.method: embedding (lockerctl owner enroll {} "
                                    "--photos DIR){}", name, name, t.damaged ? fmt::format("; {} damaged template(s)", t.damaged) : ""));
      }
    }
    owner_check = std::make_unique<access::EmbeddingOwnerCheck>(recognition->verifier);
  }

  std::unique_ptr<vision::Camera> camera = vision::open_camera(cfg.camera.source, cfg.camera.timeout_ms);
  // One face detector and one liveness check: the embedding method brings its own, the flow shares them.
  std::unique_ptr<vision::FaceDetector> own_detector;
  if (!recognition) own_detector = face_detector(cfg, chip_models);
  vision::FaceDetector* const faces = recognition ? recognition->detector.get() : own_detector.get();
  std::unique_ptr<vision::LivenessCheck> own_liveness;
  if (!recognition) own_liveness = liveness_check(cfg);
  vision::LivenessCheck* const liveness = recognition ? recognition->liveness.get() : own_liveness.get();

  // A board that refuses the secure channel may be an attacker's: run goes on, the locker locked,
  // and the flow raises the link-attack alarm (audit entry, alert, evidence).
  const auto board = connect_board(board_link_options(cfg), OnRefusal::KeepLocked);
  // Alerts, codes and evidence uploads are delivered from a thread of their own, so a slow or
  // unreachable service never holds up the flow; what is still pending when run stops stays in
  // the outbox for the next start. A job given up (an owner not told) sounds the board's alarm.
  notify::Courier courier(station.db.file(), outbox_settings, messengers.channels, messengers.store.get(), station.key,
                          [&board] {
                            try {
                              board->panel().alarm();
                            } catch (const Error& e) {
                              log::warn("alarm: the board could not sound it: {}", e.what());
                            }
                          });
  station.outbox.on_raise([&courier] { courier.wake(); });

  access::FlowOptions o;
  o.owner = a.owner;
  o.lockers = served;
  o.frames = cfg.camera.frames;
  o.majority_vote = cfg.camera.vote == config::Vote::Majority;
  o.human_threshold = model_threshold(a.human_threshold, *human);
  o.liveness_threshold = cfg.liveness.threshold;
  o.liveness_frames = cfg.liveness.frames;
  o.alert_on_access = cfg.alerts.on_access;
  o.branch = cfg.alerts.branch;
  o.hours = Schedule::parse(a.hours);
  o.holidays = load_holidays(a.holidays);
  o.joint_window_s = a.joint_window_s;
  o.dual_control = a.dual_control;
  o.approval_timeout_s = a.approval_timeout_s;
  o.retention_days = cfg.evidence.retention_days;
  o.trigger_on_face = a.trigger == config::Trigger::Face;
  o.keys_from_board = a.input == config::InputSource::Board;
  o.password_tries = a.password_tries;
  o.totp = a.otp == config::OtpMethod::Totp;
  o.otp_digits = a.otp_digits;
  o.otp_tries = a.otp_tries;
  o.otp_ttl_s = a.otp_ttl_s;
  o.lockout_s = a.lockout_s;
  o.unlock_s = a.unlock_s;
  o.door_open_max_s = a.door_open_max_s;
  o.input_timeout_s = a.input_timeout_s;
  o.camera_retry_s = cfg.camera.retry_s;
  o.door_input = cfg.board.door_input;
  o.lock_output = cfg.board.lock_output;
  for (const config::SensorConfig& sensor : cfg.board.sensors) o.sensors.push_back({sensor.name, sensor.input});
  for (const config::ActuatorConfig& actuator : cfg.board.actuators) o.actuators.push_back({actuator.name, actuator.output});
  for (const config::RuleConfig& rule : cfg.rules) {
    access::Rule r;
    r.when = rule.when;
    if (!rule.hours.empty()) r.hours = Schedule::parse(rule.hours);
    r.only_locked = rule.only_locked;
    r.then = config::rule_actions(rule.then, cfg.board);
    r.for_s = rule.for_s;
    o.rules.push_back(std::move(r));
  }
  o.incidents_dir = std::filesystem::path(cfg.paths.var_dir) / "incidents";
  o.watch_fps = cfg.camera.watch_fps;
  o.opening_hours = Schedule::parse(cfg.motion.opening_hours);
  o.motion_trigger = cfg.motion.trigger;
  o.motion_quiet_s = cfg.motion.quiet_s;
  std::unique_ptr<vision::MotionDetector> motion;
  if (cfg.motion.enabled) {
    vision::MotionOptions m;
    m.min_area = cfg.motion.min_area;
    for (const config::MotionZoneConfig& zone : cfg.motion.zones) {
      m.zones.push_back({zone.name, {}});
      for (const auto& [x, y] : config::parse_corners(zone.corners)) {
        m.zones.back().corners.emplace_back(static_cast<float>(x), static_cast<float>(y));
      }
    }
    motion = std::make_unique<vision::MotionDetector>(m);
  }
  std::unique_ptr<vision::ClipRecorder> clips;
  if (cfg.clips.enabled) {
    // Known at once, not at the first incident: whether this machine's OpenCV writes H.264.
    const auto probe = o.incidents_dir / ".clip-check.mp4";
    vision::write_clip(probe, {cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(0))}, 1);
    std::filesystem::remove(probe);
    clips = std::make_unique<vision::ClipRecorder>(vision::ClipOptions{cfg.clips.before_s, cfg.clips.after_s, cfg.clips.max_width});
  }

  access::AccessWindows windows(station.db);
  evidence::Holds holds(station.db);
  access::Flow flow(o, {*camera, *faces, liveness, *human, *owner_check, board->panel(), station.audit, station.outbox,
                        station.owners, &lockers, motion.get(), clips.get(), &windows, &holds});
  const std::string station_of = served.empty() ? fmt::format("locker of '{}'", a.owner)
                                                : fmt::format("locker(s) {}", fmt::join(served, ", "));
  log::info("{}: camera {}, board {} ({}), layer 1 threshold {:.3f}, faces {}, liveness {}, layer 2 {} "
            "threshold {}", station_of, camera->name(), cfg.board.port, board->device(), o.human_threshold,
            faces->name(), liveness ? fmt::format("threshold {:.3f}", o.liveness_threshold) : std::string("off"),
            cfg.owner.method == config::OwnerMethod::Cnn ? "(owner CNN)" : "(face embeddings)", owner_thresholds);

  std::vector<std::string> routes;
  for (const auto& [name, channel] : messengers.channels) routes.push_back(fmt::format("{} by {}", name, channel->describe()));
  log::info("alerts: {}; codes by {}; photos to the {} store; {} job(s) pending in the outbox", fmt::join(routes, ", "),
            outbox_settings.code_channel, messengers.store->name(), station.outbox.pending());

  // The console and the kiosk, in this process so that the kiosk drives this flow.
  std::unique_ptr<web::Console> console;
  if (cfg.web.enabled) {
    console = std::make_unique<web::Console>(console_options(cfg, ""), station.db.file(), station.key, &flow,
                                             face_enroller(cfg));
    console->start();
    std::cout << "console at " << console->url() << "/ (kiosk at " << console->url() << "/kiosk)" << std::endl;
  }

  // Branch monitoring: the events go to the broker from their own thread; the lock never hears from it.
  std::unique_ptr<branch::Publisher> publisher;
  if (cfg.mqtt.enabled) {
    publisher = std::make_unique<branch::Publisher>(publisher_options(cfg, served), station.db.file(), station.key,
                                                    [&flow] { return std::string(access::state_name(flow.state())); });
    publisher->start();
  }

  access::FlowSummary summary;
  if (script.empty()) {
    std::unique_ptr<ConsoleInput> keyboard;
    if (a.input == config::InputSource::Console || (a.trigger == config::Trigger::Keypad && a.input != config::InputSource::Web)) {
      keyboard = std::make_unique<ConsoleInput>(flow);
      log::info("press Enter (or a key on the keypad) to ask for access; Ctrl-C stops");
    } else if (a.input == config::InputSource::Web) {
      log::info("the kiosk page takes the entries ({}/kiosk; pair a device with lockerctl web pair-kiosk); Ctrl-C stops",
                console->url());
    }
    summary = flow.run(signals::stop_flag());
  } else {
    std::ifstream in(script);
    if (!in) throw IoError(script + ": cannot read the script");
    std::string script_error;
    std::thread runner([&] { summary = flow.run(signals::stop_flag()); });
    // The script's officer, on a connection of its own (the flow's thread writes on the station's).
    audit::Database officer_db(station.db.file(), audit::Database::Check::Skip);
    audit::AuditLog officer_audit(officer_db, station.key);
    web::OperatorStore officer_operators(officer_db);
    const auto decide = [&](const std::string& officer, const std::string& password, const std::string& attempt, bool approve) {
      return web::officer_decides(officer_operators, officer_audit, flow, officer, password, attempt, approve);
    };
    try {
      access::run_script(in, script, {flow, dynamic_cast<vision::FolderCamera*>(camera.get()), board->simulator(),
                                      &station.phone, station.owners.get(people.front()).phone, a.input == config::InputSource::Board,
                                      decide},
                         signals::stop_flag());
    } catch (const Error& e) {
      script_error = e.what();
    }
    flow.stop();
    runner.join();
    if (!script_error.empty()) throw DataError(script_error);
  }
  std::cout << fmt::format("attempts {}, granted {}, denied {}, alerts {}; audit log {}\n", summary.attempts,
                           summary.granted, summary.denied, summary.alerts, station.db.file().string());
  return 0;
}

}  // namespace lockerctl::cli
