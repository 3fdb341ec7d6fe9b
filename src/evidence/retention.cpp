#include "evidence/retention.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::evidence {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS evidence_holds (
  incident TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  held_by TEXT NOT NULL,
  since TEXT NOT NULL);
)sql";

/// The time in an id such as "A20261123T101500Z-1"; nullopt when it has none.
std::optional<double> id_time(const std::string& id) {
  if (id.size() < 17) return std::nullopt;
  const std::string t = id.substr(1, 16);  // 20261123T101500Z
  return parse_utc_iso8601(fmt::format("{}-{}-{}T{}:{}:{}", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2), t.substr(9, 2),
                                       t.substr(11, 2), t.substr(13, 2)));
}

}  // namespace

Holds::Holds(audit::Database& db) : db_(db) { db_.exec(kSchema); }

void Holds::hold(const std::string& incident, const std::string& reason, const std::string& by) {
  if (reason.find_first_not_of(" \t") == std::string::npos) {
    throw DataError(fmt::format("{}: say why it is held (--reason TEXT); the audit log keeps it", incident));
  }
  if (held(incident)) throw DataError(fmt::format("{}: already on hold", incident));
  db_.query("INSERT INTO evidence_holds (incident, reason, held_by, since) VALUES (?, ?, ?, ?)",
            {incident, reason, by, utc_now_iso8601()});
}

void Holds::release(const std::string& incident) {
  if (!held(incident)) throw DataError(fmt::format("{}: not on hold", incident));
  db_.query("DELETE FROM evidence_holds WHERE incident = ?", {incident});
}

bool Holds::held(const std::string& incident) const {
  bool found = false;
  db_.query("SELECT 1 FROM evidence_holds WHERE incident = ?", {incident}, [&](const audit::Statement&) { found = true; });
  return found;
}

std::vector<Hold> Holds::list() const {
  std::vector<Hold> out;
  db_.query("SELECT incident, reason, held_by, since FROM evidence_holds ORDER BY since", {},
            [&](const audit::Statement& s) { out.push_back({s.text(0), s.text(1), s.text(2), s.text(3)}); });
  return out;
}

std::vector<Incident> list_incidents(const std::filesystem::path& incidents_dir, const Holds& holds) {
  std::vector<Incident> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(incidents_dir, ec)) return out;
  std::set<std::string> held;
  for (const Hold& h : holds.list()) held.insert(h.incident);
  for (const auto& entry : std::filesystem::directory_iterator(incidents_dir)) {
    if (!entry.is_directory()) continue;
    Incident i;
    i.id = entry.path().filename().string();
    i.dir = entry.path();
    if (const auto t = id_time(i.id)) {
      i.time = *t;
    } else {
      const auto mtime = std::filesystem::last_write_time(entry.path(), ec);
      i.time = ec ? unix_now()
                  : std::chrono::duration<double>(mtime - std::filesystem::file_time_type::clock::now()).count() + unix_now();
    }
    for (const auto& f : std::filesystem::recursive_directory_iterator(entry.path(), ec)) {
      if (f.is_regular_file()) i.bytes += f.file_size();
    }
    i.held = held.count(i.id) > 0;
    out.push_back(std::move(i));
  }
  std::sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) { return a.time < b.time; });
  return out;
}

Purge purge(const std::filesystem::path& incidents_dir, int retention_days, const Holds& holds, double now, bool dry_run) {
  Purge p;
  const double cutoff = now - retention_days * 86400.0;
  for (Incident& i : list_incidents(incidents_dir, holds)) {
    if (i.time >= cutoff) break;  // oldest first
    if (i.held) {
      p.on_hold.push_back(std::move(i));
      continue;
    }
    if (!dry_run) {
      std::error_code ec;
      std::filesystem::remove_all(i.dir, ec);
      if (ec) throw IoError(fmt::format("{}: cannot remove the expired evidence: {}", i.dir.string(), ec.message()));
    }
    p.removed.push_back(std::move(i));
  }
  return p;
}

void audit_purge(audit::AuditLog& audit, const Purge& p, int retention_days) {
  for (const Incident& i : p.removed) {
    audit.append({0, {}, i.id, "evidence", "purged", std::nullopt, std::nullopt, "",
                  fmt::format("photo and clip of {} removed ({} bytes): older than evidence.retention_days ({})",
                              utc_iso8601(static_cast<std::time_t>(i.time)), i.bytes, retention_days)});
  }
  if (p.on_hold.empty()) return;
  std::vector<std::string> ids;
  for (const Incident& i : p.on_hold) ids.push_back(i.id);
  audit.append({0, {}, "-", "evidence", "kept", std::nullopt, std::nullopt, "",
                fmt::format("past retention but on hold: {}", fmt::join(ids, ", "))});
}

}  // namespace lockerctl::evidence
