#include "access/frame_bench.hpp"

#include <chrono>

#include "access/owner_check.hpp"
#include "core/memory.hpp"

namespace lockerctl::access {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point& t) {
  const auto now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - t).count();
  t = now;
  return ms;
}

/// One frame down the path; each step's milliseconds into `ms` (layer 1, detection, liveness,
/// layer 2). False when the frame shows no face (the last two are then not run).
bool one_frame(FramePath& p, const cv::Mat& frame, double ms[4]) {
  auto t = Clock::now();
  frame_probability(p.human, frame);
  ms[0] = ms_since(t);
  const auto faces = p.faces.detect(frame);
  ms[1] = ms_since(t);
  if (faces.empty()) return false;
  if (p.liveness) p.liveness->score(frame, faces.front());
  ms[2] = ms_since(t);
  if (p.candidates.empty()) {
    p.verifier.describe(frame, faces);
  } else {
    p.verifier.match(frame, faces, p.candidates);
  }
  ms[3] = ms_since(t);
  return true;
}

}  // namespace

std::vector<FramePathRow> bench_frame_path(FramePath& path, const std::vector<cv::Mat>& frames, int calls, int& faceless) {
  double ms[4] = {};
  for (int i = 0; i < 3; ++i) one_frame(path, frames[i % frames.size()], ms);  // warm-up: allocations, first-call costs
  std::vector<double> steps[4], total;
  faceless = 0;
  for (int i = 0; i < calls; ++i) {
    const bool face = one_frame(path, frames[static_cast<std::size_t>(i) % frames.size()], ms);
    faceless += !face;
    const int done = face ? 4 : 2;
    double sum = 0;
    for (int s = 0; s < done; ++s) {
      steps[s].push_back(ms[s]);
      sum += ms[s];
    }
    total.push_back(sum);
  }
  const char* names[4] = {"layer 1", "face detection", "liveness", "layer 2"};
  std::vector<FramePathRow> rows;
  for (int s = 0; s < 4; ++s) {
    if (s == 2 && !path.liveness) continue;
    rows.push_back({names[s], latency_of(steps[s])});
  }
  rows.push_back({"total", latency_of(total)});
  return rows;
}

void soak_frame_path(FramePath& path, const std::vector<cv::Mat>& frames, int calls, int every,
                     const std::function<void(int, double)>& report) {
  double ms[4] = {};
  for (int i = 1; i <= calls; ++i) {
    one_frame(path, frames[static_cast<std::size_t>(i) % frames.size()], ms);
    if (i % every == 0 || i == calls) report(i, rss_mb());
  }
}

}  // namespace lockerctl::access
