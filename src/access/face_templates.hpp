#pragma once

// Owners' face templates: the 128-d descriptors of their enrollment photos, in the database. Each
// row carries the SHA-256 of its owner and values, so that a damaged or edited row is found and
// left out (a template that cannot be trusted never matches anyone).

#include <string>
#include <vector>

#include "audit/database.hpp"
#include "inference/face_embedder.hpp"

namespace lockerctl::access {

struct OwnerTemplates {
  std::vector<inference::FaceDescriptor> templates;  ///< the intact ones
  int damaged = 0;                                    ///< rows left out: wrong size, not finite, checksum
};

class FaceTemplates {
 public:
  explicit FaceTemplates(audit::Database& db);

  /// Replaces every template of `owner` with `templates`, in one transaction.
  void replace(const std::string& owner, const std::vector<inference::FaceDescriptor>& templates);
  OwnerTemplates load(const std::string& owner) const;
  /// Rows stored for `owner`, intact or not.
  int count(const std::string& owner) const;

 private:
  audit::Database& db_;
};

}  // namespace lockerctl::access
