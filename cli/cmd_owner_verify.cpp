// lockerctl owner verify: layer 2 on photos, as the locker would decide.
#include "cmd_owner.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "access/credentials.hpp"
#include "access/face_templates.hpp"
#include "access/owner_check.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "vision/face.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl::cli {
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

}  // namespace lockerctl::cli
