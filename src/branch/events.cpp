#include "branch/events.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::branch {

namespace {

const std::vector<std::string> kAttemptLayers = {"trigger", "locker", "hours",  "human",   "liveness", "owner",  "joint",
                                                 "password", "otp",   "approval", "access", "lockout", "evidence", "system"};

bool is_alarm(const audit::Event& e) {
  return (e.layer == "door" && (e.decision == "forced" || e.decision == "left open")) ||
         (e.layer == "board" && (e.decision == "tamper" || e.decision == "power failure" || e.decision == "link attack")) ||
         (e.layer == "sensor" && e.decision == "alarm") || (e.layer == "lockout" && e.decision == "start") ||
         (e.layer == "motion" && e.decision == "alarm");
}

}  // namespace

const std::vector<std::string>& published_layers() {
  static const std::vector<std::string> layers = [] {
    std::vector<std::string> all = kAttemptLayers;
    for (const char* l : {"lock", "door", "board", "camera", "sensor", "motion"}) all.emplace_back(l);
    return all;
  }();
  return layers;
}

std::optional<std::string> kind_of(const audit::Event& e) {
  if (is_alarm(e)) return "alarm";
  if (e.layer == "door" || e.layer == "lock") return e.layer;
  if (e.layer == "board" || e.layer == "camera") return "device";
  // Inside an attempt only: outside one, "owner" and "locker" are administration (owner added, ...).
  if (e.attempt != "-" && std::find(kAttemptLayers.begin(), kAttemptLayers.end(), e.layer) != kAttemptLayers.end()) {
    return "attempt";
  }
  return std::nullopt;
}

bool valid_topic_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
         });
}

void check_topic_name(const std::string& name, const std::string& key) {
  if (!valid_topic_name(name)) throw ConfigError({{"", 0, 0, key, fmt::format("'{}' is not 1 to 64 of A-Z a-z 0-9 _ . -", name)}});
}

std::string topic(const std::string& site, const std::string& locker, const std::string& kind) {
  return "lockerctl/" + site + "/" + locker + "/" + kind;
}

nlohmann::json event_message(const audit::Event& e, std::int64_t prev) {
  nlohmann::json j = {{"id", e.id},         {"prev", prev},         {"time", e.time},    {"attempt", e.attempt},
                      {"layer", e.layer},   {"decision", e.decision}, {"detail", e.detail}};
  if (e.score) j["score"] = *e.score;
  if (e.threshold) j["threshold"] = *e.threshold;
  if (!e.image.empty()) j["evidence"] = e.image;
  if (e.layer == "board" || e.layer == "camera") {
    j["device"] = e.layer;
    if (e.decision == "online" || e.decision == "back") j["online"] = true;
    if (e.decision == "offline" || e.decision == "lost") j["online"] = false;
  }
  return j;
}

void StationState::apply(const audit::Event& e, double now) {
  if (!kind_of(e)) return;
  last = std::max(last, e.id);
  if (e.layer == "door") {
    if (e.decision == "opened" || e.decision == "forced") door = "open";
    if (e.decision == "closed") door = "closed";
  } else if (e.layer == "lock") {
    if (e.decision == "released") lock = "released";
    if (e.decision == "locked") lock = "locked";
  } else if (e.layer == "board") {
    if (e.decision == "online") board = "online";
    if (e.decision == "offline") board = "offline";
  } else if (e.layer == "camera") {
    camera = e.decision == "lost" ? "lost" : "online";
  }
  if (is_alarm(e)) {
    alarm = true;
    alarm_what = e.layer == "sensor" ? "sensor " + e.detail.substr(0, e.detail.find(';')) : e.layer + " " + e.decision;
    const double at = parse_utc_iso8601(e.time).value_or(0);
    alarm_at = at > 0 ? at : now;
  } else if ((e.layer == "door" && e.decision == "closed") || (e.layer == "access" && e.decision == "granted")) {
    alarm = false;
  }
}

void StationState::expire(double now, double hold_s) {
  if (alarm && now - alarm_at > hold_s) alarm = false;
}

nlohmann::json StationState::to_json() const {
  nlohmann::json j = {{"step", step}, {"door", door}, {"lock", lock}, {"board", board},
                      {"camera", camera}, {"alarm", alarm}, {"last", last}};
  if (alarm) j["alarm_what"] = alarm_what;
  return j;
}

std::string discovery_id(const std::string& site, const std::string& locker) {
  if (site.find('.') == std::string::npos && locker.find('.') == std::string::npos) return "lockerctl_" + site + "_" + locker;
  // Home Assistant takes only A-Z a-z 0-9 _ - here. Dotted names get ids of their own shape
  // ("lockerctl-" and an escape that can be undone), so no two stations share one and no dotted
  // name takes the id of an undotted one; undotted names keep the ids they always had.
  const auto escape = [](const std::string& name) {
    std::string out;
    for (const char c : name) {
      if (c == '.') {
        out += "_d";
      } else if (c == '_') {
        out += "__";
      } else if (c == '-') {
        out += "_h";
      } else {
        out += c;
      }
    }
    return out;
  };
  return "lockerctl-" + escape(site) + "-" + escape(locker);
}

std::vector<Discovery> discovery_messages(const std::string& prefix, const std::string& site, const std::string& locker) {
  const std::string id = discovery_id(site, locker);
  // The entity id Home Assistant should give (2025.10 on): lower case, letters, digits and _.
  const auto entity_id = [&](const std::string& key) {
    std::string slug;
    for (const char c : id + "_" + key) {
      const auto u = static_cast<unsigned char>(c);
      slug += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    }
    return "binary_sensor." + slug;
  };
  const std::string state = topic(site, locker, "state");
  const nlohmann::json device = {{"identifiers", {id}},
                                 {"name", fmt::format("Locker {} ({})", locker, site)},
                                 {"manufacturer", "lockerctl"},
                                 {"model", "lockerctl station"}};
  const nlohmann::json availability = {
      {"topic", topic(site, locker, "device")},
      {"value_template", "{% if value_json.device == 'station' %}{{ 'online' if value_json.online else 'offline' }}{% endif %}"}};
  struct Entity {
    const char* key;
    const char* name;
    const char* device_class;
    const char* on;  // template that is true when the sensor is on
  };
  const Entity entities[] = {
      {"lock", "Lock", "lock", "value_json.lock == 'released'"},
      {"door", "Door", "door", "value_json.door == 'open'"},
      {"alarm", "Alarm", "safety", "value_json.alarm"},
  };
  std::vector<Discovery> out;
  for (const auto& e : entities) {
    nlohmann::json config = {{"name", e.name},
                             {"unique_id", id + "_" + e.key},
                             {"object_id", id + "_" + e.key},
                             {"default_entity_id", entity_id(e.key)},
                             {"device_class", e.device_class},
                             {"state_topic", state},
                             {"value_template", fmt::format("{{{{ 'ON' if {} else 'OFF' }}}}", e.on)},
                             {"availability", {availability}},
                             {"device", device}};
    out.push_back({fmt::format("{}/binary_sensor/{}/{}/config", prefix, id, e.key), config.dump()});
  }
  const nlohmann::json online = {{"name", "Online"},
                                 {"unique_id", id + "_online"},
                                 {"object_id", id + "_online"},
                                 {"default_entity_id", entity_id("online")},
                                 {"device_class", "connectivity"},
                                 {"entity_category", "diagnostic"},
                                 {"state_topic", topic(site, locker, "device")},
                                 {"value_template", availability["value_template"].get<std::string>()},
                                 {"payload_on", "online"},
                                 {"payload_off", "offline"},
                                 {"device", device}};
  out.push_back({fmt::format("{}/binary_sensor/{}/online/config", prefix, id), online.dump()});
  return out;
}

}  // namespace lockerctl::branch
