#pragma once
// Configuration: where evidence goes and how alerts and one-time codes reach people: the outbox,
// SMS, webhooks, e-mail, S3, Google Drive. Each section's struct carries its keys, defaults and
// checks (visit); config/config.hpp puts the sections together.
#include <string>

#include "config/schema.hpp"

namespace lockerctl::config {

/// Where incident photos go: the local incident folder, an S3-compatible bucket, Google Drive.
enum class EvidenceStore { Local, S3, GDrive };

struct EvidenceConfig {
  EvidenceStore store = EvidenceStore::Local;
  int retention_days = 180;  // incident photos and clips older than this are purged, unless on hold

  template <class V>
  void visit(V& v) {
    v.field("store", store, Choices<EvidenceStore>{{{"local", EvidenceStore::Local}, {"s3", EvidenceStore::S3}, {"gdrive", EvidenceStore::GDrive}}});
    v.field("retention_days", retention_days, Range<int>{1, 36500});
  }
};

enum class CodeChannel { Sms, Email };

/// The alert outbox: which channels alerts and one-time codes take, and how failures are retried.
struct AlertsConfig {
  std::string channels = "sms";  // comma-separated: sms, webhook, email
  bool on_access = true;         // every holder is told each time their locker opens (who, when, where)
  std::string branch;            // this branch's name in alert texts; "" = none
  CodeChannel code_channel = CodeChannel::Sms;
  int max_attempts = 12;
  double backoff_s = 2;
  double max_backoff_s = 600;

  template <class V>
  void visit(V& v) {
    v.field("channels", channels);
    v.field("on_access", on_access);
    v.field("branch", branch);
    v.field("code_channel", code_channel, Choices<CodeChannel>{{{"sms", CodeChannel::Sms}, {"email", CodeChannel::Email}}});
    v.field("max_attempts", max_attempts, Range<int>{1, 1000});
    v.field("backoff_s", backoff_s, Range<double>{0.01, 3600.0});
    v.field("max_backoff_s", max_backoff_s, Range<double>{0.01, 86400.0});
  }
};

enum class SmsProvider { Sim, Twilio };

struct SmsConfig {
  SmsProvider provider = SmsProvider::Sim;  // sim: the simulated phone under <var_dir>/phone
  std::string api_base = "https://api.twilio.com";
  std::string account_sid;
  Secret auth_token;
  std::string from;
  bool mms = false;

  template <class V>
  void visit(V& v) {
    v.field("provider", provider, Choices<SmsProvider>{{{"sim", SmsProvider::Sim}, {"twilio", SmsProvider::Twilio}}});
    v.field("api_base", api_base);
    v.field("account_sid", account_sid);
    v.field("auth_token", auth_token);
    v.field("from", from);
    v.field("mms", mms);
  }
};

struct WebhookConfig {
  std::string url;
  Secret secret;

  template <class V>
  void visit(V& v) {
    v.field("url", url);
    v.field("secret", secret);
  }
};

struct EmailConfig {
  std::string smtp_url;  // smtp://host:587 (STARTTLS) or smtps://host:465
  std::string from;
  std::string username;
  Secret password;
  bool starttls = true;  // refuse to send unless the connection is encrypted
  std::string ca_file;   // PEM certificates that the mail server's certificate must chain to ("": the system's)

  template <class V>
  void visit(V& v) {
    v.field("smtp_url", smtp_url);
    v.field("from", from);
    v.field("username", username);
    v.field("password", password);
    v.field("starttls", starttls);
    v.field("ca_file", ca_file);
  }
};

struct S3Config {
  std::string endpoint = "https://s3.amazonaws.com";
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix = "incidents/";
  std::string access_key_id;
  Secret secret_access_key;
  int link_ttl_s = 86400;
  bool virtual_host = false;

  template <class V>
  void visit(V& v) {
    v.field("endpoint", endpoint);
    v.field("region", region);
    v.field("bucket", bucket);
    v.field("prefix", prefix);
    v.field("access_key_id", access_key_id);
    v.field("secret_access_key", secret_access_key);
    v.field("link_ttl_s", link_ttl_s, Range<int>{1, 604800});
    v.field("virtual_host", virtual_host);
  }
};

enum class DriveShare { Owner, Anyone };

struct GDriveConfig {
  std::string service_account_file;
  std::string folder_id;
  std::string api_base = "https://www.googleapis.com";
  std::string token_uri;  // empty: the key file's token_uri
  DriveShare share = DriveShare::Owner;

  template <class V>
  void visit(V& v) {
    v.field("service_account_file", service_account_file);
    v.field("folder_id", folder_id);
    v.field("api_base", api_base);
    v.field("token_uri", token_uri);
    v.field("share", share, Choices<DriveShare>{{{"owner", DriveShare::Owner}, {"anyone", DriveShare::Anyone}}});
  }
};

}  // namespace lockerctl::config
