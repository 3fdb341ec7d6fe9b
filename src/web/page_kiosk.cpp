// The kiosk at the locker (layer 3 on a paired tablet): pairing, the page that follows the flow's
// step, and its Start button and keypad entries.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "access/flow.hpp"
#include "core/clock.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

constexpr std::size_t kMaxEntry = 32;  // digits of a password, code or locker number typed at the kiosk

}  // namespace

void ConsoleState::kiosk_routes() {
  get("/kiosk", Guard::Anyone, [this](const Request& req, Response& res, const Visit&) {
    if (!kiosk_device(req)) return front_form(res, FrontForm::Kind::Pair, "");
    if (!flow) {
      res.status = 503;
      return html(res, render_kiosk_off());
    }
    html(res, render(KioskPage{kiosk_csrf(req)}));
  });
  post("/kiosk/pair", Guard::Anyone, [this](const Request& req, Response& res, const Visit&) {
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
      return front_form(res, FrontForm::Kind::Pair, "Wrong, spent or expired code.");
    }
    record("paired", fmt::format("kiosk '{}' from {}", paired->name, req.remote_addr), "kiosk");
    res.set_header("Set-Cookie", fmt::format("{}={}; Max-Age=31536000{}", kKioskCookie, paired->token, cookie_flags("/kiosk")));
    redirect(res, "/kiosk");
  });
  get("/kiosk/state", Guard::Kiosk, [this](const Request&, Response& res, const Visit&) {
    if (!flow) {
      res.status = 503;
      return;
    }
    const KioskStep step = kiosk_step(flow->progress());
    res.set_content(nlohmann::json{{"step", step.step}, {"text", step.text}, {"keypad", step.keypad}, {"start", step.start}}.dump(),
                    "application/json");
  });
  // Start (`entry` false) or an entry, at a step that takes it.
  for (const bool entry : {false, true}) {
    post(entry ? "/kiosk/enter" : "/kiosk/start", Guard::Kiosk, [this, entry](const Request& req, Response& res, const Visit&) {
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
    });
  }
}

}  // namespace lockerctl::web
