#include "evidence/sigv4.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "net/crypto.hpp"

namespace lockerctl::evidence::sigv4 {
namespace {

std::string scope(const Credentials& key, const std::string& amz_date) {
  return fmt::format("{}/{}/{}/aws4_request", amz_date.substr(0, 8), key.region, key.service);
}

std::string trim(const std::string& value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

net::Fields sorted_headers(net::Fields headers) {
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string signed_header_names(const net::Fields& sorted) {
  std::string names;
  for (const auto& [name, value] : sorted) names += (names.empty() ? "" : ";") + name;
  return names;
}

}  // namespace

std::string amz_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[20];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &tm);
  return out;
}

std::string canonical_query(const net::Fields& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query) encoded.emplace_back(net::url_encode(name), net::url_encode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

std::string canonical_request(const Request& r) {
  const net::Fields headers = sorted_headers(r.headers);
  std::string canonical_headers;
  for (const auto& [name, value] : headers) canonical_headers += name + ":" + trim(value) + "\n";
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", r.method, r.path, canonical_query(r.query), canonical_headers,
                     signed_header_names(headers), r.payload_hash);
}

std::string string_to_sign(const Credentials& key, const std::string& amz_date, const std::string& canonical) {
  return fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope(key, amz_date), net::sha256_hex(canonical));
}

std::string signature(const Credentials& key, const std::string& amz_date, const std::string& to_sign) {
  const std::string date_key = net::hmac_sha256("AWS4" + key.secret_access_key, amz_date.substr(0, 8));
  const std::string region_key = net::hmac_sha256(date_key, key.region);
  const std::string service_key = net::hmac_sha256(region_key, key.service);
  const std::string signing_key = net::hmac_sha256(service_key, "aws4_request");
  return net::hex(net::hmac_sha256(signing_key, to_sign));
}

std::string authorization(const Credentials& key, const std::string& amz_date, const Request& request) {
  const std::string sig = signature(key, amz_date, string_to_sign(key, amz_date, canonical_request(request)));
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}", key.access_key_id,
                     scope(key, amz_date), signed_header_names(sorted_headers(request.headers)), sig);
}

std::string presigned_query(const Credentials& key, const std::string& amz_date, const std::string& host,
                            const std::string& path, long expires_s) {
  Request r{"GET", path, {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                          {"X-Amz-Credential", key.access_key_id + "/" + scope(key, amz_date)},
                          {"X-Amz-Date", amz_date},
                          {"X-Amz-Expires", std::to_string(expires_s)},
                          {"X-Amz-SignedHeaders", "host"}},
            {{"host", host}}, "UNSIGNED-PAYLOAD"};
  const std::string sig = signature(key, amz_date, string_to_sign(key, amz_date, canonical_request(r)));
  return canonical_query(r.query) + "&X-Amz-Signature=" + sig;
}

}  // namespace lockerctl::evidence::sigv4
