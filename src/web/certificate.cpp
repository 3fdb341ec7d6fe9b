#include "web/certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <functional>
#include <memory>

#include "core/errors.hpp"
#include "core/fs.hpp"

namespace lockerctl::web {
namespace {

template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, std::integral_constant<decltype(Free), Free>>;

[[noreturn]] void fail(const std::string& what) { throw Error("self-signed certificate: " + what + " failed (OpenSSL)", ExitCode::Internal); }

std::string pem(const std::function<int(BIO*)>& write) {
  Owned<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) fail("PEM encoding");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* x, X509V3_CTX& ctx, int nid, const std::string& value) {
  Owned<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) fail(fmt::format("extension {}", OBJ_nid2sn(nid)));
}

}  // namespace

void make_self_signed(const std::filesystem::path& cert, const std::filesystem::path& key,
                      const std::vector<std::string>& hosts, int days) {
  if (hosts.empty()) throw Error("self-signed certificate: no host to name", ExitCode::Usage);
  Owned<EVP_PKEY, EVP_PKEY_free> pkey(EVP_EC_gen("P-256"));
  if (!pkey) fail("key generation");
  Owned<X509, X509_free> x(X509_new());
  if (!x) fail("X509_new");
  X509_set_version(x.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("random serial");
  serial[0] &= 0x7F;  // a positive number
  Owned<BIGNUM, BN_free> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get()))) fail("serial number");
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(x.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("lockerctl"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(hosts.front().c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  std::string san;
  for (const std::string& h : hosts) {
    const bool ip = h.find_first_not_of("0123456789.") == std::string::npos || h.find(':') != std::string::npos;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + h;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  add_extension(x.get(), ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(x.get(), ctx, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(x.get(), ctx, NID_ext_key_usage, "serverAuth");
  add_extension(x.get(), ctx, NID_subject_key_identifier, "hash");
  add_extension(x.get(), ctx, NID_subject_alt_name, san);
  if (X509_sign(x.get(), pkey.get(), EVP_sha256()) == 0) fail("signing");

  using std::filesystem::perms;
  std::filesystem::create_directories(cert.parent_path().empty() ? "." : cert.parent_path());
  std::filesystem::create_directories(key.parent_path().empty() ? "." : key.parent_path());
  write_file_atomically(key, pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr); }),
        perms::owner_read | perms::owner_write);
  write_file_atomically(cert, pem([&](BIO* b) { return PEM_write_bio_X509(b, x.get()); }),
        perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

}  // namespace lockerctl::web
