#pragma once

// evidence.store: s3. Photos are PUT into a bucket of any S3-compatible store, signed with AWS
// Signature V4; the owner's link is a pre-signed GET that expires after s3.link_ttl_s.

#include <ctime>
#include <functional>

#include "core/secret.hpp"
#include "evidence/sigv4.hpp"
#include "evidence/store.hpp"

namespace lockerctl::evidence {

struct S3Options {
  std::string endpoint;   ///< "https://s3.eu-central-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;     ///< put before every object name, e.g. "incidents/"
  std::string access_key_id;
  Secret secret_access_key;
  long link_ttl_s = 86400;
  bool virtual_host = false;  ///< bucket.host/key instead of host/bucket/key
  double timeout_s = 30;
};

class S3Store final : public Store {
 public:
  /// `now` is the clock the signatures use (tests pin it).
  explicit S3Store(S3Options options, std::function<std::time_t()> now = [] { return std::time(nullptr); });
  std::string name() const override { return "s3"; }
  Stored put(const std::filesystem::path& file, const std::string& object, const std::string& reader) override;
  std::string link(const Stored& stored) override;

 private:
  struct Target {
    std::string url, host, path;
  };
  Target target(const std::string& key) const;

  S3Options o_;
  sigv4::Credentials credentials_;
  std::function<std::time_t()> now_;
};

}  // namespace lockerctl::evidence
