// lockerctl owner benchmark: FAR, FRR and ROC of layer 2 on people the network never saw.
#include "cmd_owner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "access/owner_check.hpp"
#include "core/clock.hpp"
#include "eval/score_report.hpp"
#include "vision/camera.hpp"
#include "vision/face_bench.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "vision/face.hpp"

namespace lockerctl::cli {
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

}  // namespace lockerctl::cli
