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
#include "web/pages.hpp"

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

bool same_token(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
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

  static Who who_of(const Session& s) { return {s.name, role_name(s.role), s.csrf, s.role == Role::Admin}; }

  static void html(Response& res, const std::string& page) { res.set_content(page, "text/html; charset=utf-8"); }

  /// A form shown before any session (login, pairing), with its `message` in red. Its token is
  /// also set as a cookie: the POST must bring both (form_accepted).
  void front_form(Response& res, FrontForm::Kind kind, const std::string& message) {
    const std::string token = net::random_hex(32);
    res.set_header("Set-Cookie", std::string(kFormCookie) + "=" + token + cookie_flags());
    html(res, render(FrontForm{kind, message, token}));
  }

  void login_form(Response& res, const std::string& message) { front_form(res, FrontForm::Kind::Login, message); }

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

  static std::vector<EventRow> event_rows(const std::vector<audit::Event>& events) {
    std::vector<EventRow> rows;
    for (const auto& e : events) rows.push_back({e.id, e.time, e.attempt, e.layer, e.decision, score_text(e), e.detail, e.image});
    return rows;
  }

  void dashboard(const Request& req, Response& res) {
    const auto who = logged_in(req, res);
    if (!who) return;
    DashboardPage page;
    std::vector<access::Locker> served;
    std::vector<audit::Event> last;
    {
      auto r = readers.take();
      served = r->lockers.list();
      last = r->audit.find({}, 10);
      for (const char* layer : {"lock", "door", "board", "camera"}) {
        audit::Filter f;
        f.layer = layer;
        const auto e = r->audit.find(f, 1);
        page.states.push_back({layer, e.empty() ? "no event yet" : e[0].decision + " (" + e[0].time + ")"});
      }
    }
    page.step = "none";
    for (const auto& e : last) {
      if (e.attempt != "-") {
        page.step = e.attempt + ": " + e.layer + " " + e.decision;
        break;
      }
    }
    for (const auto& l : served) page.lockers.push_back({l.number, fmt::format("{}", fmt::join(l.holders, ", "))});
    page.events = event_rows(last);
    html(res, render(page, who_of(*who)));
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
    AuditPage page;
    std::vector<audit::Event> shown;  // newest first
    {
      auto r = readers.take();
      page.total = r->audit.count(q->filter);
      page.pages = std::max<long>(1, static_cast<long>((page.total + kPageSize - 1) / kPageSize));
      page.page = std::min(q->page, page.pages);
      shown = r->audit.find(q->filter, kPageSize, (page.page - 1) * kPageSize);
    }
    page.filters = {{"since", q->filter.since, "2026-11-01"}, {"until", q->filter.until, "2026-11-30T18"},
                    {"layer", q->filter.layer, "password"}, {"decision", q->filter.decision, "deny"},
                    {"attempt", q->filter.attempt, "A2026..."}};
    if (page.page > 1) page.newer = query_string(*q, page.page - 1);
    if (page.page < page.pages) page.older = query_string(*q, page.page + 1);
    page.query = query_string(*q, 1);
    page.events = event_rows(shown);
    html(res, render(page, who_of(*who)));
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
    IncidentsPage page;
    std::map<std::string, std::vector<std::string>> sent;  // attempt -> where its alerts went
    for (const auto& j : jobs) {
      sent[j.attempt].push_back(fmt::format("{} {}: {}{}", j.kind, j.channel, j.state,
                                            j.state == "sent" || j.last_error.empty() ? "" : " (" + j.last_error + ")"));
    }
    for (const auto& [alert, events] : incidents) {
      IncidentsPage::Incident i{alert.time, alert.attempt, alert.detail, {}, sent[alert.attempt]};
      bool denied = false;
      for (const auto& e : events) {
        if (!denied && (e.decision == "deny" || e.decision == "forced" || e.decision == "left open")) {  // the last
          denied = true;
          i.why = fmt::format("{} {}: {}{}", e.layer, e.decision, e.detail, e.score ? " (score " + score_text(e) + ")" : "");
        }
        if (i.photo.empty() && !e.image.empty() && e.image.rfind("/", 0) == 0) i.photo = httplib::detail::encode_query_param(e.attempt);
      }
      page.incidents.push_back(std::move(i));
    }
    html(res, render(page, who_of(*who)));
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
    OutboxPage page;
    for (const auto& j : jobs) page.jobs.push_back({j.id, j.created, j.owner, j.kind, j.channel, j.state, j.last_error, j.attempts});
    html(res, render(page, who_of(*who)));
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
    BranchesPage page;
    page.message = message;
    for (const auto& l : stations) {
      page.stations.push_back({l.site, l.locker, {l.online ? "yes" : "NO", !l.online}, {l.door, l.door == "open"},
                               {l.lock, l.lock == "released"}, {l.board, l.board == "offline"}, {l.camera, l.camera == "lost"},
                               l.step.empty() ? "-" : l.step, l.last_event.empty() ? "-" : l.last_event, l.last_time,
                               {std::to_string(l.open_alarms), l.open_alarms > 0}, l.seen});
    }
    for (const auto& a : alarms) page.alarms.push_back({a.id, a.site, a.locker, a.time, a.what, a.detail});
    res.set_header("Refresh", "5");
    html(res, render(page, who_of(*who)));
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
    html(res, render(VerifyPage{r.ok, r.rows, r.problem}, who_of(*who)));
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

  void pair_form(Response& res, const std::string& message) { front_form(res, FrontForm::Kind::Pair, message); }

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
      return html(res, render_kiosk_off());
    }
    html(res, render(KioskPage{kiosk_csrf(req)}));
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

  /// Owners with what is set (never the secrets themselves) and lockers with their holders; an
  /// admin also gets the forms that change them. `message` is shown with the class `tone`.
  void owners_page(const Request& req, Response& res, const std::string& message = {}, bool message_ok = false) {
    const auto who = logged_in(req, res);
    if (!who) return;
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
    OwnersPage page;
    page.message = message;
    page.message_ok = message_ok;
    for (const auto& p : people) {
      page.owners.push_back({p.name, p.phone, p.email, p.password_hash.empty() ? "not set" : "set", p.totp_secret.empty() ? "no" : "yes",
                             enrolled[p.name] ? std::to_string(enrolled[p.name]) + " templates" : "not enrolled",
                             locked[p.name] > now ? utc_iso8601(static_cast<std::time_t>(locked[p.name])) : ""});
    }
    for (const auto& l : numbers) page.lockers.push_back({l.number, fmt::format("{}", fmt::join(l.holders, ", "))});
    page.enroll = static_cast<bool>(enroller);
    page.max_photos = static_cast<int>(kMaxPhotos);
    page.max_mib = static_cast<int>(kMaxUpload / (1024 * 1024));
    html(res, render(page, who_of(*who)));
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
                true);
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
      html(res, render(ErrorPage{res.status, reason(res.status)}));
      return httplib::Server::HandlerResponse::Handled;
    }));
    server->set_exception_handler([this](const Request& req, Response& res, std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        log::error("console: {} {}: {}", req.method, req.path, x.what());
      }
      res.status = 500;
      html(res, render(ErrorPage{500, reason(500)}));
    });
    for (const auto& [path, type] : {std::pair{"/static/console.css", "text/css"}, {"/static/console.js", "text/javascript"},
                                     {"/static/kiosk.js", "text/javascript"}}) {
      const std::string_view file = asset(path + 1);
      server->Get(path, [file, type = type](const Request&, Response& res) { res.set_content(file.data(), file.size(), type); });
    }
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
