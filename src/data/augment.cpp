#include "data/augment.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace lockerctl::data {

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double Rng::uniform(double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
}

cv::Mat augment(const cv::Mat& rgb, const AugmentOptions& o, Rng& rng) {
  cv::Mat img = rgb;
  const int w = rgb.cols, h = rgb.rows;
  if (o.min_crop_area < 1.0) {
    // Random resized crop: area share in [min, 1], aspect ratio in [3/4, 4/3].
    const double area = rng.uniform(o.min_crop_area, 1.0);
    const double aspect = std::exp(rng.uniform(std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
    const int cw = std::clamp(static_cast<int>(std::lround(w * std::sqrt(area * aspect))), 1, w);
    const int ch = std::clamp(static_cast<int>(std::lround(h * std::sqrt(area / aspect))), 1, h);
    const int x = static_cast<int>(rng.uniform(0, w - cw + 1));
    const int y = static_cast<int>(rng.uniform(0, h - ch + 1));
    cv::resize(img(cv::Rect(x, y, cw, ch)), img, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  }
  if (o.rotation_degrees > 0) {
    const double angle = rng.uniform(-o.rotation_degrees, o.rotation_degrees);
    const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(w / 2.0f, h / 2.0f), angle, 1.0);
    cv::warpAffine(img, img, m, img.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  }
  if (o.horizontal_flip && rng.uniform() < 0.5) {
    cv::flip(img, img, 1);
  }
  if (o.brightness > 0 || o.contrast > 0) {
    const double c = 1.0 + rng.uniform(-o.contrast, o.contrast);
    const double b = 255.0 * rng.uniform(-o.brightness, o.brightness);
    const double mean = cv::mean(img)[0] / 3 + cv::mean(img)[1] / 3 + cv::mean(img)[2] / 3;
    img.convertTo(img, CV_8UC3, c, b + mean * (1.0 - c));  // saturating
  }
  return img.data == rgb.data ? rgb.clone() : img;
}

}  // namespace lockerctl::data
