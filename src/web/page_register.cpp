// The register of locker operations (who opened which locker, when, with which officer), filtered
// like `lockerctl register`, and the same as CSV; both end with the chain check and its last hash.
#include <fmt/format.h>

#include "access/register.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

/// The filters of a register request; nullopt (and 400) when one is malformed.
std::optional<access::RegisterFilter> register_filter(const Request& req, Response& res) {
  access::RegisterFilter f{req.get_param_value("locker"), req.get_param_value("holder"), req.get_param_value("since"),
                           req.get_param_value("until")};
  const bool ok = time_prefix(f.since) && time_prefix(f.until) && f.locker.size() <= 8 &&
                  f.locker.find_first_not_of("0123456789") == std::string::npos && f.holder.size() <= 64 &&
                  printable(f.holder) == f.holder;
  if (!ok) {
    res.status = 400;
    return std::nullopt;
  }
  return f;
}

}  // namespace

RegisterPage register_page(const access::Register& r) {
  const auto& f = r.filter;
  std::string query;
  for (const auto& [name, value] : {std::pair{"locker", f.locker}, {"holder", f.holder}, {"since", f.since}, {"until", f.until}}) {
    if (!value.empty()) query += fmt::format("{}{}={}", query.empty() ? "?" : "&", name, httplib::detail::encode_query_param(value));
  }
  RegisterPage page{f.locker, f.holder, f.since, f.until, "/register.csv" + query, {}, access::register_footer(r), r.chain.ok};
  for (const auto& op : r.operations) {
    page.rows.push_back({op.parties.locker, access::opened_by(op), op.parties.officer, op.in,
                         op.out.empty() ? "still open" : op.out,
                         op.duration_s ? fmt::format("{:.0f} s", *op.duration_s) : "", op.attempt, op.evidence});
  }
  return page;
}

void ConsoleState::register_routes() {
  get("/register", Guard::Operator, [this](const Request& req, Response& res, const Visit& visit) {
    const auto filter = register_filter(req, res);
    if (!filter) return;
    const auto r = [&] {
      auto reader = readers.take();
      return access::read_register(reader->audit, *filter);
    }();
    html(res, render(register_page(r), visit.page_who()));
  });
  get("/register.csv", Guard::Operator, [this](const Request& req, Response& res, const Visit&) {
    const auto filter = register_filter(req, res);
    if (!filter) return;
    auto reader = readers.take();
    res.set_header("Content-Disposition", "attachment; filename=\"register.csv\"");
    res.set_content(access::register_csv(access::read_register(reader->audit, *filter)), "text/csv; charset=utf-8");
  });
}

}  // namespace lockerctl::web
