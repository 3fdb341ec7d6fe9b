// The audit log: filtered and paged, the chain check, and the filtered events as CSV or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

constexpr int kPageSize = 50;

struct AuditQuery {
  audit::Filter filter;
  long page = 1;
};

/// The filters of an audit request; nullopt (and 400) when one is malformed.
std::optional<AuditQuery> audit_query(const Request& req, Response& res) {
  AuditQuery q{{req.get_param_value("since"), req.get_param_value("until"), req.get_param_value("layer"),
                req.get_param_value("decision"), req.get_param_value("attempt")}};
  const audit::Filter& f = q.filter;
  const std::string page = req.get_param_value("page");
  bool ok = time_prefix(f.since) && time_prefix(f.until) &&
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

std::string query_string(const AuditQuery& q, long page) {
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

AuditPage audit_page(Readers::Reader& r, const AuditQuery& q) {
  AuditPage page;
  page.total = r.audit.count(q.filter);
  page.pages = std::max<long>(1, static_cast<long>((page.total + kPageSize - 1) / kPageSize));
  page.page = std::min(q.page, page.pages);
  page.events = ConsoleState::event_rows(r.audit.find(q.filter, kPageSize, (page.page - 1) * kPageSize));  // newest first
  page.filters = {{"since", q.filter.since, "2026-11-01"}, {"until", q.filter.until, "2026-11-30T18"},
                  {"layer", q.filter.layer, "password"}, {"decision", q.filter.decision, "deny"},
                  {"attempt", q.filter.attempt, "A2026..."}};
  if (page.page > 1) page.newer = query_string(q, page.page - 1);
  if (page.page < page.pages) page.older = query_string(q, page.page + 1);
  page.query = query_string(q, 1);
  return page;
}

}  // namespace

void ConsoleState::audit_routes() {
  get("/audit", Guard::Operator, [this](const Request& req, Response& res, const Visit& visit) {
    const auto q = audit_query(req, res);
    if (!q) return;
    AuditPage page;
    {
      auto r = readers.take();
      page = audit_page(*r, *q);
    }
    html(res, render(page, visit.page_who()));
  });
  get("/audit/verify", Guard::Operator, [this](const Request&, Response& res, const Visit& visit) {
    const audit::VerifyResult r = readers.take()->audit.verify();
    record("verify", fmt::format("operator '{}': {}", visit.who->name, r.ok ? "intact" : r.problem));
    html(res, render(VerifyPage{r.ok, r.rows, r.problem}, visit.page_who()));
  });
  for (const bool csv : {true, false}) {
    get(csv ? "/audit/export.csv" : "/audit/export.json", Guard::Operator, [this, csv](const Request& req, Response& res, const Visit& visit) {
      const auto q = audit_query(req, res);
      if (!q) return;
      std::vector<audit::Event> events;
      {
        auto r = readers.take();
        events = r->audit.find(q->filter, -1);
      }
      std::reverse(events.begin(), events.end());  // oldest first, as `audit export` writes them
      record("export", fmt::format("operator '{}': {} events as {}", visit.who->name, events.size(), csv ? "CSV" : "JSON"));
      res.set_header("Content-Disposition", csv ? "attachment; filename=\"audit.csv\"" : "attachment; filename=\"audit.json\"");
      res.set_content(csv ? audit::to_csv(events) : audit::to_json(events), csv ? "text/csv; charset=utf-8" : "application/json");
    });
  }
}

}  // namespace lockerctl::web
