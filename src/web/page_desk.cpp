// The officer's desk: the opening that waits for a bank officer (dual control), approved or
// refused by an officer who re-enters their password; the windows officers opened outside
// opening hours; evidence on legal hold, which officers and admins put on hold and release.
#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "web/approvals.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
void ConsoleState::desk_routes() {
  const auto desk = [this](const Visit& visit, const std::string& message, bool ok) {
    DeskPage page;
    page.message = message;
    page.message_ok = ok;
    page.station = flow != nullptr;
    page.officer = visit.who->role == Role::Officer;
    page.may_hold = visit.who->role != Role::Viewer;
    if (flow) {
      if (const auto p = flow->pending_approval()) {
        page.pending = DeskPage::Pending{p->attempt, p->locker, fmt::format("{}", fmt::join(p->opening, " and ")),
                                         fmt::format("{:.0f}", p->seconds_left)};
      }
    }
    auto r = readers.take();
    for (const auto& w : r->windows.open_windows(unix_now())) page.windows.push_back({w.locker, w.officer, w.reason, local_hhmm(w.until)});
    for (const auto& h : r->holds.list()) page.holds.push_back({h.incident, h.reason, h.by, h.since});
    return page;
  };
  get("/desk", Guard::Operator, [this, desk](const Request&, Response& res, const Visit& visit) {
    html(res, render(desk(visit, "", true), visit.page_who()));
  });
  post("/desk/decide", Guard::Operator, [this, desk](const Request& req, Response& res, const Visit& visit) {
    if (!flow) {
      res.status = 503;
      return;
    }
    const std::string attempt = printable(req.get_param_value("attempt"));
    const bool approve = req.get_param_value("decision") == "approve";
    std::string why;
    {
      std::lock_guard lock(db_mutex);
      why = officer_decides(operators, audit, *flow, visit.who->name, req.get_param_value("password"), attempt, approve);
    }
    if (!why.empty()) res.status = 403;
    html(res, render(desk(visit, why.empty() ? fmt::format("{} {}.", approve ? "Approved" : "Refused", attempt) : "Not taken: " + why,
                          why.empty()),
                     visit.page_who()));
  });
  post("/desk/hold", Guard::Operator, [this, desk](const Request& req, Response& res, const Visit& visit) {
    const std::string incident = printable(req.get_param_value("incident"));
    const bool hold = req.get_param_value("hold") != "release";
    if (visit.who->role == Role::Viewer) {
      record("refused", fmt::format("viewer '{}' may not {} evidence {}", visit.who->name, hold ? "hold" : "release", incident), "evidence");
      res.status = 403;
      return;
    }
    std::string message;
    bool ok = true;
    try {
      std::lock_guard lock(db_mutex);
      if (hold) {
        holds.hold(incident, printable(req.get_param_value("reason")), visit.who->name);
      } else {
        holds.release(incident);
      }
      audit.append({0, {}, incident, "evidence", hold ? "held" : "released", std::nullopt, std::nullopt, "",
                    hold ? fmt::format("by {}: {}", visit.who->name, printable(req.get_param_value("reason")))
                         : fmt::format("by {}", visit.who->name)});
      message = fmt::format("{} {}.", hold ? "On hold:" : "Released:", incident);
    } catch (const Error& e) {
      message = e.what();
      ok = false;
      res.status = 400;
    }
    html(res, render(desk(visit, message, ok), visit.page_who()));
  });
}

}  // namespace lockerctl::web
