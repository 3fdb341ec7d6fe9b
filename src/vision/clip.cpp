#include "vision/clip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/errors.hpp"
#include "core/fs.hpp"

namespace lockerctl::vision {
namespace {

std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

ClipRecorder::ClipRecorder(ClipOptions options) : o_(options) {}

void ClipRecorder::push(const cv::Mat& frame, Clock::time_point at) {
  if (frame.empty()) return;
  cv::Mat small = frame;
  if (frame.cols > o_.max_width) {
    const double scale = static_cast<double>(o_.max_width) / frame.cols;
    cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  Frame f{at, {}};
  cv::imencode(".jpg", small, f.jpeg, {cv::IMWRITE_JPEG_QUALITY, 85});
  for (Pending& p : pending_) {
    if (at <= p.until) p.frames.push_back(f);
  }
  ring_.push_back(std::move(f));
  while (!ring_.empty() && at - ring_.front().at > seconds(o_.before_s)) ring_.pop_front();
}

void ClipRecorder::start(const std::string& incident, const std::filesystem::path& file, Clock::time_point at) {
  pending_.push_back({incident, file, at + seconds(o_.after_s), {ring_.begin(), ring_.end()}});
}

std::vector<Clip> ClipRecorder::finish(Clock::time_point now, bool all) {
  std::vector<Clip> done;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!all && now < it->until) {
      ++it;
      continue;
    }
    if (it->frames.empty()) {
      it = pending_.erase(it);
      continue;
    }
    std::vector<cv::Mat> frames;
    for (const Frame& f : it->frames) frames.push_back(cv::imdecode(f.jpeg, cv::IMREAD_COLOR));
    const double span = std::chrono::duration<double>(it->frames.back().at - it->frames.front().at).count();
    // The camera's own pace: as many frames a second as it gave, so the clip lasts as long as the scene.
    const double fps = frames.size() > 1 && span > 0 ? std::clamp((frames.size() - 1) / span, 1.0, 30.0) : 1.0;
    Clip clip{it->incident, it->file, static_cast<int>(frames.size()), span, {}};
    try {
      write_clip(it->file, frames, fps);
    } catch (const IoError& e) {
      clip.error = e.what();
    }
    done.push_back(std::move(clip));
    it = pending_.erase(it);
  }
  return done;
}

void write_clip(const std::filesystem::path& file, const std::vector<cv::Mat>& frames, double fps) {
  if (frames.empty()) throw IoError(file.string() + ": a clip needs at least one frame");
  // H.264 wants even sides.
  const cv::Size size(frames.front().cols & ~1, frames.front().rows & ~1);
  AtomicFile out(file, true);
  {
    cv::VideoWriter writer(out.temp().string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), fps, size);
    if (!writer.isOpened()) {
      throw IoError(fmt::format("{}: OpenCV cannot write H.264 MP4 here (FFmpeg with an H.264 encoder is needed)", file.string()));
    }
    cv::Mat fitted;
    for (const cv::Mat& frame : frames) {
      if (frame.size() == size) {
        writer.write(frame);
      } else {
        cv::resize(frame, fitted, size, 0, 0, cv::INTER_AREA);
        writer.write(fitted);
      }
    }
  }
  std::error_code ec;
  if (std::filesystem::file_size(out.temp(), ec) == 0 || ec) throw IoError(file.string() + ": the clip could not be written (disk full?)");
  out.commit();
}

}  // namespace lockerctl::vision
