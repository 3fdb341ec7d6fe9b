#include "notify/outbox.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"

namespace lockerctl::notify {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox_jobs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL,
  owner TEXT NOT NULL,
  address TEXT NOT NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  attempt TEXT NOT NULL,
  text TEXT NOT NULL,
  photo TEXT NOT NULL,
  after INTEGER NOT NULL DEFAULT 0,
  expires_at REAL NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try REAL NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  sent_at TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outbox_jobs_state ON outbox_jobs(state, id);
)sql";

// Messages that an older lockerctl left in its `outbox` table become SMS jobs, so none is lost.
const char* kMigrate = R"sql(
INSERT INTO outbox_jobs (key, created, owner, address, kind, channel, attempt, text, photo, expires_at, attempts,
                         next_try, last_error, state)
  SELECT 'outbox-' || id, created, owner, phone, kind, 'sms', '-',
         text || CASE WHEN link != '' AND instr(text, link) = 0 THEN ' Photo: ' || link ELSE '' END, '',
         expires_at, attempts, next_try, last_error, state FROM outbox;
DROP TABLE outbox;
)sql";

const char* kColumns = "id, key, created, owner, kind, channel, attempt, state, attempts, next_try, last_error, result, sent_at";

Job read_job(const audit::Statement& s) {
  return {s.integer(0), s.text(1),  s.text(2),  s.text(3),  s.text(4),  s.text(5), s.text(6),
          s.text(7),    static_cast<int>(s.integer(8)), s.real(9), s.text(10), s.text(11), s.text(12)};
}

double jitter() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

}  // namespace

Outbox::Outbox(audit::Database& db, OutboxOptions options) : db_(db), o_(std::move(options)) {
  db_.exec(kSchema);
  bool old = false;
  db_.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'", {},
            [&](const audit::Statement&) { old = true; });
  if (old) db_.transaction([&] { db_.exec(kMigrate); });
}

void Outbox::set_delivery(std::map<std::string, Channel*> channels, evidence::Store* store, audit::AuditLog* audit) {
  channels_ = std::move(channels);
  store_ = store;
  audit_ = audit;
}

std::int64_t Outbox::insert(const Recipient& to, const std::string& kind, const std::string& channel,
                            const std::string& attempt, const std::string& text, const std::string& photo,
                            std::int64_t after, double expires_at) {
  const std::string address = channel == "sms" ? to.phone : channel == "email" || kind == "upload" ? to.email : std::string();
  db_.query("INSERT INTO outbox_jobs (key, created, owner, address, kind, channel, attempt, text, photo, after, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {net::random_hex(16), utc_now_iso8601(), to.owner, address, kind, channel, attempt.empty() ? "-" : attempt,
             text, photo, after, expires_at});
  return db_.last_insert_id();
}

std::vector<std::int64_t> Outbox::raise(const Recipient& to, const std::string& attempt, const std::string& text,
                                        const std::filesystem::path& photo) {
  std::vector<std::int64_t> ids;
  db_.transaction([&] {
    std::int64_t upload = 0;
    if (!photo.empty()) {
      upload = insert(to, "upload", "evidence", attempt, "", photo.string(), 0, 0);
      ids.push_back(upload);
    }
    for (const std::string& channel : o_.alert_channels) {
      if ((channel == "sms" && to.phone.empty()) || (channel == "email" && to.email.empty())) {
        log::warn("alert to {} not sent by {}: no {} for them (lockerctl owner set-{})", to.owner, channel,
                  channel == "sms" ? "phone number" : "e-mail address", channel == "sms" ? "phone" : "email");
        continue;
      }
      ids.push_back(insert(to, "alert", channel, attempt, text, photo.string(), upload, 0));
    }
  });
  if (wake_) wake_();
  return ids;
}

std::int64_t Outbox::upload(const Recipient& to, const std::string& attempt, const std::filesystem::path& file) {
  const std::int64_t id = insert(to, "upload", "evidence", attempt, "", file.string(), 0, 0);
  if (wake_) wake_();
  return id;
}

std::int64_t Outbox::send_code(const Recipient& to, const std::string& attempt, const std::string& text, double expires_at) {
  const std::int64_t id = insert(to, "otp", o_.code_channel, attempt, text, "", 0, expires_at);
  if (wake_) wake_();
  return id;
}

std::string Outbox::send(const Job& job, const std::string& address, const std::string& text, const std::string& photo,
                         const std::optional<Job>& upload) {
  if (job.kind == "upload") {
    if (!store_) throw Error("no evidence store to upload to", ExitCode::Internal);
    const std::string object = job.attempt + "/" + std::filesystem::path(photo).filename().string();
    const evidence::Stored stored = store_->put(photo, object, address);
    if (audit_) {
      audit_->append({0, {}, job.attempt, "evidence", "stored", std::nullopt, std::nullopt, stored.location,
                      fmt::format("{} store, sha256 {}", stored.store, stored.sha256)});
    }
    return nlohmann::json{{"store", stored.store}, {"location", stored.location}, {"sha256", stored.sha256}}.dump();
  }
  const auto channel = channels_.find(job.channel);
  if (channel == channels_.end()) throw Error(fmt::format("no '{}' channel is configured (alerts.channels)", job.channel), ExitCode::Config);
  Message m{job.key, job.created, job.owner, address, job.kind, job.attempt, text, {}, photo};
  if (upload) {
    if (upload->state == "sent") {
      const auto r = nlohmann::json::parse(upload->result, nullptr, false);
      const evidence::Stored stored{r.value("store", ""), r.value("location", ""), r.value("sha256", "")};
      m.link = store_ && stored.store == store_->name() ? store_->link(stored) : stored.location;
    } else {
      m.text += " (The photo could not be uploaded; it is kept at the branch.)";
    }
  }
  return channel->second->send(m);
}

void Outbox::fail(const Job& job, const std::exception& e, DeliveryReport& report) {
  const int attempts = job.attempts + 1;
  const std::string what = job.kind == "upload" ? fmt::format("upload of evidence of {}", job.attempt)
                                                : fmt::format("{} {} to {}", job.channel, job.kind, job.owner);
  if (attempts >= o_.max_attempts) {
    db_.query("UPDATE outbox_jobs SET attempts = ?, last_error = ?, state = 'dead' WHERE id = ?", {attempts, e.what(), job.id});
    log::error("job {} ({}) dead after {} tries: {}; lockerctl alerts retry {} sends it again", job.id, what, attempts,
               e.what(), job.id);
    if (audit_) {
      audit_->append({0, {}, job.attempt, job.kind == "upload" ? "evidence" : "alert", "dead", std::nullopt, std::nullopt, "",
                      fmt::format("job {}: {} given up after {} tries: {}", job.id, what, attempts, e.what())});
    }
    ++report.dead;
    if (alarm_) alarm_();
    return;
  }
  const auto* service = dynamic_cast<const net::ServiceError*>(&e);
  const double asked = service ? service->retry_after_s() : 0;
  const double pause = asked > 0 ? asked : std::min(o_.max_backoff_s, o_.backoff_s * std::pow(2.0, job.attempts)) * jitter();
  db_.query("UPDATE outbox_jobs SET attempts = ?, next_try = ?, last_error = ? WHERE id = ?",
            {attempts, unix_now() + pause, e.what(), job.id});
  log::warn("job {} ({}) not done: {}; trying again in {:.1f} s", job.id, what, e.what(), pause);
  ++report.failed;
}

DeliveryReport Outbox::deliver(const std::vector<std::int64_t>& only) {
  struct Due {
    Job job;
    std::string address, text, photo;
    std::int64_t after;
    double expires_at;
  };
  std::vector<Due> pending;
  db_.query(fmt::format("SELECT {}, address, text, photo, after, expires_at FROM outbox_jobs WHERE state = 'pending' ORDER BY id", kColumns),
            {}, [&](const audit::Statement& s) {
              pending.push_back({read_job(s), s.text(13), s.text(14), s.text(15), s.integer(16), s.real(17)});
            });
  DeliveryReport report;
  std::set<std::string> blocked;  // owner + channel lanes that wait for an earlier job
  for (const Due& d : pending) {
    const Job& job = d.job;
    if (!only.empty() && std::find(only.begin(), only.end(), job.id) == only.end()) continue;
    const std::string lane = job.owner + '\n' + job.channel;
    if (blocked.count(lane)) continue;
    const double now = unix_now();
    if (d.expires_at > 0 && now > d.expires_at) {
      db_.query("UPDATE outbox_jobs SET state = 'expired', text = '' WHERE id = ?", {job.id});
      ++report.expired;
      continue;
    }
    // The upload an alert waits for (a row that is gone reads as not uploaded).
    std::optional<Job> upload;
    if (d.after) upload = this->job(d.after).value_or(Job{});
    if (job.next_try > now || (upload && upload->state == "pending")) {
      blocked.insert(lane);
      continue;
    }
    try {
      const std::string result = send(job, d.address, d.text, d.photo, upload);
      // A delivered code has done its job: it does not stay readable in the database.
      db_.query(job.kind == "otp" ? "UPDATE outbox_jobs SET state = 'sent', attempts = attempts + 1, result = ?, sent_at = ?, "
                                    "last_error = '', text = '[code]' WHERE id = ?"
                                  : "UPDATE outbox_jobs SET state = 'sent', attempts = attempts + 1, result = ?, sent_at = ?, "
                                    "last_error = '' WHERE id = ?",
                {result, utc_now_iso8601(), job.id});
      ++report.sent;
    } catch (const std::exception& e) {  // a service's refusal, a file that went missing, a bug in one job
      fail(job, e, report);
      blocked.insert(lane);
    }
  }
  return report;
}

std::vector<Job> Outbox::jobs(const std::string& state) const {
  std::vector<Job> out;
  db_.query(fmt::format("SELECT {} FROM outbox_jobs WHERE ? = '' OR state = ? ORDER BY id", kColumns), {state, state},
            [&](const audit::Statement& s) { out.push_back(read_job(s)); });
  return out;
}

std::optional<Job> Outbox::job(std::int64_t id) const {
  std::optional<Job> out;
  db_.query(fmt::format("SELECT {} FROM outbox_jobs WHERE id = ?", kColumns), {id},
            [&](const audit::Statement& s) { out = read_job(s); });
  return out;
}

int Outbox::pending() const {
  int n = 0;
  db_.query("SELECT COUNT(*) FROM outbox_jobs WHERE state = 'pending'", {},
            [&](const audit::Statement& s) { n = static_cast<int>(s.integer(0)); });
  return n;
}

bool Outbox::retry(std::int64_t id) {
  const std::optional<Job> j = job(id);
  if (!j || (j->state != "dead" && j->state != "pending")) return false;
  db_.query("UPDATE outbox_jobs SET state = 'pending', attempts = 0, next_try = 0 WHERE id = ?", {id});
  if (wake_) wake_();
  return true;
}

int Outbox::retry_dead() {
  int n = 0;
  for (const Job& j : jobs("dead")) n += retry(j.id) ? 1 : 0;
  return n;
}

int Outbox::purge_sent(double age_s) {
  int n = 0;
  const std::string cutoff = utc_iso8601(std::time(nullptr) - static_cast<std::time_t>(age_s));
  db_.transaction([&] {
    db_.query("SELECT COUNT(*) FROM outbox_jobs WHERE state = 'sent' AND created < ?", {cutoff},
              [&](const audit::Statement& s) { n = static_cast<int>(s.integer(0)); });
    db_.query("DELETE FROM outbox_jobs WHERE state = 'sent' AND created < ?", {cutoff});
  });
  return n;
}

}  // namespace lockerctl::notify
