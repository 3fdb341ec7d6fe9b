#include "cmd_face.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/clock.hpp"
#include "core/progress.hpp"
#include "eval/pad.hpp"
#include "eval/score_report.hpp"
#include "vision/camera.hpp"
#include "vision/face_chip.hpp"
#include "vision/liveness.hpp"

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

  auto b = std::make_shared<FaceBenchmarkOptions>();
  CLI::App* bench = face->add_subcommand(
      "benchmark",
      "Measure the liveness check as ISO/IEC 30107-3 does, on DIR/real/ (bona fide) and DIR/attack/ (presentation "
      "attacks; an optional level attack/<type>/ names the type: print, replay, mask, ...), any depth below. Per "
      "image: the largest face, its liveness score and the decision at liveness.threshold. Then APCER (attacks "
      "accepted as live) and BPCER (real faces refused), overall, per attack type and per source (a file name's "
      "part before its first '_', else its folder), the threshold for --target-apcer with its BPCER, ROC AUC, and "
      "the worst-scored images of each class; pad.json, pad.md and roc.png in --report-dir. Images without a face "
      "are counted per class and listed, not scored; unreadable ones are named and counted (exit 3).");
  bench->add_option("dir", b->dir, "Folder with real/ and attack/")->required()->check(CLI::ExistingDirectory);
  bench->add_option("--target-apcer", b->target_apcer, "APCER the suggested threshold keeps to")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  bench->add_option("--frames", b->frames,
                    "Score each still as this many simulated frames (the face box moved and resized by up to 5%, the "
                    "light by up to 10%) and decide on their mean, as run decides over liveness.frames; also prints "
                    "the one-frame figures beside it")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  bench->add_flag("--json", b->json, "Print one JSON document (every image and the figures) instead of lines");
  bench->add_option("--report-dir", b->report_dir, "Where the report goes")->capture_default_str();
  bench->callback([&global, &action, b] { action = [&global, b] { return run_face_benchmark(global, *b); }; });
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
  const auto files = image_inputs(o.inputs);
  Progress progress("face check", files.size(), per_image_progress());
  for (const fs::path& file : files) {
    progress.advance();
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

namespace {

/// An image's class from its place under the benchmark folder: real, or attack and its type.
struct Presentation {
  bool real = false;
  std::string type;  ///< an attack's subfolder under attack/, or "attack"
};

std::optional<Presentation> presentation_of(std::string dir, const fs::path& file) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  // Lexically: a benchmark folder may be made of links to the images.
  const fs::path rel = file.lexically_normal().lexically_relative(fs::path(dir).lexically_normal());
  auto part = rel.begin();
  if (part == rel.end()) return std::nullopt;
  if (*part == "real") return Presentation{true, ""};
  if (*part != "attack") return std::nullopt;
  ++part;
  const auto next = std::next(part);
  return Presentation{false, next == rel.end() ? std::string("attack") : part->string()};
}

std::string source_of(const fs::path& file) {
  const std::string name = file.filename().string();
  const auto underscore = name.find('_');
  return underscore != std::string::npos && underscore > 0 ? name.substr(0, underscore) : file.parent_path().filename().string();
}

}  // namespace

int run_face_benchmark(const GlobalOptions& global, const FaceBenchmarkOptions& o) {
  config::Config cfg = load_config(global);
  cfg.liveness.enabled = true;  // measuring it is the point, whatever the run config says
  for (const char* part : {"real", "attack"}) {
    if (!fs::is_directory(fs::path(o.dir) / part)) {
      throw DataError(fmt::format("face benchmark {}: no {}/ folder (it needs real/ with bona fide faces and attack/ with "
                                  "presentation attacks)", o.dir, part));
    }
  }
  const auto detector = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  const double threshold = cfg.liveness.threshold;
  std::vector<eval::PadSample> one_frame, mean;
  std::map<std::string, std::vector<std::string>> no_face;  // by class
  std::vector<std::string> unreadable;
  std::size_t straddling = 0;  // stills whose simulated frames fall on both sides of the threshold
  nlohmann::json images = nlohmann::json::array();
  const auto files = image_inputs({o.dir});
  Progress progress("face benchmark", files.size(), per_image_progress());
  for (const fs::path& file : files) {
    progress.advance();
    const auto what = presentation_of(o.dir, file);
    if (!what) continue;  // beside real/ and attack/: not part of the benchmark
    const std::string cls = what->real ? "real" : "attack";
    const auto frame = read_frame(file);
    if (!frame) {
      unreadable.push_back(file.string());
      continue;
    }
    const auto faces = detector->detect(*frame);
    const std::string source = source_of(file);
    nlohmann::json j{{"image", file.string()}, {"class", cls}, {"source", source}};
    if (!what->real) j["type"] = what->type;
    if (faces.empty()) {
      no_face[cls].push_back(file.string());
      j["face"] = false;
      if (!o.json) std::cout << fmt::format("{}: {}: no face\n", file.string(), cls);
    } else {
      std::vector<double> scores{liveness->score(*frame, faces.front())};
      for (int k = 1; k < o.frames; ++k) {
        const auto [moved, face] = vision::simulated_frame(*frame, faces.front(), static_cast<unsigned>(k));
        scores.push_back(liveness->score(moved, face));
      }
      const double average = std::accumulate(scores.begin(), scores.end(), 0.0) / static_cast<double>(scores.size());
      const auto [low, high] = std::minmax_element(scores.begin(), scores.end());
      if (*low < threshold && *high >= threshold) ++straddling;
      one_frame.push_back({file.string(), what->real, what->type, source, scores.front()});
      mean.push_back({file.string(), what->real, what->type, source, average});
      j["face"] = true;
      j["score"] = average;
      if (o.frames > 1) j["frame_scores"] = scores;
      j["live"] = average >= threshold;
      if (!o.json) {
        std::cout << fmt::format("{}: {}: liveness {:.4f}: {}\n", file.string(), cls, average,
                                 average >= threshold ? "live" : "refused as an attack");
      }
    }
    if (o.json) images.push_back(std::move(j));
  }
  eval::PadFigures figures;
  try {
    figures = eval::pad_figures(mean, threshold, o.target_apcer);
  } catch (const DataError& e) {
    throw DataError(fmt::format("face benchmark {}: {} ({} real and {} attack images without a face, {} unreadable)", o.dir,
                                e.what(), no_face["real"].size(), no_face["attack"].size(), unreadable.size()));
  }
  nlohmann::json fields{{"dir", o.dir},
                        {"frames", o.frames},
                        {"no_face", {{"real", no_face["real"]}, {"attack", no_face["attack"]}}},
                        {"unreadable", unreadable},
                        {"detector", detector->name()},
                        {"evaluated", utc_now_iso8601()}};
  std::optional<eval::PadFigures> single;  // one frame of each still, beside the mean of several
  if (o.frames > 1) {
    single = eval::pad_figures(one_frame, threshold, o.target_apcer);
    fields["one_frame"] = eval::pad_json(*single);
    fields["straddling"] = straddling;
  }
  eval::write_pad_report(o.report_dir, figures,
                         fmt::format("liveness on {}{}", o.dir, o.frames > 1 ? fmt::format(", mean of {} simulated frames", o.frames) : ""),
                         fields);
  if (o.json) {
    fields.update(eval::pad_json(figures));
    fields["images"] = std::move(images);
    std::cout << fields.dump() << "\n";
    return unreadable.empty() ? 0 : static_cast<int>(ExitCode::Data);
  }
  const auto rates = [](const eval::PadRates& r) {
    return fmt::format("APCER {:.2f}% ({} of {} attacks accepted), BPCER {:.2f}% ({} of {} real faces refused)", 100 * r.apcer(),
                       r.attacks_accepted, r.attacks, 100 * r.bpcer(), r.reals_refused, r.reals);
  };
  std::cout << fmt::format("liveness on {}: {} real and {} attack images scored; without a face: {} real, {} attack; {} unreadable\n",
                           o.dir, figures.overall.reals, figures.overall.attacks, no_face["real"].size(),
                           no_face["attack"].size(), unreadable.size());
  if (single) {
    std::cout << fmt::format("  one frame, at liveness.threshold {:.3f}: {}\n", threshold, rates(single->overall))
              << fmt::format("  mean of {} simulated frames: {}; {} of {} stills had frames on both sides of the threshold\n",
                             o.frames, rates(figures.overall), straddling, mean.size());
  } else {
    std::cout << fmt::format("  at liveness.threshold {:.3f}: {}\n", threshold, rates(figures.overall));
  }
  for (const auto& [type, r] : figures.by_type) {
    std::cout << fmt::format("  attack type {}: APCER {}\n", type, eval::rate_text(r.attacks_accepted, r.attacks));
  }
  for (const auto& [source, r] : figures.by_source) {
    std::cout << fmt::format("  source {}: APCER {} BPCER {}\n", source, eval::rate_text(r.attacks_accepted, r.attacks),
                             eval::rate_text(r.reals_refused, r.reals));
  }
  std::cout << fmt::format("  for APCER <= {:g}%: threshold {:.4f}, {}\n  ROC AUC {:.4f}\n", 100 * o.target_apcer,
                           figures.threshold_for_target, rates(figures.at_target), figures.roc_auc);
  std::cout << "  attacks scored most live:";
  for (const auto& s : figures.worst_attacks) std::cout << fmt::format(" {} ({:.3f})", s.image, s.score);
  std::cout << "\n  real faces scored least live:";
  for (const auto& s : figures.worst_reals) std::cout << fmt::format(" {} ({:.3f})", s.image, s.score);
  std::cout << fmt::format("\n  report: {}/pad.md, roc.png\n", o.report_dir);
  return unreadable.empty() ? 0 : static_cast<int>(ExitCode::Data);
}

}  // namespace lockerctl::cli
