#include "branch/mqtt.hpp"

#include <mosquitto.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::branch {

namespace {

[[noreturn]] void config_error(const std::string& key, const std::string& message) {
  throw ConfigError({{"", 0, 0, key, message}});
}

std::string error_text(int rc) {
  if (rc == MOSQ_ERR_TLS) return "TLS failed: the broker's certificate is not trusted (mqtt.ca_file) or not for this host name";
  return rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : std::string(mosquitto_strerror(rc));
}

constexpr const char* kCannotConnect = "cannot connect";

}  // namespace

Broker parse_broker(const std::string& url, const std::string& key) {
  Broker b;
  b.url = url;
  std::string rest;
  if (url.rfind("mqtts://", 0) == 0) {
    rest = url.substr(8);
    b.tls = true;
    b.port = 8883;
  } else if (url.rfind("mqtt://", 0) == 0) {
    rest = url.substr(7);
    b.tls = false;
    b.port = 1883;
  } else {
    config_error(key, fmt::format("'{}' is not mqtts://HOST[:PORT] or mqtt://HOST[:PORT]", url));
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:1883
    const auto close = rest.find(']');
    if (close == std::string::npos) config_error(key, fmt::format("'{}': unclosed [ in the address", url));
    b.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') config_error(key, fmt::format("'{}': expected :PORT after the address", url));
      port = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.find(':');
    b.host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (b.host.empty() || b.host.find_first_of("/@?# ") != std::string::npos) {
    config_error(key, fmt::format("'{}' has no usable host name", url));
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535) {
      config_error(key, fmt::format("'{}': port '{}' is not 1 to 65535", url, port));
    }
    b.port = std::stoi(port);
  }
  if (!b.tls && b.host != "127.0.0.1" && b.host != "::1" && b.host != "localhost") {
    config_error(key, fmt::format("'{}': plain MQTT only to a broker on this machine (127.0.0.1); use mqtts:// for {}", url,
                                  b.host));
  }
  return b;
}

MqttClient::MqttClient(ClientOptions options, Handlers handlers) : o_(std::move(options)), h_(std::move(handlers)) {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
  if (!o_.login.ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o_.login.ca_file, ec)) {
      config_error("mqtt.ca_file", fmt::format("{}: no such file", o_.login.ca_file));
    }
  }
  mosq_ = mosquitto_new(o_.client_id.c_str(), o_.clean_session, this);
  if (!mosq_) throw Error(fmt::format("mqtt: cannot create a client: {}", std::strerror(errno)), ExitCode::Internal);
  configure();
}

MqttClient::~MqttClient() {
  if (state_ != State::Down) mosquitto_disconnect(mosq_);
  mosquitto_destroy(mosq_);
}

void MqttClient::configure() {
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set(mosq_, 0);  // the owner keeps its own window
  if (!o_.login.username.empty()) {
    mosquitto_username_pw_set(mosq_, o_.login.username.c_str(),
                              o_.login.password.empty() ? nullptr : o_.login.password.reveal().c_str());
  }
  if (o_.broker.tls) {
    const bool own_ca = !o_.login.ca_file.empty();
    const int rc = mosquitto_tls_set(mosq_, own_ca ? o_.login.ca_file.c_str() : nullptr, own_ca ? nullptr : "/etc/ssl/certs",
                                     nullptr, nullptr, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) config_error("mqtt.ca_file", fmt::format("TLS set-up refused: {}", error_text(rc)));
    mosquitto_tls_opts_set(mosq_, 1, "tlsv1.2", nullptr);  // 1: verify the broker's certificate and name
  }
  if (o_.will) {
    mosquitto_will_set(mosq_, o_.will->topic.c_str(), static_cast<int>(o_.will->payload.size()), o_.will->payload.data(), 1,
                       o_.will->retain);
  }
  mosquitto_connect_callback_set(mosq_, [](mosquitto*, void* self, int rc) {
    auto& c = *static_cast<MqttClient*>(self);
    if (rc != 0) {
      const std::string why = rc == 4 || rc == 5 ? fmt::format("login refused: {} (mqtt.username, mqtt.password)",
                                                               mosquitto_connack_string(rc))
                                                 : fmt::format("connection refused: {}", mosquitto_connack_string(rc));
      c.trouble_ = why;  // handled by step(), outside libmosquitto's call
      return;
    }
    if (c.failures_ > 0) log::info("mqtt: broker {} reachable again after {} failed attempt(s)", c.o_.broker.url, c.failures_);
    c.state_ = State::Connected;
    c.failures_ = 0;
    c.backoff_s_ = 0;
    c.last_problem_.clear();
    c.lost_ = false;
    if (c.h_.connected) c.h_.connected();
  });
  mosquitto_publish_callback_set(mosq_, [](mosquitto*, void* self, int mid) {
    auto& c = *static_cast<MqttClient*>(self);
    if (c.h_.acknowledged) c.h_.acknowledged(mid);
  });
  mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
    auto& c = *static_cast<MqttClient*>(self);
    if (c.h_.message) {
      c.h_.message(m->topic, std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)));
    }
  });
}

void MqttClient::failed(const std::string& reason) {
  const bool was_connected = state_ == State::Connected;
  state_ = State::Down;
  ++failures_;
  backoff_s_ = backoff_s_ == 0 ? o_.retry_s : std::min(backoff_s_ * 2, o_.max_retry_s);
  retry_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(backoff_s_));
  // One outage, one line: the attempts that fail after a lost connection, because the broker is
  // still away, are part of it. A new reason (the login refused, TLS) is a line of its own.
  const bool still_away = lost_ && reason.rfind(kCannotConnect, 0) == 0;
  if (was_connected) lost_ = true;
  if (reason != last_problem_ && !still_away) {
    log::warn("mqtt: broker {}: {}; trying again, at most every {:g} s", o_.broker.url, reason, o_.max_retry_s);
    last_problem_ = reason;
  }
  // A fresh client: nothing libmosquitto queued survives, so its owner alone decides what to send again.
  mosquitto_disconnect(mosq_);
  mosquitto_reinitialise(mosq_, o_.client_id.c_str(), o_.clean_session, this);
  configure();
  if (was_connected && h_.lost) h_.lost();
}

void MqttClient::try_connect() {
  const int rc = mosquitto_connect(mosq_, o_.broker.host.c_str(), o_.broker.port, o_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    failed(rc == MOSQ_ERR_TLS ? error_text(rc) : fmt::format("{}: {}", kCannotConnect, error_text(rc)));
    return;
  }
  state_ = State::Connecting;
}

void MqttClient::step(std::chrono::milliseconds timeout) {
  if (state_ == State::Down) {
    if (Clock::now() < retry_at_) {
      const auto wait = std::min<Clock::duration>(timeout, retry_at_ - Clock::now());
      std::this_thread::sleep_for(wait);
      return;
    }
    try_connect();
    if (state_ == State::Down) return;
  }
  const int rc = mosquitto_loop(mosq_, static_cast<int>(timeout.count()), 1);
  if (!trouble_.empty()) {
    failed(trouble_);
    trouble_.clear();
  } else if (rc != MOSQ_ERR_SUCCESS) {
    failed(rc == MOSQ_ERR_CONN_LOST ? std::string("connection lost")
           : rc == MOSQ_ERR_TLS     ? error_text(rc)
                                    : fmt::format("connection failed: {}", error_text(rc)));
  }
}

std::optional<int> MqttClient::publish(const Publication& p) {
  if (state_ != State::Connected) return std::nullopt;
  int mid = 0;
  const int rc = mosquitto_publish(mosq_, &mid, p.topic.c_str(), static_cast<int>(p.payload.size()), p.payload.data(), 1, p.retain);
  if (rc == MOSQ_ERR_SUCCESS) return mid;
  if (rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_MALFORMED_UTF8) {
    throw Error(fmt::format("mqtt: cannot publish to '{}': {}", p.topic, error_text(rc)), ExitCode::Internal);
  }
  trouble_ = fmt::format("publishing failed: {}", error_text(rc));
  return std::nullopt;
}

void MqttClient::subscribe(const std::string& pattern) {
  const int rc = mosquitto_subscribe(mosq_, nullptr, pattern.c_str(), 1);
  if (rc != MOSQ_ERR_SUCCESS) trouble_ = fmt::format("cannot subscribe to '{}': {}", pattern, error_text(rc));
}

void MqttClient::disconnect(std::chrono::milliseconds grace) {
  if (state_ != State::Connected) return;
  const auto until = Clock::now() + grace;
  while (mosquitto_want_write(mosq_) && Clock::now() < until) mosquitto_loop(mosq_, 50, 1);
  mosquitto_disconnect(mosq_);
  mosquitto_loop(mosq_, 50, 1);
  state_ = State::Down;
}

}  // namespace lockerctl::branch
