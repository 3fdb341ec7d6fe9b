// Incidents (attempts that raised an alert: why, the photo, where each alert went), their photos,
// and the alert outbox, whose jobs an admin makes due again.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/fs.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

IncidentsPage incidents_page(Readers::Reader& r) {
  audit::Filter alerts;
  alerts.layer = "alert";
  alerts.decision = "queued";
  std::map<std::string, std::vector<std::string>> sent;  // attempt -> where its alerts went
  for (const auto& j : r.outbox.jobs()) {
    sent[j.attempt].push_back(fmt::format("{} {}: {}{}", j.kind, j.channel, j.state,
                                          j.state == "sent" || j.last_error.empty() ? "" : " (" + j.last_error + ")"));
  }
  IncidentsPage page;
  for (const auto& [alert, events] : r.audit.find_with_attempts(alerts, 50)) {
    IncidentsPage::Incident i{alert.time, alert.attempt, alert.detail, {}, sent[alert.attempt]};
    bool denied = false;
    for (const auto& e : events) {
      if (!denied && (e.decision == "deny" || e.decision == "forced" || e.decision == "left open")) {  // the last
        denied = true;
        i.why = fmt::format("{} {}: {}{}", e.layer, e.decision, e.detail, e.score ? " (score " + ConsoleState::score_text(e) + ")" : "");
      }
      if (i.photo.empty() && !e.image.empty() && e.image.rfind("/", 0) == 0) i.photo = httplib::detail::encode_query_param(e.attempt);
    }
    page.incidents.push_back(std::move(i));
  }
  return page;
}

OutboxPage outbox_page(Readers::Reader& r) {
  OutboxPage page;
  for (const char* state : {"dead", "pending"}) {
    for (const auto& j : r.outbox.jobs(state)) {
      page.jobs.push_back({j.id, j.created, j.owner, j.kind, j.channel, j.state, j.last_error, j.attempts});
    }
  }
  return page;
}

}  // namespace

void ConsoleState::alert_routes() {
  read_only_page("/incidents", incidents_page);
  // The incident photo of an attempt, when it is a file under the incident folder.
  get("/incidents/photo", Guard::Operator, [this](const Request& req, Response& res, const Visit&) {
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
  });
  read_only_page("/outbox", outbox_page);
  post("/outbox/retry", Guard::Admin, [this](const Request& req, Response& res, const Visit& visit) {
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
    record("retry", fmt::format("operator '{}': outbox job {} made due again", visit.who->name, *id));
    redirect(res, "/outbox");
  });
}

}  // namespace lockerctl::web
