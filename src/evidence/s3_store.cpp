#include "evidence/s3_store.hpp"

#include <fmt/format.h>

#include "core/fs.hpp"
#include "net/crypto.hpp"

namespace lockerctl::evidence {
namespace {

/// The text of <Tag>...</Tag> in an S3 error document, or "".
std::string xml_value(const std::string& body, const std::string& tag) {
  const auto start = body.find("<" + tag + ">");
  if (start == std::string::npos) return {};
  const auto from = start + tag.size() + 2;
  const auto end = body.find("</" + tag + ">", from);
  return end == std::string::npos ? std::string() : body.substr(from, end - from);
}

}  // namespace

S3Store::S3Store(S3Options options, std::function<std::time_t()> now)
    : o_(std::move(options)),
      credentials_{o_.access_key_id, o_.secret_access_key.reveal(), o_.region, "s3"},
      now_(std::move(now)) {}

S3Store::Target S3Store::target(const std::string& key) const {
  const net::Url base = net::parse_url(o_.endpoint);
  std::string base_path = base.path == "/" ? std::string() : base.path;
  if (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  Target t;
  if (o_.virtual_host) {
    t.host = o_.bucket + "." + base.authority;
    t.path = base_path + "/" + net::url_encode(key, true);
  } else {
    t.host = base.authority;
    t.path = base_path + "/" + net::url_encode(o_.bucket) + "/" + net::url_encode(key, true);
  }
  t.url = base.scheme + "://" + t.host + t.path;
  return t;
}

Stored S3Store::put(const std::filesystem::path& file, const std::string& object, const std::string&) {
  const std::string body = read_file(file);
  const std::string key = o_.prefix + object;
  const Target t = target(key);
  const std::string date = sigv4::amz_date(now_());
  const std::string hash = net::sha256_hex(body);
  const std::string type = media_type(file);
  sigv4::Request signed_part{"PUT", t.path, {},
                             {{"content-type", type},
                              {"host", t.host},
                              {"x-amz-content-sha256", hash},
                              {"x-amz-date", date}},
                             hash};
  net::Request r;
  r.method = "PUT";
  r.url = t.url;
  r.body = body;
  r.timeout_s = o_.timeout_s;
  r.headers = {{"Content-Type", type},
               {"x-amz-content-sha256", hash},
               {"x-amz-date", date},
               {"Authorization", sigv4::authorization(credentials_, date, signed_part)}};
  const net::Response response = net::send(r, "S3");
  if (response.status / 100 != 2) {
    const std::string code = xml_value(response.body, "Code");
    std::string hint;
    if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId") hint = " (check s3.access_key_id and s3.secret_access_key)";
    if (code == "NoSuchBucket") hint = " (check s3.bucket)";
    throw net::ServiceError(fmt::format("S3 at {} refused the upload of {}: HTTP {} {}{}", o_.endpoint, key,
                                        response.status, code.empty() ? response.body.substr(0, 120) : code, hint),
                            net::retry_after(response));
  }
  return {name(), "s3://" + o_.bucket + "/" + key, hash};
}

std::string S3Store::link(const Stored& stored) {
  const std::string prefix = "s3://" + o_.bucket + "/";
  if (stored.location.rfind(prefix, 0) != 0) {
    throw net::ServiceError(fmt::format("S3: {} is not in bucket {} (s3.bucket changed?)", stored.location, o_.bucket));
  }
  const Target t = target(stored.location.substr(prefix.size()));
  return t.url + "?" + sigv4::presigned_query(credentials_, sigv4::amz_date(now_()), t.host, t.path, o_.link_ttl_s);
}

}  // namespace lockerctl::evidence
