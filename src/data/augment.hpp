#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

namespace lockerctl::data {

/// Random training-time changes to an image; each is off when its amount is 0.
struct AugmentOptions {
  bool enabled = false;
  bool horizontal_flip = true;   ///< mirror with probability 1/2
  double min_crop_area = 0.8;    ///< random resized crop keeps this share of the area or more; 1 = off
  double brightness = 0.15;      ///< add up to ± this × 255
  double contrast = 0.15;        ///< scale contrast by 1 ± this
  double rotation_degrees = 8;   ///< rotate by up to ± this
};

/// A small, portable random source: the same numbers for the same seed on every platform
/// (std:: distributions differ between standard libraries).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed ^ 0x9E3779B97F4A7C15ull) {}
  std::uint64_t next();                      ///< splitmix64
  double uniform(double lo = 0, double hi = 1);  ///< [lo, hi)

 private:
  std::uint64_t state_;
};

/// Applies the enabled augmentations to an RGB 8-bit image, keeping its size.
cv::Mat augment(const cv::Mat& rgb, const AugmentOptions& options, Rng& rng);

}  // namespace lockerctl::data
