#include "cmd_owner.hpp"

#include <qrencode.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <thread>

#include "access/credentials.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "vision/camera.hpp"
#include "vision/face.hpp"

namespace lockerctl::cli {
namespace {

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

/// The QR code of `text` in half-block characters, two modules per character row, quiet zone included.
std::string terminal_qr(const std::string& text) {
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) return {};
  const int w = qr->width, border = 2;
  const auto dark = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < w && y < w && (qr->data[y * w + x] & 1);
  };
  std::string out;
  for (int y = -border; y < w + border; y += 2) {
    for (int x = -border; x < w + border; ++x) {
      const bool top = dark(x, y), bottom = dark(x, y + 1);
      // Light modules are drawn, dark ones left blank: reads on a dark terminal background.
      out += !top && !bottom ? "\u2588" : !top ? "\u2580" : !bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  QRcode_free(qr);
  return out;
}

CLI::App* owner_command(CLI::App* parent, const char* name, const char* help, OwnerOptions& o) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("name", o.name, "Owner name (letters, digits, '-', '_', '.')")->required();
  return cmd;
}

}  // namespace

void setup_owner(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* owner = app.add_subcommand("owner", "Locker owners: phone, password (Argon2id), authenticator app, face images.");
  owner->require_subcommand(1);
  auto o = std::make_shared<OwnerOptions>();

  CLI::App* add = owner_command(owner, "add", "Add an owner with the phone number alerts and codes go to.", *o);
  add->add_option("--phone", o->phone, "Phone number for SMS, e.g. +15550001")->required();
  add->callback([&global, &action, o] { action = [&global, o] { return run_owner_add(global, *o); }; });

  CLI::App* pw = owner_command(owner, "set-password",
                               "Set the password (asked twice on a terminal, without echo; else one line from "
                               "stdin). Stored only as an Argon2id hash. With access.input: board it must be "
                               "digits, as the keypad types them.", *o);
  pw->callback([&global, &action, o] { action = [&global, o] { return run_owner_set_password(global, *o); }; });

  CLI::App* phone = owner_command(owner, "set-phone", "Change the phone number.", *o);
  phone->add_option("phone", o->phone, "New phone number")->required();
  phone->callback([&global, &action, o] { action = [&global, o] { return run_owner_set_phone(global, *o); }; });

  CLI::App* totp = owner_command(owner, "enroll-totp",
                                 "Make a new authenticator-app secret (TOTP, RFC 6238) and print it as an "
                                 "otpauth:// URI and a QR code to scan; replaces the old one.", *o);
  totp->callback([&global, &action, o] { action = [&global, o] { return run_owner_enroll_totp(global, *o); }; });

  CLI::App* face = owner_command(owner, "enroll-face",
                                 "Capture frames that show exactly one face (face.detector), live by the liveness "
                                 "check when liveness.enabled, from camera.source into a dataset folder for the owner model (<datasets_dir>/<name>-faces/owner/ unless "
                                 "--out); `dataset prepare --task owner` crops the face as `run` does.", *o);
  face->add_option("--count", o->count, "Face images to capture")->check(CLI::Range(1, 10000))->capture_default_str();
  face->add_option("--out", o->out, "Folder for the images");
  face->callback([&global, &action, o] { action = [&global, o] { return run_owner_enroll_face(global, *o); }; });

  CLI::App* list = owner->add_subcommand("list", "Owners with phone, what is set, and any lockout.");
  list->callback([&global, &action] { action = [&global] { return run_owner_list(global); }; });
}

int run_owner_add(const GlobalOptions& global, const OwnerOptions& o) {
  Station station(load_config(global));
  station.owners.add(o.name, o.phone);
  station.audit.append({0, {}, "-", "owner", "added", std::nullopt, std::nullopt, "", o.name});
  std::cout << fmt::format("owner '{}' added; next: lockerctl owner set-password {}\n", o.name, o.name);
  return 0;
}

int run_owner_set_password(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  const std::string password = read_secret("new password: ");
  if (isatty(STDIN_FILENO) && read_secret("again: ") != password) throw DataError("password: the two entries differ");
  if (password.size() < 4) throw DataError("password: at least 4 characters");
  if (cfg.access.input == config::InputSource::Board && password.find_first_not_of("0123456789") != std::string::npos) {
    throw DataError("password: only digits can be typed on the board's keypad (access.input: board)");
  }
  station.owners.set_password_hash(o.name, access::hash_password(password));
  station.audit.append({0, {}, "-", "owner", "password set", std::nullopt, std::nullopt, "", o.name});
  std::cout << fmt::format("password of '{}' set (Argon2id)\n", o.name);
  return 0;
}

int run_owner_set_phone(const GlobalOptions& global, const OwnerOptions& o) {
  Station station(load_config(global));
  station.owners.set_phone(o.name, o.phone);
  station.audit.append({0, {}, "-", "owner", "phone set", std::nullopt, std::nullopt, "", o.name});
  std::cout << fmt::format("phone of '{}' set\n", o.name);
  return 0;
}

int run_owner_enroll_totp(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  const auto secret = access::new_totp_secret();
  station.owners.set_totp_secret(o.name, secret);
  station.audit.append({0, {}, "-", "owner", "totp enrolled", std::nullopt, std::nullopt, "", o.name});
  const std::string uri = access::otpauth_uri(o.name, secret, cfg.access.otp_digits);
  std::cout << "Scan this with an authenticator app (or type the secret), then set access.otp: totp.\n"
            << terminal_qr(uri) << uri << "\n";
  return 0;
}

int run_owner_enroll_face(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  const std::filesystem::path out =
      o.out.empty() ? std::filesystem::path(cfg.paths.datasets_dir) / (o.name + "-faces") / cfg.owner.positive_class : std::filesystem::path(o.out);
  auto camera = vision::open_camera(cfg.camera.source);
  const auto faces = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the folder: {}", out.string(), ec.message()));
  int saved = 0, frames = 0, misses = 0, spoofs = 0;
  while (saved < o.count) {
    auto frame = camera->grab();
    if (!frame) {
      if (++misses > 50) throw DeviceError(fmt::format("camera {}: no frames", camera->name()));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (++frames > o.count * 20) break;
    // Whole frames with exactly one live face: `dataset prepare` crops them as `run` does.
    const auto found = faces->detect(*frame);
    if (found.size() != 1) continue;
    if (liveness && liveness->score(*frame, found.front()) < cfg.liveness.threshold) {
      ++spoofs;
      continue;
    }
    vision::save_frame(out / fmt::format("{}-{:04}.png", o.name, saved), *frame);
    ++saved;
  }
  if (saved == 0) {
    throw DeviceError(fmt::format("camera {}: no frame with one live face in {} frames ({} refused by the liveness "
                                  "check)", camera->name(), frames, spoofs));
  }
  std::cout << fmt::format("{} face images of '{}' in {} (from {} frames; {} refused by the liveness check)\n", saved,
                           o.name, out.string(), frames, spoofs);
  return 0;
}

int run_owner_list(const GlobalOptions& global) {
  Station station(load_config(global));
  const double now = notify::unix_now();
  for (const auto& owner : station.owners.list()) {
    const double until = station.owners.locked_until(owner.name);
    std::cout << fmt::format("{:<16} {:<16} password {:<3} authenticator {:<3} {}\n", owner.name, owner.phone,
                             owner.password_hash.empty() ? "no" : "yes", owner.totp_secret.empty() ? "no" : "yes",
                             until > now ? fmt::format("LOCKED OUT for {:.0f} s", until - now) : "");
  }
  return 0;
}

}  // namespace lockerctl::cli
