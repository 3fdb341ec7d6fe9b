// lockerctl owner enroll-face (frames for the owner CNN) and owner enroll (face embeddings for layer 2).
#include "cmd_owner.hpp"

#include <fmt/format.h>

#include <iostream>
#include <functional>
#include <thread>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "vision/camera.hpp"
#include "vision/face.hpp"

namespace lockerctl::cli {
namespace {

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

}  // namespace

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

}  // namespace lockerctl::cli
