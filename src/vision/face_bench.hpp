#pragma once

// `lockerctl bench face`: what the face steps of an attempt cost per frame. Prints figures;
// asserts nothing.

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/clock.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace lockerctl::vision {

struct FaceBenchRow {
  std::string step;  ///< "detection", "liveness", "detection + liveness"
  Latency latency;
};

/// `image` cut to 4:3 around its centre and resized to `size` (a camera frame of that size).
cv::Mat camera_frame(const cv::Mat& image, cv::Size size);

/// Times, over `frames` round and round (`calls` timed calls each): face detection, the liveness
/// check of the largest face, and both. Frames without a face count for detection only.
std::vector<FaceBenchRow> bench_faces(FaceDetector& detector, LivenessCheck& liveness,
                                      const std::vector<cv::Mat>& frames, int calls);

}  // namespace lockerctl::vision
