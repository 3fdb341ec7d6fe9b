#include "cmd_alerts.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::cli {

void setup_alerts(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* alerts = app.add_subcommand(
      "alerts", "The alert outbox (<var_dir>/lockerctl.db): every evidence upload, alert and one-time code is a job "
                "there before it is sent, and is retried until it is delivered or dead-lettered.");
  alerts->require_subcommand(1);
  auto o = std::make_shared<AlertsOptions>();

  CLI::App* list = alerts->add_subcommand("list", "Jobs, oldest first: id, time, owner, kind, channel, state, tries, next try, last error. Codes are never shown.");
  list->add_option("--state", o->state, "Only jobs in this state")->check(CLI::IsMember({"pending", "sent", "dead", "expired"}));
  list->add_flag("--json", o->json, "A JSON array of jobs");
  list->callback([&global, &action, o] { action = [&global, o] { return run_alerts_list(global, *o); }; });

  CLI::App* retry = alerts->add_subcommand(
      "retry", "Make a dead (or waiting) job due again, its tries counted from zero; a running `lockerctl run` sends it within a second.");
  auto* id = retry->add_option("id", o->id, "Job id (lockerctl alerts list)");
  retry->add_flag("--dead", o->dead, "Every dead job")->excludes(id);
  retry->callback([&global, &action, o] {
    if (!o->dead && o->id == 0) throw CLI::ValidationError("retry", "give a job id or --dead");
    action = [&global, o] { return run_alerts_retry(global, *o); };
  });

  CLI::App* purge = alerts->add_subcommand("purge", "Remove sent jobs older than --older-than (pending and dead jobs are never purged).");
  purge->add_flag("--sent", o->sent, "Remove sent jobs (required: the only kind that may be purged)")->required();
  purge->add_option("--older-than", o->older_than, "Age: 30d, 12h, 90m, 45s or seconds")->required();
  purge->callback([&global, &action, o] { action = [&global, o] { return run_alerts_purge(global, *o); }; });

  CLI::App* test = alerts->add_subcommand(
      "test", "Send a test alert through each configured channel (and upload --photo to the evidence store), wait for each "
              "and print one line per job: delivered, or the service's error. Exit 0 when all were delivered, 1 otherwise. "
              "Other pending jobs are left alone (a running `lockerctl run` delivers them).");
  test->add_option("--owner", o->owner, "Owner to send to (default access.owner)");
  test->add_option("--channel", o->channel, "Only this channel")->check(CLI::IsMember({"sms", "webhook", "email"}));
  test->add_option("--photo", o->photo, "A JPEG to upload and link, as an incident photo would be")->check(CLI::ExistingFile);
  test->callback([&global, &action, o] { action = [&global, o] { return run_alerts_test(global, *o); }; });
}

namespace {

std::string next_try(const notify::Job& j) {
  if (j.state != "pending") return "-";
  const double wait = j.next_try - unix_now();
  return wait <= 0 ? "now" : fmt::format("in {:.0f} s", wait);
}

}  // namespace

int run_alerts_list(const GlobalOptions& global, const AlertsOptions& o) {
  Station station(load_config(global));
  const auto jobs = station.outbox.jobs(o.state);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& j : jobs) {
      out.push_back({{"id", j.id}, {"key", j.key}, {"created", j.created}, {"owner", j.owner}, {"kind", j.kind},
                     {"channel", j.channel}, {"attempt", j.attempt}, {"state", j.state}, {"tries", j.attempts},
                     {"next_try", j.state == "pending" ? nlohmann::json(utc_iso8601(static_cast<std::time_t>(j.next_try))) : nlohmann::json()},
                     {"last_error", j.last_error}, {"result", j.result}, {"sent_at", j.sent_at}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& j : jobs) {
    std::cout << fmt::format("{:>6} {} {:<12} {:<6} {:<8} {:<7} tries {:<3} next {:<9} {}\n", j.id, j.created, j.owner,
                             j.kind, j.channel, j.state, j.attempts, next_try(j),
                             j.state == "sent" ? j.result : j.last_error);
  }
  if (jobs.empty()) std::cout << "no jobs" << (o.state.empty() ? "" : " in state " + o.state) << "\n";
  return 0;
}

int run_alerts_retry(const GlobalOptions& global, const AlertsOptions& o) {
  Station station(load_config(global));
  if (o.dead) {
    const int n = station.outbox.retry_dead();
    station.audit.append({0, {}, "-", "alert", "retry", std::nullopt, std::nullopt, "", fmt::format("{} dead job(s) made due again", n)});
    std::cout << fmt::format("{} dead job(s) will be sent again\n", n);
    return 0;
  }
  if (!station.outbox.retry(o.id)) {
    throw DataError(fmt::format("alert job {}: no such job, or it was already sent (lockerctl alerts list)", o.id));
  }
  station.audit.append({0, {}, "-", "alert", "retry", std::nullopt, std::nullopt, "", fmt::format("job {} made due again", o.id)});
  std::cout << fmt::format("job {} will be sent again\n", o.id);
  return 0;
}

double parse_age(const std::string& text) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  const std::string unit = value >= 0 ? text.substr(used) : std::string("?");
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (value < 0 || scale == 0) throw Error(fmt::format("--older-than '{}': not an age like 30d, 12h, 90m or 45s", text), ExitCode::Usage);
  return value * scale;
}

int run_alerts_purge(const GlobalOptions& global, const AlertsOptions& o) {
  const double age = parse_age(o.older_than);
  Station station(load_config(global));
  const int n = station.outbox.purge_sent(age);
  station.audit.append({0, {}, "-", "alert", "purge", std::nullopt, std::nullopt, "",
                        fmt::format("{} sent job(s) older than {} removed", n, o.older_than)});
  std::cout << fmt::format("{} sent job(s) removed\n", n);
  return 0;
}

int run_alerts_test(const GlobalOptions& global, const AlertsOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  const Messengers messengers(cfg);
  const access::Owner owner = station.owners.get(o.owner.empty() ? cfg.access.owner : o.owner);
  notify::OutboxOptions options = outbox_options(cfg);
  if (!o.channel.empty()) {
    if (!messengers.channels.count(o.channel)) {
      throw Error(fmt::format("--channel {}: not configured (alerts.channels is '{}')", o.channel, cfg.alerts.channels), ExitCode::Config);
    }
    options.alert_channels = {o.channel};
  }
  options.max_attempts = 1;  // a test reports the first answer instead of retrying for hours
  notify::Outbox outbox(station.db, options);
  outbox.set_delivery(messengers.channels, messengers.store.get(), &station.audit);
  const std::string attempt = "test-" + utc_now_iso8601();
  const auto ids = outbox.raise({owner.name, owner.phone, owner.email}, attempt,
                                fmt::format("lockerctl: test alert for {}. No action is needed.", owner.name), o.photo);
  station.audit.append({0, {}, attempt, "alert", "test", std::nullopt, std::nullopt, "",
                        fmt::format("{} job(s) for {}", ids.size(), owner.name)});
  // Each pass sends what is due of these jobs; an alert goes once its upload is done.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    outbox.deliver(ids);
    bool waiting = false;
    for (auto id : ids) waiting = waiting || outbox.job(id)->state == "pending";
    if (!waiting || std::chrono::steady_clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int failed = 0;
  for (auto id : ids) {
    const notify::Job j = *outbox.job(id);
    const std::string via = j.kind == "upload" ? fmt::format("evidence ({})", messengers.store->name())
                                               : fmt::format("{} ({})", j.channel, messengers.channels.at(j.channel)->describe());
    if (j.state == "sent") {
      std::cout << fmt::format("{}: delivered{}\n", via, j.result.empty() ? "" : " " + j.result);
    } else {
      ++failed;
      std::cout << fmt::format("{}: NOT delivered: {}\n", via, j.last_error.empty() ? "no answer in time" : j.last_error);
    }
  }
  return failed == 0 ? 0 : static_cast<int>(ExitCode::CheckFailed);
}

}  // namespace lockerctl::cli
