// The dashboard (the station's state, its lockers, the newest events) and the server-sent events
// that keep it live.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

DashboardPage dashboard_page(Readers::Reader& r) {
  DashboardPage page;
  for (const char* layer : {"lock", "door", "board", "camera"}) {
    audit::Filter f;
    f.layer = layer;
    const auto e = r.audit.find(f, 1);
    page.states.push_back({layer, e.empty() ? "no event yet" : e[0].decision + " (" + e[0].time + ")"});
  }
  const std::vector<audit::Event> last = r.audit.find({}, 10);
  page.step = "none";
  for (const auto& e : last) {
    if (e.attempt != "-") {
      page.step = e.attempt + ": " + e.layer + " " + e.decision;
      break;
    }
  }
  for (const auto& l : r.lockers.list()) page.lockers.push_back({l.number, fmt::format("{}", fmt::join(l.holders, ", "))});
  page.events = ConsoleState::event_rows(last);
  return page;
}

}  // namespace

void ConsoleState::dashboard_routes() {
  read_only_page("/", dashboard_page);
  // Server-sent events: each new audit event as JSON, until the session ends or the server stops.
  get("/events", Guard::Operator, [this](const Request& req, Response& res, const Visit&) {
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
    auto written = SteadyClock::now();
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
      if (out.empty() && SteadyClock::now() - written > std::chrono::seconds(2)) out = ":\n\n";
      if (!out.empty()) {
        if (!sink.write(out.data(), out.size())) return false;
        written = SteadyClock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return true;
    }, [this](bool) { --streams; });
  });
}

}  // namespace lockerctl::web
