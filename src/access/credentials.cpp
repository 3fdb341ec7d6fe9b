#include "access/credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <fmt/format.h>

#include <stdexcept>

#include "core/errors.hpp"

namespace lockerctl::access {
namespace {

void init() {
  if (sodium_init() < 0) throw Error("libsodium cannot start", ExitCode::Internal);
}

const EVP_MD* digest(HmacAlgorithm a) {
  switch (a) {
    case HmacAlgorithm::Sha1: return EVP_sha1();
    case HmacAlgorithm::Sha256: return EVP_sha256();
    case HmacAlgorithm::Sha512: return EVP_sha512();
  }
  return EVP_sha1();
}

constexpr std::uint32_t kPowers[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

}  // namespace

std::string hash_password(const std::string& password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error("password hashing ran out of memory", ExitCode::Internal);
  }
  return out;
}

bool verify_password(const std::string& password, const std::string& hash) {
  init();
  if (hash.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string hotp(const std::vector<std::uint8_t>& key, std::uint64_t counter, int digits, HmacAlgorithm algorithm) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("HOTP digits must be 6 to 8");
  std::uint8_t message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<std::uint8_t>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest(algorithm), key.data(), static_cast<int>(key.size()), message, sizeof message, mac, &length);
  const int offset = mac[length - 1] & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  return fmt::format("{:0{}}", binary % kPowers[digits], digits);
}

std::string totp(const std::vector<std::uint8_t>& key, std::uint64_t unix_seconds, int digits,
                 HmacAlgorithm algorithm, int step_seconds) {
  return hotp(key, unix_seconds / static_cast<std::uint64_t>(step_seconds), digits, algorithm);
}

bool totp_matches(const std::vector<std::uint8_t>& key, std::uint64_t unix_seconds, int digits,
                  const std::string& code) {
  bool match = false;
  for (int drift = -1; drift <= 1; ++drift) {
    const std::uint64_t t = unix_seconds + static_cast<std::uint64_t>(drift * 30);
    match |= codes_equal(totp(key, t, digits), code);  // no early exit: same time for every code
  }
  return match;
}

std::string random_code(int digits) {
  init();
  std::string code;
  for (int i = 0; i < digits; ++i) code += static_cast<char>('0' + randombytes_uniform(10));
  return code;
}

bool codes_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
const char* kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string base32_encode(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

std::vector<std::uint8_t> base32_decode(const std::string& text) {
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == ' ') continue;
    const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* p = std::strchr(kBase32, upper);
    if (p == nullptr || upper == '\0') throw std::invalid_argument(fmt::format("'{}' is not a base32 character", c));
    buffer = (buffer << 5) | static_cast<std::uint32_t>(p - kBase32);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::vector<std::uint8_t> new_totp_secret() {
  init();
  std::vector<std::uint8_t> secret(20);
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string otpauth_uri(const std::string& account, const std::vector<std::uint8_t>& secret, int digits) {
  std::string escaped;
  for (char c : account) {
    escaped += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'
                   ? std::string(1, c)
                   : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return fmt::format("otpauth://totp/lockerctl:{}?secret={}&issuer=lockerctl&algorithm=SHA1&digits={}&period=30",
                     escaped, base32_encode(secret), digits);
}

}  // namespace lockerctl::access
