#pragma once

// The primitives the service protocols sign and encode with (OpenSSL): HMAC-SHA-256 for AWS
// Signature V4 and webhook signatures, RS256 for Google's service-account tokens, base64.

#include <string>
#include <string_view>

namespace lockerctl::net {

/// HMAC-SHA-256 of `data` under `key`, as 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// SHA-256 of `data`, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

/// Lower-case hex of raw bytes.
std::string hex(std::string_view bytes);

std::string base64(std::string_view bytes);
/// base64url without padding (RFC 7515), as JWTs use it.
std::string base64url(std::string_view bytes);

/// RSASSA-PKCS1-v1_5 with SHA-256 of `data` under the PEM private key `pem` (RS256). Throws
/// std::invalid_argument when the key cannot be read.
std::string rs256_sign(const std::string& pem, std::string_view data);

/// `bytes` random bytes (OpenSSL's generator) as lower-case hex.
std::string random_hex(std::size_t bytes);

}  // namespace lockerctl::net
