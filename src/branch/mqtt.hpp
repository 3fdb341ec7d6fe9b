#pragma once

// A small MQTT client over libmosquitto for one thread: the station's publisher and the monitor
// each own one and drive it with step(). It connects (again) by itself with a growing pause,
// and says once, in one line, why a broker cannot be used (down, login refused, TLS), and once
// that it is back. A lost connection drops whatever libmosquitto still had queued: its owner
// knows what was acknowledged and sends the rest again.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/secret.hpp"

struct mosquitto;

namespace lockerctl::branch {

struct Broker {
  std::string url;  ///< as configured, for messages
  std::string host;
  int port = 0;
  bool tls = true;
};

/// Parses mqtts://HOST[:PORT] (TLS, port 8883) and mqtt://HOST[:PORT] (plain, port 1883, only to
/// 127.0.0.1, ::1 or localhost). Throws ConfigError naming `key` and the reason.
Broker parse_broker(const std::string& url, const std::string& key = "mqtt.broker");

struct Login {
  std::string username;  ///< "" = none
  Secret password;
  std::string ca_file;   ///< PEM certificates the broker's must chain to; "" = the system's
};

struct Publication {
  std::string topic;
  std::string payload;
  bool retain = false;  ///< always QoS 1
};

struct ClientOptions {
  std::string client_id;
  bool clean_session = true;  ///< false: the broker keeps the subscriptions and queues QoS 1 messages meanwhile
  Broker broker;
  Login login;
  std::optional<Publication> will;
  int keepalive_s = 30;
  double retry_s = 1;      ///< first pause before connecting again; doubles up to max_retry_s
  double max_retry_s = 60;
};

class MqttClient {
 public:
  struct Handlers {
    std::function<void()> connected;                  ///< the broker accepted the connection
    std::function<void()> lost;                       ///< it ended (not called for a failed attempt)
    std::function<void(int mid)> acknowledged;        ///< PUBACK of a QoS 1 publication
    std::function<void(const std::string& topic, const std::string& payload)> message;
  };

  /// Throws ConfigError when the CA file is missing or libmosquitto refuses the options.
  MqttClient(ClientOptions options, Handlers handlers);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  /// Runs the network for at most `timeout`: connects when it is time to, reads and writes.
  void step(std::chrono::milliseconds timeout);
  bool connected() const { return state_ == State::Connected; }
  /// QoS 1. Returns the message id, or nothing when not connected.
  std::optional<int> publish(const Publication& p);
  /// QoS 1; call from `connected` (a clean session ends its subscriptions).
  void subscribe(const std::string& pattern);
  /// Disconnects cleanly (the will is not sent), after flushing what can be flushed in `grace`.
  void disconnect(std::chrono::milliseconds grace = std::chrono::milliseconds(500));
  const Broker& broker() const { return o_.broker; }

 private:
  enum class State { Down, Connecting, Connected };
  using Clock = std::chrono::steady_clock;

  void configure();
  void try_connect();
  void failed(const std::string& reason);

  ClientOptions o_;
  Handlers h_;
  mosquitto* mosq_ = nullptr;
  State state_ = State::Down;
  Clock::time_point retry_at_{};
  double backoff_s_ = 0;
  std::string trouble_;       ///< found inside a libmosquitto callback; step() acts on it
  std::string last_problem_;  ///< said once; said again only when it changes
  bool lost_ = false;         ///< a connection was lost and not made again: failed attempts are that outage
  int failures_ = 0;          ///< since the last connection
};

}  // namespace lockerctl::branch
