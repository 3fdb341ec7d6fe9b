#include "evidence/gdrive_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"

namespace lockerctl::evidence {
namespace {

constexpr const char* kScope = "https://www.googleapis.com/auth/drive.file";
constexpr const char* kDefaultTokenUri = "https://oauth2.googleapis.com/token";

std::string error_text(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_object() && j["error"].contains("message")) return j["error"]["message"].get<std::string>();
    if (j.contains("error_description")) return j["error_description"].get<std::string>();
    if (j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  }
  return body.substr(0, 120);
}

}  // namespace

ServiceAccount read_service_account(const std::filesystem::path& file) {
  const auto j = nlohmann::json::parse(read_private_file(file), nullptr, false);
  if (!j.is_object() || j.value("type", "") != "service_account" || !j.contains("client_email") || !j.contains("private_key")) {
    throw DataError(file.string() + ": not a Google service-account key file (need type service_account, client_email, private_key)");
  }
  return {j["client_email"].get<std::string>(), j["private_key"].get<std::string>(), j.value("private_key_id", ""),
          j.value("token_uri", "")};
}

DriveStore::DriveStore(DriveOptions options, std::function<std::time_t()> now) : o_(std::move(options)), now_(std::move(now)) {
  if (o_.token_uri.empty()) o_.token_uri = o_.account.token_uri.empty() ? kDefaultTokenUri : o_.account.token_uri;
}

std::string DriveStore::token(bool renew) {
  std::lock_guard lock(mutex_);
  const std::time_t now = now_();
  if (!renew && !token_.empty() && now + 60 < token_expires_) return token_;
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!o_.account.private_key_id.empty()) header["kid"] = o_.account.private_key_id;
  const nlohmann::json claims = {{"iss", o_.account.client_email}, {"scope", kScope}, {"aud", o_.token_uri},
                                 {"iat", now}, {"exp", now + 3600}};
  const std::string unsigned_jwt = net::base64url(header.dump()) + "." + net::base64url(claims.dump());
  std::string jwt;
  try {
    jwt = unsigned_jwt + "." + net::base64url(net::rs256_sign(o_.account.private_key, unsigned_jwt));
  } catch (const std::invalid_argument& e) {
    throw net::ServiceError(fmt::format("Google Drive: service account {}: {}", o_.account.client_email, e.what()));
  }
  net::Request r;
  r.method = "POST";
  r.url = o_.token_uri;
  r.timeout_s = o_.timeout_s;
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = net::form_encode({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", jwt}});
  const net::Response response = net::send(r, "Google OAuth2");
  const auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200 || !j.is_object() || !j.contains("access_token")) {
    throw net::ServiceError(fmt::format("Google OAuth2 at {} refused the token for {}: HTTP {} {}", o_.token_uri,
                                        o_.account.client_email, response.status, error_text(response.body)),
                            net::retry_after(response));
  }
  token_ = j["access_token"].get<std::string>();
  token_expires_ = now + j.value("expires_in", 3600);
  return token_;
}

DriveStore::Reply DriveStore::call(const std::string& method, const std::string& url, const std::string& content_type,
                                   const std::string& body) {
  for (bool renew : {false, true}) {
    net::Request r;
    r.method = method;
    r.url = url;
    r.body = body;
    r.timeout_s = o_.timeout_s;
    r.headers = {{"Authorization", "Bearer " + token(renew)}, {"Content-Type", content_type}};
    const net::Response response = net::send(r, "Google Drive");
    if (response.status == 401 && !renew) continue;  // the token was revoked or expired early
    return {response.status, response.body, net::retry_after(response)};
  }
  return {};  // not reached: the second pass always returns
}

Stored DriveStore::put(const std::filesystem::path& file, const std::string& object, const std::string& reader) {
  const std::string bytes = read_file(file);
  std::string name = object;
  for (char& c : name) c = c == '/' ? '_' : c;
  const std::string type = media_type(file);
  const nlohmann::json metadata = {{"name", name}, {"parents", {o_.folder_id}}, {"mimeType", type}};
  const std::string boundary = "lockerctl-" + net::random_hex(12);
  const std::string body = "--" + boundary + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" + metadata.dump() +
                           "\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
  const Reply up = call("POST", o_.api_base + "/upload/drive/v3/files?uploadType=multipart&supportsAllDrives=true&fields=id",
                        "multipart/related; boundary=" + boundary, body);
  const auto j = nlohmann::json::parse(up.body, nullptr, false);
  if (up.status != 200 || !j.is_object() || !j.contains("id")) {
    throw net::ServiceError(fmt::format("Google Drive at {} refused the upload of {}: HTTP {} {}", o_.api_base, name,
                                        up.status, error_text(up.body)), up.retry_after);
  }
  const std::string id = j["id"].get<std::string>();
  nlohmann::json permission = {{"role", "reader"}};
  if (o_.share_with_anyone) {
    permission["type"] = "anyone";
  } else if (!reader.empty()) {
    permission["type"] = "user";
    permission["emailAddress"] = reader;
  }
  if (permission.contains("type")) {
    const Reply shared = call("POST", fmt::format("{}/drive/v3/files/{}/permissions?sendNotificationEmail=false&supportsAllDrives=true",
                                                  o_.api_base, net::url_encode(id)),
                              "application/json", permission.dump());
    if (shared.status != 200) {
      // The job will upload again: remove this copy so that only one stays (best effort).
      try {
        call("DELETE", fmt::format("{}/drive/v3/files/{}?supportsAllDrives=true", o_.api_base, net::url_encode(id)), "", "");
      } catch (const net::ServiceError&) {
      }
      throw net::ServiceError(fmt::format("Google Drive at {} refused to share {} with {}: HTTP {} {}", o_.api_base, name,
                                          o_.share_with_anyone ? "anyone with the link" : reader, shared.status,
                                          error_text(shared.body)), shared.retry_after);
    }
  }
  return {this->name(), "gdrive:" + id, net::sha256_hex(bytes)};
}

std::string DriveStore::link(const Stored& stored) {
  if (stored.location.rfind("gdrive:", 0) != 0) throw net::ServiceError("Google Drive: " + stored.location + " is not a Drive file");
  return "https://drive.google.com/file/d/" + stored.location.substr(7) + "/view";
}

}  // namespace lockerctl::evidence
