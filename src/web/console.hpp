#pragma once

// The operator console: an HTTPS server (cpp-httplib with OpenSSL) whose pages are Mustache
// templates (src/web/templates, escaping every value) and two small scripts of its own (the
// dashboard's live table, the kiosk), all compiled into the binary. Operators log in
// (OperatorStore); a session is a random id in an HttpOnly, Secure, SameSite=Strict cookie that ends after an idle time; every state-changing request carries the
// session's CSRF token. Every response has a strict Content-Security-Policy, X-Frame-Options:
// DENY, Referrer-Policy: no-referrer and Cache-Control: no-store, and every value shown is
// escaped. Nothing here can move the lock. Each operator action is written to the audit log with
// the operator's name.
//
//   GET  /login, POST /login, POST /logout
//   GET  /                     dashboard: the station's lock, door, board and camera state, the
//                              current attempt, the lockers and holders, the events, live
//   GET  /events               server-sent events: each new audit event as JSON
//   GET  /audit                the audit log, filtered (since, until, layer, decision, attempt), paged
//   GET  /audit/verify         the chain check (lockerctl audit verify)
//   GET  /audit/export.csv, /audit/export.json   the filtered events
//   GET  /outbox               pending and dead alert jobs; POST /outbox/retry (admin) makes one due
//   GET  /incidents            attempts that raised an alert: why, the photo, where each alert went
//   GET  /incidents/photo?attempt=A   that photo, only from under the incident folder
//   GET  /about                this lockerctl's version and the model files it runs, each with its SHA-256
//   GET  /owners               owners (what is set, never a secret) and lockers with their holders
//   POST /owners/add, /owners/phone, /owners/clear-lockout, /lockers/add, /lockers/holders (admin)
//   POST /owners/enroll?csrf=T photos of an owner (multipart/form-data) enroll the face (admin);
//                              the only request whose body may be larger than 16 KiB, and it is
//                              read only after the session and the token are checked
//
// The kiosk, the page at the locker for layer 3, is for paired devices only (KioskStore); it
// needs no operator login and shows nothing but the step of the attempt under way:
//   GET  /kiosk                the pairing form, or the step, a keypad and a Start button
//   POST /kiosk/pair           a pairing code -> the device token, in a cookie for /kiosk
//   GET  /kiosk/state          the step, as JSON
//   POST /kiosk/start, /kiosk/enter   ask for access; a password, code or locker number

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"

namespace lockerctl::access {
class Flow;
}

namespace lockerctl::web {

struct ConsoleOptions {
  std::string host = "127.0.0.1";
  int port = 8443;                   ///< 0: any free port
  std::filesystem::path cert, key;   ///< PEM files; not used with insecure_local
  bool insecure_local = false;       ///< plain HTTP; only on 127.0.0.1
  std::filesystem::path incidents_dir;  ///< photos are served only from under it
  double session_idle_s = 900;
  int max_streams = 4;  ///< live dashboards open at once (each holds a server thread); more get 503
  /// The model files this station runs, for /about: what each is, and its path.
  std::vector<std::pair<std::string, std::filesystem::path>> models;
};

/// A photo an admin sends from the owners page to enroll an owner's face.
struct EnrollPhoto {
  std::string filename;  ///< as the browser named it; only shown back, escaped
  std::string bytes;     ///< the file as sent
};

/// What an enrollment did.
struct Enrolled {
  int templates = 0;                 ///< photos taken; 0: none, and the old templates are kept
  int replaced = 0;                  ///< old templates replaced
  std::vector<std::string> refused;  ///< "FILENAME: why", one for each photo not taken
};

/// Enrolls an owner's face from photos (the CLI hands in `owner enroll`'s own code). Throws
/// DataError for an unknown owner (status 400) and another Error when enrollment cannot run here,
/// e.g. without the face models (status 503); either way the page shows the reason.
using FaceEnroller = std::function<Enrolled(const std::string& owner, const std::vector<EnrollPhoto>& photos)>;

/// "ADDRESS:PORT" -> host and port. Throws Error (ExitCode::Config) naming `key` for anything else.
std::pair<std::string, int> parse_listen(const std::string& text, const std::string& key);

struct ConsoleState;  // console_state.hpp

class Console {
 public:
  /// Opens its own connection to `db_file`. `flow` is the access flow the kiosk drives, when the
  /// console runs inside `lockerctl run`; null: the kiosk answers that no locker runs here.
  /// `enroller` enrolls faces from the owners page; empty: the page points to `owner enroll`.
  /// Throws Error (ExitCode::Config) naming web.cert or web.key when a file is missing,
  /// unreadable or not a matching PEM pair, and web.insecure_local when plain HTTP is asked for
  /// on another address than 127.0.0.1.
  Console(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key,
          access::Flow* flow = nullptr, FaceEnroller enroller = {});
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  /// Binds and serves from a thread of its own. Throws IoError when the address cannot be bound.
  void start();
  /// Stops serving (waits for requests under way).
  void stop();
  /// "https://127.0.0.1:8443" (the bound port once started).
  std::string url() const;

 private:
  std::unique_ptr<ConsoleState> s_;
};

}  // namespace lockerctl::web
