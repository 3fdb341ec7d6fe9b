#pragma once

// A self-signed certificate for the console's first start (lockerctl web cert --self-signed): an
// ECDSA P-256 key and an X.509 v3 certificate naming the given hosts (IP addresses or DNS names)
// as subject alternative names. Browsers warn about it until it is trusted; a bank replaces it
// with one from its own CA.

#include <filesystem>
#include <string>
#include <vector>

namespace lockerctl::web {

/// Writes the certificate (PEM, readable by all) and its key (PEM, owner-only), each atomically.
/// Throws IoError naming a file that cannot be written, Error when OpenSSL fails.
void make_self_signed(const std::filesystem::path& cert, const std::filesystem::path& key,
                      const std::vector<std::string>& hosts, int days);

}  // namespace lockerctl::web
