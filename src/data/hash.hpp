#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockerctl::data {

/// SHA-256 of `bytes` as 64 lower-case hex digits (libsodium).
std::string sha256_hex(const std::uint8_t* bytes, std::size_t size);
std::string sha256_hex(std::string_view text);

/// A stable pseudo-random 64-bit key for `text` under `seed`: the first 8 bytes of
/// SHA-256(seed || text). Orders items the same way on every machine and run.
std::uint64_t keyed_order(std::uint64_t seed, std::string_view text);

/// Incremental SHA-256, for fingerprints over many fields.
class Sha256 {
 public:
  Sha256();
  Sha256& add(std::string_view text);
  std::string hex();

 private:
  alignas(64) unsigned char state_[128];
};

}  // namespace lockerctl::data
