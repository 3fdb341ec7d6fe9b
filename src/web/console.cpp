#include "web/console.hpp"

#include <httplib.h>
#include <openssl/crypto.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "access/face_templates.hpp"
#include "access/flow.hpp"
#include "access/lockers.hpp"
#include "branch/monitor.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "net/crypto.hpp"
#include "notify/outbox.hpp"
#include "web/kiosks.hpp"
#include "web/operators.hpp"

namespace lockerctl::web {
namespace {

using Clock = std::chrono::steady_clock;
using httplib::Request;
using httplib::Response;

constexpr const char* kSessionCookie = "lockerctl_session";
constexpr const char* kFormCookie = "lockerctl_form";
constexpr const char* kKioskCookie = "lockerctl_kiosk";
constexpr std::size_t kMaxEntry = 32;  // digits of a password, code or locker number typed at the kiosk
constexpr int kPageSize = 50;
constexpr std::size_t kMaxBody = 16 * 1024;            // any request but an enrollment
constexpr std::size_t kMaxUpload = 32 * 1024 * 1024;   // an enrollment's photos, all together
constexpr std::size_t kMaxPhotos = 40;                 // photos in one enrollment
constexpr int kClientFailures = 10;  // failed logins from one address per minute before 429

const char* kCss = R"css(
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f6f4; }
header { background: #20303c; color: #fff; padding: .6em 1em; display: flex; gap: 1.5em; align-items: center; }
header a, header button { color: #fff; background: none; border: 0; font: inherit; cursor: pointer; text-decoration: underline; }
main { padding: 1em; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
form.filter input { width: 9em; }
form.inline { display: inline; }
.ok { color: #0a6b2d; font-weight: bold; }
.bad { color: #a40000; font-weight: bold; }
.enroll { background: #fff; border: 1px solid #ccc; padding: .75em; }
.login { max-width: 22em; margin: 4em auto; background: #fff; padding: 1.5em; border: 1px solid #ccc; }
.login input { display: block; width: 100%; margin: .3em 0 1em; font-size: 1.1em; }
.kiosk { max-width: 30em; margin: 1em auto; text-align: center; }
.kiosk .step { font-size: 2em; min-height: 2.5em; }
.kiosk .shown { font-size: 2.5em; letter-spacing: .2em; min-height: 1.4em; border-bottom: 2px solid #20303c; }
.kiosk .keypad { display: grid; grid-template-columns: repeat(3, 1fr); gap: .5em; margin: 1em 0; }
.kiosk button { font-size: 2em; padding: .6em 0; border-radius: .3em; border: 1px solid #888; background: #fff; }
.kiosk button.start { width: 100%; background: #0a6b2d; color: #fff; }
[hidden] { display: none !important; }
)css";

// The dashboard's live table: each server-sent event becomes a row (as text, never as HTML), and
// the station's state cells follow the events of their layer.
const char* kScript = R"js('use strict';
(function () {
  var live = document.getElementById('live');
  var stream = document.getElementById('stream');
  if (!live || !window.EventSource) return;
  var source = new EventSource('/events');
  source.onopen = function () { stream.textContent = 'live'; };
  source.onerror = function () { stream.textContent = 'paused (reconnecting, or the session ended)'; };
  source.onmessage = function (message) {
    var e = JSON.parse(message.data);
    var row = document.createElement('tr');
    [e.id, e.time, e.attempt, e.layer, e.decision, e.score, e.detail, e.image].forEach(function (value) {
      var cell = document.createElement('td');
      cell.textContent = String(value);
      row.appendChild(cell);
    });
    live.insertBefore(row, live.firstChild);
    while (live.rows.length > 50) live.deleteRow(live.rows.length - 1);
    var state = document.getElementById('state-' + e.layer);
    if (state) state.textContent = e.decision + ' (' + e.time + ')';
    if (e.attempt !== '-') document.getElementById('state-step').textContent = e.attempt + ': ' + e.layer + ' ' + e.decision;
    document.body.setAttribute('data-last-event', String(e.id));
  };
})();
)js";

bool same_token(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The kiosk: follows the flow's step (polled), builds an entry from the keypad (or the digit
// keys of a keyboard) showing only dots, and forgets it as soon as it is sent.
const char* kKioskScript = R"js('use strict';
(function () {
  var kiosk = document.getElementById('kiosk');
  if (!kiosk) return;
  var csrf = kiosk.getAttribute('data-csrf');
  var step = document.getElementById('step');
  var shown = document.getElementById('shown');
  var keypad = document.getElementById('keypad');
  var start = document.getElementById('start');
  var entry = '';
  function show() { shown.textContent = entry.replace(/./g, '\u2022'); }
  function post(path, fields) {
    var body = 'csrf=' + encodeURIComponent(csrf);
    for (var name in fields) body += '&' + name + '=' + encodeURIComponent(fields[name]);
    return fetch(path, { method: 'POST', credentials: 'same-origin',
                         headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body });
  }
  function key(k) {
    if (keypad.hidden) return;
    if (k === 'clear') entry = '';
    else if (k === 'ok') {
      if (entry === '') return;
      var sent = { entry: entry };
      entry = '';
      post('/kiosk/enter', sent);
      sent = null;
    } else if (entry.length < 32) entry += k;
    show();
  }
  keypad.addEventListener('click', function (e) {
    var k = e.target.getAttribute('data-key');
    if (k) key(k);
  });
  document.addEventListener('keydown', function (e) {
    if (/^[0-9]$/.test(e.key)) key(e.key);
    else if (e.key === 'Enter') key('ok');
    else if (e.key === 'Backspace' || e.key === 'Escape') key('clear');
  });
  start.addEventListener('click', function () { post('/kiosk/start', {}); });
  function poll() {
    fetch('/kiosk/state', { credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) { window.location.reload(); return null; }
      return r.ok ? r.json() : { step: 'offline', text: 'Out of service.', keypad: false, start: false };
    }).then(function (s) {
      if (!s) return;
      if (kiosk.getAttribute('data-step') !== s.step) { entry = ''; show(); }
      kiosk.setAttribute('data-step', s.step);
      step.textContent = s.text;
      keypad.hidden = !s.keypad;
      start.hidden = !s.start;
    }).catch(function () { step.textContent = 'Out of service.'; }).then(function () { setTimeout(poll, 250); });
  }
  poll();
})();
)js";

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string cookie(const Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    const std::size_t end = std::min(header.find(';', at), header.size());
    std::string pair = header.substr(at, end - at);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

/// What a person typed, made safe for one line of the audit log.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Log in first";
    case 403: return "Refused";
    case 404: return "Not found";
    case 409: return "Not now";
    case 411: return "Length required";
    case 413: return "Request too large";
    case 429: return "Too many attempts";
    case 503: return "Not available";
    default: return "Something went wrong";
  }
}

Error config_error(const std::string& message) { return Error(message, ExitCode::Config); }

struct AuditQuery {
  audit::Filter filter;
  long page = 1;
};

}  // namespace

std::pair<std::string, int> parse_listen(const std::string& text, const std::string& key) {
  const auto colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stol(port) > 65535) {
    throw config_error(fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:8443)", key, text));
  }
  return {text.substr(0, colon), static_cast<int>(std::stol(port))};
}

/// Connections for the pages that only read, taken one per request and kept for the next. SQLite's
/// write-ahead log lets readers run beside one another and beside the writer, so a slow page (the
/// chain check, an export of a million rows) holds up no other request. The console's own
/// connection, behind its lock, is for writing and for what reads before it writes.
class Readers {
 public:
  struct Reader {
    Reader(const std::filesystem::path& file, const audit::Key& key)
        : db(file, audit::Database::Check::Skip), audit(db, key), outbox(db), lockers(db), monitor(db) {}
    audit::Database db;
    audit::AuditLog audit;
    notify::Outbox outbox;
    access::LockerStore lockers;
    branch::MonitorStore monitor;
  };
  /// A reader for as long as it lives.
  class Lease {
   public:
    Lease(Readers& pool, std::unique_ptr<Reader> reader) : pool_(pool), reader_(std::move(reader)) {}
    ~Lease() {
      std::lock_guard lock(pool_.mutex_);
      pool_.idle_.push_back(std::move(reader_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Reader* operator->() { return reader_.get(); }

   private:
    Readers& pool_;
    std::unique_ptr<Reader> reader_;
  };

  Readers(std::filesystem::path file, const audit::Key& key) : file_(std::move(file)), key_(key) {}
  Lease take() {
    std::unique_lock lock(mutex_);
    if (idle_.empty()) {
      lock.unlock();
      return Lease(*this, std::make_unique<Reader>(file_, key_));
    }
    auto reader = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(reader));
  }

 private:
  std::filesystem::path file_;
  audit::Key key_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

struct Console::State {
  struct Session {
    std::string name;
    Role role = Role::Viewer;
    std::string csrf;
    Clock::time_point seen;
  };

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
  access::Flow* flow;  // the kiosk's; null outside lockerctl run
  FaceEnroller enroller;  // empty: faces are enrolled at the station only
  std::mutex db_mutex;  // the writing connection, shared by every request thread
  Readers readers;      // the pages that only read
  std::mutex sessions_mutex;
  std::map<std::string, Session> sessions;
  std::map<std::string, std::deque<Clock::time_point>> failed_logins;  // by client address
  std::atomic<int> streams{0};  // open /events streams
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  State(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key, access::Flow* kiosk_flow,
        FaceEnroller face_enroller)
      : o(options), db(db_file), audit(db, key), operators(db), kiosks(db), owners(db), lockers(db), faces(db, key), outbox(db),
        monitor(db), flow(kiosk_flow), enroller(std::move(face_enroller)), readers(db_file, key) {}

  /// An audit row of the operators' (or the kiosks') layer.
  void record(const std::string& decision, const std::string& detail, const char* layer = "operator") {
    std::lock_guard lock(db_mutex);
    audit.append({0, {}, "-", layer, decision, std::nullopt, std::nullopt, "", detail});
  }

  std::optional<Session> session(const Request& req) {
    const std::string id = cookie(req, kSessionCookie);
    std::unique_lock lock(sessions_mutex);
    const auto found = sessions.find(id);
    if (id.empty() || found == sessions.end()) return std::nullopt;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - found->second.seen).count() > o.session_idle_s) {
      sessions.erase(found);
      return std::nullopt;
    }
    found->second.seen = now;
    Session s = found->second;
    lock.unlock();
    // An operator removed, or given another role, meanwhile: the session follows at once.
    std::optional<Operator> op;
    {
      std::lock_guard db_lock(db_mutex);
      op = operators.find(s.name);
    }
    if (!op) {
      std::lock_guard again(sessions_mutex);
      sessions.erase(id);
      return std::nullopt;
    }
    s.role = op->role;
    return s;
  }

  /// The session of a request, or nullopt with status 401.
  std::optional<Session> logged_in(const Request& req, Response& res) {
    auto who = session(req);
    if (!who) res.status = 401;
    return who;
  }

  /// The session of an admin whose form brings its CSRF token; nullopt with 401 or 403.
  std::optional<Session> admin(const Request& req, Response& res) {
    auto who = logged_in(req, res);
    if (who && (!same_token(who->csrf, req.get_param_value("csrf")) || who->role != Role::Admin)) {
      res.status = 403;
      return std::nullopt;
    }
    return who;
  }

  /// The form's `id`, a number; nullopt with 400.
  static std::optional<std::int64_t> form_id(const Request& req, Response& res) {
    const std::string id = req.get_param_value("id");
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
      res.status = 400;
      return std::nullopt;
    }
    return std::stoll(id);
  }

  static void redirect(Response& res, const std::string& location) {
    res.status = 303;
    res.set_header("Location", location);
  }

  std::string cookie_flags(const char* path = "/") const {
    return fmt::format("; HttpOnly{}; SameSite=Strict; Path={}", o.insecure_local ? "" : "; Secure", path);
  }

  void page(Response& res, const std::string& title, const std::optional<Session>& who, const std::string& body) {
    std::string header;
    if (who) {
      header = fmt::format(
          "<header><strong>lockerctl</strong><a href=\"/\">Dashboard</a><a href=\"/incidents\">Incidents</a><a href=\"/audit\">Audit log</a>"
          "<a href=\"/outbox\">Alerts outbox</a><a href=\"/owners\">Owners and lockers</a><a href=\"/branches\">Branches</a>"
          "<span>{} ({})</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">"
          "<button type=\"submit\">Log out</button></form></header>",
          escape(who->name), role_name(who->role), escape(who->csrf));
    } else {
      header = "<header><strong>lockerctl</strong></header>";
    }
    res.set_content(fmt::format("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} - lockerctl</title>"
                                "<link rel=\"stylesheet\" href=\"/static/console.css\"></head><body>{}<main>{}</main></body></html>",
                                escape(title), header, body),
                    "text/html; charset=utf-8");
  }

  /// A form shown before any session (login, pairing), with its `message` in red. Its token is
  /// also set as a cookie: the POST must bring both (form_accepted).
  void front_form(Response& res, const char* title, const char* action, const std::string& message, const std::string& fields) {
    const std::string token = net::random_hex(32);
    res.set_header("Set-Cookie", std::string(kFormCookie) + "=" + token + cookie_flags());
    page(res, title, std::nullopt,
         fmt::format("<form class=\"login\" method=\"post\" action=\"{}\"><h1>{}</h1>{}<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                     "{}</form>",
                     action, title, message.empty() ? "" : "<p class=\"bad\">" + escape(message) + "</p>", token, fields));
  }

  void login_form(Response& res, const std::string& message) {
    front_form(res, "Operator login", "/login", message,
               "<label>Name<input name=\"name\" autocomplete=\"username\" required></label>"
               "<label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
               "<button type=\"submit\">Log in</button>");
  }

  /// True when this address may try another login; counts nothing.
  bool may_try(const std::string& client) {
    std::lock_guard lock(sessions_mutex);
    const auto now = Clock::now();
    for (auto it = failed_logins.begin(); it != failed_logins.end();) {  // forget what is over a minute old
      auto& times = it->second;
      while (!times.empty() && now - times.front() > std::chrono::minutes(1)) times.pop_front();
      it = times.empty() ? failed_logins.erase(it) : std::next(it);
    }
    const auto found = failed_logins.find(client);
    return found == failed_logins.end() || static_cast<int>(found->second.size()) < kClientFailures;
  }

  /// A POST of a front_form: false (with 429 or 403) when the address has failed too often or the
  /// token does not match the form's cookie.
  bool form_accepted(const Request& req, Response& res) {
    if (!may_try(req.remote_addr)) {
      res.status = 429;
      return false;
    }
    if (!same_token(cookie(req, kFormCookie), req.get_param_value("csrf"))) {
      res.status = 403;
      return false;
    }
    return true;
  }

  void count_failure(const std::string& client) {
    std::lock_guard lock(sessions_mutex);
    failed_logins[client].push_back(Clock::now());
  }

  void post_login(const Request& req, Response& res) {
    if (!form_accepted(req, res)) return;
    const std::string name = req.get_param_value("name");
    Login result = Login::Refused;
    {
      std::lock_guard lock(db_mutex);
      result = operators.authenticate(name, req.get_param_value("password"), unix_now());
    }
    if (result != Login::Ok) {
      count_failure(req.remote_addr);
      record(result == Login::Locked ? "login locked" : "login refused",
             fmt::format("operator '{}' from {}", printable(name), req.remote_addr));
      res.status = 401;
      return login_form(res, "Wrong name or password, or locked after repeated failures.");
    }
    Session s;
    {
      std::lock_guard lock(db_mutex);
      s = {name, operators.find(name)->role, net::random_hex(32), Clock::now()};
    }
    const std::string id = net::random_hex(32);
    {
      std::lock_guard lock(sessions_mutex);
      sessions[id] = s;
    }
    record("login", fmt::format("operator '{}' ({}) from {}", name, role_name(s.role), req.remote_addr));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + id + cookie_flags());
    redirect(res, "/");
  }

  void post_logout(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    if (!same_token(who->csrf, req.get_param_value("csrf"))) {
      res.status = 403;
      return;
    }
    {
      std::lock_guard lock(sessions_mutex);
      sessions.erase(cookie(req, kSessionCookie));
    }
    record("logout", fmt::format("operator '{}'", who->name));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Max-Age=0" + cookie_flags());
    redirect(res, "/login");
  }

  static std::string score_text(const audit::Event& e) {
    return e.score ? fmt::format("{:.3f}", *e.score) + (e.threshold ? fmt::format(" / {:.3f}", *e.threshold) : "") : "";
  }

  /// The events as a table; its body has id `body_id` when given (the live table).
  static std::string events_table(const std::vector<audit::Event>& events, const std::string& body_id = {}) {
    std::string rows;
    for (const auto& e : events) {
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", e.id,
                          escape(e.time), escape(e.attempt), escape(e.layer), escape(e.decision), score_text(e), escape(e.detail),
                          escape(e.image));
    }
    return "<table><thead><tr><th>#</th><th>time (UTC)</th><th>attempt</th><th>layer</th><th>decision</th><th>score / "
           "threshold</th><th>detail</th><th>evidence</th></tr></thead><tbody" +
           (body_id.empty() ? std::string() : " id=\"" + body_id + "\"") + ">" + rows + "</tbody></table>";
  }

  void dashboard(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    std::vector<access::Locker> served;
    std::vector<audit::Event> last;
    std::string states;
    {
      auto r = readers.take();
      served = r->lockers.list();
      last = r->audit.find({}, 10);
      for (const char* layer : {"lock", "door", "board", "camera"}) {
        audit::Filter f;
        f.layer = layer;
        const auto e = r->audit.find(f, 1);
        states += fmt::format("<tr><th>{}</th><td id=\"state-{}\">{}</td></tr>", layer, layer,
                              e.empty() ? "no event yet" : escape(e[0].decision + " (" + e[0].time + ")"));
      }
    }
    std::string step = "none";
    for (const auto& e : last) {
      if (e.attempt != "-") {
        step = escape(e.attempt + ": " + e.layer + " " + e.decision);
        break;
      }
    }
    std::string locker_rows;
    for (const auto& l : served) {
      std::string holders;
      for (const auto& h : l.holders) holders += (holders.empty() ? "" : ", ") + escape(h);
      locker_rows += fmt::format("<tr><td>{}</td><td>{}</td></tr>", escape(l.number), holders);
    }
    page(res, "Dashboard", who,
         fmt::format("<h1>Dashboard</h1><p>Updates: <span id=\"stream\">connecting</span></p>"
                     "<h2>Station</h2><table class=\"state\">{}<tr><th>attempt</th><td id=\"state-step\">{}</td></tr></table>"
                     "<h2>Lockers</h2>{}<h2>Events</h2>{}<script src=\"/static/console.js\"></script>",
                     states, step,
                     served.empty() ? std::string("<p>No lockers defined (lockerctl locker add); the station serves access.owner.</p>")
                                     : "<table><thead><tr><th>locker</th><th>holders</th></tr></thead><tbody>" + locker_rows + "</tbody></table>",
                     events_table(last, "live")));
  }

  /// True while the session `id` exists and is not idle (without counting this as use).
  bool alive(const std::string& id) {
    std::lock_guard lock(sessions_mutex);
    const auto found = sessions.find(id);
    return found != sessions.end() && std::chrono::duration<double>(Clock::now() - found->second.seen).count() <= o.session_idle_s;
  }

  /// Server-sent events: each new audit event as JSON, until the session ends or the server stops.
  void events(const Request& req, Response& res) {
    if (!logged_in(req, res)) return;
    std::int64_t after = 0;
    const std::string resume = req.get_header_value("Last-Event-ID");
    if (!resume.empty() && resume.size() < 19 && resume.find_first_not_of("0123456789") == std::string::npos) {
      after = std::stoll(resume);
    } else {
      auto r = readers.take();
      const auto newest = r->audit.find({}, 1);
      after = newest.empty() ? 0 : newest[0].id;
    }
    // Each open stream holds one of the server's worker threads: a few at most, so that pages
    // still have threads left.
    if (streams.fetch_add(1) >= o.max_streams) {
      --streams;
      res.status = 503;
      return;
    }
    const std::string id = cookie(req, kSessionCookie);
    auto written = Clock::now();
    res.set_chunked_content_provider("text/event-stream", [this, id, after, written](std::size_t, httplib::DataSink& sink) mutable {
      if (!server->is_running() || !alive(id)) {
        sink.done();
        return true;
      }
      std::vector<audit::Event> fresh;
      {
        auto r = readers.take();
        fresh = r->audit.after(after, 100);  // oldest first: a burst of more than 100 comes over several writes
      }
      std::string out;
      for (auto e = fresh.begin(); e != fresh.end(); ++e) {
        after = e->id;
        out += fmt::format("id: {}\ndata: {}\n\n", e->id,
                           nlohmann::json{{"id", e->id}, {"time", e->time}, {"attempt", e->attempt}, {"layer", e->layer},
                                          {"decision", e->decision}, {"score", score_text(*e)}, {"detail", e->detail},
                                          {"image", e->image}}
                               .dump());
      }
      // A comment line every 2 s when nothing happens: a closed connection shows up as a failed
      // write, and gives its place back.
      if (out.empty() && Clock::now() - written > std::chrono::seconds(2)) out = ":\n\n";
      if (!out.empty()) {
        if (!sink.write(out.data(), out.size())) return false;
        written = Clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return true;
    }, [this](bool) { --streams; });
  }

  /// The filters of an audit request; nullopt (and 400) when one is malformed.
  static std::optional<AuditQuery> audit_query(const Request& req, Response& res) {
    static const std::regex time(R"(\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}Z?)?)?)?)?)?)");
    AuditQuery q{{req.get_param_value("since"), req.get_param_value("until"), req.get_param_value("layer"),
                  req.get_param_value("decision"), req.get_param_value("attempt")}};
    const audit::Filter& f = q.filter;
    const std::string page = req.get_param_value("page");
    bool ok = (f.since.empty() || std::regex_match(f.since, time)) && (f.until.empty() || std::regex_match(f.until, time)) &&
              (page.empty() || (page.size() <= 7 && page.find_first_not_of("0123456789") == std::string::npos && page != "0"));
    for (const std::string* text : {&f.layer, &f.decision, &f.attempt}) {
      ok = ok && text->size() <= 64 && std::all_of(text->begin(), text->end(), [](char c) { return std::isprint(static_cast<unsigned char>(c)); });
    }
    if (!ok) {
      res.status = 400;
      return std::nullopt;
    }
    if (!page.empty()) q.page = std::stol(page);
    return q;
  }

  static std::string query_string(const AuditQuery& q, long page) {
    std::string out;
    const auto add = [&](const char* name, const std::string& value) {
      if (!value.empty()) out += fmt::format("{}{}={}", out.empty() ? "?" : "&", name, httplib::detail::encode_query_param(value));
    };
    add("since", q.filter.since);
    add("until", q.filter.until);
    add("layer", q.filter.layer);
    add("decision", q.filter.decision);
    add("attempt", q.filter.attempt);
    if (page > 1) add("page", std::to_string(page));
    return out;
  }

  void audit_page(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    const auto q = audit_query(req, res);
    if (!q) return;
    std::int64_t total = 0;
    std::vector<audit::Event> shown;  // newest first
    long pages = 1, page_no = 1;
    {
      auto r = readers.take();
      total = r->audit.count(q->filter);
      pages = std::max<long>(1, static_cast<long>((total + kPageSize - 1) / kPageSize));
      page_no = std::min(q->page, pages);
      shown = r->audit.find(q->filter, kPageSize, (page_no - 1) * kPageSize);
    }
    const auto input = [](const char* name, const std::string& value, const char* hint) {
      return fmt::format("<label>{} <input name=\"{}\" value=\"{}\" placeholder=\"{}\"></label> ", name, name, escape(value), hint);
    };
    std::string pager = fmt::format("Page {} of {} ({} events). ", page_no, pages, total);
    if (page_no > 1) pager += fmt::format("<a href=\"/audit{}\">newer</a> ", escape(query_string(*q, page_no - 1)));
    if (page_no < pages) pager += fmt::format("<a href=\"/audit{}\">older</a>", escape(query_string(*q, page_no + 1)));
    page(res, "Audit log", who,
         fmt::format("<h1>Audit log</h1><form class=\"filter\" method=\"get\" action=\"/audit\">{}{}{}{}{}<button type=\"submit\">Filter</button></form>"
                     "<p>{} <a href=\"/audit/verify\">Verify the chain</a> · <a href=\"/audit/export.csv{}\">CSV</a> · "
                     "<a href=\"/audit/export.json{}\">JSON</a></p>{}",
                     input("since", q->filter.since, "2026-11-01"), input("until", q->filter.until, "2026-11-30T18"),
                     input("layer", q->filter.layer, "password"), input("decision", q->filter.decision, "deny"),
                     input("attempt", q->filter.attempt, "A2026..."), pager, escape(query_string(*q, 1)), escape(query_string(*q, 1)),
                     events_table(shown)));
  }

  void incidents_page(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    audit::Filter alerts;
    alerts.layer = "alert";
    alerts.decision = "queued";
    std::vector<audit::WithAttempt> incidents;
    std::vector<notify::Job> jobs;
    {
      auto r = readers.take();
      incidents = r->audit.find_with_attempts(alerts, 50);
      jobs = r->outbox.jobs();
    }
    std::string rows;
    std::map<std::string, std::string> sent;  // attempt -> where its alerts went
    for (const auto& j : jobs) {
      sent[j.attempt] += fmt::format("<li>{} {}: {}{}</li>", escape(j.kind), escape(j.channel), escape(j.state),
                                     j.state == "sent" || j.last_error.empty() ? "" : " (" + escape(j.last_error) + ")");
    }
    for (const auto& [alert, events] : incidents) {
      std::string denied, photo;
      for (const auto& e : events) {
        if (denied.empty() && (e.decision == "deny" || e.decision == "forced" || e.decision == "left open")) {  // the last
          denied = fmt::format("{} {}: {}{}", escape(e.layer), escape(e.decision), escape(e.detail),
                               e.score ? " (score " + score_text(e) + ")" : "");
        }
        if (photo.empty() && !e.image.empty() && e.image.rfind("/", 0) == 0) {
          photo = fmt::format("<img src=\"/incidents/photo?attempt={}\" alt=\"photo of {}\" width=\"160\">",
                              escape(httplib::detail::encode_query_param(e.attempt)), escape(e.attempt));
        }
      }
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td></tr>", escape(alert.time),
                          escape(alert.attempt), denied.empty() ? escape(alert.detail) : denied, photo.empty() ? "-" : photo,
                          sent.count(alert.attempt) ? sent[alert.attempt] : "<li>no job</li>");
    }
    page(res, "Incidents", who,
         fmt::format("<h1>Incidents</h1><p>The last 50 attempts that raised an alert, newest first.</p>"
                     "<table><thead><tr><th>time (UTC)</th><th>attempt</th><th>why</th><th>photo</th><th>alerts</th></tr></thead>"
                     "<tbody>{}</tbody></table>",
                     rows.empty() ? "<tr><td colspan=\"5\">No incident.</td></tr>" : rows));
  }

  /// The incident photo of an attempt, when it is a file under the incident folder.
  void incident_photo(const Request& req, Response& res) {
    if (!logged_in(req, res)) return;
    audit::Filter f;
    f.attempt = req.get_param_value("attempt");
    if (f.attempt.empty() || f.attempt.size() > 64) {
      res.status = 400;
      return;
    }
    std::vector<audit::Event> events;
    {
      auto r = readers.take();
      events = r->audit.find(f, -1);
    }
    std::error_code ec;
    const auto root = std::filesystem::weakly_canonical(o.incidents_dir, ec);
    for (const auto& e : events) {
      if (e.image.empty()) continue;
      const auto file = std::filesystem::weakly_canonical(e.image, ec);
      const auto inside = std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first == root.end();
      if (ec || root.empty() || !inside || !std::filesystem::is_regular_file(file, ec)) continue;
      res.set_content(read_file(file), "image/jpeg");
      return;
    }
    res.status = 404;
  }

  void outbox_page(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    std::vector<notify::Job> jobs;
    {
      auto r = readers.take();
      for (const char* state : {"dead", "pending"}) {
        for (auto& j : r->outbox.jobs(state)) jobs.push_back(std::move(j));
      }
    }
    std::string rows;
    for (const auto& j : jobs) {
      const std::string retry = who->role == Role::Admin
                                    ? fmt::format("<form method=\"post\" action=\"/outbox/retry\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                                                  "<input type=\"hidden\" name=\"id\" value=\"{}\"><button type=\"submit\">Retry now</button></form>",
                                                  escape(who->csrf), j.id)
                                    : "";
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                          j.id, escape(j.created), escape(j.owner), escape(j.kind), escape(j.channel), escape(j.state), j.attempts,
                          escape(j.last_error), retry);
    }
    page(res, "Alerts outbox", who,
         fmt::format("<h1>Alerts outbox</h1><p>Uploads, alerts and codes not delivered yet (pending) or given up (dead). {}</p>"
                     "<table><thead><tr><th>#</th><th>created</th><th>owner</th><th>kind</th><th>channel</th><th>state</th>"
                     "<th>tries</th><th>last error</th><th></th></tr></thead><tbody>{}</tbody></table>",
                     who->role == Role::Admin ? "Retry makes a job due now; a running lockerctl run sends it within a second."
                                              : "Viewers read; an admin may retry.",
                     rows.empty() ? "<tr><td colspan=\"9\">Nothing waiting.</td></tr>" : rows));
  }

  /// Every branch from the monitor's store: one row per locker, then the open alarms, which an
  /// admin acknowledges. The page reloads itself every 5 seconds.
  void branches_page(const Request& req, Response& res, const std::string& message = {}) {
    const auto who = logged_in(req, res);
    if (!who) return;
    std::vector<branch::LockerStatus> stations;
    std::vector<branch::Alarm> alarms;
    {
      auto r = readers.take();
      stations = r->monitor.lockers();
      alarms = r->monitor.alarms(true);
    }
    const auto flag = [](bool bad, const std::string& text) {
      return bad ? "<td class=\"bad\">" + escape(text) + "</td>" : "<td>" + escape(text) + "</td>";
    };
    std::string rows;
    for (const auto& l : stations) {
      rows += fmt::format("<tr><td>{}</td><td>{}</td>{}{}{}{}{}<td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>", escape(l.site),
                          escape(l.locker), flag(!l.online, l.online ? "yes" : "NO"), flag(l.door == "open", l.door),
                          flag(l.lock == "released", l.lock), flag(l.board == "offline", l.board), flag(l.camera == "lost", l.camera),
                          escape(l.step.empty() ? "-" : l.step), escape(l.last_event.empty() ? "-" : l.last_event),
                          escape(l.last_time), flag(l.open_alarms > 0, std::to_string(l.open_alarms)), escape(l.seen));
    }
    std::string alarm_rows;
    for (const auto& a : alarms) {
      const std::string ack = who->role == Role::Admin
                                  ? fmt::format("<form method=\"post\" action=\"/branches/ack\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                                                "<input type=\"hidden\" name=\"id\" value=\"{}\"><button type=\"submit\">Acknowledge</button></form>",
                                                escape(who->csrf), a.id)
                                  : "";
      alarm_rows += fmt::format("<tr><td>{}</td><td>{}/{}</td><td>{}</td><td class=\"bad\">{}</td><td>{}</td><td>{}</td></tr>", a.id,
                                escape(a.site), escape(a.locker), escape(a.time), escape(a.what), escape(a.detail), ack);
    }
    res.set_header("Refresh", "5");
    page(res, "Branches", who,
         fmt::format("<h1>Branches</h1>{}<p>From the branch monitor's store: <code>lockerctl monitor</code> on this machine, with the "
                     "same <code>paths.var_dir</code>, keeps it up to date (docs/branches.md). {} station(s), {} open alarm(s); "
                     "this page reloads every 5 seconds.</p>"
                     "<table><thead><tr><th>site</th><th>locker</th><th>online</th><th>door</th><th>lock</th><th>board</th>"
                     "<th>camera</th><th>step</th><th>last event</th><th>at (UTC)</th><th>open alarms</th><th>last heard</th></tr></thead>"
                     "<tbody>{}</tbody></table><h2>Open alarms</h2><p>{}</p><table><thead><tr><th>#</th><th>locker</th><th>time (UTC)</th>"
                     "<th>what</th><th>detail</th><th></th></tr></thead><tbody>{}</tbody></table>",
                     message.empty() ? "" : "<p class=\"bad\">" + escape(message) + "</p>", stations.size(), alarms.size(),
                     rows.empty() ? "<tr><td colspan=\"12\">No station heard yet.</td></tr>" : rows,
                     who->role == Role::Admin ? "Acknowledging is audited with your name." : "Viewers read; an admin acknowledges.",
                     alarm_rows.empty() ? "<tr><td colspan=\"6\">None.</td></tr>" : alarm_rows));
  }

  void post_branch_ack(const Request& req, Response& res) {
    const auto who = admin(req, res);
    if (!who) return;
    const auto id = form_id(req, res);
    if (!id) return;
    try {
      std::lock_guard lock(db_mutex);
      monitor.ack(*id, who->name, audit);
    } catch (const DataError& e) {
      res.status = 409;
      return branches_page(req, res, e.what());
    }
    redirect(res, "/branches");
  }

  void post_retry(const Request& req, Response& res) {
    const auto who = admin(req, res);
    if (!who) return;
    const auto id = form_id(req, res);
    if (!id) return;
    bool retried = false;
    {
      std::lock_guard lock(db_mutex);
      retried = outbox.retry(*id);
    }
    if (!retried) {
      res.status = 404;
      return;
    }
    record("retry", fmt::format("operator '{}': outbox job {} made due again", who->name, *id));
    redirect(res, "/outbox");
  }

  void verify_page(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    const audit::VerifyResult r = readers.take()->audit.verify();
    record("verify", fmt::format("operator '{}': {}", who->name, r.ok ? "intact" : r.problem));
    page(res, "Verify the audit log", who,
         r.ok ? fmt::format("<h1>Audit chain</h1><p class=\"ok\">Intact: {} rows, every keyed hash and the head record match.</p>", r.rows)
              : fmt::format("<h1>Audit chain</h1><p class=\"bad\">BROKEN: {}</p>", escape(r.problem)));
  }

  void export_events(const Request& req, Response& res, bool csv) {
    const auto who = logged_in(req, res);
    if (!who) return;
    const auto q = audit_query(req, res);
    if (!q) return;
    std::vector<audit::Event> events;
    {
      auto r = readers.take();
      events = r->audit.find(q->filter, -1);
    }
    std::reverse(events.begin(), events.end());  // oldest first, as `audit export` writes them
    record("export", fmt::format("operator '{}': {} events as {}", who->name, events.size(), csv ? "CSV" : "JSON"));
    res.set_header("Content-Disposition", csv ? "attachment; filename=\"audit.csv\"" : "attachment; filename=\"audit.json\"");
    res.set_content(csv ? audit::to_csv(events) : audit::to_json(events), csv ? "text/csv; charset=utf-8" : "application/json");
  }

  /// The name of the paired kiosk that sent the request, or nullopt.
  std::optional<std::string> kiosk_device(const Request& req) {
    const std::string token = cookie(req, kKioskCookie);
    if (token.empty()) return std::nullopt;
    std::lock_guard lock(db_mutex);
    return kiosks.device(token);
  }

  /// The CSRF token of a kiosk: derived from its device token, which a page elsewhere cannot read.
  static std::string kiosk_csrf(const Request& req) { return net::sha256_hex("kiosk csrf " + cookie(req, kKioskCookie)); }

  void pair_form(Response& res, const std::string& message) {
    front_form(res, "Pair this kiosk", "/kiosk/pair", message,
               "<p>An operator runs <code>lockerctl web pair-kiosk NAME</code> and types the code it prints here.</p>"
               "<label>Pairing code<input name=\"code\" inputmode=\"numeric\" autocomplete=\"off\" required></label>"
               "<button type=\"submit\">Pair</button>");
  }

  void post_pair(const Request& req, Response& res) {
    if (!form_accepted(req, res)) return;
    std::optional<Pairing> paired;
    {
      std::lock_guard lock(db_mutex);
      paired = kiosks.pair(req.get_param_value("code"), unix_now());
    }
    if (!paired) {
      count_failure(req.remote_addr);
      record("pair refused", fmt::format("a wrong, spent or expired pairing code from {}", req.remote_addr), "kiosk");
      res.status = 401;
      return pair_form(res, "Wrong, spent or expired code.");
    }
    record("paired", fmt::format("kiosk '{}' from {}", paired->name, req.remote_addr), "kiosk");
    res.set_header("Set-Cookie", fmt::format("{}={}; Max-Age=31536000{}", kKioskCookie, paired->token, cookie_flags("/kiosk")));
    redirect(res, "/kiosk");
  }

  void kiosk_page(const Request& req, Response& res) {
    if (!kiosk_device(req)) return pair_form(res, "");
    if (!flow) {
      res.status = 503;
      return page(res, "Kiosk", std::nullopt,
                  "<h1>Out of service</h1><p>No locker runs in this process: the kiosk is served by <code>lockerctl run</code> "
                  "with <code>web.enabled: true</code>.</p>");
    }
    std::string keys;
    for (char k = '1'; k <= '9'; ++k) keys += fmt::format("<button type=\"button\" data-key=\"{}\">{}</button>", k, k);
    keys += "<button type=\"button\" data-key=\"clear\">Clear</button><button type=\"button\" data-key=\"0\">0</button>"
            "<button type=\"button\" data-key=\"ok\">OK</button>";
    page(res, "Kiosk", std::nullopt,
         fmt::format("<div class=\"kiosk\" id=\"kiosk\" data-csrf=\"{}\" data-step=\"\"><p class=\"step\" id=\"step\">Connecting</p>"
                     "<p class=\"shown\" id=\"shown\"></p><div class=\"keypad\" id=\"keypad\" hidden>{}</div>"
                     "<button type=\"button\" class=\"start\" id=\"start\" hidden>Start</button></div>"
                     "<script src=\"/static/kiosk.js\"></script>",
                     escape(kiosk_csrf(req)), keys));
  }

  void kiosk_state(const Request& req, Response& res) {
    if (!kiosk_device(req)) {
      res.status = 401;
      return;
    }
    if (!flow) {
      res.status = 503;
      return;
    }
    const KioskStep step = kiosk_step(flow->progress());
    res.set_content(nlohmann::json{{"step", step.step}, {"text", step.text}, {"keypad", step.keypad}, {"start", step.start}}.dump(),
                    "application/json");
  }

  /// Start (`entry` false) or an entry, from a paired kiosk, at a step that takes it.
  void kiosk_input(const Request& req, Response& res, bool entry) {
    if (!kiosk_device(req)) {
      res.status = 401;
      return;
    }
    if (!same_token(kiosk_csrf(req), req.get_param_value("csrf"))) {
      res.status = 403;
      return;
    }
    if (!flow) {
      res.status = 503;
      return;
    }
    const std::string text = req.get_param_value("entry");
    if (entry && (text.empty() || text.size() > kMaxEntry || text.find_first_not_of("0123456789") != std::string::npos)) {
      res.status = 400;
      return;
    }
    const KioskStep step = kiosk_step(flow->progress());
    if (!(entry ? step.keypad : step.start)) {
      res.status = 409;
      return;
    }
    if (entry) {
      flow->enter(text);
    } else {
      flow->press();
    }
    res.status = 204;
  }

  /// A POST form of an admin: a hidden CSRF token, `fields` and a button.
  static std::string admin_form(const Session& who, const char* action, const std::string& fields, const char* button) {
    return fmt::format("<form class=\"inline\" method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">{}"
                       "<button type=\"submit\">{}</button></form>",
                       action, escape(who.csrf), fields, button);
  }

  static std::string hidden(const char* name, const std::string& value) {
    return fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">", name, escape(value));
  }

  /// Owners with what is set (never the secrets themselves) and lockers with their holders; an
  /// admin also gets the forms that change them. `message` is shown with the class `tone`.
  void owners_page(const Request& req, Response& res, const std::string& message = {}, const char* tone = "bad") {
    const auto who = logged_in(req, res);
    if (!who) return;
    const bool admin = who->role == Role::Admin;
    std::vector<access::Owner> people;
    std::vector<access::Locker> numbers;
    std::map<std::string, int> enrolled;
    std::map<std::string, double> locked;
    {
      std::lock_guard lock(db_mutex);
      people = owners.list();
      numbers = lockers.list();
      for (const auto& p : people) {
        enrolled[p.name] = faces.count(p.name);
        locked[p.name] = owners.locked_until(p.name);
      }
    }
    const double now = unix_now();
    std::string rows;
    for (const auto& p : people) {
      const bool locked_out = locked[p.name] > now;
      std::string lockout = locked_out ? "until " + escape(utc_iso8601(static_cast<std::time_t>(locked[p.name]))) : "-";
      std::string phone = escape(p.phone);
      if (admin) {
        phone = admin_form(*who, "/owners/phone",
                           hidden("name", p.name) + fmt::format("<input name=\"phone\" value=\"{}\" size=\"14\" aria-label=\"phone of {}\">",
                                                                escape(p.phone), escape(p.name)),
                           "Change");
        if (locked_out) lockout += " " + admin_form(*who, "/owners/clear-lockout", hidden("name", p.name), "Clear lockout");
      }
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", escape(p.name), phone,
                          escape(p.email), p.password_hash.empty() ? "not set" : "set", p.totp_secret.empty() ? "no" : "yes",
                          enrolled[p.name] ? std::to_string(enrolled[p.name]) + " templates" : "not enrolled", lockout);
    }
    std::string locker_rows;
    for (const auto& l : numbers) {
      std::string holders;
      for (const auto& h : l.holders) holders += (holders.empty() ? "" : ", ") + h;
      locker_rows += fmt::format(
          "<tr><td>{}</td><td>{}</td></tr>", escape(l.number),
          admin ? admin_form(*who, "/lockers/holders",
                             hidden("number", l.number) + fmt::format("<input name=\"holders\" value=\"{}\" aria-label=\"holders of {}\">",
                                                                      escape(holders), escape(l.number)),
                             "Set holders")
                : escape(holders));
    }
    std::string forms;
    if (admin) {
      forms = "<h2>Add an owner</h2>" +
              admin_form(*who, "/owners/add",
                         "<label>Name <input name=\"name\" required></label> <label>Phone <input name=\"phone\" required></label> "
                         "<label>E-mail <input name=\"email\"></label> ",
                         "Add owner") +
              fmt::format("<p>The owner then sets a password at the station (<code>lockerctl owner set-password NAME</code>) and "
                          "enrolls a face {}.</p>", enroller && !people.empty() ? "below" : "(<code>lockerctl owner enroll NAME</code>)") +
              enroll_form(*who, people) + "<h2>Add a locker</h2>" +
              admin_form(*who, "/lockers/add",
                         "<label>Number <input name=\"number\" required></label> <label>Holders <input name=\"holders\" "
                         "placeholder=\"alice, bob\" required></label> ",
                         "Add locker");
    }
    page(res, "Owners and lockers", who,
         fmt::format("<h1>Owners and lockers</h1>{}<p>{}</p><table><thead><tr><th>owner</th><th>phone</th><th>e-mail</th><th>password</th>"
                     "<th>authenticator</th><th>face</th><th>lockout</th></tr></thead><tbody>{}</tbody></table>"
                     "<h2>Lockers</h2><table><thead><tr><th>locker</th><th>holders</th></tr></thead><tbody>{}</tbody></table>{}",
                     message.empty() ? "" : fmt::format("<p class=\"{}\">{}</p>", tone, escape(message)),
                     admin ? "Passwords, authenticator secrets and face templates are never shown."
                           : "Viewers read; an admin may change owners and lockers.",
                     rows.empty() ? "<tr><td colspan=\"7\">No owner yet.</td></tr>" : rows,
                     locker_rows.empty() ? "<tr><td colspan=\"2\">No locker yet.</td></tr>" : locker_rows, forms));
  }

  /// The form that sends an owner's photos to enroll the face; its token travels in the query,
  /// so that it is checked before the photos are read.
  std::string enroll_form(const Session& who, const std::vector<access::Owner>& people) const {
    if (!enroller || people.empty()) return {};
    std::string options;
    for (const auto& p : people) options += fmt::format("<option>{}</option>", escape(p.name));
    return fmt::format(
        "<h2>Enroll a face</h2><form class=\"enroll\" method=\"post\" action=\"/owners/enroll?csrf={}\" "
        "enctype=\"multipart/form-data\"><label>Owner <select name=\"name\">{}</select></label> <label>Photos <input type=\"file\" "
        "name=\"photos\" accept=\"image/jpeg,image/png,image/bmp,image/webp\" multiple required></label> "
        "<button type=\"submit\">Enroll face</button></form><p>Each photo must show the owner's face alone, sharp and large enough; "
        "the others are refused and named. Up to {} photos, {} MiB in all. The new templates replace the owner's old ones; the "
        "photos are not kept, only the templates and the aligned face crops.</p>",
        escape(who.csrf), options, kMaxPhotos, kMaxUpload / (1024 * 1024));
  }

  /// POST /owners/enroll: the owner named in the form, enrolled from its photos by `enroller`.
  /// The session, the admin role and the token (in the query) are checked before the photos are
  /// read; a refused body is read and dropped, never kept.
  void post_enroll(const Request& req, Response& res, const httplib::ContentReader& read) {
    const auto who = admin(req, res);
    if (!who) return drain(req, read);
    const auto refuse = [&](int status, const std::string& why) {
      res.status = status;
      owners_page(req, res, why);
    };
    if (!req.is_multipart_form_data()) {
      drain(req, read);
      return refuse(400, "choose an owner and at least one photo");
    }
    std::string name;
    std::vector<EnrollPhoto> photos;
    bool too_many = false;
    std::string* into = nullptr;  // where the current part's bytes go; null: dropped
    const bool whole = read(
        [&](const httplib::MultipartFormData& part) {
          into = nullptr;
          if (part.name == "name") {
            into = &name;
          } else if (part.name == "photos" && photos.size() < kMaxPhotos) {
            photos.push_back({part.filename, {}});
            into = &photos.back().bytes;
          } else if (part.name == "photos") {
            too_many = true;
          }
          return true;
        },
        [&](const char* data, std::size_t n) {
          if (into) into->append(data, n);
          return true;
        });
    // A file input left empty still sends a part, without a name or bytes.
    photos.erase(std::remove_if(photos.begin(), photos.end(), [](const EnrollPhoto& p) { return p.filename.empty() && p.bytes.empty(); }),
                 photos.end());
    if (too_many || res.status == 413) {  // httplib answers 413 to a body longer than kMaxUpload, and drops it
      return refuse(413, fmt::format("at most {} photos and {} MiB at once", kMaxPhotos, kMaxUpload / (1024 * 1024)));
    }
    if (!whole || name.empty() || photos.empty()) return refuse(400, "choose an owner and at least one photo");
    if (!enroller) return refuse(503, "face enrollment is not available here: lockerctl owner enroll at the station");
    Enrolled done;
    try {
      done = enroller(name, photos);
    } catch (const DataError& e) {
      return refuse(400, e.what());
    } catch (const Error& e) {
      log::error("console: face enrollment of '{}': {}", name, e.what());
      return refuse(503, fmt::format("face enrollment cannot run here: {}", e.what()));
    }
    const std::string refused = done.refused.empty() ? "" : fmt::format("; refused: {}", fmt::join(done.refused, "; "));
    if (done.templates == 0) return refuse(400, fmt::format("no photo of '{}' could be used, the old templates are kept{}", name, refused));
    record(done.replaced ? "face re-enrolled" : "face enrolled",
           fmt::format("operator '{}': owner '{}', {} templates{}, {} photo(s) refused", who->name, name, done.templates,
                       done.replaced ? fmt::format(" replace {}", done.replaced) : "", done.refused.size()));
    owners_page(req, res,
                fmt::format("'{}' enrolled from {} photo(s){}{}", name, done.templates,
                            done.replaced ? fmt::format(", replacing {} template(s)", done.replaced) : "", refused),
                "ok");
  }

  /// Reads a body to its end and drops it, so that the answer reaches the client (a connection
  /// closed with bytes unread is reset, and the answer lost).
  static void drain(const Request& req, const httplib::ContentReader& read) {
    const auto drop = [](const char*, std::size_t) { return true; };
    if (req.is_multipart_form_data()) {
      read([](const httplib::MultipartFormData&) { return true; }, drop);
    } else {
      read(drop);
    }
  }

  /// A POST route whose body is read here: one longer than kMaxBody is read to its end, dropped
  /// and answered 413, so that no request but an enrollment makes the server hold more.
  /// `handler` gets the request with its body and its form fields.
  void post(const char* path, std::function<void(const Request&, Response&)> handler) {
    server->Post(path, [handler = std::move(handler)](const Request& req, Response& res, const httplib::ContentReader& read) {
      const bool too_long = req.get_header_value<std::uint64_t>("Content-Length") > kMaxBody;
      if (too_long || req.is_multipart_form_data()) {
        drain(req, read);
        res.status = too_long ? 413 : 400;
        return;
      }
      std::string body;  // no longer than its Content-Length (the pre-routing handler asks for one)
      if (!read([&](const char* data, std::size_t n) {
            body.append(data, n);
            return true;
          })) {
        res.status = 400;
        return;
      }
      Request form = req;
      form.body = std::move(body);
      if (form.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
        httplib::detail::parse_query_text(form.body, form.params);
      }
      handler(form, res);
    });
  }

  /// An admin's change to owners or lockers: `change` runs under the database lock and returns
  /// the audit detail; a DataError it throws is shown on the page with status 400.
  void owners_change(const Request& req, Response& res, const std::string& decision,
                     const std::function<std::string()>& change) {
    const auto who = admin(req, res);
    if (!who) return;
    std::string detail;
    try {
      std::lock_guard lock(db_mutex);
      detail = change();
    } catch (const DataError& e) {
      res.status = 400;
      return owners_page(req, res, e.what());
    }
    record(decision, fmt::format("operator '{}': {}", who->name, detail));
    redirect(res, "/owners");
  }

  static std::vector<std::string> holder_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= text.size()) {
      const std::size_t end = std::min(text.find(',', at), text.size());
      std::string name = text.substr(at, end - at);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (!name.empty()) out.push_back(name);
      at = end + 1;
    }
    return out;
  }

  void owner_routes() {
    server->Get("/owners", [this](const Request& req, Response& res) { owners_page(req, res); });
    post("/owners/add", [this](const Request& req, Response& res) {
      owners_change(req, res, "owner added", [&] {
        const std::string name = req.get_param_value("name");
        owners.add(name, req.get_param_value("phone"), req.get_param_value("email"));
        return fmt::format("owner '{}'", name);
      });
    });
    post("/owners/phone", [this](const Request& req, Response& res) {
      owners_change(req, res, "phone set", [&] {
        const std::string name = req.get_param_value("name");
        owners.set_phone(name, req.get_param_value("phone"));
        return fmt::format("owner '{}'", name);
      });
    });
    server->Post("/owners/enroll", [this](const Request& req, Response& res, const httplib::ContentReader& read) {
      post_enroll(req, res, read);
    });
    post("/owners/clear-lockout", [this](const Request& req, Response& res) {
      owners_change(req, res, "lockout cleared", [&] {
        const std::string name = req.get_param_value("name");
        owners.get(name);
        owners.lock_out(name, 0);
        return fmt::format("owner '{}'", name);
      });
    });
    post("/lockers/add", [this](const Request& req, Response& res) {
      owners_change(req, res, "locker added", [&] {
        const std::string number = req.get_param_value("number");
        const auto holders = holder_list(req.get_param_value("holders"));
        lockers.add(number, holders);
        return fmt::format("locker {}, holders {}", number, fmt::join(holders, ", "));
      });
    });
    post("/lockers/holders", [this](const Request& req, Response& res) {
      owners_change(req, res, "holders set", [&] {
        const std::string number = req.get_param_value("number");
        const auto holders = holder_list(req.get_param_value("holders"));
        lockers.set_holders(number, holders);
        return fmt::format("locker {}, holders {}", number, fmt::join(holders, ", "));
      });
    });
  }

  void routes() {
    server->set_payload_max_length(kMaxUpload);  // httplib reads and drops a longer body, and answers 413
    // A body of unknown length (chunked, or until the connection ends) is refused before it is
    // read: httplib would read it without a bound. Browsers always send the length of a POST.
    server->set_pre_routing_handler([](const Request& req, Response& res) {
      if (!req.has_header("Transfer-Encoding") && (req.method == "GET" || req.has_header("Content-Length"))) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.status = 411;
      res.set_header("Connection", "close");  // the body is left unread
      return httplib::Server::HandlerResponse::Handled;
    });
    server->set_tcp_nodelay(true);  // a page is written in parts; without it, each waits for the client's delayed ACK
    server->set_post_routing_handler([this](const Request&, Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
                     "frame-ancestors 'none'; base-uri 'none'");
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-store");
      if (!o.insecure_local) res.set_header("Strict-Transport-Security", "max-age=31536000");
    });
    server->set_error_handler(httplib::Server::HandlerWithResponse([this](const Request&, Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const std::string more = res.status == 401 ? "<p><a href=\"/login\">Log in</a></p>" : "<p><a href=\"/\">Dashboard</a></p>";
      page(res, reason(res.status), std::nullopt, fmt::format("<h1>{}</h1>{}", reason(res.status), more));
      return httplib::Server::HandlerResponse::Handled;
    }));
    server->set_exception_handler([this](const Request& req, Response& res, std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        log::error("console: {} {}: {}", req.method, req.path, x.what());
      }
      res.status = 500;
      page(res, reason(500), std::nullopt, "<h1>Something went wrong</h1><p>The error is in lockerctl's log.</p>");
    });
    server->Get("/static/console.css", [](const Request&, Response& res) { res.set_content(kCss, "text/css"); });
    server->Get("/login", [this](const Request& req, Response& res) {
      if (session(req)) {
        return redirect(res, "/");
      }
      login_form(res, "");
    });
    post("/login", [this](const Request& req, Response& res) { post_login(req, res); });
    post("/logout", [this](const Request& req, Response& res) { post_logout(req, res); });
    server->Get("/", [this](const Request& req, Response& res) { dashboard(req, res); });
    server->Get("/events", [this](const Request& req, Response& res) { events(req, res); });
    server->Get("/static/console.js", [](const Request&, Response& res) { res.set_content(kScript, "text/javascript"); });
    server->Get("/audit", [this](const Request& req, Response& res) { audit_page(req, res); });
    server->Get("/audit/verify", [this](const Request& req, Response& res) { verify_page(req, res); });
    server->Get("/outbox", [this](const Request& req, Response& res) { outbox_page(req, res); });
    server->Get("/incidents", [this](const Request& req, Response& res) { incidents_page(req, res); });
    server->Get("/incidents/photo", [this](const Request& req, Response& res) { incident_photo(req, res); });
    post("/outbox/retry", [this](const Request& req, Response& res) { post_retry(req, res); });
    server->Get("/branches", [this](const Request& req, Response& res) { branches_page(req, res); });
    post("/branches/ack", [this](const Request& req, Response& res) { post_branch_ack(req, res); });
    server->Get("/audit/export.csv", [this](const Request& req, Response& res) { export_events(req, res, true); });
    server->Get("/audit/export.json", [this](const Request& req, Response& res) { export_events(req, res, false); });
    owner_routes();
    server->Get("/kiosk", [this](const Request& req, Response& res) { kiosk_page(req, res); });
    post("/kiosk/pair", [this](const Request& req, Response& res) { post_pair(req, res); });
    server->Get("/kiosk/state", [this](const Request& req, Response& res) { kiosk_state(req, res); });
    post("/kiosk/start", [this](const Request& req, Response& res) { kiosk_input(req, res, false); });
    post("/kiosk/enter", [this](const Request& req, Response& res) { kiosk_input(req, res, true); });
    server->Get("/static/kiosk.js", [](const Request&, Response& res) { res.set_content(kKioskScript, "text/javascript"); });
  }
};

Console::Console(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key,
                 access::Flow* flow, FaceEnroller enroller)
    : s_(std::make_unique<State>(options, db_file, key, flow, std::move(enroller))) {
  if (options.insecure_local) {
    if (options.host != "127.0.0.1") {
      throw config_error(fmt::format("web.insecure_local: plain HTTP only on 127.0.0.1, not on {}", options.host));
    }
    s_->server = std::make_unique<httplib::Server>();
  } else {
    try {
      read_file(options.cert);
    } catch (const IoError& e) {
      throw config_error(fmt::format("web.cert: {} (lockerctl web cert --self-signed makes one)", e.what()));
    }
    try {
      read_private_file(options.key);
    } catch (const IoError& e) {
      throw config_error(fmt::format("web.key: {}", e.what()));
    }
    s_->server = std::make_unique<httplib::SSLServer>(options.cert.c_str(), options.key.c_str());
    if (!s_->server->is_valid()) {
      throw config_error(fmt::format("web.cert, web.key: {} and {} are not a PEM certificate and its private key",
                                    options.cert.string(), options.key.string()));
    }
  }
  s_->routes();
}

Console::~Console() { stop(); }

void Console::start() {
  auto& server = *s_->server;
  s_->port = s_->o.port == 0 ? server.bind_to_any_port(s_->o.host) : (server.bind_to_port(s_->o.host, s_->o.port) ? s_->o.port : -1);
  if (s_->port <= 0) {
    throw IoError(fmt::format("web.listen {}:{}: cannot listen there (in use, or not an address of this machine)", s_->o.host, s_->o.port));
  }
  s_->thread = std::thread([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Console::stop() {
  if (!s_->thread.joinable()) return;
  s_->server->stop();
  s_->thread.join();
}

std::string Console::url() const {
  return fmt::format("{}://{}:{}", s_->o.insecure_local ? "http" : "https", s_->o.host, s_->port ? s_->port : s_->o.port);
}

}  // namespace lockerctl::web
