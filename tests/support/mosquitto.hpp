#pragma once

// Debian's mosquitto broker, started by a test on free loopback ports: plain, or with a login
// (password file made by mosquitto_passwd) and a TLS listener (a self-signed certificate for
// 127.0.0.1 made by openssl). kill() is a SIGKILL: the broker loses everything it held in
// memory; start() again brings it back on the same ports.

#include <filesystem>
#include <string>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::test {

class Mosquitto {
 public:
  struct Options {
    std::string username;  ///< "" = anonymous
    std::string password;
    bool tls = false;      ///< also a TLS listener (tls_port)
    int max_queued_messages = 1000;  ///< per subscriber, beyond which the broker drops QoS 1 messages (0: no limit)
  };

  explicit Mosquitto(Options options);
  Mosquitto() : Mosquitto(Options{}) {}

  /// Starts the broker and waits until it accepts connections; throws std::runtime_error after 10 s.
  void start();
  /// SIGKILL, and waits for it to be gone.
  void kill();
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  std::string tls_url() const { return "mqtts://127.0.0.1:" + std::to_string(tls_port_); }
  std::filesystem::path ca_file() const { return dir_ / "ca.pem"; }
  /// The broker's log so far, for a failing test's message.
  std::string log() const;

 private:
  Options o_;
  TempDir dir_;
  int port_ = 0;
  int tls_port_ = 0;
  ChildProcess broker_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

}  // namespace lockerctl::test
