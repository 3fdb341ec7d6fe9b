#include "web/console.hpp"

#include <openssl/crypto.h>

#include <fmt/format.h>

#include <regex>

#include <cctype>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "net/crypto.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

constexpr int kClientFailures = 10;  // failed logins from one address per minute before 429

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

}  // namespace

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

bool time_prefix(const std::string& text) {
  static const std::regex time(R"(\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}Z?)?)?)?)?)?)");
  return text.empty() || std::regex_match(text, time);
}

std::string printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

std::pair<std::string, int> parse_listen(const std::string& text, const std::string& key) {
  const auto colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stol(port) > 65535) {
    throw config_error(fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:8443)", key, text));
  }
  return {text.substr(0, colon), static_cast<int>(std::stol(port))};
}

Readers::Lease::~Lease() {
  std::lock_guard lock(pool_.mutex_);
  pool_.idle_.push_back(std::move(reader_));
}

Readers::Lease Readers::take() {
  std::unique_lock lock(mutex_);
  if (idle_.empty()) {
    lock.unlock();
    return Lease(*this, std::make_unique<Reader>(file_, key_));
  }
  auto reader = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(reader));
}

ConsoleState::ConsoleState(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key,
                           access::Flow* kiosk_flow, FaceEnroller face_enroller)
    : o(options), db(db_file), audit(db, key), operators(db), kiosks(db), owners(db), lockers(db), faces(db, key), outbox(db),
      monitor(db), windows(db), holds(db), flow(kiosk_flow), enroller(std::move(face_enroller)), readers(db_file, key) {}

void ConsoleState::record(const std::string& decision, const std::string& detail, const char* layer) {
  std::lock_guard lock(db_mutex);
  audit.append({0, {}, "-", layer, decision, std::nullopt, std::nullopt, "", detail});
}

std::optional<Session> ConsoleState::session(const Request& req) {
  const std::string id = cookie(req, kSessionCookie);
  std::unique_lock lock(sessions_mutex);
  const auto found = sessions.find(id);
  if (id.empty() || found == sessions.end()) return std::nullopt;
  const auto now = SteadyClock::now();
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

bool ConsoleState::alive(const std::string& id) {
  std::lock_guard lock(sessions_mutex);
  const auto found = sessions.find(id);
  return found != sessions.end() && std::chrono::duration<double>(SteadyClock::now() - found->second.seen).count() <= o.session_idle_s;
}

std::string ConsoleState::cookie_flags(const char* path) const {
  return fmt::format("; HttpOnly{}; SameSite=Strict; Path={}", o.insecure_local ? "" : "; Secure", path);
}

bool ConsoleState::may_try(const std::string& client) {
  std::lock_guard lock(sessions_mutex);
  const auto now = SteadyClock::now();
  for (auto it = failed_logins.begin(); it != failed_logins.end();) {  // forget what is over a minute old
    auto& times = it->second;
    while (!times.empty() && now - times.front() > std::chrono::minutes(1)) times.pop_front();
    it = times.empty() ? failed_logins.erase(it) : std::next(it);
  }
  const auto found = failed_logins.find(client);
  return found == failed_logins.end() || static_cast<int>(found->second.size()) < kClientFailures;
}

bool ConsoleState::form_accepted(const Request& req, Response& res) {
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

void ConsoleState::count_failure(const std::string& client) {
  std::lock_guard lock(sessions_mutex);
  failed_logins[client].push_back(SteadyClock::now());
}

void ConsoleState::front_form(Response& res, FrontForm::Kind kind, const std::string& message) {
  const std::string token = net::random_hex(32);
  res.set_header("Set-Cookie", std::string(kFormCookie) + "=" + token + cookie_flags());
  html(res, render(FrontForm{kind, message, token}));
}

std::optional<std::string> ConsoleState::kiosk_device(const Request& req) {
  const std::string token = cookie(req, kKioskCookie);
  if (token.empty()) return std::nullopt;
  std::lock_guard lock(db_mutex);
  return kiosks.device(token);
}

std::string ConsoleState::kiosk_csrf(const Request& req) { return net::sha256_hex("kiosk csrf " + cookie(req, kKioskCookie)); }

void ConsoleState::redirect(Response& res, const std::string& location) {
  res.status = 303;
  res.set_header("Location", location);
}

std::optional<std::int64_t> ConsoleState::form_id(const Request& req, Response& res) {
  const std::string id = req.get_param_value("id");
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    res.status = 400;
    return std::nullopt;
  }
  return std::stoll(id);
}

std::string ConsoleState::score_text(const audit::Event& e) {
  return e.score ? fmt::format("{:.3f}", *e.score) + (e.threshold ? fmt::format(" / {:.3f}", *e.threshold) : "") : "";
}

std::vector<EventRow> ConsoleState::event_rows(const std::vector<audit::Event>& events) {
  std::vector<EventRow> rows;
  for (const auto& e : events) rows.push_back({e.id, e.time, e.attempt, e.layer, e.decision, score_text(e), e.detail, e.image});
  return rows;
}

namespace {

/// The guard's verdict on a request: the visit, or nullopt with the status set.
std::optional<Visit> admit(ConsoleState& s, Guard guard, const Request& req, Response& res, bool posted) {
  Visit visit;
  switch (guard) {
    case Guard::Anyone:
      return visit;
    case Guard::Operator:
    case Guard::Admin:
      visit.who = s.session(req);
      if (!visit.who) {
        res.status = 401;
        return std::nullopt;
      }
      if ((posted && !same_token(visit.who->csrf, req.get_param_value("csrf"))) ||
          (guard == Guard::Admin && visit.who->role != Role::Admin)) {
        res.status = 403;
        return std::nullopt;
      }
      return visit;
    case Guard::Kiosk:
      if (!s.kiosk_device(req)) {
        res.status = 401;
        return std::nullopt;
      }
      if (posted && !same_token(ConsoleState::kiosk_csrf(req), req.get_param_value("csrf"))) {
        res.status = 403;
        return std::nullopt;
      }
      return visit;
  }
  return std::nullopt;
}

}  // namespace

void ConsoleState::get(const char* path, Guard guard, Handler handler) {
  server->Get(path, [this, guard, handler = std::move(handler)](const Request& req, Response& res) {
    if (const auto visit = admit(*this, guard, req, res, false)) handler(req, res, *visit);
  });
}

void ConsoleState::drain(const Request& req, const httplib::ContentReader& read) {
  const auto drop = [](const char*, std::size_t) { return true; };
  if (req.is_multipart_form_data()) {
    read([](const httplib::MultipartFormData&) { return true; }, drop);
  } else {
    read(drop);
  }
}

void ConsoleState::post(const char* path, Guard guard, Handler handler) {
  server->Post(path, [this, guard, handler = std::move(handler)](const Request& req, Response& res, const httplib::ContentReader& read) {
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
    if (const auto visit = admit(*this, guard, form, res, true)) handler(form, res, *visit);
  });
}

void ConsoleState::upload(const char* path, Guard guard, UploadHandler handler) {
  server->Post(path, [this, guard, handler = std::move(handler)](const Request& req, Response& res, const httplib::ContentReader& read) {
    const auto visit = admit(*this, guard, req, res, true);
    if (!visit) return drain(req, read);
    handler(req, res, read, *visit);
  });
}

void ConsoleState::routes() {
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
  server->set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    html(res, render(ErrorPage{res.status, reason(res.status)}));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server->set_exception_handler([](const Request& req, Response& res, std::exception_ptr e) {
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
    get(path, Guard::Anyone, [file, type = type](const Request&, Response& res, const Visit&) { res.set_content(file.data(), file.size(), type); });
  }
  login_routes();
  dashboard_routes();
  audit_routes();
  alert_routes();
  branch_routes();
  owner_routes();
  kiosk_routes();
  about_routes();
  register_routes();
  desk_routes();
}

Console::Console(const ConsoleOptions& options, const std::filesystem::path& db_file, const audit::Key& key,
                 access::Flow* flow, FaceEnroller enroller)
    : s_(std::make_unique<ConsoleState>(options, db_file, key, flow, std::move(enroller))) {
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
