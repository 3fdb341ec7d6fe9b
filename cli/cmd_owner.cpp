#include "cmd_owner.hpp"

#include <qrencode.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/credentials.hpp"
#include "access/face_templates.hpp"
#include "access/lockers.hpp"
#include "access/owner_check.hpp"
#include "core/clock.hpp"
#include "data/hash.hpp"
#include "train/owner_model.hpp"
#include "eval/score_report.hpp"
#include "vision/face_bench.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "vision/camera.hpp"
#include "vision/face.hpp"
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

/// Shows `take` the frames of `camera` until it has accepted `count` of them, or 20 times as many
/// frames went by. Returns the frames seen. Throws DeviceError when the camera gives none.
int capture(vision::Camera& camera, int count, const std::function<bool(const cv::Mat&)>& take) {
  int accepted = 0, frames = 0, misses = 0;
  while (accepted < count && frames < count * 20) {
    auto frame = camera.grab();
    if (!frame) {
      if (++misses > 50) throw DeviceError(fmt::format("camera {}: no frames", camera.name()));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    ++frames;
    accepted += take(*frame);
  }
  return frames;
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

int run_owner_enroll_face(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  const std::filesystem::path out =
      o.out.empty() ? owner_captures_dir(cfg, o.name) / cfg.owner.positive_class : std::filesystem::path(o.out);
  auto camera = vision::open_camera(cfg.camera.source);
  const auto faces = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the folder: {}", out.string(), ec.message()));
  int saved = 0, spoofs = 0;
  const int frames = capture(*camera, o.count, [&](const cv::Mat& frame) {
    // Whole frames with exactly one live face: `dataset prepare` crops them as `run` does.
    const auto found = faces->detect(frame);
    if (found.size() != 1) return false;
    if (liveness && liveness->score(frame, found.front()) < cfg.liveness.threshold) {
      ++spoofs;
      return false;
    }
    vision::save_frame(out / fmt::format("{}-{:04}.png", o.name, saved++), frame);
    return true;
  });
  if (saved == 0) {
    throw DeviceError(fmt::format("camera {}: no frame with one live face in {} frames ({} refused by the liveness "
                                  "check)", camera->name(), frames, spoofs));
  }
  std::cout << fmt::format("{} face images of '{}' in {} (from {} frames; {} refused by the liveness check)\n", saved,
                           o.name, out.string(), frames, spoofs);
  return 0;
}

int run_owner_enroll(const GlobalOptions& global, const OwnerOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  FaceRecognition faces(cfg, station.db, station.key);
  const auto started = std::chrono::steady_clock::now();
  FaceEnrollment enrollment(faces);
  int refused = 0;
  const auto consider = [&](const std::string& what, const cv::Mat& frame) {
    std::string why;
    if (enrollment.take(frame, why)) return true;
    ++refused;
    if (!o.camera) log::error("{}: refused: {}", what, why);
    return false;
  };
  if (o.camera) {
    auto camera = vision::open_camera(cfg.camera.source);
    int frames = 0;
    capture(*camera, o.count, [&](const cv::Mat& frame) { return consider(fmt::format("{} frame {}", camera->name(), ++frames), frame); });
  } else {
    for (const auto& file : image_inputs(o.photos)) {
      std::string error;
      const auto frame = vision::load_frame(file, error);
      if (!frame) {
        ++refused;
        log::error("{}: refused: {}", file.string(), error);
        continue;
      }
      consider(file.string(), *frame);
    }
  }
  if (enrollment.taken() == 0) {
    throw DataError(fmt::format("owner enroll {}: no usable photo ({} refused); the old templates are kept", o.name, refused));
  }
  const int replaced = enrollment.store(cfg, o.name);
  station.audit.append({0, {}, "-", "owner", replaced ? "face re-enrolled" : "face enrolled", std::nullopt, std::nullopt, "",
                        fmt::format("{}: {} templates{}", o.name, enrollment.taken(),
                                    replaced ? fmt::format(" replace {}", replaced) : "")});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format("'{}' enrolled from {} photo(s), {} refused, in {:.1f} s{}\n", o.name, enrollment.taken(), refused,
                           seconds, replaced ? fmt::format("; replaced {} old template(s)", replaced) : "");
  return 0;
}

int run_owner_train(const GlobalOptions& global, const OwnerTrainOptions& o) {
  namespace fs = std::filesystem;
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  train::OwnerModelOptions m;
  m.owner = o.name;
  m.owner_chips = vision::face_chip_files(face_chips_dir(cfg, o.name));
  if (m.owner_chips.empty()) {
    throw DataError(fmt::format("owner '{}' has no enrolled face chips (lockerctl owner enroll {} --photos DIR)", o.name, o.name));
  }
  const fs::path negatives = cfg.owner.negatives.empty()
                                 ? fs::path(cfg.data.source_root) / "lfw_subset" / "singles"
                                 : fs::path(cfg.owner.negatives);
  if (!fs::is_directory(negatives)) {
    throw DataError(fmt::format("owner.negatives: {}: no such folder (scripts/fetch-datasets.sh lfw_subset/singles "
                                "fetches photos of other people, or name a folder of them)", negatives.string()));
  }
  // Other people's chips are aligned once per folder and kept under data_dir.
  const std::string folder_id = data::sha256_hex(fs::absolute(negatives).lexically_normal().string()).substr(0, 12);
  const fs::path chips = fs::path(cfg.paths.data_dir) / "face_chips" / (negatives.filename().string() + "-" + folder_id);
  const auto detector = face_detector(cfg, true);
  const vision::ChipFolderReport made = vision::make_face_chips(image_inputs({negatives.string()}), chips, *detector);
  log::info("owner.negatives {}: {} face chips made, {} kept from before, {} photos without a face, {} unreadable",
            negatives.string(), made.made, made.kept, made.no_face, made.unreadable);
  m.other_chips = vision::face_chip_files(chips);
  m.positive_class = cfg.owner.positive_class;
  m.negative_class = cfg.owner.negative_class;
  m.image_size = cfg.owner.chip_size;
  m.fractions = {0.6, 0.15, 0.25, static_cast<std::uint64_t>(cfg.data.seed)};
  m.max_far = cfg.owner.max_far;
  m.active = owner_model_file(cfg, o.name);
  train::TrainOptions& t = m.train;
  t.data_dir = cfg.paths.data_dir;
  t.run_dir = owner_run_dir(o.name);
  t.device = compute_device(cfg, o.device);
  t.workers = data_workers(cfg);
  t.seed = static_cast<std::uint64_t>(cfg.data.seed);
  t.train = cfg.train;
  t.train.augment = true;  // a handful of owner photos: every epoch shows them changed
  t.train.balance = true;
  if (o.epochs > 0) t.train.epochs = o.epochs;
  t.config_yaml = config::to_yaml(cfg);

  const train::OwnerModelResult r = train::train_owner_model(m);
  const eval::Metrics& test = r.tested.metrics;
  const auto& c = test.confusion;
  const std::string figures = fmt::format(
      "FAR {:.4f} ({} of {} held-out strangers accepted), FRR {:.4f} ({} of {} held-out owner photos rejected) at "
      "threshold {:.3f}", test.far, c.fp, c.fp + c.tn, test.frr, c.fn, c.fn + c.tp, test.threshold);
  station.audit.append({0, {}, "-", "owner", r.activated ? "cnn trained" : "cnn refused", test.far, cfg.owner.max_far, "",
                        fmt::format("{}: {}", o.name, figures)});
  std::cout << fmt::format("owner CNN of '{}' on {} face chips of the owner and {} of other people, {} epoch(s) in {:.1f} s: {}\n"
                           "  test report {}/metrics.md\n",
                           o.name, m.owner_chips.size(), m.other_chips.size(), r.trained.history.size(), r.trained.seconds,
                           figures, r.tested.report_dir.string());
  if (!r.activated) {
    const std::string why = test.far > cfg.owner.max_far
                                ? fmt::format("FAR {:.4f} is above owner.max_far {}", test.far, cfg.owner.max_far)
                                : std::string("it rejected every held-out photo of the owner (enroll more photos)");
    throw ModelError(fmt::format("owner train {}: {}; not made active ({} stays as it was; the model is in {})", o.name,
                                 why, m.active.string(), r.trained.model.string()));
  }
  std::cout << fmt::format("  active: {} (owner.method: cnn)\n", m.active.string());
  return 0;
}

int run_owner_verify(const GlobalOptions& global, const OwnerVerifyOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  // Layer 2 as `run` decides it, with either method.
  std::unique_ptr<FaceRecognition> recognition;
  std::unique_ptr<inference::InferenceEngine> model;
  std::unique_ptr<vision::FaceDetector> cnn_detector;
  std::unique_ptr<access::OwnerCheck> check;
  const bool cnn = cfg.owner.method == config::OwnerMethod::Cnn;
  if (cnn) {
    model = open_owner_model(cfg, o.name);
    cnn_detector = face_detector(cfg, model->info().input == models::kFaceChipInput);
    check = std::make_unique<access::CnnOwnerCheck>(
        std::map<std::string, access::CnnOwnerCheck::Model>{{o.name, {model.get(), model_threshold(cfg.access.owner_threshold, *model)}}},
        cfg.face.margin);
  } else {
    recognition = std::make_unique<FaceRecognition>(cfg, station.db, station.key);
    const access::OwnerTemplates enrolled = recognition->templates.load(o.name);
    if (enrolled.templates.empty()) {
      throw DataError(fmt::format("owner '{}': no intact face template{} (lockerctl owner enroll {} --photos DIR)", o.name,
                                  enrolled.damaged ? fmt::format("; {} damaged", enrolled.damaged) : "", o.name));
    }
    if (enrolled.damaged) log::warn("owner '{}': {} damaged template(s) left out", o.name, enrolled.damaged);
    check = std::make_unique<access::EmbeddingOwnerCheck>(recognition->verifier);
  }
  vision::FaceDetector& detector = recognition ? *recognition->detector : *cnn_detector;
  int unreadable = 0, denied = 0;
  for (const auto& file : image_inputs(o.inputs)) {
    const auto frame = read_frame(file);
    if (!frame) {
      ++unreadable;
      continue;
    }
    const auto found = detector.detect(*frame);
    const access::OwnerVerdict v = check->check(*frame, found, {o.name});
    const bool matched = !v.holder.empty();
    denied += !matched;
    if (o.json) {
      nlohmann::json j{{"image", file.string()}, {"face", nullptr}, {"faces", found.size()}, {"score", nullptr},
                       {"threshold", v.threshold}, {"decision", matched ? "pass" : "deny"}};
      if (v.face) {
        const auto& b = found.front().box;
        j["face"] = {b.x, b.y, b.width, b.height};
        if (v.score) j["score"] = *v.score;
      }
      std::cout << j.dump() << "\n";
    } else if (v.face) {
      const auto& b = found.front().box;
      std::cout << fmt::format("{}: face {:.0f},{:.0f} {:.0f}x{:.0f}{}  {} {}  threshold {:.3f}  {}\n", file.string(), b.x,
                               b.y, b.width, b.height, found.size() > 1 ? fmt::format(" (largest of {})", found.size()) : "",
                               cnn ? "score" : "similarity", v.score ? fmt::format("{:.3f}", *v.score) : "-", v.threshold,
                               matched ? "PASS" : "DENY");
    } else {
      std::cout << fmt::format("{}: no face found  DENY\n", file.string());
    }
  }
  if (unreadable) return static_cast<int>(ExitCode::Data);
  return denied ? static_cast<int>(ExitCode::CheckFailed) : 0;
}

int run_owner_benchmark(const GlobalOptions& global, const OwnerBenchmarkOptions& o) {
  namespace fs = std::filesystem;
  config::Config cfg = load_config(global);
  cfg.liveness.enabled = false;  // photos of photos: the benchmark measures recognition, face calibrate liveness
  audit::Database scratch(":memory:");  // templates stay in memory; nothing is enrolled for real
  FaceRecognition faces(cfg, scratch, audit::Key{});
  struct Photo {
    std::optional<inference::FaceDescriptor> probe;  // largest face, as `run` sees it
    bool enrolled = false;
  };
  struct Person {
    std::string name;
    std::vector<Photo> photos;
    std::vector<inference::FaceDescriptor> templates;
  };
  std::map<std::string, std::optional<inference::FaceDescriptor>> external;  // by file name
  if (!o.descriptors.empty()) {
    std::ifstream in(o.descriptors);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      try {
        const auto j = nlohmann::json::parse(line);
        std::optional<inference::FaceDescriptor> d;
        if (!j.at("descriptor").is_null()) {
          const auto v = j.at("descriptor").get<std::vector<float>>();
          if (v.size() != 128) throw DataError("not 128 numbers");
          d.emplace();
          std::copy(v.begin(), v.end(), d->begin());
        }
        external[j.at("file").get<std::string>()] = d;
      } catch (const std::exception& e) {
        throw DataError(fmt::format("{}:{}: not a descriptor line: {}", o.descriptors, n, e.what()));
      }
    }
  }
  std::vector<Person> people;
  std::vector<double> enroll_seconds;
  int unreadable = 0, refused = 0, too_few = 0, not_in_descriptors = 0;
  const auto describe = [&](const fs::path& file, cv::Mat* frame_out = nullptr) -> std::optional<Photo> {
    std::string error;
    const auto frame = vision::load_frame(file, error);
    if (!frame) {
      ++unreadable;
      log::warn("{}: {}", file.string(), error);
      return std::nullopt;
    }
    if (frame_out) *frame_out = *frame;
    if (o.descriptors.empty()) return Photo{faces.verifier.describe(*frame, faces.detector->detect(*frame)), false};
    const auto it = external.find(file.filename().string());
    if (it == external.end()) {
      ++not_in_descriptors;
      return std::nullopt;
    }
    return Photo{it->second, false};
  };
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(o.dataset)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::vector<fs::path>> photos_of;  // by person, as dirs
  std::size_t photos = 0;
  for (const auto& dir : dirs) {
    photos_of.push_back(image_inputs({dir.string()}));
    photos += photos_of.back().size();
  }
  const std::vector<fs::path> impostor_photos = o.impostors.empty() ? std::vector<fs::path>{} : image_inputs({o.impostors});
  Progress progress("owner benchmark: photos", photos + impostor_photos.size());
  for (std::size_t d = 0; d < dirs.size(); ++d) {
    Person p{dirs[d].filename().string(), {}, {}};
    double seconds = 0;
    for (const auto& file : photos_of[d]) {
      progress.advance();
      cv::Mat frame;
      auto photo = describe(file, &frame);
      if (!photo) continue;
      if (static_cast<int>(p.templates.size()) < o.enroll) {
        const auto started = std::chrono::steady_clock::now();
        std::string why;
        if (auto face = faces.verifier.enrollment_face(frame, why)) {
          if (!o.descriptors.empty() && !photo->probe) {
            ++refused;  // the other pipeline found no face in it
          } else {
            p.templates.push_back(o.descriptors.empty() ? face->descriptor : *photo->probe);
            photo->enrolled = true;
          }
        } else {
          ++refused;
          log::debug("{}: not for enrollment: {}", file.string(), why);
        }
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      }
      p.photos.push_back(*photo);
    }
    if (static_cast<int>(p.templates.size()) < o.enroll) {
      ++too_few;
      p.templates.clear();  // not enrolled: their photos still serve as impostors
    } else {
      enroll_seconds.push_back(seconds);
    }
    people.push_back(std::move(p));
  }
  std::vector<inference::FaceDescriptor> outsiders;
  int no_face_impostors = 0, no_face_genuine = 0;
  for (const auto& file : impostor_photos) {
    progress.advance();
    if (auto photo = describe(file)) {
      if (photo->probe) outsiders.push_back(*photo->probe);
    }
  }
  progress.finish();
  std::vector<float> scores, labels;
  int enrolled_people = 0;
  for (const Person& p : people) {
    if (p.templates.empty()) continue;
    ++enrolled_people;
    for (const Person& q : people) {
      for (const Photo& photo : q.photos) {
        if (&q == &p && photo.enrolled) continue;
        if (!photo.probe) {
          if (&q == &p) {
            ++no_face_genuine;  // layer 2 denies a frame without a face: a false reject
            scores.push_back(0);
            labels.push_back(1);
          } else {
            ++no_face_impostors;
          }
          continue;
        }
        scores.push_back(static_cast<float>(std::max(0.0, *access::similarity(*photo.probe, p.templates))));
        labels.push_back(&q == &p ? 1.f : 0.f);
      }
    }
    for (const auto& d : outsiders) {
      scores.push_back(static_cast<float>(std::max(0.0, *access::similarity(d, p.templates))));
      labels.push_back(0);
    }
  }
  const auto genuine = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 1.f));
  if (genuine == 0 || genuine == labels.size()) {
    throw DataError(fmt::format("owner benchmark {}: need people with more than {} usable photos and others to try; "
                                "{} of {} people enrolled", o.dataset, o.enroll, enrolled_people, people.size()));
  }

  // Per-frame latency of layer 2 (detection + alignment + embedding + comparison) on 640x480
  // camera frames made from genuine photos.
  std::vector<cv::Mat> frames;
  for (const auto& file : image_inputs({dirs.front().string()})) {
    std::string error;
    if (auto f = vision::load_frame(file, error)) frames.push_back(vision::camera_frame(*f, {640, 480}));
  }
  std::size_t next = 0;
  const auto& reference = people.front().templates.empty() ? people.back().templates : people.front().templates;
  const Latency latency = time_calls(30, [&] {
    const cv::Mat& frame = frames[next++ % frames.size()];
    if (auto d = faces.verifier.describe(frame, faces.detector->detect(frame))) access::similarity(*d, reference);
  }, 3);
  std::sort(enroll_seconds.begin(), enroll_seconds.end());
  const double enroll_median = enroll_seconds.empty() ? 0 : enroll_seconds[enroll_seconds.size() / 2];

  const double threshold = cfg.owner.match_threshold;
  const std::string what = o.descriptors.empty() ? "face embeddings" : "face embeddings of " + o.descriptors;
  const eval::ScoreReport r = eval::write_score_report(
      o.report_dir, scores, labels, threshold, o.target_far,
      {what, o.dataset,
       fmt::format("{} people enrolled from {} photos each, {} genuine and {} impostor tries", enrolled_people, o.enroll,
                   genuine, labels.size() - genuine),
       "owner", "someone else"},
      {{"dataset", o.dataset}, {"impostors", o.impostors}, {"enroll_photos", o.enroll}, {"people", people.size()},
       {"people_enrolled", enrolled_people}, {"people_too_few_photos", too_few}, {"photos_refused_for_enrollment", refused},
       {"unreadable", unreadable}, {"descriptors", o.descriptors}, {"not_in_descriptors", not_in_descriptors},
       {"genuine_without_face", no_face_genuine}, {"impostors_without_face", no_face_impostors},
       {"enroll_seconds_median", enroll_median}, {"latency_ms_median", latency.median_ms}, {"latency_ms_p95", latency.p95_ms},
       {"threads", cfg.runtime.threads}, {"evaluated", utc_now_iso8601()}});
  const auto& m = r.metrics;
  const auto far_95 = [](const eval::Metrics& x) {
    const eval::Interval i = eval::rate_interval(x.confusion.fp, x.confusion.fp + x.confusion.tn);
    return fmt::format("{:.5f} (95% interval {:.5f}-{:.5f})", x.far, i.low, i.high);
  };
  std::cout << fmt::format(
      "{} on {}: {} people enrolled from {} photos each ({} with too few usable photos), {} genuine and "
      "{} impostor tries; ROC AUC {:.5f}\n"
      "  at owner.match_threshold {:.3f}: strangers accepted {} (FAR), owners rejected {:.4f} (FRR)\n"
      "  for FAR <= {}: threshold {:.3f}, FAR {}, FRR {:.4f}\n"
      "  (the intervals count every impostor try as independent; tries of the same people are not, and strangers\n"
      "  unlike these may be accepted more often: keep a margin under the rate you promise)\n"
      "  enrollment {:.2f} s per person (median); layer 2 per 640x480 frame {:.1f} ms median, {:.1f} ms p95\n"
      "  report: {}/metrics.md\n",
      what, o.dataset, enrolled_people, o.enroll, too_few, genuine, labels.size() - genuine, r.roc_auc, threshold, far_95(m), m.frr,
      o.target_far, r.far_threshold, far_95(r.at_far_threshold), r.at_far_threshold.frr, enroll_median, latency.median_ms,
      latency.p95_ms, o.report_dir);
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
