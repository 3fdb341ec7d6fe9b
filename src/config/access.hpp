#pragma once
// Configuration: the four-layer access flow and the audit log. Each section's struct carries its
// keys, defaults and checks (visit); config/config.hpp puts the sections together.
#include <string>

#include "config/schema.hpp"

namespace lockerctl::config {

enum class InferenceBackend { OpenCv, Torch };
enum class Trigger { Keypad, Face };
enum class InputSource { Board, Console, Web };
enum class OtpMethod { Sms, Totp };

/// The four-layer access flow (`lockerctl run`).
struct AccessConfig {
  std::string owner = "owner";                 // the owner of this locker (lockerctl owner add NAME)
  std::string locker;                          // locker number(s) served, comma-separated; "" = `owner` alone
  std::string human_model = "models/human.h5";  // layer 1 model file
  std::string owner_model = "models/owner.h5";  // layer 2 model file
  InferenceBackend backend = InferenceBackend::OpenCv;  // layer 1, owner CNN, face embedding: opencv (ONNX in memory) | torch
  double human_threshold = 0.0;   // layer 1 score to pass; 0 = the model file's threshold
  double owner_threshold = 0.0;   // layer 2 likewise
  Trigger trigger = Trigger::Keypad;      // keypad: a key or Enter starts an attempt; face: a face in view does
  InputSource input = InputSource::Board;  // password and OTP keys: board keypad | console (no echo) | web (the kiosk page)
  int password_tries = 3;        // wrong passwords before the lockout
  OtpMethod otp = OtpMethod::Sms;  // sms: a code sent through the notifier | totp: authenticator app (RFC 6238)
  int otp_digits = 6;
  double otp_ttl_s = 120.0;      // an SMS code expires after this long
  int otp_tries = 3;             // wrong codes that count as a failure
  double lockout_s = 900.0;      // no attempts for this long after a failure; survives a restart
  double unlock_s = 5.0;         // the lock stays released this long
  double door_open_max_s = 60.0;  // an open door alerts after this long
  double input_timeout_s = 60.0;  // waiting for a password or code; then the attempt ends
  std::string script;             // scripted input for tests and demos; "" = real inputs
  std::string hours = "00:00-24:00";  // when attempts may start (local time, as motion.opening_hours)
  std::string holidays;           // closed all day: dates (YYYY-MM-DD, comma-separated) or an iCalendar file (.ics)
  double joint_window_s = 300.0;  // a locker in joint mode `all`: every holder passes within this long
  bool dual_control = false;      // layer 4 also waits for a bank officer's approval on the console
  double approval_timeout_s = 120.0;  // how long it waits for that approval

  template <class V>
  void visit(V& v) {
    v.field("owner", owner);
    v.field("locker", locker);
    v.field("human_model", human_model);
    v.field("owner_model", owner_model);
    v.field("backend", backend,
            Choices<InferenceBackend>{{{"opencv", InferenceBackend::OpenCv}, {"torch", InferenceBackend::Torch}}});
    v.field("human_threshold", human_threshold, Range<double>{0.0, 1.0});
    v.field("owner_threshold", owner_threshold, Range<double>{0.0, 1.0});
    v.field("trigger", trigger, Choices<Trigger>{{{"keypad", Trigger::Keypad}, {"face", Trigger::Face}}});
    v.field("input", input, Choices<InputSource>{{{"board", InputSource::Board}, {"console", InputSource::Console}, {"web", InputSource::Web}}});
    v.field("password_tries", password_tries, Range<int>{1, 10});
    v.field("otp", otp, Choices<OtpMethod>{{{"sms", OtpMethod::Sms}, {"totp", OtpMethod::Totp}}});
    v.field("otp_digits", otp_digits, Range<int>{6, 8});
    v.field("otp_ttl_s", otp_ttl_s, Range<double>{1.0, 3600.0});
    v.field("otp_tries", otp_tries, Range<int>{1, 10});
    v.field("lockout_s", lockout_s, Range<double>{0.0, 604800.0});
    v.field("unlock_s", unlock_s, Range<double>{0.1, 600.0});
    v.field("door_open_max_s", door_open_max_s, Range<double>{0.1, 86400.0});
    v.field("input_timeout_s", input_timeout_s, Range<double>{0.1, 3600.0});
    v.field("script", script);
    v.field("hours", hours);
    v.field("holidays", holidays);
    v.field("joint_window_s", joint_window_s, Range<double>{1.0, 86400.0});
    v.field("dual_control", dual_control);
    v.field("approval_timeout_s", approval_timeout_s, Range<double>{1.0, 3600.0});
  }
};

/// The tamper-evident audit log and the alert outbox, in one SQLite file under paths.var_dir.
struct AuditConfig {
  Secret key;  // key of the hash chain; empty = the key file <var_dir>/audit.key, made on first use

  template <class V>
  void visit(V& v) {
    v.field("key", key);
  }
};

}  // namespace lockerctl::config
