#pragma once

// Local stand-ins of the services alerts and evidence go to, each a real HTTP server on
// 127.0.0.1 (cpp-httplib). Each checks a request the way the real service does: the exact path,
// the authentication (signatures recomputed here, with code separate from lockerctl's), the form
// or multipart layout. It answers as the service does, including its errors and rate limits, and
// it records what it received. stop() and start() again on the same port imitate an outage.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace lockerctl::test {

class StandIn {
 public:
  virtual ~StandIn();
  /// Listens on 127.0.0.1:`port` (0: a free port, kept for later starts).
  void start(int port = 0);
  void stop();
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Each request waits this long before it is handled (a slow service).
  void delay(int ms) { delay_ms_ = ms; }

 protected:
  virtual void routes(httplib::Server& server) = 0;
  std::mutex mutex_;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> delay_ms_{0};
};

/// Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP basic auth
/// with the account SID and auth token, form fields To, From, Body (and MediaUrl).
class TwilioStandIn final : public StandIn {
 public:
  static constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
  static constexpr const char* kToken = "twilio-test-token";
  struct Sms {
    std::string to, from, body, media_url;
    std::chrono::steady_clock::time_point received;
  };
  std::vector<Sms> messages();
  /// The next `n` requests are answered 429 with Retry-After: `seconds`.
  void rate_limit(int n, int seconds);
  int requests() const { return requests_; }

 protected:
  void routes(httplib::Server& server) override;

 private:
  std::vector<Sms> messages_;
  int limited_ = 0, retry_after_ = 1;
  std::atomic<int> requests_{0};
};

/// An S3 bucket: PUT and GET of objects, with AWS Signature V4 in the Authorization header or in
/// a pre-signed URL's query string, both checked against the secret key.
class S3StandIn final : public StandIn {
 public:
  static constexpr const char* kBucket = "evidence";
  static constexpr const char* kKeyId = "AKIDLOCKERCTLTEST";
  static constexpr const char* kSecret = "s3-test-secret/key+value";
  static constexpr const char* kRegion = "eu-central-1";
  std::map<std::string, std::string> objects();
  /// The next `n` PUTs are answered 503 SlowDown.
  void slow_down(int n);

 protected:
  void routes(httplib::Server& server) override;

 private:
  std::map<std::string, std::string> objects_;
  int slow_ = 0;
};

/// A webhook receiver that checks X-Lockerctl-Signature (HMAC-SHA-256 of the body), refuses
/// stale timestamps, and keeps each delivery id once.
class WebhookReceiver final : public StandIn {
 public:
  static constexpr const char* kSecret = "webhook-test-secret";
  struct Delivery {
    std::string id, owner, attempt, text, photo_url;
  };
  std::vector<Delivery> deliveries();  ///< unique, in arrival order
  int duplicates();
  int rejected();

 protected:
  void routes(httplib::Server& server) override;

 private:
  std::vector<Delivery> deliveries_;
  std::set<std::string> seen_;
  int duplicates_ = 0, rejected_ = 0;
};

/// Google's OAuth2 token endpoint (JWT bearer grant, RS256 checked with the service account's
/// public key) and the Drive API v3: multipart upload into a folder, permissions, delete.
class DriveStandIn final : public StandIn {
 public:
  static constexpr const char* kFolder = "folder-0123";
  static constexpr const char* kClientEmail = "lockerctl@test-project.iam.gserviceaccount.com";
  DriveStandIn();
  /// A service-account key file's JSON, naming this stand-in's token endpoint.
  std::string key_file_json() const;
  struct File {
    std::string name, parent, bytes;
    std::vector<std::string> readers;  ///< e-mail addresses, or "anyone"
  };
  std::map<std::string, File> files();
  int tokens_issued();
  /// Every token issued so far stops working (as when Google revokes one).
  void revoke_tokens();
  /// From now on every token is refused, new ones too (a service account that lost its access).
  void refuse_tokens();
  /// The reply to the `n`-th chunk of a resumable upload from now (1: the next) is lost: the
  /// chunk is kept, the client gets 503, as when a connection breaks after the bytes arrived.
  void lose_reply_to_chunk(int n);
  /// From now on every chunk is refused with 503 and not kept (an upload that cannot go on).
  void refuse_chunks();
  /// Requests seen on resumable upload sessions: "chunk A-B", "query", in order.
  std::vector<std::string> session_requests();

 protected:
  void routes(httplib::Server& server) override;

 private:
  std::string private_pem_, public_pem_;
  struct Session {
    nlohmann::json metadata;
    std::size_t length = 0;
    std::string bytes;  ///< taken so far
    std::string file;   ///< the file made, once every byte has arrived
  };
  std::map<std::string, File> files_;
  std::map<std::string, Session> sessions_;
  std::vector<std::string> session_requests_;
  std::set<std::string> tokens_;
  int issued_ = 0, uploads_ = 0;
  bool refuse_ = false, refuse_chunks_ = false;
  int lose_reply_in_ = 0;  ///< chunks until the one whose reply is lost; 0: none
};

/// HMAC-SHA-256 and SHA-256, as hex, written here apart from lockerctl's code.
std::string hmac_sha256_hex(const std::string& key, const std::string& data);
std::string sha256_hex(const std::string& data);

}  // namespace lockerctl::test
