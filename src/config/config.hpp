#pragma once
// lockerctl's configuration: one struct per section (config/system.hpp, models.hpp, devices.hpp,
// faces.hpp, access.hpp, alerts.hpp, services.hpp), each with its keys, defaults and checks
// beside it; here the whole of it, and loading, checking and writing it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/access.hpp"
#include "config/alerts.hpp"
#include "config/devices.hpp"
#include "config/faces.hpp"
#include "config/models.hpp"
#include "config/services.hpp"
#include "config/system.hpp"

namespace lockerctl::config {

/// The whole configuration. configs/default.yaml documents every key with its default.
struct Config {
  PathsConfig paths;
  RuntimeConfig runtime;
  LogConfig log;
  DataConfig data;
  LayerConfig human{"human", "not_human", 224};  // layer 1: MobileNetV2 input size
  OwnerConfig owner{{"owner", "not_owner", 256}};  // layer 2; 256: the owner CNN's input size
  TrainConfig train;
  BoardConfig board;
  CameraConfig camera;
  MotionConfig motion;
  ClipsConfig clips;
  FaceConfig face;
  LivenessConfig liveness;
  AccessConfig access;
  AuditConfig audit;
  EvidenceConfig evidence;
  AlertsConfig alerts;
  SmsConfig sms;
  WebhookConfig webhook;
  EmailConfig email;
  S3Config s3;
  GDriveConfig gdrive;
  WebConfig web;
  MqttConfig mqtt;
  std::vector<RuleConfig> rules = {
      {"smoke", "", false, "siren light alert", 300},
      {"temperature", "", false, "alert", 60},
      {"vibration", "18:00-08:00", true, "alert", 60},
      {"door forced", "", false, "siren evidence", 120},
      {"tamper", "", false, "alarm evidence", 60},
      {"link attack", "", false, "evidence", 60},
  };

  template <class V>
  void visit(V& v) {
    v.section("paths", paths);
    v.section("runtime", runtime);
    v.section("log", log);
    v.section("data", data);
    v.section("human", human);
    v.section("owner", owner);
    v.section("train", train);
    v.section("board", board);
    v.section("camera", camera);
    v.section("motion", motion);
    v.section("clips", clips);
    v.section("face", face);
    v.section("liveness", liveness);
    v.section("access", access);
    v.section("audit", audit);
    v.section("evidence", evidence);
    v.section("alerts", alerts);
    v.section("sms", sms);
    v.section("webhook", webhook);
    v.section("email", email);
    v.section("s3", s3);
    v.section("gdrive", gdrive);
    v.section("web", web);
    v.section("mqtt", mqtt);
    v.list("rules", rules);
  }
};

/// Loads `file` over the built-in defaults, then applies environment overrides to secrets.
/// Without a file, returns the defaults with the overrides. Throws ConfigError listing every
/// problem (missing file, YAML syntax, unknown key, wrong type, out of range) as file:line:col.
Config load(const std::optional<std::filesystem::path>& file);

/// Parses YAML text (named `file` in messages) into a Config, collecting every problem.
Config parse(const std::string& text, const std::string& file);

/// The effective configuration as YAML, with every secret masked.
std::string to_yaml(const Config& config);

/// The yaml-cpp release this build uses.
std::string yaml_cpp_version();

/// Every key path of the schema, e.g. "runtime.threads".
std::vector<std::string> key_paths();

}  // namespace lockerctl::config
