#include "evidence/gdrive_store.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// Drive takes a multipart upload of up to 5 MB; a larger file needs a resumable upload.
constexpr std::size_t kMultipartLimit = 5 * 1000 * 1000;

/// The id of the file a finished upload made; ServiceError naming `what` otherwise.
std::string new_file_id(const net::Response& r, const std::string& api_base, const std::string& what) {
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if ((r.status != 200 && r.status != 201) || !j.is_object() || !j.contains("id") || !j["id"].is_string()) {
    throw net::ServiceError(fmt::format("Google Drive at {} refused {}: HTTP {} {}", api_base, what, r.status, error_text(r.body)),
                            net::retry_after(r));
  }
  return j["id"].get<std::string>();
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

net::Response DriveStore::call(const std::string& method, const std::string& url, const std::string& content_type,
                               const std::string& body, const net::Fields& headers) {
  for (bool renew : {false, true}) {
    net::Request r;
    r.method = method;
    r.url = url;
    r.body = body;
    r.timeout_s = o_.timeout_s;
    r.headers = {{"Authorization", "Bearer " + token(renew)}, {"Content-Type", content_type}};
    r.headers.insert(r.headers.end(), headers.begin(), headers.end());
    net::Response response = net::send(r, "Google Drive");
    if (response.status == 401 && !renew) continue;  // the token was revoked or expired early
    return response;
  }
  return {};  // not reached: the second pass always returns
}

std::string DriveStore::upload_multipart(const std::string& name, const nlohmann::json& metadata, const std::string& bytes) {
  const std::string boundary = "lockerctl-" + net::random_hex(12);
  const std::string body = "--" + boundary + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" + metadata.dump() +
                           "\r\n--" + boundary + "\r\nContent-Type: " + metadata["mimeType"].get<std::string>() + "\r\n\r\n" +
                           bytes + "\r\n--" + boundary + "--\r\n";
  const net::Response up = call("POST", o_.api_base + "/upload/drive/v3/files?uploadType=multipart&supportsAllDrives=true&fields=id",
                                "multipart/related; boundary=" + boundary, body);
  return new_file_id(up, o_.api_base, "the upload of " + name);
}

std::string DriveStore::upload_resumable(const std::string& name, const nlohmann::json& metadata, const std::string& bytes) {
  const std::string type = metadata["mimeType"].get<std::string>();
  const std::string total = std::to_string(bytes.size());
  const net::Response start = call("POST", o_.api_base + "/upload/drive/v3/files?uploadType=resumable&supportsAllDrives=true&fields=id",
                                   "application/json; charset=UTF-8", metadata.dump(),
                                   {{"X-Upload-Content-Type", type}, {"X-Upload-Content-Length", total}});
  const std::string session = start.header("location");
  if (start.status != 200 || session.empty()) {
    throw net::ServiceError(fmt::format("Google Drive at {} refused to start the upload of {}: HTTP {} {}", o_.api_base, name,
                                        start.status, start.status == 200 ? "no upload address" : error_text(start.body)),
                            net::retry_after(start));
  }
  // Chunks in order; after a lost or failed reply, ask Drive how much it has and go on from there.
  std::size_t sent = 0;
  int stalls = 0;
  std::string trouble;
  for (;;) {
    net::Response r;
    const std::size_t end = std::min(sent + o_.chunk_bytes, bytes.size());
    try {
      if (trouble.empty()) {
        r = call("PUT", session, type, bytes.substr(sent, end - sent),
                 {{"Content-Range", fmt::format("bytes {}-{}/{}", sent, end - 1, total)}});
      } else {
        r = call("PUT", session, type, "", {{"Content-Range", "bytes */" + total}});
      }
    } catch (const net::ServiceError& e) {
      r.status = 0;
      r.body = e.what();
    }
    if (r.status == 200 || r.status == 201) return new_file_id(r, o_.api_base, "the upload of " + name);
    if (r.status == 308) {  // "Range: bytes=0-N": it has N + 1 bytes; no Range: none yet
      const std::string range = r.header("range");
      const auto dash = range.rfind('-');
      const std::size_t has = dash == std::string::npos ? 0 : std::stoull(range.substr(dash + 1)) + 1;
      stalls = has > sent ? 0 : stalls + 1;
      sent = has;
      trouble.clear();
    } else if (r.status == 0 || r.status >= 500) {
      trouble = r.status == 0 ? r.body : fmt::format("HTTP {} {}", r.status, error_text(r.body));
      ++stalls;
    } else {
      throw net::ServiceError(fmt::format("Google Drive at {} refused the upload of {} at byte {}: HTTP {} {}", o_.api_base, name,
                                          sent, r.status, error_text(r.body)), net::retry_after(r));
    }
    if (stalls > 4) {  // two failures in a row with nothing taken
      throw net::ServiceError(fmt::format("Google Drive at {}: the upload of {} made no progress at byte {} of {}: {}", o_.api_base,
                                          name, sent, total, trouble.empty() ? "no bytes taken" : trouble), net::retry_after(r));
    }
  }
}

Stored DriveStore::put(const std::filesystem::path& file, const std::string& object, const std::string& reader) {
  const std::string bytes = read_file(file);
  std::string name = object;
  for (char& c : name) c = c == '/' ? '_' : c;
  const nlohmann::json metadata = {{"name", name}, {"parents", {o_.folder_id}}, {"mimeType", media_type(file)}};
  const std::string id = bytes.size() <= kMultipartLimit ? upload_multipart(name, metadata, bytes)
                                                         : upload_resumable(name, metadata, bytes);
  nlohmann::json permission = {{"role", "reader"}};
  if (o_.share_with_anyone) {
    permission["type"] = "anyone";
  } else if (!reader.empty()) {
    permission["type"] = "user";
    permission["emailAddress"] = reader;
  }
  if (permission.contains("type")) {
    const net::Response shared =
        call("POST", fmt::format("{}/drive/v3/files/{}/permissions?sendNotificationEmail=false&supportsAllDrives=true", o_.api_base,
                                 net::url_encode(id)),
             "application/json", permission.dump());
    if (shared.status != 200) {
      // The job will upload again: remove this copy so that only one stays (best effort).
      try {
        call("DELETE", fmt::format("{}/drive/v3/files/{}?supportsAllDrives=true", o_.api_base, net::url_encode(id)), "", "");
      } catch (const net::ServiceError&) {
      }
      throw net::ServiceError(fmt::format("Google Drive at {} refused to share {} with {}: HTTP {} {}", o_.api_base, name,
                                          o_.share_with_anyone ? "anyone with the link" : reader, shared.status,
                                          error_text(shared.body)), net::retry_after(shared));
    }
  }
  return {this->name(), "gdrive:" + id, net::sha256_hex(bytes)};
}

std::string DriveStore::link(const Stored& stored) {
  if (stored.location.rfind("gdrive:", 0) != 0) throw net::ServiceError("Google Drive: " + stored.location + " is not a Drive file");
  return "https://drive.google.com/file/d/" + stored.location.substr(7) + "/view";
}

}  // namespace lockerctl::evidence
