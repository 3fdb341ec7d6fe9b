#include "cmd_web.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <thread>

#include "core/log.hpp"
#include "core/signals.hpp"
#include "web/certificate.hpp"
#include "web/console.hpp"

namespace lockerctl::cli {
namespace {

std::filesystem::path web_file(const config::Config& cfg, const std::string& configured, const char* name) {
  return configured.empty() ? std::filesystem::path(cfg.paths.var_dir) / "web" / name : std::filesystem::path(configured);
}

}  // namespace

void setup_web(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* web = app.add_subcommand(
      "web", "Serve the operator console over HTTPS (web.cert, web.key) until Ctrl-C or SIGTERM, and print its address. "
             "Operators log in (lockerctl operator add); pages: a live dashboard, incidents with photos and "
             "alert states, the audit log with filters, chain check and CSV/JSON export, the alerts outbox (admins retry). "
             "No page can open a locker.");
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
  web->callback([&global, &action, o, cert] {
    if (!*cert) action = [&global, o] { return run_web(global, *o); };
  });
}

int run_web(const GlobalOptions& global, const WebOptions& options) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  web::ConsoleOptions o;
  std::tie(o.host, o.port) = web::parse_listen(options.listen.empty() ? cfg.web.listen : options.listen,
                                               options.listen.empty() ? "web.listen" : "--listen");
  o.cert = web_file(cfg, cfg.web.cert, "cert.pem");
  o.key = web_file(cfg, cfg.web.key, "key.pem");
  o.insecure_local = cfg.web.insecure_local;
  o.session_idle_s = cfg.web.session_idle_s;
  o.incidents_dir = std::filesystem::path(cfg.paths.var_dir) / "incidents";
  signals::catch_stop_signals();
  web::Console console(o, station.db.file(), station.key);
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

}  // namespace lockerctl::cli
