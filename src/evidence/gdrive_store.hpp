#pragma once

// evidence.store: gdrive. Photos go into a Google Drive folder through the Drive API v3, as a
// service account: an RS256-signed JWT is exchanged for an OAuth2 access token (kept until it
// expires, renewed on a 401), a file of up to 5 MB is sent as a multipart upload and a larger
// one (a clip) as a resumable upload in chunks, which picks up where the service says it stopped
// after a lost reply; the file is shared with the owner's e-mail address as a reader (or with
// anyone who has the link, when asked).

#include <ctime>
#include <functional>
#include <mutex>

#include <nlohmann/json.hpp>

#include "evidence/store.hpp"
#include "net/http.hpp"

namespace lockerctl::evidence {

/// The fields of a service-account key file that lockerctl uses.
struct ServiceAccount {
  std::string client_email;
  std::string private_key;  ///< PEM
  std::string private_key_id;
  std::string token_uri;
};

/// Reads a service-account JSON key file (only its owner may read it). Throws IoError for an
/// unreadable or too-open file, DataError for one that is not a service-account key.
ServiceAccount read_service_account(const std::filesystem::path& file);

struct DriveOptions {
  ServiceAccount account;
  std::string folder_id;
  std::string api_base = "https://www.googleapis.com";
  std::string token_uri;         ///< empty: the key file's token_uri
  bool share_with_anyone = false;
  double timeout_s = 30;
  std::size_t chunk_bytes = 8 << 20;  ///< a resumable upload's chunk, a multiple of 256 KiB
};

class DriveStore final : public Store {
 public:
  explicit DriveStore(DriveOptions options, std::function<std::time_t()> now = [] { return std::time(nullptr); });
  std::string name() const override { return "gdrive"; }
  Stored put(const std::filesystem::path& file, const std::string& object, const std::string& reader) override;
  std::string link(const Stored& stored) override;

 private:
  /// A valid access token, from the cache or a new exchange.
  std::string token(bool renew);
  /// Sends a request with the bearer token; on a 401 renews the token once and sends it again.
  net::Response call(const std::string& method, const std::string& url, const std::string& content_type,
                     const std::string& body, const net::Fields& headers = {});
  /// The new file's id. Throw ServiceError when Drive refuses.
  std::string upload_multipart(const std::string& name, const nlohmann::json& metadata, const std::string& bytes);
  std::string upload_resumable(const std::string& name, const nlohmann::json& metadata, const std::string& bytes);

  DriveOptions o_;
  std::function<std::time_t()> now_;
  std::mutex mutex_;
  std::string token_;
  std::time_t token_expires_ = 0;
};

}  // namespace lockerctl::evidence
