// Every branch from the monitor's store: one row per locker, then the open alarms, which an admin
// acknowledges. The page reloads itself every 5 seconds.
#include <fmt/format.h>

#include "core/errors.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

BranchesPage branches_page(Readers::Reader& r) {
  BranchesPage page;
  for (const auto& l : r.monitor.lockers()) {
    page.stations.push_back({l.site, l.locker, {l.online ? "yes" : "NO", !l.online}, {l.door, l.door == "open"},
                             {l.lock, l.lock == "released"}, {l.board, l.board == "offline"}, {l.camera, l.camera == "lost"},
                             l.step.empty() ? "-" : l.step, l.last_event.empty() ? "-" : l.last_event, l.last_time,
                             {std::to_string(l.open_alarms), l.open_alarms > 0}, l.seen});
  }
  for (const auto& a : r.monitor.alarms(true)) page.alarms.push_back({a.id, a.site, a.locker, a.time, a.what, a.detail});
  return page;
}

}  // namespace

void ConsoleState::branch_routes() {
  const auto show = [this](Response& res, const Visit& visit, const std::string& message) {
    BranchesPage page;
    {
      auto r = readers.take();
      page = branches_page(*r);
    }
    page.message = message;
    res.set_header("Refresh", "5");
    html(res, render(page, visit.page_who()));
  };
  get("/branches", Guard::Operator, [show](const Request&, Response& res, const Visit& visit) { show(res, visit, ""); });
  post("/branches/ack", Guard::Admin, [this, show](const Request& req, Response& res, const Visit& visit) {
    const auto id = form_id(req, res);
    if (!id) return;
    try {
      std::lock_guard lock(db_mutex);
      monitor.ack(*id, visit.who->name, audit);
    } catch (const DataError& e) {
      res.status = 409;
      return show(res, visit, e.what());
    }
    redirect(res, "/branches");
  });
}

}  // namespace lockerctl::web
