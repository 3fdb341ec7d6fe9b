#pragma once

// Layer 2 looks at the face: the largest face an OpenCV Haar cascade finds, with a margin, or
// the whole frame when detection is off.

#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace lockerctl::vision {

struct FaceOptions {
  bool detect = true;        ///< false: the whole frame is the face
  std::string cascade;       ///< Haar cascade XML file
  double margin = 0.2;       ///< extra border, as a share of the face side
  int min_size = 40;         ///< smallest face side in pixels
};

class FaceFinder {
 public:
  /// Throws DeviceError naming the cascade file when it cannot be loaded.
  explicit FaceFinder(const FaceOptions& options);
  ~FaceFinder();
  /// The face crop, or nullopt when no face is in the frame.
  std::optional<cv::Mat> find(const cv::Mat& frame);

 private:
  struct Cascade;
  FaceOptions options_;
  std::unique_ptr<Cascade> cascade_;
};

}  // namespace lockerctl::vision
