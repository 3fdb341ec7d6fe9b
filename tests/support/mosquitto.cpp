#include "support/mosquitto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace lockerctl::test {

namespace {

bool accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("test broker set-up failed: " + command);
}

}  // namespace

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

Mosquitto::Mosquitto(Options options) : o_(std::move(options)), broker_("mosquitto", dir_ / "broker.log") {
  port_ = free_port();
  std::ostringstream conf;
  // As this user: a broker started as root would switch to user mosquitto, which cannot read the test's folder.
  const passwd* me = getpwuid(getuid());
  conf << "user " << (me ? me->pw_name : "root") << "\n";
  conf << "per_listener_settings false\npersistence false\nlog_dest file " << (dir_ / "broker.log").string()
       << "\nlog_type error\nlog_type warning\nlog_type notice\nmax_queued_messages " << o_.max_queued_messages << "\n";
  conf << "listener " << port_ << " 127.0.0.1\n";
  if (o_.tls) {
    tls_port_ = free_port();
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        (dir_ / "key.pem").string() + "' -out '" + ca_file().string() + "' 2>/dev/null");
    conf << "listener " << tls_port_ << " 127.0.0.1\ncertfile " << ca_file().string() << "\nkeyfile " << (dir_ / "key.pem").string()
         << "\n";
  }
  if (o_.username.empty()) {
    conf << "allow_anonymous true\n";
  } else {
    run("mosquitto_passwd -c -b '" + (dir_ / "passwords").string() + "' '" + o_.username + "' '" + o_.password + "' 2>/dev/null");
    conf << "allow_anonymous false\npassword_file " << (dir_ / "passwords").string() << "\n";
  }
  dir_.write("mosquitto.conf", conf.str());
  start();
}

void Mosquitto::start() {
  broker_.start({"/usr/sbin/mosquitto", "-c", (dir_ / "mosquitto.conf").string()},
                [this] { return accepts(port_) && (!tls_port_ || accepts(tls_port_)); },
                " (is Debian's mosquitto installed? scripts/install-deps.sh)");
}

void Mosquitto::kill() { broker_.kill(); }

std::string Mosquitto::log() const { return broker_.log(); }

}  // namespace lockerctl::test
