#include "support/stand_ins.hpp"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace lockerctl::test {
namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    out += b;
  }
  return out;
}

std::string hmac_raw(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string aws_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::string("-_.~").find(static_cast<char>(c)) != std::string::npos) {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> split_form(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, '&')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    out.emplace_back(percent_decode(item.substr(0, eq)), eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1)));
  }
  return out;
}

std::string form_value(const std::vector<std::pair<std::string, std::string>>& form, const std::string& name) {
  for (const auto& [n, v] : form) {
    if (n == name) return v;
  }
  return {};
}

std::string base64url_decode(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                                static_cast<int>(s.size()));
  if (n < 0) return {};
  out.resize(static_cast<std::size_t>(n) - std::count(s.end() - 2, s.end(), '='));
  return out;
}

std::string base64_encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()));
  return out;
}

std::string trim(const std::string& v) {
  const auto a = v.find_first_not_of(" \t");
  return a == std::string::npos ? std::string() : v.substr(a, v.find_last_not_of(" \t") - a + 1);
}

void s3_error(httplib::Response& res, int status, const std::string& code) {
  res.status = status;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + code +
                      "</Message></Error>",
                  "application/xml");
}

/// Checks an S3 request's SigV4 signature as S3 does; returns "" or the S3 error code.
std::string check_sigv4(const httplib::Request& req) {
  const std::string target = req.target;
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  auto query = split_form(q == std::string::npos ? "" : target.substr(q + 1));
  std::string credential, signed_headers, signature, amz_date, payload_hash;
  const bool presigned = !form_value(query, "X-Amz-Signature").empty();
  if (presigned) {
    credential = form_value(query, "X-Amz-Credential");
    signed_headers = form_value(query, "X-Amz-SignedHeaders");
    signature = form_value(query, "X-Amz-Signature");
    amz_date = form_value(query, "X-Amz-Date");
    payload_hash = "UNSIGNED-PAYLOAD";
    query.erase(std::remove_if(query.begin(), query.end(), [](const auto& p) { return p.first == "X-Amz-Signature"; }), query.end());
    std::tm tm{};
    strptime(amz_date.c_str(), "%Y%m%dT%H%M%SZ", &tm);
    if (timegm(&tm) + std::stol(form_value(query, "X-Amz-Expires")) < std::time(nullptr)) return "AccessDenied";
  } else {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("AWS4-HMAC-SHA256 ", 0) != 0) return "AccessDenied";
    std::stringstream parts(auth.substr(17));
    std::string part;
    while (std::getline(parts, part, ',')) {
      part = trim(part);
      const auto eq = part.find('=');
      const std::string name = part.substr(0, eq), value = part.substr(eq + 1);
      if (name == "Credential") credential = value;
      if (name == "SignedHeaders") signed_headers = value;
      if (name == "Signature") signature = value;
    }
    amz_date = req.get_header_value("x-amz-date");
    payload_hash = req.get_header_value("x-amz-content-sha256");
    if (payload_hash != sha256_hex(req.body)) return "XAmzContentSHA256Mismatch";
  }
  std::vector<std::string> scope;
  std::stringstream cs(credential);
  for (std::string s; std::getline(cs, s, '/');) scope.push_back(s);
  if (scope.size() != 5 || scope[0] != S3StandIn::kKeyId) return "InvalidAccessKeyId";
  if (scope[2] != S3StandIn::kRegion || scope[3] != "s3" || scope[4] != "aws4_request" || amz_date.substr(0, 8) != scope[1]) {
    return "AuthorizationHeaderMalformed";
  }
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [n, v] : query) encoded.emplace_back(aws_encode(n), aws_encode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string canonical_query;
  for (const auto& [n, v] : encoded) canonical_query += (canonical_query.empty() ? "" : "&") + n + "=" + v;
  std::string headers;
  std::stringstream hs(signed_headers);
  for (std::string h; std::getline(hs, h, ';');) headers += h + ":" + trim(req.get_header_value(h.c_str())) + "\n";
  if (signed_headers.find("host") == std::string::npos) return "AccessDenied";
  const std::string canonical = req.method + "\n" + path + "\n" + canonical_query + "\n" + headers + "\n" + signed_headers + "\n" + payload_hash;
  const std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope[1] + "/" + scope[2] + "/s3/aws4_request\n" + sha256_hex(canonical);
  std::string key = hmac_raw(std::string("AWS4") + S3StandIn::kSecret, scope[1]);
  key = hmac_raw(hmac_raw(hmac_raw(key, scope[2]), "s3"), "aws4_request");
  const std::string expected = hmac_raw(key, to_sign);
  return to_hex(reinterpret_cast<const unsigned char*>(expected.data()), expected.size()) == signature ? "" : "SignatureDoesNotMatch";
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
  return to_hex(out, n);
}

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
  const std::string raw = hmac_raw(key, data);
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

StandIn::~StandIn() { stop(); }

void StandIn::start(int port) {
  stop();
  server_ = std::make_unique<httplib::Server>();
  server_->set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    if (const int ms = delay_ms_; ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return httplib::Server::HandlerResponse::Unhandled;
  });
  routes(*server_);
  if (port == 0) port = port_;
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else {
    // The port of an earlier start may still be in TIME_WAIT for a moment.
    for (int i = 0; i < 100 && !server_->bind_to_port("127.0.0.1", port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    port_ = port;
  }
  if (port_ <= 0) throw std::runtime_error("stand-in: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void StandIn::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::vector<TwilioStandIn::Sms> TwilioStandIn::messages() {
  std::lock_guard lock(mutex_);
  return messages_;
}

void TwilioStandIn::rate_limit(int n, int seconds) {
  std::lock_guard lock(mutex_);
  limited_ = n;
  retry_after_ = seconds;
}

void TwilioStandIn::routes(httplib::Server& server) {
  server.Post(R"(/2010-04-01/Accounts/([^/]+)/Messages\.json)", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::lock_guard lock(mutex_);
    const auto error = [&](int status, int code, const std::string& message) {
      res.status = status;
      res.set_content(nlohmann::json{{"code", code}, {"message", message},
                                     {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)}, {"status", status}}
                          .dump(),
                      "application/json");
    };
    const std::string expected = "Basic " + base64_encode(std::string(kSid) + ":" + kToken);
    if (req.matches[1] != kSid || req.get_header_value("Authorization") != expected) return error(401, 20003, "Authenticate");
    if (limited_ > 0) {
      --limited_;
      res.set_header("Retry-After", std::to_string(retry_after_));
      return error(429, 20429, "Too Many Requests");
    }
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
      return error(400, 20001, "Content-Type must be application/x-www-form-urlencoded");
    }
    const auto form = split_form(req.body);
    Sms sms{form_value(form, "To"), form_value(form, "From"), form_value(form, "Body"), form_value(form, "MediaUrl"),
            std::chrono::steady_clock::now()};
    if (sms.to.empty() || sms.to[0] != '+' || sms.to.find_first_not_of("+0123456789") != std::string::npos) {
      return error(400, 21211, "Invalid 'To' Phone Number");
    }
    if (sms.from.empty()) return error(400, 21603, "A 'From' phone number is required.");
    if (sms.body.empty() && sms.media_url.empty()) return error(400, 21602, "Message body is required.");
    messages_.push_back(sms);
    res.status = 201;
    res.set_content(nlohmann::json{{"sid", "SM" + std::string(32 - std::to_string(messages_.size()).size(), '0') + std::to_string(messages_.size())},
                                   {"account_sid", kSid}, {"to", sms.to}, {"from", sms.from}, {"body", sms.body}, {"status", "queued"}}
                        .dump(),
                    "application/json");
  });
}

std::map<std::string, std::string> S3StandIn::objects() {
  std::lock_guard lock(mutex_);
  return objects_;
}

void S3StandIn::slow_down(int n) {
  std::lock_guard lock(mutex_);
  slow_ = n;
}

void S3StandIn::routes(httplib::Server& server) {
  const std::string pattern = std::string("/") + kBucket + "/(.+)";
  server.Put(pattern, [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (const std::string why = check_sigv4(req); !why.empty()) return s3_error(res, why == "XAmzContentSHA256Mismatch" ? 400 : 403, why);
    if (slow_ > 0) {
      --slow_;
      return s3_error(res, 503, "SlowDown");
    }
    objects_[percent_decode(req.matches[1])] = req.body;
    res.set_header("ETag", "\"" + sha256_hex(req.body).substr(0, 32) + "\"");
    res.status = 200;
  });
  server.Get(pattern, [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (const std::string why = check_sigv4(req); !why.empty()) return s3_error(res, 403, why);
    const auto found = objects_.find(percent_decode(req.matches[1]));
    if (found == objects_.end()) return s3_error(res, 404, "NoSuchKey");
    res.set_content(found->second, "image/jpeg");
  });
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::deliveries() {
  std::lock_guard lock(mutex_);
  return deliveries_;
}
int WebhookReceiver::duplicates() {
  std::lock_guard lock(mutex_);
  return duplicates_;
}
int WebhookReceiver::rejected() {
  std::lock_guard lock(mutex_);
  return rejected_;
}

void WebhookReceiver::routes(httplib::Server& server) {
  server.Post("/hooks/lockerctl", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    const bool authentic = req.get_header_value("X-Lockerctl-Signature") == "sha256=" + hmac_sha256_hex(kSecret, req.body);
    const bool fresh = body.is_object() && std::llabs(body.value("timestamp", 0LL) - static_cast<long long>(std::time(nullptr))) < 300 &&
                       req.get_header_value("X-Lockerctl-Timestamp") == std::to_string(body.value("timestamp", 0LL)) &&
                       req.get_header_value("X-Lockerctl-Delivery") == body.value("id", "");
    if (!authentic || !fresh || req.get_header_value("Content-Type") != "application/json") {
      ++rejected_;
      res.status = 401;
      return;
    }
    const std::string id = body["id"];
    if (!seen_.insert(id).second) {
      ++duplicates_;
    } else {
      deliveries_.push_back({id, body.value("owner", ""), body.value("attempt", ""), body.value("text", ""), body.value("photo_url", "")});
    }
    res.status = 204;
  });
}

DriveStandIn::DriveStandIn() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* p = nullptr;
  private_pem_.assign(p, BIO_get_mem_data(priv, &p));
  public_pem_.assign(p, BIO_get_mem_data(pub, &p));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
}

std::string DriveStandIn::key_file_json() const {
  return nlohmann::json{{"type", "service_account"}, {"project_id", "test-project"}, {"private_key_id", "kid-1"},
                        {"private_key", private_pem_}, {"client_email", kClientEmail}, {"token_uri", base() + "/token"}}
      .dump(2);
}

std::map<std::string, DriveStandIn::File> DriveStandIn::files() {
  std::lock_guard lock(mutex_);
  return files_;
}
int DriveStandIn::tokens_issued() {
  std::lock_guard lock(mutex_);
  return issued_;
}
void DriveStandIn::revoke_tokens() {
  std::lock_guard lock(mutex_);
  tokens_.clear();
}
void DriveStandIn::refuse_tokens() {
  std::lock_guard lock(mutex_);
  refuse_ = true;
}

void DriveStandIn::lose_reply_to_chunk(int n) {
  std::lock_guard lock(mutex_);
  lose_reply_in_ = n;
}
void DriveStandIn::refuse_chunks() {
  std::lock_guard lock(mutex_);
  refuse_chunks_ = true;
}
std::vector<std::string> DriveStandIn::session_requests() {
  std::lock_guard lock(mutex_);
  return session_requests_;
}

void DriveStandIn::routes(httplib::Server& server) {
  const auto google_error = [](httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(nlohmann::json{{"error", {{"code", status}, {"message", message}}}}.dump(), "application/json");
  };
  server.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto form = split_form(req.body);
    const auto refuse = [&](const std::string& why) {
      res.status = 400;
      res.set_content(nlohmann::json{{"error", "invalid_grant"}, {"error_description", why}}.dump(), "application/json");
    };
    if (form_value(form, "grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer") return refuse("unsupported grant_type");
    const std::string jwt = form_value(form, "assertion");
    const auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
    if (dot1 == std::string::npos || dot1 == dot2) return refuse("not a JWT");
    const auto header = nlohmann::json::parse(base64url_decode(jwt.substr(0, dot1)), nullptr, false);
    const auto claims = nlohmann::json::parse(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)), nullptr, false);
    const std::string signature = base64url_decode(jwt.substr(dot2 + 1));
    BIO* bio = BIO_new_mem_buf(public_pem_.data(), static_cast<int>(public_pem_.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const std::string signed_part = jwt.substr(0, dot2);
    const bool valid = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                       EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                        reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    BIO_free(bio);
    if (!valid || !header.is_object() || header.value("alg", "") != "RS256") return refuse("Invalid JWT Signature.");
    const long long now = std::time(nullptr);
    if (!claims.is_object() || claims.value("iss", "") != kClientEmail || claims.value("aud", "") != base() + "/token" ||
        claims.value("scope", "").find("https://www.googleapis.com/auth/drive") != 0 || claims.value("iat", 0LL) > now + 60 ||
        claims.value("exp", 0LL) <= now || claims.value("exp", 0LL) - claims.value("iat", 0LL) > 3600) {
      return refuse("Invalid JWT: claims");
    }
    const std::string token = "ya29.test-" + std::to_string(++issued_);
    tokens_.insert(token);
    res.set_content(nlohmann::json{{"access_token", token}, {"expires_in", 3599}, {"token_type", "Bearer"}}.dump(), "application/json");
  });
  const auto authorized = [this](const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    return !refuse_ && auth.rfind("Bearer ", 0) == 0 && tokens_.count(auth.substr(7)) > 0;
  };
  server.Post("/upload/drive/v3/files", [this, authorized, google_error](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (!authorized(req)) return google_error(res, 401, "Request had invalid authentication credentials.");
    if (req.get_param_value("uploadType") == "resumable") {
      // The metadata now, the bytes later, in chunks, at the session address in Location.
      const auto metadata = nlohmann::json::parse(req.body, nullptr, false);
      const std::string length = req.get_header_value("X-Upload-Content-Length");
      if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0 || !metadata.is_object()) {
        return google_error(res, 400, "expected JSON metadata");
      }
      if (!metadata.contains("parents") || metadata["parents"].size() != 1) return google_error(res, 400, "metadata needs one parent");
      if (metadata["parents"][0] != kFolder) return google_error(res, 404, "File not found: parent folder.");
      if (req.get_header_value("X-Upload-Content-Type") != metadata.value("mimeType", std::string("?"))) {
        return google_error(res, 400, "X-Upload-Content-Type is not the metadata's mimeType");
      }
      if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos) {
        return google_error(res, 400, "X-Upload-Content-Length must be the file's size");
      }
      const std::string id = "session-" + std::to_string(sessions_.size() + 1);
      sessions_[id] = {metadata, std::stoul(length), {}};
      res.set_header("Location", base() + "/upload/drive/v3/files?uploadType=resumable&upload_id=" + id);
      return;
    }
    if (req.get_param_value("uploadType") != "multipart") return google_error(res, 400, "uploadType must be multipart or resumable");
    const std::string type = req.get_header_value("Content-Type");
    const auto b = type.find("boundary=");
    if (type.rfind("multipart/related", 0) != 0 || b == std::string::npos) return google_error(res, 400, "expected multipart/related");
    const std::string delimiter = "--" + type.substr(b + 9);
    std::vector<std::pair<std::string, std::string>> parts;  // headers, content
    std::size_t at = req.body.find(delimiter);
    while (at != std::string::npos) {
      const std::size_t start = at + delimiter.size();
      if (req.body.compare(start, 2, "--") == 0) break;
      const std::size_t next = req.body.find("\r\n" + delimiter, start);
      if (next == std::string::npos) return google_error(res, 400, "unterminated multipart body");
      const std::string part = req.body.substr(start + 2, next - start - 2);
      const auto split = part.find("\r\n\r\n");
      if (split == std::string::npos) return google_error(res, 400, "a part without headers");
      parts.emplace_back(part.substr(0, split), part.substr(split + 4));
      at = next + 2;
    }
    if (parts.size() != 2 || parts[0].first.find("Content-Type: application/json") == std::string::npos) {
      return google_error(res, 400, "expected a JSON metadata part and one media part");
    }
    const auto metadata = nlohmann::json::parse(parts[0].second, nullptr, false);
    if (!metadata.is_object() || !metadata.contains("parents") || metadata["parents"].size() != 1) {
      return google_error(res, 400, "metadata needs one parent");
    }
    if (parts[1].first.find("Content-Type: " + metadata.value("mimeType", std::string("?"))) == std::string::npos) {
      return google_error(res, 400, "the media part's Content-Type is not the metadata's mimeType");
    }
    if (metadata["parents"][0] != kFolder) return google_error(res, 404, "File not found: parent folder.");
    const std::string id = "file-" + std::to_string(++uploads_);
    files_[id] = {metadata.value("name", ""), kFolder, parts[1].second, {}};
    res.set_content(nlohmann::json{{"id", id}}.dump(), "application/json");
  });
  server.Put("/upload/drive/v3/files", [this, google_error](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto found = sessions_.find(req.get_param_value("upload_id"));
    if (found == sessions_.end()) return google_error(res, 404, "No such upload session.");
    Session& session = found->second;
    const std::string range = req.get_header_value("Content-Range");
    const std::string total = "/" + std::to_string(session.length);
    const auto progress = [&] {  // 308 Resume Incomplete, with what has arrived
      res.status = 308;
      if (!session.bytes.empty()) res.set_header("Range", "bytes=0-" + std::to_string(session.bytes.size() - 1));
    };
    const auto made = [&] { res.set_content(nlohmann::json{{"id", session.file}}.dump(), "application/json"); };
    if (range == "bytes *" + total) {
      if (!req.body.empty()) return google_error(res, 400, "a status query has no body");
      session_requests_.push_back("query");
      return session.file.empty() ? progress() : made();  // a finished upload answers with its file
    }
    if (!session.file.empty()) return google_error(res, 400, "the upload is finished");
    std::size_t first = 0, last = 0;
    char slash = 0;
    std::istringstream in(range.rfind("bytes ", 0) == 0 ? range.substr(6) : std::string());
    char dash = 0;
    if (!(in >> first >> dash >> last >> slash) || dash != '-' || slash != '/' || range.substr(range.find('/')) != total) {
      return google_error(res, 400, "bad Content-Range '" + range + "'");
    }
    if (first != session.bytes.size()) return google_error(res, 400, "a chunk must start where the last one ended");
    if (last < first || last - first + 1 != req.body.size() || last >= session.length) {
      return google_error(res, 400, "Content-Range does not match the body");
    }
    const bool final = last + 1 == session.length;
    if (!final && req.body.size() % (256 * 1024) != 0) return google_error(res, 400, "a chunk other than the last must be a multiple of 256 KiB");
    if (req.get_header_value("Content-Type") != session.metadata.value("mimeType", std::string("?"))) {
      return google_error(res, 400, "the chunk's Content-Type is not the file's");
    }
    session_requests_.push_back("chunk " + std::to_string(first) + "-" + std::to_string(last));
    if (refuse_chunks_) return google_error(res, 503, "Service Unavailable");
    session.bytes += req.body;
    if (final) {
      session.file = "file-" + std::to_string(++uploads_);
      files_[session.file] = {session.metadata.value("name", ""), kFolder, session.bytes, {}};
    }
    if (lose_reply_in_ > 0 && --lose_reply_in_ == 0) return google_error(res, 503, "Service Unavailable");
    return final ? made() : progress();
  });
  server.Post(R"(/drive/v3/files/([^/]+)/permissions)", [this, authorized, google_error](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (!authorized(req)) return google_error(res, 401, "Request had invalid authentication credentials.");
    const auto file = files_.find(req.matches[1]);
    if (file == files_.end()) return google_error(res, 404, "File not found.");
    const auto p = nlohmann::json::parse(req.body, nullptr, false);
    if (!p.is_object() || p.value("role", "") != "reader") return google_error(res, 400, "role must be reader here");
    if (p.value("type", "") == "user" && p.value("emailAddress", "").find('@') != std::string::npos) {
      file->second.readers.push_back(p["emailAddress"]);
    } else if (p.value("type", "") == "anyone") {
      file->second.readers.push_back("anyone");
    } else {
      return google_error(res, 400, "Invalid permission type or address.");
    }
    res.set_content(nlohmann::json{{"kind", "drive#permission"}, {"id", "perm-1"}}.dump(), "application/json");
  });
  server.Delete(R"(/drive/v3/files/([^/]+))", [this, authorized, google_error](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (!authorized(req)) return google_error(res, 401, "Request had invalid authentication credentials.");
    if (files_.erase(req.matches[1]) == 0) return google_error(res, 404, "File not found.");
    res.status = 204;
  });
}

}  // namespace lockerctl::test
