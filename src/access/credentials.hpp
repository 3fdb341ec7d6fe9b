#pragma once

// Layer 3's secrets: passwords stored only as Argon2id hashes, one-time passwords by SMS, and
// authenticator-app codes (HOTP, RFC 4226; TOTP, RFC 6238).

#include <cstdint>
#include <string>
#include <vector>

namespace lockerctl::access {

/// An Argon2id hash in libsodium's encoded form ("$argon2id$v=19$m=...").
std::string hash_password(const std::string& password);
/// Constant-time check of a password against its stored hash.
bool verify_password(const std::string& password, const std::string& hash);

enum class HmacAlgorithm { Sha1, Sha256, Sha512 };

/// RFC 4226 HOTP: `digits` decimal digits from HMAC(key, counter).
std::string hotp(const std::vector<std::uint8_t>& key, std::uint64_t counter, int digits,
                 HmacAlgorithm algorithm = HmacAlgorithm::Sha1);
/// RFC 6238 TOTP at Unix time `unix_seconds`, 30 s steps.
std::string totp(const std::vector<std::uint8_t>& key, std::uint64_t unix_seconds, int digits,
                 HmacAlgorithm algorithm = HmacAlgorithm::Sha1, int step_seconds = 30);
/// True when `code` is the TOTP of this step or the one before or after (clock drift), compared
/// in constant time.
bool totp_matches(const std::vector<std::uint8_t>& key, std::uint64_t unix_seconds, int digits,
                  const std::string& code);

/// A random numeric code for an SMS.
std::string random_code(int digits);
/// Constant-time comparison of two codes.
bool codes_equal(const std::string& a, const std::string& b);

/// RFC 4648 base32 (no padding), the form authenticator apps take secrets in.
std::string base32_encode(const std::vector<std::uint8_t>& bytes);
/// Throws std::invalid_argument on a character outside the alphabet.
std::vector<std::uint8_t> base32_decode(const std::string& text);
/// A new random TOTP secret (20 bytes).
std::vector<std::uint8_t> new_totp_secret();
/// otpauth://totp/lockerctl:NAME?secret=...&issuer=lockerctl&digits=N&period=30
std::string otpauth_uri(const std::string& account, const std::vector<std::uint8_t>& secret, int digits);

}  // namespace lockerctl::access
