#pragma once

#include <string>
#include <vector>

#include "common.hpp"
#include "web/console.hpp"

namespace lockerctl::cli {

struct WebOptions {
  std::string listen;               // overrides web.listen
  std::vector<std::string> hosts;   // web cert: names in the certificate
  int days = 825;
  bool self_signed = false;        // web cert: required, the only kind it makes
  std::string kiosk;               // pair-kiosk, unpair-kiosk: the kiosk's name
  double valid_min = 10;           // pair-kiosk: how long the code is good for
};

/// The console's settings from the web section; `listen` ("" = web.listen) names its address.
web::ConsoleOptions console_options(const config::Config& cfg, const std::string& listen);

/// The console's face enrollment: `owner enroll`'s checks on each uploaded photo, with the face
/// models (FaceRecognition) loaded at the first enrollment, on a database connection of its own.
web::FaceEnroller face_enroller(const config::Config& cfg);

/// Adds `lockerctl web` (serve the console), `web cert --self-signed`, and the kiosk pairing
/// commands `web pair-kiosk`, `web kiosks`, `web unpair-kiosk`.
void setup_web(CLI::App& app, const GlobalOptions& global, Action& action);

int run_web(const GlobalOptions& global, const WebOptions& options);
int run_web_cert(const GlobalOptions& global, const WebOptions& options);
int run_web_pair_kiosk(const GlobalOptions& global, const WebOptions& options);
int run_web_kiosks(const GlobalOptions& global);
int run_web_unpair_kiosk(const GlobalOptions& global, const WebOptions& options);

}  // namespace lockerctl::cli
