// Operators log in (a front form with its own token, throttled per address) and out.
#include <fmt/format.h>

#include "core/clock.hpp"
#include "net/crypto.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {

void ConsoleState::login_routes() {
  get("/login", Guard::Anyone, [this](const Request& req, Response& res, const Visit&) {
    if (session(req)) return redirect(res, "/");
    front_form(res, FrontForm::Kind::Login, "");
  });
  post("/login", Guard::Anyone, [this](const Request& req, Response& res, const Visit&) {
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
      return front_form(res, FrontForm::Kind::Login, "Wrong name or password, or locked after repeated failures.");
    }
    Session s;
    {
      std::lock_guard lock(db_mutex);
      s = {name, operators.find(name)->role, net::random_hex(32), SteadyClock::now()};
    }
    const std::string id = net::random_hex(32);
    {
      std::lock_guard lock(sessions_mutex);
      sessions[id] = s;
    }
    record("login", fmt::format("operator '{}' ({}) from {}", name, role_name(s.role), req.remote_addr));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + id + cookie_flags());
    redirect(res, "/");
  });
  post("/logout", Guard::Operator, [this](const Request& req, Response& res, const Visit& visit) {
    {
      std::lock_guard lock(sessions_mutex);
      sessions.erase(cookie(req, kSessionCookie));
    }
    record("logout", fmt::format("operator '{}'", visit.who->name));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Max-Age=0" + cookie_flags());
    redirect(res, "/login");
  });
}

}  // namespace lockerctl::web
