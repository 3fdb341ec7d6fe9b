#include "cmd_owner.hpp"

#include <qrencode.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "access/credentials.hpp"
#include "access/face_templates.hpp"
#include "access/lockers.hpp"
#include "core/clock.hpp"
#include "train/owner_model.hpp"
#include "core/errors.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl::cli {
namespace {

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
  CLI::App* owner = app.add_subcommand("owner", "Locker owners: phone, e-mail address, password (Argon2id), authenticator app, face images.");
  owner->require_subcommand(1);
  auto o = std::make_shared<OwnerOptions>();

  CLI::App* add = owner_command(owner, "add", "Add an owner with the phone number (and e-mail address) alerts and codes go to.", *o);
  add->add_option("--phone", o->phone, "Phone number for SMS, e.g. +15550001")->required();
  add->add_option("--email", o->email, "E-mail address for alerts.channels: email, and the reader of Drive evidence");
  add->callback([&global, &action, o] { action = [&global, o] { return run_owner_add(global, *o); }; });

  CLI::App* remove = owner_command(
      owner, "remove",
      "Remove an owner and erase what lockerctl keeps of them: face templates, face chips, their owner CNN, its "
      "cached training data and run, captures of owner enroll-face, password hash, authenticator secret, phone and "
      "e-mail address. The audit log keeps its rows, which name them. Refused while they hold a locker (lockerctl "
      "locker set) or access.owner names them. Prints what it erased.", *o);
  remove->callback([&global, &action, o] { action = [&global, o] { return run_owner_remove(global, *o); }; });

  CLI::App* pw = owner_command(owner, "set-password",
                               "Set the password (asked twice on a terminal, without echo; else one line from "
                               "stdin). Stored only as an Argon2id hash. With access.input: board it must be "
                               "digits, as the keypad types them.", *o);
  pw->callback([&global, &action, o] { action = [&global, o] { return run_owner_set_password(global, *o); }; });

  CLI::App* phone = owner_command(owner, "set-phone", "Change the phone number.", *o);
  phone->add_option("phone", o->phone, "New phone number")->required();
  phone->callback([&global, &action, o] { action = [&global, o] { return run_owner_set_phone(global, *o); }; });

  CLI::App* email = owner_command(owner, "set-email", "Change the e-mail address (\"\" removes it).", *o);
  email->add_option("email", o->email, "New e-mail address")->required();
  email->callback([&global, &action, o] { action = [&global, o] { return run_owner_set_email(global, *o); }; });

  CLI::App* totp = owner_command(owner, "enroll-totp",
                                 "Make a new authenticator-app secret (TOTP, RFC 6238) and print it as an "
                                 "otpauth:// URI and a QR code to scan; replaces the old one.", *o);
  totp->callback([&global, &action, o] { action = [&global, o] { return run_owner_enroll_totp(global, *o); }; });

  CLI::App* enroll = owner_command(
      owner, "enroll",
      "Enroll the owner's face for layer 2: each photo must show exactly one face, at "
      "least owner.min_face_px, sharp (owner.min_sharpness), not cut off and, with liveness.enabled, live. A photo "
      "that fails is named with the reason and the others go on. The templates (128-d face embeddings) replace "
      "the owner's old ones in the database; the audit log records it. The aligned face chips go to "
      "<var_dir>/faces/NAME/ (private to the user) for `owner train` (owner.method: cnn). Exit 3 when no photo could be used.", *o);
  enroll->add_option("--photos", o->photos, "Photo files or folders (searched at any depth)");
  enroll->add_flag("--camera", o->camera, "Capture from camera.source instead, until --count photos passed");
  enroll->add_option("--count", o->count, "With --camera: photos to take")->check(CLI::Range(1, 100))->capture_default_str();
  enroll->callback([&global, &action, o] {
    if (o->photos.empty() == !o->camera) throw CLI::ValidationError("owner enroll", "give --photos FILE|DIR... or --camera");
    action = [&global, o] { return run_owner_enroll(global, *o); };
  });

  auto t = std::make_shared<OwnerTrainOptions>();
  CLI::App* train = owner->add_subcommand(
      "train",
      "Train the owner's own owner CNN for owner.method: cnn, on aligned face chips at owner.chip_size: the chips "
      "`owner enroll` kept as `owner`, and the faces of owner.negatives (photos of other people; "
      "by default <data.source_root>/lfw_subset/singles: `scripts/fetch-datasets.sh lfw_subset/singles`) as `not_owner`, with augmentation and class balance. Each class is split "
      "60/15/25 (train/validation/test); the test split gives the false-accept rate on strangers the model never "
      "saw (FAR) and the false-reject rate on the owner's held-out photos (FRR). The model becomes active "
      "(<models_dir>/owners/NAME.h5) only when FAR <= owner.max_far and it accepted at least one held-out photo of the "
      "owner; otherwise exit 4 and the active model stays as it was. Each run starts afresh in runs/owner-NAME (best.h5, metrics, test/metrics.md); the audit log records the outcome.");
  train->add_option("name", t->name, "Owner name")->required();
  train->add_option("--epochs", t->epochs, "Epochs (default: train.epochs)")->check(CLI::Range(1, 100000));
  train->add_option("--device", t->device, "cpu or cuda (default: runtime.device)")->check(CLI::IsMember({"cpu", "cuda"}));
  train->callback([&global, &action, t] { action = [&global, t] { return run_owner_train(global, *t); }; });

  auto v = std::make_shared<OwnerVerifyOptions>();
  CLI::App* verify = owner->add_subcommand(
      "verify",
      "Layer 2 of `lockerctl run` on photos: per image, the face found (or none), its score, the threshold and the "
      "decision. owner.method: embedding scores the similarity to the owner's templates (1 - the distance to the "
      "closest) against owner.match_threshold; cnn, the owner's CNN (owner train) against its threshold. Exit 1 when an image "
      "is not the owner, 3 when one cannot be read.");
  verify->add_option("name", v->name, "Owner name")->required();
  verify->add_option("inputs", v->inputs, "Image files or folders (searched at any depth)")->required();
  verify->add_flag("--json", v->json, "One JSON object per image and line: image, face, score, threshold, decision");
  verify->callback([&global, &action, v] { action = [&global, v] { return run_owner_verify(global, *v); }; });

  auto b = std::make_shared<OwnerBenchmarkOptions>();
  CLI::App* bench = owner->add_subcommand(
      "benchmark",
      "Measure layer 2 on people the network was not tuned on: every person of DATASET (one folder each) is "
      "enrolled from their first --enroll photos that pass the enrollment checks; their other photos are tried "
      "as genuine, every photo of everyone else (and of --impostors) as impostor. Writes metrics.json, "
      "metrics.md, roc.png and confusion.png (at owner.match_threshold) and prints the threshold that keeps "
      "false accepts at --target-far, with enrollment time and per-frame latency. The liveness check is off here: "
      "photo collections are photos of photos (lockerctl face calibrate measures liveness).");
  bench->add_option("dataset", b->dataset, "Folder with one sub-folder of photos per person")->required()->check(CLI::ExistingDirectory);
  bench->add_option("--impostors", b->impostors, "Folder of photos of people never enrolled")->check(CLI::ExistingDirectory);
  bench->add_option("--enroll", b->enroll, "Enrollment photos per person")->check(CLI::Range(1, 50))->capture_default_str();
  bench->add_option("--target-far", b->target_far, "False-accept rate the suggested threshold keeps to")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  bench->add_option("--report-dir", b->report_dir, "Where the report goes")->capture_default_str();
  bench->add_option("--descriptors", b->descriptors,
                    "Take each photo's descriptor from this file instead (JSON lines {\"file\": NAME, \"descriptor\": "
                    "[128 numbers] or null}, as scripts/face-api-pipeline.sh writes them): the same photos, checks and "
                    "protocol, another pipeline's faces")
      ->check(CLI::ExistingFile);
  bench->callback([&global, &action, b] { action = [&global, b] { return run_owner_benchmark(global, *b); }; });

  CLI::App* face = owner_command(owner, "enroll-face",
                                 "Capture frames that show exactly one face (face.detector), live by the liveness "
                                 "check when liveness.enabled, from camera.source into a dataset folder for the owner model (<datasets_dir>/<name>-faces/owner/ unless "
                                 "--out); `dataset prepare --task owner` crops the face as `run` does.", *o);
  face->add_option("--count", o->count, "Face images to capture")->check(CLI::Range(1, 10000))->capture_default_str();
  face->add_option("--out", o->out, "Folder for the images");
  face->callback([&global, &action, o] { action = [&global, o] { return run_owner_enroll_face(global, *o); }; });

  CLI::App* list = owner->add_subcommand("list", "Owners with phone, e-mail address, what is set, and any lockout.");
  list->callback([&global, &action] { action = [&global] { return run_owner_list(global); }; });
}

int run_owner_add(const GlobalOptions& global, const OwnerOptions& o) {
  Station station(load_config(global));
  station.owners.add(o.name, o.phone, o.email);
  station.audit.append({0, {}, "-", "owner", "added", std::nullopt, std::nullopt, "", o.name});
  std::cout << fmt::format("owner '{}' added; next: lockerctl owner set-password {}\n", o.name, o.name);
  return 0;
}

int run_owner_remove(const GlobalOptions& global, const OwnerOptions& o) {
  namespace fs = std::filesystem;
  const config::Config cfg = load_config(global);
  Station station(cfg);
  const access::Owner owner = station.owners.get(o.name);
  std::vector<std::string> held;
  for (const auto& l : access::LockerStore(station.db).list()) {
    if (std::find(l.holders.begin(), l.holders.end(), o.name) != l.holders.end()) held.push_back(l.number);
  }
  if (!held.empty()) {
    throw DataError(fmt::format("owner '{}' holds locker {}: give it other holders first (lockerctl locker set {} --holder ...) "
                                "or remove it (lockerctl locker remove {})",
                                o.name, fmt::join(held, ", "), held.front(), held.front()));
  }
  if (cfg.access.owner == o.name) {
    throw ConfigError({{"", 0, 0, "access.owner", fmt::format("names '{}', the owner to remove: name another first", o.name)}});
  }
  // The records first, in one transaction with the audit row; then the files, each said.
  std::vector<std::string> erased;
  access::FaceTemplates templates(station.db, station.key);
  station.db.transaction([&] {
    const int rows = templates.count(o.name);
    templates.replace(o.name, {});
    station.owners.remove(o.name);
    erased.push_back(fmt::format("{} face template(s)", rows));
    erased.push_back(fmt::format("phone, e-mail address{}{}", owner.password_hash.empty() ? "" : ", password hash",
                                 owner.totp_secret.empty() ? "" : ", authenticator secret"));
    station.audit.append({0, {}, "-", "owner", "removed", std::nullopt, std::nullopt, "",
                          fmt::format("{}: {} erased", o.name, fmt::join(erased, "; "))});
  });
  const fs::path model = owner_model_file(cfg, o.name);
  for (const fs::path& p : {face_chips_dir(cfg, o.name), fs::path(cfg.paths.data_dir) / train::owner_dataset_name(o.name),
                            owner_run_dir(o.name), owner_captures_dir(cfg, o.name), model, fs::path(model).replace_extension(".onnx")}) {
    std::error_code ec;
    const auto n = fs::remove_all(p, ec);
    if (ec) throw IoError(fmt::format("{}: cannot erase: {} (the owner's records are gone; erase it by hand)", p.string(), ec.message()));
    if (n > 0) erased.push_back(fmt::format("{} ({} file(s))", p.string(), n));
  }
  std::cout << fmt::format("owner '{}' removed; erased: {}\n", o.name, fmt::join(erased, "; "));
  return 0;
}

int run_owner_set_password(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  const std::string password = read_new_password();
  if (password.size() < 4) throw DataError("password: at least 4 characters");
  if (cfg.access.input != config::InputSource::Console && password.find_first_not_of("0123456789") != std::string::npos) {
    throw DataError(fmt::format("password: only digits can be typed on the {} (access.input: {})",
                                cfg.access.input == config::InputSource::Web ? "kiosk's keypad" : "board's keypad",
                                cfg.access.input == config::InputSource::Web ? "web" : "board"));
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

int run_owner_set_email(const GlobalOptions& global, const OwnerOptions& o) {
  Station station(load_config(global));
  station.owners.set_email(o.name, o.email);
  station.audit.append({0, {}, "-", "owner", "e-mail set", std::nullopt, std::nullopt, "", o.name});
  std::cout << fmt::format("e-mail address of '{}' {}\n", o.name, o.email.empty() ? "removed" : "set");
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

int run_owner_list(const GlobalOptions& global) {
  Station station(load_config(global));
  const double now = unix_now();
  for (const auto& owner : station.owners.list()) {
    const double until = station.owners.locked_until(owner.name);
    std::cout << fmt::format("{:<16} {:<16} {:<24} password {:<3} authenticator {:<3} {}\n", owner.name, owner.phone,
                             owner.email.empty() ? "-" : owner.email,
                             owner.password_hash.empty() ? "no" : "yes", owner.totp_secret.empty() ? "no" : "yes",
                             until > now ? fmt::format("LOCKED OUT for {:.0f} s", until - now) : "");
  }
  return 0;
}

}  // namespace lockerctl::cli
