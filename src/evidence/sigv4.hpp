#pragma once

// AWS Signature Version 4, as S3 and S3-compatible stores (MinIO, Ceph, GCS interoperability)
// check it: the Authorization header of a request, and the query string of a pre-signed URL.
// Written from AWS's "Signature Calculations for the Authorization Header" and "Authenticating
// Requests: Using Query Parameters" pages; tests/evidence reproduces their worked examples.

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "net/http.hpp"

namespace lockerctl::evidence::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;
  std::string service = "s3";
};

struct Request {
  std::string method;
  std::string path;        ///< URI-encoded once, as sent ("/test%24file.text")
  net::Fields query;       ///< decoded names and values; sorted and encoded here
  net::Fields headers;     ///< every signed header, names in lower case, including host
  std::string payload_hash;  ///< hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

/// "20130524T000000Z" for `t`.
std::string amz_date(std::time_t t);

/// Sorted, encoded "a=1&b=2" (names and values percent-encoded the AWS way).
std::string canonical_query(const net::Fields& query);

/// The canonical request: method, path, query, headers, signed header names, payload hash.
std::string canonical_request(const Request& request);

/// "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex SHA-256 of the canonical request>".
std::string string_to_sign(const Credentials& key, const std::string& amz_date, const std::string& canonical);

/// The hex signature of `string_to_sign` under the key derived from the secret, date, region and
/// service.
std::string signature(const Credentials& key, const std::string& amz_date, const std::string& string_to_sign);

/// The Authorization header value for `request` at `amz_date`.
std::string authorization(const Credentials& key, const std::string& amz_date, const Request& request);

/// The query string of a pre-signed GET of `path` on `host`, good for `expires_s` seconds from
/// `amz_date`: the X-Amz-* parameters with X-Amz-Signature last.
std::string presigned_query(const Credentials& key, const std::string& amz_date, const std::string& host,
                            const std::string& path, long expires_s);

}  // namespace lockerctl::evidence::sigv4
