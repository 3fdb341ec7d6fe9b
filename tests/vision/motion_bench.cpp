// A benchmark, not a test: what motion detection costs per 640x480 frame (and what writing an
// incident clip costs), on the real pedestrian footage. Usage: motion-bench [VIDEO]
// (default: ../shared/data/videos/vtest.avi).

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "support/temp_dir.hpp"
#include "vision/clip.hpp"
#include "vision/motion.hpp"

int main(int argc, char** argv) {
  using namespace lockerctl;
  const std::string video_file = argc > 1 ? argv[1] : test::shared_data("videos/vtest.avi").string();
  cv::VideoCapture video(video_file);
  if (video_file.empty() || !video.isOpened()) {
    std::fprintf(stderr, "motion-bench: cannot read the footage '%s'\n", video_file.c_str());
    return 1;
  }
  std::vector<cv::Mat> frames;
  for (cv::Mat f; video.read(f);) {
    cv::Mat resized;
    cv::resize(f, resized, {640, 480}, 0, 0, cv::INTER_AREA);
    frames.push_back(resized);
  }
  vision::MotionDetector detector({});
  std::vector<double> ms;
  int moving = 0;
  for (const cv::Mat& f : frames) {
    const auto t0 = std::chrono::steady_clock::now();
    moving += detector.feed(f).moving();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  fmt::print("motion detection, 640x480: {} frames, median {:.2f} ms, p95 {:.2f} ms per frame ({} with motion)\n", ms.size(),
             ms[ms.size() / 2], ms[ms.size() * 95 / 100], moving);

  test::TempDir dir;
  vision::ClipRecorder clips({5, 5, 640});
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < 100 && i < frames.size(); ++i) clips.push(frames[i], t0 + std::chrono::milliseconds(100 * i));
  const double push_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 100;
  clips.start("bench", dir / "clip.mp4", t0 + std::chrono::milliseconds(9900));
  const auto t1 = std::chrono::steady_clock::now();
  const auto done = clips.finish(t0 + std::chrono::seconds(60), true);
  const double write_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  fmt::print("incident clip, 640x480 at 10 fps: {:.2f} ms per frame into the ring; {} frames written in {:.0f} ms, {} KB\n",
             push_ms, done.empty() ? 0 : done[0].frames, write_ms, std::filesystem::file_size(dir / "clip.mp4") / 1024);
  return 0;
}
