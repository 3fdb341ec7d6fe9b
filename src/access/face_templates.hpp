#pragma once

// Owners' face templates: the 128-d descriptors of their enrollment photos, in the database. Each
// row carries an HMAC-SHA-256 of its owner, position and values under the audit key, so that a
// damaged row, or one written by someone who can write the database but does not hold the key,
// is found and left out: a template that cannot be trusted never matches anyone.

#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/database.hpp"
#include "inference/face_embedder.hpp"

namespace lockerctl::access {

struct OwnerTemplates {
  std::vector<inference::FaceDescriptor> templates;  ///< the intact ones
  int damaged = 0;                                    ///< rows left out: wrong size, not finite, bad MAC
};

class FaceTemplates {
 public:
  /// `key`: the audit log's key (audit::load_key), which signs every row.
  FaceTemplates(audit::Database& db, const audit::Key& key);

  /// Replaces every template of `owner` with `templates`, in one transaction.
  void replace(const std::string& owner, const std::vector<inference::FaceDescriptor>& templates);
  OwnerTemplates load(const std::string& owner) const;
  /// Rows stored for `owner`, intact or not.
  int count(const std::string& owner) const;

 private:
  std::string row_mac(const std::string& owner, std::int64_t position, const std::string& hex) const;
  audit::Database& db_;
  audit::Key key_;
};

}  // namespace lockerctl::access
