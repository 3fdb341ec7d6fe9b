#pragma once
// Configuration: the lock board with its sensors and actuators, the rules that answer alarms, the
// camera, motion detection and incident clips. Each section's struct carries its keys, defaults and
// checks (visit); config/config.hpp puts the sections together.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config/schema.hpp"

namespace lockerctl::config {

/// A sensor wired to a lock-board input (board.sensors).
struct SensorConfig {
  std::string name;  // named in rules, the audit log and alerts
  int input = 0;     // the board's input number (active = the sensor goes off)

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("input", input, Range<int>{0, 255});
  }
};

/// Something a lock-board output drives (board.actuators): a siren relay, a light.
struct ActuatorConfig {
  std::string name;  // named in rules' `then` and the audit log
  int output = 0;    // the board's output number

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("output", output, Range<int>{0, 255});
  }
};

/// How lockerctl talks to the lock board (board.secure).
enum class BoardSecurity { Required, Preferred, Off };

/// The serial lock board (OSDP), layer 4. docs/lock-board.md explains wiring, addresses and keys.
struct BoardConfig {
  std::string port = "sim";       // serial device (/dev/ttyUSB0, /dev/ttyS0), or sim: the built-in simulated board
  int baud = 9600;                // 9600 | 19200 | 38400 | 57600 | 115200, as set on the board
  int address = 0;                // the board's OSDP address, 0-126
  int poll_ms = 200;              // at most this long between two commands to the board
  int reply_timeout_ms = 200;     // wait this long for a reply before sending the command again
  double offline_after_s = 8.0;   // silence after which the board counts as offline
  int lock_output = 0;            // output number that drives the lock
  int door_input = 0;             // input number of the door contact (active = open)
  BoardSecurity secure = BoardSecurity::Required;  // required | preferred | off: OSDP Secure Channel (encrypted, authenticated)
  std::string key_file;           // the board's Secure Channel key (32 hex digits), owner-only; "": <var_dir>/board.key
  bool install_mode = false;      // first installation: the board's default key SCBK-D, until `lockerctl board keyset`
  // The other inputs and outputs, as the simulated board has them (a thermostat contact as the temperature sensor).
  std::vector<SensorConfig> sensors = {{"vibration", 1}, {"smoke", 2}, {"temperature", 3}};
  std::vector<ActuatorConfig> actuators = {{"siren", 1}, {"light", 2}};

  template <class V>
  void visit(V& v) {
    v.field("port", port);
    v.field("baud", baud, Range<int>{9600, 115200});
    v.field("address", address, Range<int>{0, 126});
    v.field("poll_ms", poll_ms, Range<int>{10, 200});
    v.field("reply_timeout_ms", reply_timeout_ms, Range<int>{10, 5000});
    v.field("offline_after_s", offline_after_s, Range<double>{0.1, 3600.0});
    v.field("lock_output", lock_output, Range<int>{0, 255});
    v.field("door_input", door_input, Range<int>{0, 255});
    v.field("secure", secure,
            Choices<BoardSecurity>{{{"required", BoardSecurity::Required},
                                    {"preferred", BoardSecurity::Preferred},
                                    {"off", BoardSecurity::Off}}});
    v.field("key_file", key_file);
    v.field("install_mode", install_mode);
    v.list("sensors", sensors);
    v.list("actuators", actuators);
  }
};

/// What answers an alarm (rules): which event, when, and what to do.
struct RuleConfig {
  std::string when;          // a sensor's name (board.sensors), "door forced", "tamper", "link attack" (secure channel) or "motion" (outside opening hours)
  std::string hours;         // only at these local times, as motion.opening_hours; "" = at any time
  bool only_locked = false;  // only while the lock is locked (nobody was let in)
  std::string then;          // actions, space-separated: an actuator's name (on for for_s), alert, alarm (the reader's buzzer and red LED), evidence (photo and clip)
  double for_s = 60;         // how long the actuators stay on

  template <class V>
  void visit(V& v) {
    v.field("when", when, Required{});
    v.field("hours", hours);
    v.field("only_locked", only_locked);
    v.field("then", then, Required{});
    v.field("for_s", for_s, Range<double>{0.1, 6553.5});
  }
};

/// The triggers that are not sensors: a door opened while locked, the board's tamper switch, an
/// attack on the board's secure channel, motion outside the opening hours.
inline constexpr const char* kRuleEvents[] = {"door forced", "tamper", "link attack", "motion"};
/// The actions that are not actuators: an alert to the holders, the reader's local alarm, a photo and clip.
inline constexpr const char* kRuleActions[] = {"alert", "alarm", "evidence"};

/// The file with the lock board's Secure Channel key: board.key_file, or <var_dir>/board.key.
struct Config;
std::filesystem::path board_key_file(const Config& cfg);

/// The words of a rule's `then`. Throws std::invalid_argument naming a word that is neither an
/// action nor one of `board`'s actuators.
std::vector<std::string> rule_actions(const std::string& then, const BoardConfig& board);

/// How layer 1 decides over several frames.
enum class Vote { Best, Majority };

/// The camera in front of the locker, layers 1 and 2.
struct CameraConfig {
  std::string source = "sim";  // sim (scenes shown by the run script), a device index (0), a video file, an rtsp:// or http:// URL, or a folder of images
  int frames = 5;              // frames captured per attempt
  Vote vote = Vote::Best;      // best: the highest human score decides; majority: most frames must pass
  double retry_s = 1.0;        // first wait before opening a lost camera again; doubles up to 60 s
  double watch_fps = 5;        // frames a second read between attempts, for motion detection and clips
  int timeout_ms = 5000;       // an IP camera that sends nothing for this long is lost (opening and reading)

  template <class V>
  void visit(V& v) {
    v.field("source", source);
    v.field("frames", frames, Range<int>{1, 100});
    v.field("vote", vote, Choices<Vote>{{{"best", Vote::Best}, {"majority", Vote::Majority}}});
    v.field("retry_s", retry_s, Range<double>{0.01, 60.0});
    v.field("watch_fps", watch_fps, Range<double>{0.2, 30.0});
    v.field("timeout_ms", timeout_ms, Range<int>{100, 600000});
  }
};

/// A part of the picture motion detection watches (motion.zones).
struct MotionZoneConfig {
  std::string name;     // named in the audit log and alerts
  std::string corners;  // polygon corners as fractions of the frame: "0.5,0 1,0 1,1 0.5,1"; "" = the whole frame

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("corners", corners);
  }
};

/// The corners of `text` ("x,y x,y ..."), each 0..1. Throws std::invalid_argument with the reason.
std::vector<std::pair<double, double>> parse_corners(const std::string& text);

/// Motion detection on the camera between attempts (lockerctl run).
struct MotionConfig {
  bool enabled = false;
  double min_area = 0.002;       // smallest moving blob, as a fraction of the frame
  std::string opening_hours = "mon-fri 08:00-18:00";  // local time; motion outside it is an alarm ("" = always closed)
  bool trigger = false;          // motion during opening hours starts an attempt
  double quiet_s = 30;           // motion after this long without any is a new event
  std::vector<MotionZoneConfig> zones;  // none: the whole frame

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("min_area", min_area, Range<double>{0.0001, 0.5});
    v.field("opening_hours", opening_hours);
    v.field("trigger", trigger);
    v.field("quiet_s", quiet_s, Range<double>{0.0, 86400.0});
    v.list("zones", zones);
  }
};

/// Incident clips: the seconds around an alarm or a denial, as H.264 MP4 beside the photo.
struct ClipsConfig {
  bool enabled = false;
  double before_s = 5;   // seconds kept before the incident
  double after_s = 5;    // seconds recorded after it
  int max_width = 640;   // larger frames are scaled down

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("before_s", before_s, Range<double>{0.0, 60.0});
    v.field("after_s", after_s, Range<double>{0.0, 60.0});
    v.field("max_width", max_width, Range<int>{64, 4096});
  }
};

}  // namespace lockerctl::config
