#pragma once

// Incident clips: the camera's last seconds are kept in a ring (as JPEG, a few MB), and an alarm
// or a denial turns them, with the seconds that follow, into a short H.264 MP4 beside the photo
// that browsers and VLC play.

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lockerctl::vision {

struct ClipOptions {
  double before_s = 5;  ///< seconds kept before the incident
  double after_s = 5;   ///< seconds recorded after it
  int max_width = 640;  ///< larger frames are scaled down to this width
};

/// A finished clip file and the incident it belongs to.
struct Clip {
  std::string incident;
  std::filesystem::path file;
  int frames = 0;
  double seconds = 0;
  std::string error;  ///< why it could not be written; "" when it was
};

class ClipRecorder {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ClipRecorder(ClipOptions options);

  /// Adds a camera frame taken at `at`: into the ring, and into every clip still recording.
  void push(const cv::Mat& frame, Clock::time_point at = Clock::now());
  /// Starts the clip of `incident` into `file` (an .mp4): the ring's frames, then after_s more.
  void start(const std::string& incident, const std::filesystem::path& file, Clock::time_point at = Clock::now());
  /// Writes the clips whose after_s have passed by `now` (all of them with `all`, when the run
  /// stops) and returns them, each with its error when it could not be written. A clip without
  /// frames is dropped.
  std::vector<Clip> finish(Clock::time_point now = Clock::now(), bool all = false);
  /// Clips started and not yet written.
  std::size_t recording() const { return pending_.size(); }

 private:
  struct Frame {
    Clock::time_point at;
    std::vector<std::uint8_t> jpeg;
  };
  struct Pending {
    std::string incident;
    std::filesystem::path file;
    Clock::time_point until;
    std::vector<Frame> frames;
  };

  ClipOptions o_;
  std::deque<Frame> ring_;
  std::vector<Pending> pending_;
};

/// Writes `frames` (BGR, any sizes: each is fitted to the first's) as an H.264 MP4 at `fps`,
/// atomically. Throws IoError naming `file` when OpenCV cannot encode it.
void write_clip(const std::filesystem::path& file, const std::vector<cv::Mat>& frames, double fps);

}  // namespace lockerctl::vision
