#include "data/hash.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace lockerctl::data {
namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

std::string to_hex(const unsigned char* digest) {
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, crypto_hash_sha256_BYTES);
  return hex;
}

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256 state buffer too small");

}  // namespace

std::string sha256_hex(const std::uint8_t* bytes, std::size_t size) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes, size);
  return to_hex(digest);
}

std::string sha256_hex(std::string_view text) {
  return sha256_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

std::uint64_t keyed_order(std::uint64_t seed, std::string_view text) {
  ensure_sodium();
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  unsigned char seed_bytes[8];
  for (int i = 0; i < 8; ++i) seed_bytes[i] = static_cast<unsigned char>(seed >> (8 * i));
  crypto_hash_sha256_update(&st, seed_bytes, sizeof seed_bytes);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  std::uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[i];
  return key;
}

Sha256::Sha256() {
  ensure_sodium();
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

Sha256& Sha256::add(std::string_view text) {
  // A length prefix keeps ("ab","c") and ("a","bc") apart.
  const std::uint64_t n = text.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  auto* st = reinterpret_cast<crypto_hash_sha256_state*>(state_);
  crypto_hash_sha256_update(st, len, sizeof len);
  crypto_hash_sha256_update(st, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return *this;
}

std::string Sha256::hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest);
  return to_hex(digest);
}

}  // namespace lockerctl::data
