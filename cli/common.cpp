#include "common.hpp"

#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <opencv2/core/utility.hpp>
#include <thread>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "data/image.hpp"
#include "evidence/gdrive_store.hpp"
#include "evidence/s3_store.hpp"
#include "models/torch_runtime.hpp"
#include "vision/camera.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl::cli {

void configure_logging(const GlobalOptions& global, const config::LogConfig& from_config) {
  log::Level level = from_config.level;
  if (global.verbose) level = log::Level::Debug;
  if (global.quiet) level = log::Level::Warn;
  const log::Format format = log::parse_format(global.log_format).value_or(from_config.format);
  log::configure(level, format);
}

int data_workers(const config::Config& cfg) {
  if (cfg.data.workers > 0) return cfg.data.workers;
  if (cfg.runtime.threads > 0) return cfg.runtime.threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string compute_device(const config::Config& cfg, const std::string& flag) {
  if (!flag.empty()) return flag;
  return cfg.runtime.device == config::ComputeDevice::Cuda ? "cuda" : "cpu";
}

config::Config load_config(const GlobalOptions& global) {
  std::optional<std::filesystem::path> file;
  if (!global.config_file.empty()) file = global.config_file;
  config::Config cfg = config::load(file);
  configure_logging(global, cfg.log);
  const int threads = models::set_torch_threads(cfg.runtime.threads);
  if (cfg.runtime.threads > 0) cv::setNumThreads(cfg.runtime.threads);
  log::debug("configuration: {}; LibTorch threads: {}", file ? file->string() : "built-in defaults",
             threads);
  return cfg;
}

std::optional<cv::Mat> read_frame(const std::filesystem::path& file) {
  std::string error;
  auto frame = vision::load_frame(file, error);
  if (!frame) log::error("{}: {}", file.string(), error);
  return frame;
}

std::filesystem::path face_chips_dir(const config::Config& cfg, const std::string& owner) {
  return std::filesystem::path(cfg.paths.var_dir) / "faces" / owner;
}

std::filesystem::path owner_model_file(const config::Config& cfg, const std::string& owner) {
  return std::filesystem::path(cfg.paths.models_dir) / "owners" / (owner + ".h5");
}

std::filesystem::path owner_run_dir(const std::string& owner) { return std::filesystem::path("runs") / ("owner-" + owner); }

std::filesystem::path owner_captures_dir(const config::Config& cfg, const std::string& owner) {
  return std::filesystem::path(cfg.paths.datasets_dir) / (owner + "-faces");
}

inference::Backend inference_backend(const config::Config& cfg) {
  return cfg.access.backend == config::InferenceBackend::OpenCv ? inference::Backend::OpenCv : inference::Backend::Torch;
}

std::unique_ptr<inference::InferenceEngine> open_owner_model(const config::Config& cfg, const std::string& owner) {
  std::filesystem::path file = owner_model_file(cfg, owner);
  if (!std::filesystem::exists(file)) {
    // The paper's single owner model serves the station's owner who has none of their own.
    if (owner != cfg.access.owner || !split_list(cfg.access.locker).empty()) {
      throw DataError(fmt::format("owner '{}' has no owner model for owner.method: cnn (lockerctl owner train {})", owner, owner));
    }
    file = cfg.access.owner_model;
  }
  return inference::open_engine(file, inference_backend(cfg), models::Architecture::OwnerCnn);
}

double model_threshold(double configured, const inference::InferenceEngine& engine) {
  return configured > 0 ? configured : engine.info().threshold;
}

Progress::Options per_image_progress() {
  Progress::Options o = Progress::default_options();
  o.closing_line = false;
  return o;
}

std::vector<std::filesystem::path> image_inputs(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (!fs::is_directory(in, ec)) {
      files.emplace_back(in);
      continue;
    }
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator it(in, ec), end; it != end; it.increment(ec)) {
      if (it->is_regular_file() && data::has_image_extension(it->path())) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}


/// One line from stdin; with a terminal, prompted on stderr with echo off.
std::string read_secret(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got) throw DataError("password: nothing was typed (end of input)");
  return line;
}

std::string read_new_password() {
  const std::string password = read_secret("new password: ");
  if (isatty(STDIN_FILENO) && read_secret("again: ") != password) throw DataError("password: the two entries differ");
  return password;
}

notify::OutboxOptions outbox_options(const config::Config& cfg) {
  const config::AlertsConfig& a = cfg.alerts;
  return {split_list(a.channels), a.code_channel == config::CodeChannel::Email ? "email" : "sms", a.max_attempts,
          a.backoff_s, a.max_backoff_s};
}

namespace {

Error missing(const std::string& key, const std::string& why) { return Error(key + ": " + why, ExitCode::Config); }

}  // namespace

Messengers::Messengers(const config::Config& cfg) {
  const notify::OutboxOptions routes = outbox_options(cfg);
  std::vector<std::string> wanted = routes.alert_channels;
  wanted.push_back(routes.code_channel);
  for (const std::string& name : wanted) {
    if (channels.count(name)) continue;
    if (name == "sms" && cfg.sms.provider == config::SmsProvider::Sim) {
      owned.push_back(std::make_unique<notify::SimulatedPhone>(std::filesystem::path(cfg.paths.var_dir) / "phone"));
    } else if (name == "sms") {
      const config::SmsConfig& s = cfg.sms;
      if (s.account_sid.empty()) throw missing("sms.account_sid", "needed with sms.provider: twilio");
      if (s.auth_token.empty()) throw missing("sms.auth_token", "needed with sms.provider: twilio (or LOCKERCTL_SMS_AUTH_TOKEN)");
      if (s.from.empty()) throw missing("sms.from", "needed with sms.provider: twilio (the sending number)");
      owned.push_back(std::make_unique<notify::TwilioSms>(notify::TwilioOptions{s.api_base, s.account_sid, s.auth_token, s.from, s.mms}));
    } else if (name == "webhook") {
      if (cfg.webhook.url.empty()) throw missing("webhook.url", "needed when alerts.channels has webhook");
      if (cfg.webhook.secret.empty()) throw missing("webhook.secret", "needed when alerts.channels has webhook (receivers check the signature)");
      owned.push_back(std::make_unique<notify::Webhook>(cfg.webhook.url, cfg.webhook.secret));
    } else if (name == "email") {
      const config::EmailConfig& e = cfg.email;
      if (e.smtp_url.empty()) throw missing("email.smtp_url", "needed for e-mail alerts or codes");
      if (e.from.empty()) throw missing("email.from", "needed for e-mail alerts or codes");
      if (!e.ca_file.empty() && !std::ifstream(e.ca_file)) throw missing("email.ca_file", e.ca_file + ": cannot read");
      owned.push_back(std::make_unique<notify::Email>(notify::EmailOptions{e.smtp_url, e.from, e.username, e.password, e.starttls, e.ca_file}));
    } else {
      throw missing("alerts.channels", fmt::format("'{}' is not a channel (sms, webhook, email)", name));
    }
    channels[name] = owned.back().get();
  }
  switch (cfg.evidence.store) {
    case config::EvidenceStore::Local:
      store = std::make_unique<evidence::LocalStore>();
      break;
    case config::EvidenceStore::S3: {
      const config::S3Config& s = cfg.s3;
      if (s.bucket.empty()) throw missing("s3.bucket", "needed with evidence.store: s3");
      if (s.access_key_id.empty()) throw missing("s3.access_key_id", "needed with evidence.store: s3");
      if (s.secret_access_key.empty()) throw missing("s3.secret_access_key", "needed with evidence.store: s3 (or LOCKERCTL_S3_SECRET_ACCESS_KEY)");
      store = std::make_unique<evidence::S3Store>(evidence::S3Options{s.endpoint, s.region, s.bucket, s.prefix, s.access_key_id,
                                                                      s.secret_access_key, s.link_ttl_s, s.virtual_host});
      break;
    }
    case config::EvidenceStore::GDrive: {
      const config::GDriveConfig& g = cfg.gdrive;
      if (g.service_account_file.empty()) throw missing("gdrive.service_account_file", "needed with evidence.store: gdrive");
      if (g.folder_id.empty()) throw missing("gdrive.folder_id", "needed with evidence.store: gdrive");
      evidence::DriveOptions d;
      try {
        d.account = evidence::read_service_account(g.service_account_file);
      } catch (const Error& e) {
        throw missing("gdrive.service_account_file", e.what());
      }
      d.folder_id = g.folder_id;
      d.api_base = g.api_base;
      d.token_uri = g.token_uri;
      d.share_with_anyone = g.share == config::DriveShare::Anyone;
      store = std::make_unique<evidence::DriveStore>(std::move(d));
      break;
    }
  }
}

Station::Station(const config::Config& cfg)
    : db(audit::database_file(cfg.paths.var_dir)),
      key(audit::load_key(cfg.audit.key, cfg.paths.var_dir)),
      audit(db, key),
      phone(std::filesystem::path(cfg.paths.var_dir) / "phone"),
      outbox(db, outbox_options(cfg)),
      owners(db) {}

std::filesystem::path pending_key_file(const std::filesystem::path& key_file) {
  return key_file.string() + ".new";
}

namespace {

devices::osdp::Block read_board_key(const std::filesystem::path& file) {
  const auto key = devices::osdp::parse_key(read_private_file(file));
  if (!key) throw DataError(file.string() + ": not a board key (32 hexadecimal digits expected)");
  return *key;
}

}  // namespace

devices::BoardLinkOptions board_link_options(const config::Config& cfg) {
  using devices::osdp::SecureMode;
  devices::BoardLinkOptions o;
  o.port = cfg.board.port;
  o.baud = cfg.board.baud;
  o.panel.address = static_cast<std::uint8_t>(cfg.board.address);
  o.panel.poll_interval = std::chrono::milliseconds(cfg.board.poll_ms);
  o.panel.reply_timeout = std::chrono::milliseconds(cfg.board.reply_timeout_ms);
  o.panel.offline_after = std::chrono::milliseconds(static_cast<long long>(cfg.board.offline_after_s * 1000));
  o.panel.lock_output = cfg.board.lock_output;
  o.panel.secure = cfg.board.secure == config::BoardSecurity::Required    ? SecureMode::Required
                   : cfg.board.secure == config::BoardSecurity::Preferred ? SecureMode::Preferred
                                                                          : SecureMode::Off;
  if (o.panel.secure == SecureMode::Off) return o;
  BoardKeys keys = board_keys(cfg, o.port == devices::kSimulatedPort);
  if (keys.source == BoardKeys::Source::InstallMode) {
    log::warn("board.install_mode: the lock board is addressed under the default key SCBK-D, which every installer "
              "knows; run `lockerctl board keyset`, then set board.install_mode back to false");
  } else if (keys.source == BoardKeys::Source::Random) {
    log::info("simulated lock board: a random secure channel key for this run");
  }
  o.panel.keys = std::move(keys.keys);
  o.key_file = std::move(keys.file);
  return o;
}

BoardKeys board_keys(const config::Config& cfg, bool simulated) {
  BoardKeys k;
  const char* env = std::getenv("LOCKERCTL_BOARD_KEY");
  const std::filesystem::path file = config::board_key_file(cfg);
  std::error_code ec;
  if (cfg.board.install_mode) {
    k.source = BoardKeys::Source::InstallMode;
    k.keys = {devices::osdp::kDefaultKey};
  } else if (env) {
    const auto key = devices::osdp::parse_key(env);
    if (!key) throw Error("LOCKERCTL_BOARD_KEY: not a board key (32 hexadecimal digits expected)", ExitCode::Config);
    k.source = BoardKeys::Source::Environment;
    k.keys = {*key};
    return k;
  } else if (std::filesystem::exists(file, ec)) {
    k.source = BoardKeys::Source::File;
    k.keys = {read_board_key(file)};
  } else {
    if (!simulated) {
      throw Error(fmt::format("board.key_file: {}: no key for the lock board (first installation: set "
                              "board.install_mode: true and run `lockerctl board keyset`; docs/lock-board.md#keys)",
                              file.string()),
                  ExitCode::Config);
    }
    k.source = BoardKeys::Source::Random;
    k.keys = {devices::osdp::random_key()};
    return k;
  }
  k.file = file;
  const auto pending = pending_key_file(file);
  if (std::filesystem::exists(pending, ec)) k.keys.push_back(read_board_key(pending));
  return k;
}

std::unique_ptr<devices::BoardLink> connect_board(const devices::BoardLinkOptions& options, OnRefusal refusal) {
  auto link = std::make_unique<devices::BoardLink>(options);
  auto& panel = link->panel();
  if (!panel.wait_online(options.panel.offline_after)) {
    if (const auto problem = panel.security_problem()) {
      if (refusal == OnRefusal::Fail) throw DeviceError(fmt::format("{} (on {})", *problem, options.port));
      log::error("{} (on {}); the locker stays locked and the handshake is tried again", *problem, options.port);
      return link;
    }
    throw DeviceError(fmt::format("lock board 0x{:02X} on {}: no answer within {:.1f} s (check wiring, "
                                  "address and baud rate)", options.panel.address, options.port,
                                  options.panel.offline_after.count() / 1000.0));
  }
  // An interrupted `board keyset` left the new key beside the old one: keep the one the board took.
  if (options.panel.keys.size() > 1 && panel.secure()) {
    const auto pending = pending_key_file(options.key_file);
    if (panel.key_index() == 1) {
      write_file_atomically(options.key_file, read_file(pending), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      log::warn("lock board 0x{:02X}: it holds the key of an interrupted `board keyset`; {} now holds that key",
                options.panel.address, options.key_file.string());
    }
    std::error_code ec;
    std::filesystem::remove(pending, ec);
  }
  return link;
}

vision::FaceOptions face_options(const config::Config& cfg) {
  const auto kind = cfg.face.detector == config::FaceDetector::YuNet ? vision::DetectorKind::YuNet
                    : cfg.face.detector == config::FaceDetector::Haar ? vision::DetectorKind::Haar
                                                                      : vision::DetectorKind::WholeFrame;
  return {kind, cfg.face.model, cfg.face.cascade, static_cast<float>(cfg.face.score_threshold), cfg.face.min_size,
          cfg.face.margin};
}

std::unique_ptr<vision::LivenessCheck> liveness_check(const config::Config& cfg) {
  if (!cfg.liveness.enabled) return nullptr;
  return vision::make_liveness_check({cfg.liveness.model_v2, cfg.liveness.model_v1se});
}

std::unique_ptr<vision::FaceDetector> face_detector(const config::Config& cfg, bool landmarks) {
  if (landmarks && cfg.face.detector != config::FaceDetector::YuNet) {
    throw Error("face.detector: face chips are aligned by their landmarks, which only yunet gives", ExitCode::Config);
  }
  return vision::make_face_detector(face_options(cfg));
}

namespace {

access::FaceMatchOptions face_match_options(const config::Config& cfg) {
  return {cfg.owner.match_threshold, cfg.owner.min_face_px, cfg.owner.min_sharpness, cfg.liveness.threshold};
}

}  // namespace

FaceRecognition::FaceRecognition(const config::Config& cfg, audit::Database& db, const audit::Key& key)
    : detector(face_detector(cfg, true)),
      liveness(liveness_check(cfg)),
      embedder(cfg.owner.embedding_model, inference_backend(cfg)),
      templates(db, key),
      verifier(*detector, embedder, liveness.get(), templates, face_match_options(cfg)) {}

bool FaceEnrollment::take(const cv::Mat& frame, std::string& why) {
  auto face = faces_.verifier.enrollment_face(frame, why);
  if (!face) return false;
  templates_.push_back(face->descriptor);
  chips_.push_back(face->chip);
  return true;
}

int FaceEnrollment::store(const config::Config& cfg, const std::string& owner) {
  const int replaced = faces_.templates.count(owner);
  faces_.templates.replace(owner, templates_);
  vision::replace_face_chips(face_chips_dir(cfg, owner), chips_);
  return replaced;
}

}  // namespace lockerctl::cli
