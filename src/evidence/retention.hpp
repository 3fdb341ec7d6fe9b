#pragma once

// How long evidence is kept: incident folders (<var_dir>/incidents/<id>/: the photo, the clip,
// incident.txt) older than evidence.retention_days are removed by a purge, except those on a
// legal hold, which stay until released. The audit rows that name them stay: the chain still
// verifies after a purge, and the row says the photo was purged.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"

namespace lockerctl::evidence {

struct Hold {
  std::string incident;  ///< an attempt or incident id ("A20261123T101500Z-1")
  std::string reason;
  std::string by;        ///< who put it on hold
  std::string since;     ///< UTC ISO 8601
};

/// Legal holds, in the database.
class Holds {
 public:
  explicit Holds(audit::Database& db);
  /// Throws DataError for an empty reason or an incident already on hold.
  void hold(const std::string& incident, const std::string& reason, const std::string& by);
  /// Throws DataError when the incident is not on hold.
  void release(const std::string& incident);
  bool held(const std::string& incident) const;
  std::vector<Hold> list() const;

 private:
  audit::Database& db_;
};

struct Incident {
  std::string id;
  std::filesystem::path dir;
  double time = 0;          ///< Unix seconds: from the id, else the folder's modification time
  std::uintmax_t bytes = 0;
  bool held = false;
};

/// The incident folders under `incidents_dir`, oldest first (none when it does not exist).
std::vector<Incident> list_incidents(const std::filesystem::path& incidents_dir, const Holds& holds);

struct Purge {
  std::vector<Incident> removed;  ///< (or, in a dry run, that would be)
  std::vector<Incident> on_hold;  ///< past retention, kept for their hold
};

/// Removes the incident folders older than `retention_days` at `now` that are not on hold;
/// with `dry_run` only says which. Throws IoError naming a folder that cannot be removed.
Purge purge(const std::filesystem::path& incidents_dir, int retention_days, const Holds& holds, double now, bool dry_run);

/// The audit rows of a purge that ran: one "evidence purged" per incident removed, one "evidence
/// kept" naming those kept for their hold.
void audit_purge(audit::AuditLog& audit, const Purge& p, int retention_days);

}  // namespace lockerctl::evidence
