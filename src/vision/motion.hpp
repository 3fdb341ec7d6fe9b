#pragma once

// Motion detection on the camera between attempts: OpenCV's MOG2 background subtraction on a
// small grey copy of each frame. Each frame's brightness and contrast are first brought to a fixed
// median and spread (from its quartiles, which someone walking in barely moves), so a lamp that
// dims or brightens the whole room does not move the background. Of what still changed, a blob
// whose texture matches the background's (high normalised cross-correlation, alike contrast) is the
// same surface under other light and is dropped; when such blobs are most of the change, or the
// change covers most of the frame, the light changed: the background is learnt again and nothing
// is reported. Blobs large enough inside a zone are motion in that zone.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lockerctl::vision {

/// A part of the picture to watch: a polygon with corners in fractions of the frame (0..1).
struct MotionZone {
  std::string name;
  std::vector<cv::Point2f> corners;  ///< empty: the whole frame
};

struct MotionOptions {
  std::vector<MotionZone> zones;  ///< empty: one zone "frame" over the whole picture
  double min_area = 0.002;        ///< smallest moving blob, as a fraction of the frame
  double lighting_area = 0.5;     ///< a change over more of the frame than this is lighting
  int width = 320;                ///< frames are scaled to this width first
  int warmup_frames = 10;         ///< frames learnt before anything is reported
  double history_frames = 300;    ///< how fast a still object becomes background
};

/// Motion found in one frame.
struct Motion {
  std::string zone;              ///< the first zone with motion; "" when none
  double area = 0;               ///< the moving part of that zone, as a fraction of the frame
  std::vector<cv::Rect> boxes;   ///< the moving blobs in that zone, in the frame's pixels
  bool lighting = false;         ///< the frame was a lighting change (and nothing is reported)
  bool moving() const { return !zone.empty(); }
};

class MotionDetector {
 public:
  /// Zones as config::parse_corners checks them: 3 or more corners, or none.
  explicit MotionDetector(MotionOptions options);
  ~MotionDetector();
  MotionDetector(const MotionDetector&) = delete;
  MotionDetector& operator=(const MotionDetector&) = delete;

  /// Learns `frame` (BGR or grey, any size) and says what moved in it.
  Motion feed(const cv::Mat& frame);
  /// Forgets the background (the camera moved, or came back after a loss).
  void reset();

 private:
  struct State;
  MotionOptions o_;
  std::unique_ptr<State> s_;
};

}  // namespace lockerctl::vision
