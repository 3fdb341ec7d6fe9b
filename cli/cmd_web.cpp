#include "cmd_web.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "core/signals.hpp"
#include "core/clock.hpp"
#include "inference/face_embedder.hpp"
#include "web/certificate.hpp"
#include "vision/camera.hpp"
#include "web/kiosks.hpp"

namespace lockerctl::cli {
namespace {

std::filesystem::path web_file(const config::Config& cfg, const std::string& configured, const char* name) {
  return configured.empty() ? std::filesystem::path(cfg.paths.var_dir) / "web" / name : std::filesystem::path(configured);
}

}  // namespace

web::FaceEnroller face_enroller(const config::Config& cfg) {
  struct Models {
    std::mutex mutex;  // one enrollment at a time
    std::unique_ptr<Station> station;
    std::unique_ptr<FaceRecognition> faces;
  };
  auto models = std::make_shared<Models>();
  return [cfg, models](const std::string& owner, const std::vector<web::EnrollPhoto>& photos) {
    std::lock_guard lock(models->mutex);
    if (!models->station) models->station = std::make_unique<Station>(cfg);
    models->station->owners.get(owner);
    if (!models->faces) models->faces = std::make_unique<FaceRecognition>(cfg, models->station->db, models->station->key);
    FaceEnrollment enrollment(*models->faces);
    web::Enrolled done;
    for (const auto& photo : photos) {
      std::string why;
      const auto frame = vision::decode_frame(std::vector<std::uint8_t>(photo.bytes.begin(), photo.bytes.end()), why);
      if (frame && enrollment.take(*frame, why)) continue;
      done.refused.push_back(fmt::format("{}: {}", photo.filename, why));
    }
    done.templates = enrollment.taken();
    if (done.templates > 0) done.replaced = enrollment.store(cfg, owner);
    log::info("console: '{}' enrolled from {} of {} photo(s)", owner, done.templates, photos.size());
    return done;
  };
}

void setup_web(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* web = app.add_subcommand(
      "web", "Serve the operator console over HTTPS (web.cert, web.key) until Ctrl-C or SIGTERM, and print its address. "
             "Operators log in (lockerctl operator add); pages: a live dashboard, incidents with photos and "
             "alert states, the audit log with filters, chain check and CSV/JSON export, the alerts outbox (admins retry), "
             "owners and lockers (admins add them, change phones and holders, clear lockouts, enroll faces from uploaded "
             "photos), and every branch from lockerctl monitor's store on the same database (admins acknowledge alarms). "
             "No page can open a locker. "
             "The kiosk for paired devices is served by lockerctl run with web.enabled: true (docs/console.md).");
  web->require_subcommand(0, 1);
  auto o = std::make_shared<WebOptions>();
  web->add_option("--listen", o->listen, "ADDRESS:PORT instead of web.listen (port 0: any free port)");
  CLI::App* cert = web->add_subcommand(
      "cert", "Make a self-signed certificate and key for a first start, at web.cert and web.key (default "
              "<var_dir>/web/cert.pem and key.pem, the key owner-only). Browsers warn until it is trusted.");
  cert->add_flag("--self-signed", o->self_signed, "Required: the only kind this command makes")->required();
  cert->add_option("--host", o->hosts, "A name or IP address the certificate is for; repeat (default: the address of web.listen)");
  cert->add_option("--days", o->days, "Validity in days")->check(CLI::Range(1, 3650))->capture_default_str();
  cert->callback([&global, &action, o] { action = [&global, o] { return run_web_cert(global, *o); }; });
  CLI::App* pair = web->add_subcommand(
      "pair-kiosk", "Print a one-time code that pairs a device as the kiosk NAME: open /kiosk on the device (served by "
                    "lockerctl run with web.enabled: true) and type the code. The device then holds a token in a cookie; "
                    "pairing NAME again replaces the device once the new code is used.");
  pair->add_option("name", o->kiosk, "Kiosk name (letters, digits, '-', '_', '.'), e.g. the locker room")->required();
  pair->add_option("--valid-min", o->valid_min, "Minutes the code is good for")->check(CLI::Range(1.0, 1440.0))->capture_default_str();
  pair->callback([&global, &action, o] { action = [&global, o] { return run_web_pair_kiosk(global, *o); }; });
  CLI::App* kiosks = web->add_subcommand("kiosks", "Paired kiosks, and unused pairing codes with their expiry.");
  kiosks->callback([&global, &action] { action = [&global] { return run_web_kiosks(global); }; });
  CLI::App* unpair = web->add_subcommand("unpair-kiosk", "Forget a kiosk: its device is refused at its next request.");
  unpair->add_option("name", o->kiosk, "Kiosk name")->required();
  unpair->callback([&global, &action, o] { action = [&global, o] { return run_web_unpair_kiosk(global, *o); }; });
  web->callback([&global, &action, o, web] {
    if (web->get_subcommands().empty()) action = [&global, o] { return run_web(global, *o); };
  });
}

web::ConsoleOptions console_options(const config::Config& cfg, const std::string& listen) {
  web::ConsoleOptions o;
  std::tie(o.host, o.port) = web::parse_listen(listen.empty() ? cfg.web.listen : listen, listen.empty() ? "web.listen" : "--listen");
  o.cert = web_file(cfg, cfg.web.cert, "cert.pem");
  o.key = web_file(cfg, cfg.web.key, "key.pem");
  o.insecure_local = cfg.web.insecure_local;
  o.session_idle_s = cfg.web.session_idle_s;
  o.incidents_dir = std::filesystem::path(cfg.paths.var_dir) / "incidents";
  o.models = {{"layer 1: human check", cfg.access.human_model},
              {"layer 2: owner CNN (owner.method cnn)", cfg.access.owner_model},
              {"layer 2: face embeddings (owner.method embedding)", cfg.owner.embedding_model},
              {"layer 2: face embedding weights", inference::face_embedder_weights(cfg.owner.embedding_model)},
              {"face detector (YuNet)", cfg.face.model},
              {"liveness: MiniFASNetV2", cfg.liveness.model_v2},
              {"liveness: MiniFASNetV1SE", cfg.liveness.model_v1se}};
  return o;
}

int run_web(const GlobalOptions& global, const WebOptions& options) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  const web::ConsoleOptions o = console_options(cfg, options.listen);
  signals::catch_stop_signals();
  web::Console console(o, station.db.file(), station.key, nullptr, face_enroller(cfg));
  console.start();
  std::cout << "console at " << console.url() << "/" << std::endl;
  log::info("console at {}/ ({})", console.url(), o.insecure_local ? "plain HTTP on 127.0.0.1" : "HTTPS, " + o.cert.string());
  while (!signals::stop_flag()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  console.stop();
  log::info("console stopped");
  return 0;
}

int run_web_cert(const GlobalOptions& global, const WebOptions& options) {
  const config::Config cfg = load_config(global);
  std::vector<std::string> hosts = options.hosts;
  if (hosts.empty()) hosts = {web::parse_listen(cfg.web.listen, "web.listen").first};
  const auto cert = web_file(cfg, cfg.web.cert, "cert.pem");
  const auto key = web_file(cfg, cfg.web.key, "key.pem");
  web::make_self_signed(cert, key, hosts, options.days);
  std::cout << fmt::format("certificate {} and key {} (owner-only) for {}, valid {} days\n", cert.string(), key.string(),
                           fmt::join(hosts, ", "), options.days);
  return 0;
}

int run_web_pair_kiosk(const GlobalOptions& global, const WebOptions& options) {
  Station station(load_config(global));
  web::KioskStore kiosks(station.db);
  const std::string code = kiosks.issue_code(options.kiosk, options.valid_min * 60, unix_now());
  station.audit.append({0, {}, "-", "kiosk", "pairing code issued", std::nullopt, std::nullopt, "",
                        fmt::format("kiosk '{}', valid {:g} min", options.kiosk, options.valid_min)});
  std::cout << fmt::format("pairing code for kiosk '{}': {} (valid {:g} min, once); type it on the device's /kiosk page\n",
                           options.kiosk, code, options.valid_min);
  return 0;
}

int run_web_kiosks(const GlobalOptions& global) {
  Station station(load_config(global));
  const double now = unix_now();
  for (const auto& k : web::KioskStore(station.db).list()) {
    std::cout << fmt::format("{:<24} {:<28} {}\n", k.name, k.paired.empty() ? "not paired" : "paired " + k.paired,
                             k.code_expires > now ? "code valid until " + utc_iso8601(static_cast<std::time_t>(k.code_expires)) : "");
  }
  return 0;
}

int run_web_unpair_kiosk(const GlobalOptions& global, const WebOptions& options) {
  Station station(load_config(global));
  web::KioskStore(station.db).remove(options.kiosk);
  station.audit.append({0, {}, "-", "kiosk", "unpaired", std::nullopt, std::nullopt, "", fmt::format("kiosk '{}'", options.kiosk)});
  std::cout << fmt::format("kiosk '{}' forgotten; its device is refused from now on\n", options.kiosk);
  return 0;
}

}  // namespace lockerctl::cli
