#pragma once
// The console's insides, shared by console.cpp (the server, the routing table and the middleware
// every route passes through) and the page files (page_*.cpp, one per group of pages). Each page
// file gathers its page's data through the audit, access, notify and branch APIs into the plain
// struct of web/pages.hpp and renders it; none holds SQL or HTML. Only the web area includes this.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access/face_templates.hpp"
#include "access/lockers.hpp"
#include "access/owners.hpp"
#include "access/windows.hpp"
#include "audit/audit_log.hpp"
#include "branch/monitor.hpp"
#include "evidence/retention.hpp"
#include "notify/outbox.hpp"
#include "web/console.hpp"
#include "web/kiosks.hpp"
#include "web/operators.hpp"
#include "web/pages.hpp"

namespace lockerctl::web {

using httplib::Request;
using httplib::Response;
using SteadyClock = std::chrono::steady_clock;

inline constexpr const char* kSessionCookie = "lockerctl_session";
inline constexpr const char* kFormCookie = "lockerctl_form";
inline constexpr const char* kKioskCookie = "lockerctl_kiosk";
inline constexpr std::size_t kMaxBody = 16 * 1024;           // any request but an enrollment
inline constexpr std::size_t kMaxUpload = 32 * 1024 * 1024;  // an enrollment's photos, all together

/// True when both tokens are set and equal (compared in constant time).
bool same_token(const std::string& a, const std::string& b);
/// The value of cookie `name` in the request, or "".
std::string cookie(const Request& req, const std::string& name);
/// Whether a filter's time is empty or a UTC ISO 8601 prefix ("2026", "2026-11-23T18").
bool time_prefix(const std::string& text);
/// What a person typed, made safe for one line of the audit log.
std::string printable(const std::string& text);

/// Connections for the pages that only read, taken one per request and kept for the next. SQLite's
/// write-ahead log lets readers run beside one another and beside the writer, so a slow page (the
/// chain check, an export of a million rows) holds up no other request. The console's own
/// connection, behind its lock, is for writing and for what reads before it writes.
class Readers {
 public:
  struct Reader {
    Reader(const std::filesystem::path& file, const audit::Key& key)
        : db(file, audit::Database::Check::Skip), audit(db, key), outbox(db), lockers(db), monitor(db), windows(db), holds(db) {}
    audit::Database db;
    audit::AuditLog audit;
    notify::Outbox outbox;
    access::LockerStore lockers;
    branch::MonitorStore monitor;
    access::AccessWindows windows;
    evidence::Holds holds;
  };
  /// A reader for as long as it lives.
  class Lease {
   public:
    Lease(Readers& pool, std::unique_ptr<Reader> reader) : pool_(pool), reader_(std::move(reader)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Reader* operator->() { return reader_.get(); }
    Reader& operator*() { return *reader_; }

   private:
    Readers& pool_;
    std::unique_ptr<Reader> reader_;
  };

  Readers(std::filesystem::path file, const audit::Key& key) : file_(std::move(file)), key_(key) {}
  Lease take();

 private:
  std::filesystem::path file_;
  audit::Key key_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

/// Who may reach a route. The middleware (ConsoleState::get, post, upload) checks it before the
/// handler runs, so a new page cannot forget it.
enum class Guard {
  Anyone,    ///< the login and pairing forms, static files, the kiosk page (which checks its device)
  Operator,  ///< a logged-in operator, else 401; a POST must also bring the session's token, else 403
  Admin,     ///< as Operator, and the operator's role is admin, else 403
  Kiosk,     ///< a paired kiosk, else 401; a POST must also bring the kiosk's token, else 403
};

struct Session {
  std::string name;
  Role role = Role::Viewer;
  std::string csrf;
  SteadyClock::time_point seen;
};

/// What the middleware established about a request.
struct Visit {
  std::optional<Session> who;  ///< set for Guard::Operator and Guard::Admin
  /// The operator, as the page header shows them.
  Who page_who() const { return {who->name, role_name(who->role), who->csrf, who->role == Role::Admin}; }
};

struct ConsoleState {
  using Handler = std::function<void(const Request&, Response&, const Visit&)>;
  using UploadHandler = std::function<void(const Request&, Response&, const httplib::ContentReader&, const Visit&)>;

  ConsoleOptions o;
  audit::Database db;
  audit::AuditLog audit;
  OperatorStore operators;
  KioskStore kiosks;
  access::OwnerStore owners;
  access::LockerStore lockers;
  access::FaceTemplates faces;
  notify::Outbox outbox;
  branch::MonitorStore monitor;  // what lockerctl monitor stored, when it runs on this database
  access::AccessWindows windows;
  evidence::Holds holds;
  access::Flow* flow;            // the kiosk's; null outside lockerctl run
  FaceEnroller enroller;         // empty: faces are enrolled at the station only
  std::mutex db_mutex;           // the writing connection, shared by every request thread
  Readers readers;               // the pages that only read
  std::mutex sessions_mutex;
  std::map<std::string, Session> sessions;
  std::map<std::string, std::deque<SteadyClock::time_point>> failed_logins;  // by client address
  std::atomic<int> streams{0};                                               // open /events streams
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  ConsoleState(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key, access::Flow* kiosk_flow,
               FaceEnroller face_enroller);

  /// An audit row of the operators' (or the kiosks') layer.
  void record(const std::string& decision, const std::string& detail, const char* layer = "operator");

  // Sessions, tokens and login throttling (console.cpp).
  /// The session of a request, refreshed (nullopt when there is none, it went idle, or its
  /// operator was removed); its role as the operator has it now.
  std::optional<Session> session(const Request& req);
  /// True while the session `id` exists and is not idle (without counting this as use).
  bool alive(const std::string& id);
  std::string cookie_flags(const char* path = "/") const;
  /// True when this address may try another login; counts nothing.
  bool may_try(const std::string& client);
  /// A POST of a front form: false (with 429 or 403) when the address has failed too often or the
  /// token does not match the form's cookie.
  bool form_accepted(const Request& req, Response& res);
  void count_failure(const std::string& client);
  /// A form shown before any session (login, pairing), with its `message` in red. Its token is
  /// also set as a cookie: the POST must bring both (form_accepted).
  void front_form(Response& res, FrontForm::Kind kind, const std::string& message);
  /// The name of the paired kiosk that sent the request, or nullopt.
  std::optional<std::string> kiosk_device(const Request& req);
  /// The CSRF token of a kiosk: derived from its device token, which a page elsewhere cannot read.
  static std::string kiosk_csrf(const Request& req);

  // The middleware: every route is added through one of these (console.cpp).
  void get(const char* path, Guard guard, Handler handler);
  /// A POST whose form body is read here: one longer than kMaxBody is read to its end, dropped and
  /// answered 413, so that no request but an upload makes the server hold more.
  void post(const char* path, Guard guard, Handler handler);
  /// A POST of multipart/form-data up to kMaxUpload (the guard, with the token in the query, is
  /// checked before the body is read; a refused body is read and dropped).
  void upload(const char* path, Guard guard, UploadHandler handler);
  /// Reads a body to its end and drops it, so that the answer reaches the client (a connection
  /// closed with bytes unread is reset, and the answer lost).
  static void drain(const Request& req, const httplib::ContentReader& read);

  /// A page that only reads: GET `path` for operators; `gather(Readers::Reader&)` makes its struct
  /// on a reader connection (given back before rendering), which is then rendered.
  template <class Gather>
  void read_only_page(const char* path, Gather gather) {
    get(path, Guard::Operator, [this, gather](const Request&, Response& res, const Visit& visit) {
      const auto page = [&] {
        auto r = readers.take();
        return gather(*r);
      }();
      html(res, render(page, visit.page_who()));
    });
  }

  static void html(Response& res, const std::string& page) { res.set_content(page, "text/html; charset=utf-8"); }
  static void redirect(Response& res, const std::string& location);
  /// The form's `id`, a number; nullopt with 400.
  static std::optional<std::int64_t> form_id(const Request& req, Response& res);
  static std::string score_text(const audit::Event& e);
  static std::vector<EventRow> event_rows(const std::vector<audit::Event>& events);

  /// The routing table (console.cpp), and each group of pages in its own file.
  void routes();
  void login_routes();      // page_login.cpp: log in, log out
  void dashboard_routes();  // page_dashboard.cpp: the dashboard and its live events
  void audit_routes();      // page_audit.cpp: the audit log, the chain check, the exports
  void alert_routes();      // page_alerts.cpp: incidents and their photos, the outbox
  void branch_routes();     // page_branches.cpp: every branch from the monitor's store
  void owner_routes();      // page_owners.cpp: owners, lockers, face enrollment
  void kiosk_routes();      // page_kiosk.cpp: pairing and the kiosk at the locker
  void about_routes();      // page_about.cpp: the version and the model files
  void register_routes();   // page_register.cpp: the register of locker operations, and as CSV
  void desk_routes();       // page_desk.cpp: approvals under dual control, windows, evidence on hold
};

}  // namespace lockerctl::web
