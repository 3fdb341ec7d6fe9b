#include "cmd_face.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/clock.hpp"
#include "eval/score_report.hpp"
#include "vision/camera.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl::cli {
namespace fs = std::filesystem;
namespace {

nlohmann::json face_json(const vision::Face& f, const cv::Size& frame, const std::optional<double>& live,
                         double threshold) {
  nlohmann::json j{{"box", {f.box.x, f.box.y, f.box.width, f.box.height}}, {"score", f.score},
                   {"cut_off", f.cut_off(frame)}};
  if (f.has_landmarks) {
    for (const auto& p : f.landmarks) j["landmarks"].push_back({p.x, p.y});
  }
  if (live) {
    j["liveness"] = *live;
    j["live"] = *live >= threshold;
  }
  return j;
}

}  // namespace

void setup_face(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* face = app.add_subcommand(
      "face", "Faces as lockerctl run sees them: the detector (face.*) and the liveness check (liveness.*).");
  face->require_subcommand(1);

  auto check = std::make_shared<FaceCheckOptions>();
  CLI::App* c = face->add_subcommand(
      "check",
      "Per image: every face found (box, 5 landmarks with yunet, detector score, cut off at the border or "
      "not), largest first, and each face's liveness score and decision (live or a photo/screen) when "
      "liveness.enabled. Unreadable images are reported and counted (exit 3).");
  c->add_option("inputs", check->inputs, "Image files or folders (searched at any depth)")->required();
  c->add_flag("--json", check->json, "One JSON object per image and line: image, width, height, faces[]");
  c->add_option("--annotate", check->annotate,
                "Write each image as <folder>/<name>.png with boxes, landmarks and scores drawn on it");
  c->add_option("--chips", check->chips,
                "Write each face's aligned 150x150 chip, what the embedding method of layer 2 sees, as "
                "<folder>/<name>-<k>.png (k = 1 for the largest face; needs face.detector: yunet)");
  c->callback([&global, &action, check] { action = [&global, check] { return run_face_check(global, *check); }; });

  auto cal = std::make_shared<FaceCalibrateOptions>();
  CLI::App* k = face->add_subcommand(
      "calibrate",
      "Calibrate liveness.threshold on your own camera: scores a folder of live captures and a folder of "
      "photos or screens shown to the camera (the largest face of each image), writes metrics.json, "
      "metrics.md, roc.png and confusion.png as evaluate does, and suggests the threshold that lets at "
      "most --target-far of the spoofs through. Images without a face are skipped and counted.");
  k->add_option("--real", cal->real, "Folder of captures of live people")->required()->check(CLI::ExistingDirectory);
  k->add_option("--spoof", cal->spoof, "Folder of captures of printed photos or screens")
      ->required()
      ->check(CLI::ExistingDirectory);
  k->add_option("--target-far", cal->target_far, "Share of spoofs the suggested threshold may accept")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  k->add_option("--report-dir", cal->report_dir, "Where the report goes")->capture_default_str();
  k->callback([&global, &action, cal] { action = [&global, cal] { return run_face_calibrate(global, *cal); }; });
}

int run_face_check(const GlobalOptions& global, const FaceCheckOptions& o) {
  const config::Config cfg = load_config(global);
  const auto detector = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  const double threshold = cfg.liveness.threshold;
  for (const std::string& folder : {o.annotate, o.chips}) {
    if (folder.empty()) continue;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw IoError(fmt::format("{}: cannot create the folder: {}", folder, ec.message()));
  }
  if (!o.chips.empty() && cfg.face.detector != config::FaceDetector::YuNet) {
    throw Error("face check --chips: needs face.detector: yunet, the only detector that gives landmarks", ExitCode::Config);
  }
  int failed = 0;
  for (const fs::path& file : image_inputs(o.inputs)) {
    const auto frame = read_frame(file);
    if (!frame) {
      ++failed;
      continue;
    }
    const std::vector<vision::Face> faces = detector->detect(*frame);
    std::vector<std::optional<double>> live;
    for (const auto& f : faces) live.push_back(liveness ? std::optional(liveness->score(*frame, f)) : std::nullopt);
    std::vector<std::string> chips;
    if (!o.chips.empty()) {
      for (std::size_t i = 0; i < faces.size(); ++i) {
        cv::Mat bgr;
        cv::cvtColor(vision::align_face(*frame, faces[i]), bgr, cv::COLOR_RGB2BGR);
        chips.push_back((fs::path(o.chips) / fmt::format("{}-{}.png", file.stem().string(), i + 1)).string());
        vision::save_frame(chips.back(), bgr);
      }
    }
    if (o.json) {
      nlohmann::json j{{"image", file.string()}, {"width", frame->cols}, {"height", frame->rows},
                       {"detector", detector->name()}, {"faces", nlohmann::json::array()}};
      if (liveness) j["liveness_threshold"] = threshold;
      for (std::size_t i = 0; i < faces.size(); ++i) {
        j["faces"].push_back(face_json(faces[i], frame->size(), live[i], threshold));
        if (!chips.empty()) j["faces"].back()["chip"] = chips[i];
      }
      std::cout << j.dump() << "\n";
    } else {
      std::cout << fmt::format("{}: {}x{}, {} face(s) ({})\n", file.string(), frame->cols, frame->rows, faces.size(),
                               detector->name());
      for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto& f = faces[i];
        std::string line = fmt::format("  #{} box {:.0f},{:.0f} {:.0f}x{:.0f}  score {:.3f}", i + 1, f.box.x, f.box.y,
                                       f.box.width, f.box.height, f.score);
        if (f.has_landmarks) {
          line += "  landmarks";
          for (const auto& p : f.landmarks) line += fmt::format(" ({:.0f},{:.0f})", p.x, p.y);
        }
        if (f.cut_off(frame->size())) line += "  cut off at the border";
        if (live[i]) {
          line += fmt::format("  liveness {:.3f} {} (threshold {:.3f})", *live[i], *live[i] >= threshold ? "live" : "SPOOF",
                              threshold);
        }
        std::cout << line << "\n";
      }
    }
    if (!o.annotate.empty()) {
      cv::Mat drawn = frame->clone();
      vision::draw_faces(drawn, faces, live, threshold);
      vision::save_frame(fs::path(o.annotate) / (file.stem().string() + ".png"), drawn);
    }
  }
  return failed ? static_cast<int>(ExitCode::Data) : 0;
}

int run_face_calibrate(const GlobalOptions& global, const FaceCalibrateOptions& o) {
  config::Config cfg = load_config(global);
  cfg.liveness.enabled = true;  // calibrating it is the point, whatever the run config says
  const auto detector = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  std::vector<float> scores, labels;
  std::size_t no_face = 0, unreadable = 0;
  for (const auto& [folder, label] : {std::pair{o.real, 1.f}, std::pair{o.spoof, 0.f}}) {
    for (const fs::path& file : image_inputs({folder})) {
      const auto frame = read_frame(file);
      if (!frame) {
        ++unreadable;
        continue;
      }
      const auto faces = detector->detect(*frame);
      if (faces.empty()) {
        log::warn("{}: no face found; skipped", file.string());
        ++no_face;
        continue;
      }
      scores.push_back(static_cast<float>(liveness->score(*frame, faces.front())));
      labels.push_back(label);
    }
  }
  const auto real = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 1.f));
  if (real == 0 || real == labels.size()) {
    throw DataError(fmt::format("face calibrate: need live and spoofed captures with a face; found {} live and {} "
                                "spoofed ({} without a face, {} unreadable)",
                                real, labels.size() - real, no_face, unreadable));
  }
  const eval::ScoreReport r = eval::write_score_report(
      o.report_dir, scores, labels, cfg.liveness.threshold, o.target_far,
      {"liveness", o.real + " vs " + o.spoof, fmt::format("{} live, {} spoofed", real, labels.size() - real), "live",
       "spoof"},
      {{"real", o.real}, {"spoof", o.spoof}, {"images", labels.size()}, {"no_face", no_face},
       {"unreadable", unreadable}, {"detector", detector->name()}, {"evaluated", utc_now_iso8601()}});
  const auto& m = r.metrics;
  std::cout << fmt::format(
      "liveness on {} live and {} spoofed captures ({} without a face, {} unreadable): ROC AUC {:.4f}\n"
      "  at liveness.threshold {:.3f}: spoofs accepted {:.4f} (FAR), live faces rejected {:.4f} (FRR)\n"
      "  suggested liveness.threshold: {:.4f} (spoofs accepted {:.4f}, live faces rejected {:.4f}; target FAR {})\n"
      "  report in {}\n",
      real, labels.size() - real, no_face, unreadable, r.roc_auc, m.threshold, m.far, m.frr, r.far_threshold,
      r.at_far_threshold.far, r.at_far_threshold.frr, o.target_far, o.report_dir);
  return unreadable ? static_cast<int>(ExitCode::Data) : 0;
}

}  // namespace lockerctl::cli
