#pragma once
// Configuration: the operator console and branch monitoring over MQTT. Each section's struct
// carries its keys, defaults and checks (visit); config/config.hpp puts the sections together.
#include <string>

#include "config/schema.hpp"

namespace lockerctl::config {

/// The operator console and the kiosk (lockerctl web, or lockerctl run with enabled): HTTPS with
/// the certificate and key given, or plain HTTP on 127.0.0.1 only when insecure_local is set.
struct WebConfig {
  bool enabled = false;                   // lockerctl run serves the console and the kiosk too
  std::string listen = "127.0.0.1:8443";  // ADDRESS:PORT (port 0: any free port)
  std::string cert;                       // PEM certificate (chain); "": <var_dir>/web/cert.pem
  std::string key;                        // its private key, owner-only; "": <var_dir>/web/key.pem
  bool insecure_local = false;            // plain HTTP, refused unless listen is on 127.0.0.1
  double session_idle_s = 900;            // a session unused this long ends

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("listen", listen);
    v.field("cert", cert);
    v.field("key", key);
    v.field("insecure_local", insecure_local);
    v.field("session_idle_s", session_idle_s, Range<double>{0.1, 86400.0});
  }
};

struct MqttConfig {
  bool enabled = false;                           // lockerctl run publishes its events to the broker
  std::string broker = "mqtts://localhost:8883";  // mqtts://HOST[:PORT] (TLS), or mqtt://127.0.0.1[:PORT] (plain: this machine only)
  std::string ca_file;                            // PEM certificates the broker's must chain to; "" = the system's
  std::string username;                           // "" = no login
  Secret password;
  std::string site = "branch";                    // topics: lockerctl/<site>/<locker>/<kind>
  std::string locker;                             // "" = access.locker (commas as -), or access.owner without lockers
  double heartbeat_s = 30;                        // between two heartbeats
  bool discovery = true;                          // Home Assistant discovery messages (retained)
  std::string discovery_prefix = "homeassistant";
  double alarm_hold_s = 300;                      // the state's alarm flag clears after this long
  double retry_s = 1;                             // first pause before connecting again; doubles
  double max_retry_s = 60;                        // ... up to this

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("broker", broker);
    v.field("ca_file", ca_file);
    v.field("username", username);
    v.field("password", password);
    v.field("site", site);
    v.field("locker", locker);
    v.field("heartbeat_s", heartbeat_s, Range<double>{0.1, 3600.0});
    v.field("discovery", discovery);
    v.field("discovery_prefix", discovery_prefix);
    v.field("alarm_hold_s", alarm_hold_s, Range<double>{1.0, 86400.0});
    v.field("retry_s", retry_s, Range<double>{0.01, 60.0});
    v.field("max_retry_s", max_retry_s, Range<double>{0.01, 3600.0});
  }
};

}  // namespace lockerctl::config
