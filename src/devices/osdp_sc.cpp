#include "devices/osdp_sc.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "core/errors.hpp"

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

template <std::size_t N>
bool same(const std::array<std::uint8_t, N>& a, const std::uint8_t* b) {
  return CRYPTO_memcmp(a.data(), b, N) == 0;  // constant time: the comparison leaks nothing
}

template <std::size_t N>
std::array<std::uint8_t, N> fresh_random() {
  std::array<std::uint8_t, N> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) throw DeviceError("secure channel: OpenSSL gave no random number");
  return r;
}

Packet handshake_packet(std::uint8_t address, bool reply, std::uint8_t sequence, Security type, std::uint8_t status,
                        std::uint8_t code, Bytes data) {
  Packet p;
  p.address = address;
  p.reply = reply;
  p.sequence = sequence;
  p.code = code;
  p.data = std::move(data);
  p.security = SecurityBlock{type, {status}};
  return p;
}

bool is(const Packet& p, Security type, std::uint8_t code, std::size_t size) {
  return p.security && p.security->type == type && p.code == code && p.data.size() == size;
}

/// Seals `p` as `plain`/`sealed` type: data encrypted under the other side's last MAC, then the
/// MAC chained from it. Returns the full MAC, the start of the next chain.
Block seal_packet(const SessionKeys& keys, const Block& other_mac, Packet& p, Security plain, Security sealed) {
  if (!p.data.empty()) p.data = encrypt_data(keys, other_mac, p.data);
  p.security = SecurityBlock{p.data.empty() ? plain : sealed, {}};
  const auto covered = mac_input(p);
  if (!covered) throw DeviceError("secure channel: the packet is too long to send");
  const Block mac = message_mac(keys, other_mac, *covered);
  std::copy(mac.begin(), mac.begin() + 4, p.mac.begin());
  return mac;
}

/// Checks and opens a packet sealed as `plain`/`sealed` against `other_mac`, the chain so far.
Block open_packet(const SessionKeys& keys, const Block& other_mac, Packet& p, Security plain, Security sealed, const char* what) {
  if (!p.security || (p.security->type != plain && p.security->type != sealed)) {
    throw DeviceError(fmt::format("secure channel: a {} without a MAC", what));
  }
  const auto covered = mac_input(p);
  const Block mac = message_mac(keys, other_mac, covered ? *covered : Bytes{});
  if (!covered || CRYPTO_memcmp(mac.data(), p.mac.data(), p.mac.size()) != 0) {
    throw DeviceError(fmt::format("secure channel: a {} whose MAC does not verify (changed, replayed or out of order)", what));
  }
  if (p.security->type == sealed) {
    auto data = decrypt_data(keys, other_mac, p.data);
    if (!data) throw DeviceError(fmt::format("secure channel: a {} whose data does not decrypt", what));
    p.data = std::move(*data);
  }
  p.security.reset();
  return mac;
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

std::optional<Block> parse_key(const std::string& hex) {
  Block key{};
  std::size_t digits = 0;
  for (char c : hex) {
    if (c == ' ' || c == '\n' || c == '\r') continue;
    const int value = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (value < 0 || digits >= 2 * key.size()) return std::nullopt;
    key[digits / 2] = static_cast<std::uint8_t>(key[digits / 2] << 4 | value);
    ++digits;
  }
  if (digits != 2 * key.size()) return std::nullopt;
  return key;
}

std::string key_hex(const Block& key) {
  std::string hex;
  for (std::uint8_t byte : key) hex += fmt::format("{:02x}", byte);
  return hex;
}

Block random_key() { return fresh_random<16>(); }

Packet PanelSession::challenge(std::uint8_t address, std::uint8_t sequence) {
  established_ = false;
  cp_random_ = fresh_random<8>();
  const std::uint8_t which = key_ == kDefaultKey ? 0 : 1;
  return handshake_packet(address, false, sequence, Security::Challenge, which, kChallenge, Bytes(cp_random_.begin(), cp_random_.end()));
}

bool PanelSession::answers(const Packet& reply) const {
  if (!is(reply, Security::ClientCrypt, kChallenge, 32)) return false;
  Random pd_random;
  std::copy(reply.data.begin() + 8, reply.data.begin() + 16, pd_random.begin());
  return same(client_cryptogram(derive_session_keys(key_, cp_random_), cp_random_, pd_random), reply.data.data() + 16);
}

Packet PanelSession::answer(const Packet& ccrypt, std::uint8_t sequence) {
  if (!is(ccrypt, Security::ClientCrypt, kChallenge, 32)) throw DeviceError("secure channel: the board did not answer the challenge with CCRYPT");
  if (!answers(ccrypt)) {
    throw DeviceError(fmt::format("board at address {} rejected the secure channel: wrong key?", ccrypt.address));
  }
  std::copy(ccrypt.data.begin() + 8, ccrypt.data.begin() + 16, pd_random_.begin());
  keys_ = derive_session_keys(key_, cp_random_);
  server_ = server_cryptogram(keys_, cp_random_, pd_random_);
  return handshake_packet(ccrypt.address, false, sequence, Security::ServerCrypt, key_ == kDefaultKey ? 0 : 1, kServerCrypt,
                          Bytes(server_.begin(), server_.end()));
}

void PanelSession::confirm(const Packet& rmac_i) {
  if (!rmac_i.security || rmac_i.security->type != Security::InitialMac || rmac_i.code != kInitialMac ||
      rmac_i.security->data != Bytes{0x01} || rmac_i.data.size() != 16) {
    throw DeviceError(fmt::format("board at address {} rejected the secure channel: wrong key?", rmac_i.address));
  }
  const Block expected = initial_reply_mac(keys_, server_);
  if (!same(expected, rmac_i.data.data())) throw DeviceError("secure channel: the board's initial MAC is wrong");
  last_reply_mac_ = expected;
  established_ = true;
}

Packet PanelSession::seal(Packet command) {
  if (!established_) throw DeviceError("secure channel: no session");
  last_command_mac_ = seal_packet(keys_, last_reply_mac_, command, Security::CommandMac, Security::CommandSealed);
  return command;
}

Packet PanelSession::open(const Packet& reply) {
  if (!established_) throw DeviceError("secure channel: no session");
  Packet p = reply;
  last_reply_mac_ = open_packet(keys_, last_command_mac_, p, Security::ReplyMac, Security::ReplySealed, "reply");
  return p;
}

Packet BoardSession::handshake(const Packet& command) {
  if (is(command, Security::Challenge, kChallenge, 8)) {
    const std::uint8_t which = command.security->data.empty() ? 1 : command.security->data[0];
    if (which == 0 && !install_) throw DeviceError("secure channel: the default key was asked for outside install mode");
    established_ = false;
    std::copy(command.data.begin(), command.data.end(), cp_random_.begin());
    pd_random_ = fresh_random<8>();
    keys_ = derive_session_keys(which == 0 ? kDefaultKey : key_, cp_random_);
    const Block cryptogram = client_cryptogram(keys_, cp_random_, pd_random_);
    Bytes data(id_.begin(), id_.end());
    data.insert(data.end(), pd_random_.begin(), pd_random_.end());
    data.insert(data.end(), cryptogram.begin(), cryptogram.end());
    return handshake_packet(command.address, true, command.sequence, Security::ClientCrypt, which, kChallenge, std::move(data));
  }
  if (is(command, Security::ServerCrypt, kServerCrypt, 16)) {
    const Block server = server_cryptogram(keys_, cp_random_, pd_random_);
    if (!same(server, command.data.data())) {
      established_ = false;
      return handshake_packet(command.address, true, command.sequence, Security::InitialMac, 0xFF, kInitialMac, {});
    }
    last_reply_mac_ = initial_reply_mac(keys_, server);
    established_ = true;
    return handshake_packet(command.address, true, command.sequence, Security::InitialMac, 0x01, kInitialMac,
                            Bytes(last_reply_mac_.begin(), last_reply_mac_.end()));
  }
  throw DeviceError("secure channel: not a handshake command");
}

Packet BoardSession::open(const Packet& command) {
  if (!established_) throw DeviceError("secure channel: no session");
  Packet p = command;
  last_command_mac_ = open_packet(keys_, last_reply_mac_, p, Security::CommandMac, Security::CommandSealed, "command");
  return p;
}

Packet BoardSession::seal(Packet reply) {
  if (!established_) throw DeviceError("secure channel: no session");
  last_reply_mac_ = seal_packet(keys_, last_command_mac_, reply, Security::ReplyMac, Security::ReplySealed);
  return reply;
}

}  // namespace lockerctl::devices::osdp
