#include "devices/osdp_sc.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace lockerctl::devices::osdp {
namespace {

constexpr std::size_t kBlock = 16;

/// AES-128 in ECB or CBC mode over whole blocks, through OpenSSL's EVP interface.
Bytes aes(const EVP_CIPHER* cipher, bool encrypt, const Block& key, const Block* iv, const Bytes& data) {
  if (data.size() % kBlock != 0) throw std::invalid_argument("AES: the data is not a whole number of 16-byte blocks");
  const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  Bytes out(data.size() + kBlock);
  int n = 0, tail = 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), iv ? iv->data() : nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) {
    throw std::runtime_error("AES: OpenSSL failed");
  }
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

Block first_block(const Bytes& bytes) {
  Block b{};
  std::copy(bytes.begin(), bytes.begin() + kBlock, b.begin());
  return b;
}

Block key_block(std::uint8_t kind, const Random& cp_random) {
  Block b{0x01, kind};
  std::copy(cp_random.begin(), cp_random.begin() + 6, b.begin() + 2);
  return b;
}

Block join(const Random& first, const Random& second) {
  Block b{};
  std::copy(first.begin(), first.end(), b.begin());
  std::copy(second.begin(), second.end(), b.begin() + 8);
  return b;
}

Block inverse(Block b) {
  for (auto& byte : b) byte = static_cast<std::uint8_t>(~byte);
  return b;
}

}  // namespace

Block aes_encrypt(const Block& key, const Block& block) {
  return first_block(aes(EVP_aes_128_ecb(), true, key, nullptr, Bytes(block.begin(), block.end())));
}

Bytes aes_cbc_encrypt(const Block& key, const Block& iv, const Bytes& data) { return aes(EVP_aes_128_cbc(), true, key, &iv, data); }

Bytes aes_cbc_decrypt(const Block& key, const Block& iv, const Bytes& data) { return aes(EVP_aes_128_cbc(), false, key, &iv, data); }

Bytes pad(Bytes data) {
  data.push_back(0x80);
  while (data.size() % kBlock != 0) data.push_back(0x00);
  return data;
}

std::optional<Bytes> unpad(const Bytes& data) {
  if (data.empty() || data.size() % kBlock != 0) return std::nullopt;
  std::size_t end = data.size();
  while (end > 0 && data[end - 1] == 0x00) --end;
  if (end == 0 || data[end - 1] != 0x80 || data.size() - end >= kBlock) return std::nullopt;
  return Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

SessionKeys derive_session_keys(const Block& scbk, const Random& cp_random) {
  return {aes_encrypt(scbk, key_block(0x82, cp_random)), aes_encrypt(scbk, key_block(0x01, cp_random)),
          aes_encrypt(scbk, key_block(0x02, cp_random))};
}

Block client_cryptogram(const SessionKeys& keys, const Random& cp_random, const Random& pd_random) {
  return aes_encrypt(keys.enc, join(cp_random, pd_random));
}

Block server_cryptogram(const SessionKeys& keys, const Random& cp_random, const Random& pd_random) {
  return aes_encrypt(keys.enc, join(pd_random, cp_random));
}

Block initial_reply_mac(const SessionKeys& keys, const Block& server_cryptogram) {
  return aes_encrypt(keys.mac2, aes_encrypt(keys.mac1, server_cryptogram));
}

Block message_mac(const SessionKeys& keys, const Block& chain, const Bytes& message) {
  const Bytes padded = pad(message);
  Block iv = chain;
  const Bytes head(padded.begin(), padded.end() - kBlock);
  if (!head.empty()) {
    const Bytes cipher = aes_cbc_encrypt(keys.mac1, chain, head);
    std::copy(cipher.end() - kBlock, cipher.end(), iv.begin());
  }
  return first_block(aes_cbc_encrypt(keys.mac2, iv, Bytes(padded.end() - kBlock, padded.end())));
}

Bytes encrypt_data(const SessionKeys& keys, const Block& last_mac, const Bytes& data) {
  return aes_cbc_encrypt(keys.enc, inverse(last_mac), pad(data));
}

std::optional<Bytes> decrypt_data(const SessionKeys& keys, const Block& last_mac, const Bytes& data) {
  if (data.empty() || data.size() % kBlock != 0) return std::nullopt;
  return unpad(aes_cbc_decrypt(keys.enc, inverse(last_mac), data));
}

}  // namespace lockerctl::devices::osdp
