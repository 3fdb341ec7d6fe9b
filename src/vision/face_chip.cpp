#include "vision/face_chip.hpp"

#include <complex>
#include <stdexcept>
#include <opencv2/imgproc.hpp>

namespace lockerctl::vision {

namespace {

// dlib's mean face shape (dlib/image_transforms/interpolation.h, get_face_chip_details), in units
// of the chip before padding: the eyes are the means of the 68-point model's eye contours (points
// 36-41, 42-47), the nose tip is point 30, the mouth corners points 48 and 54. Image left first,
// as YuNet orders them (the person's right eye, then left).
constexpr double kMeanShape[5][2] = {
    {0.2254918, 0.2159903}, {0.7547613, 0.2159903}, {0.490127, 0.515625}, {0.254149, 0.780233}, {0.726104, 0.780233}};
constexpr double kPadding = 0.25;

}  // namespace

std::array<cv::Point2f, 5> chip_landmarks() {
  std::array<cv::Point2f, 5> points;
  for (std::size_t i = 0; i < points.size(); ++i) {
    points[i] = cv::Point2f(static_cast<float>((kPadding + kMeanShape[i][0]) / (1 + 2 * kPadding) * kFaceChipSize),
                            static_cast<float>((kPadding + kMeanShape[i][1]) / (1 + 2 * kPadding) * kFaceChipSize));
  }
  return points;
}

cv::Matx23d chip_transform(const std::array<cv::Point2f, 5>& landmarks) {
  const auto to = chip_landmarks();
  using C = std::complex<double>;
  std::array<C, 5> from_points, to_points;
  for (std::size_t i = 0; i < 5; ++i) from_points[i] = C(landmarks[i].x, landmarks[i].y);
  for (std::size_t i = 0; i < 5; ++i) to_points[i] = C(to[i].x, to[i].y);
  // Least squares for to = a * from + b over complex numbers: a carries rotation and scale.
  C from_mean, to_mean;
  for (std::size_t i = 0; i < 5; ++i) from_mean += from_points[i] / 5.0, to_mean += to_points[i] / 5.0;
  C num;
  double den = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    num += (to_points[i] - to_mean) * std::conj(from_points[i] - from_mean);
    den += std::norm(from_points[i] - from_mean);
  }
  const C a = den > 0 ? num / den : C(1, 0);
  const C b = to_mean - a * from_mean;
  return {a.real(), -a.imag(), b.real(), a.imag(), a.real(), b.imag()};
}

cv::Mat align_face(const cv::Mat& frame, const Face& face) {
  if (!face.has_landmarks) throw std::logic_error("align_face: the face has no landmarks (only YuNet gives them)");
  cv::Mat chip;
  cv::warpAffine(frame, chip, cv::Mat(chip_transform(face.landmarks)), cv::Size(kFaceChipSize, kFaceChipSize), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  if (chip.channels() == 1) {
    cv::cvtColor(chip, chip, cv::COLOR_GRAY2RGB);
  } else {
    cv::cvtColor(chip, chip, cv::COLOR_BGR2RGB);
  }
  return chip;
}

double chip_sharpness(const cv::Mat& chip) {
  cv::Mat grey, laplacian;
  cv::cvtColor(chip, grey, cv::COLOR_RGB2GRAY);
  cv::Laplacian(grey, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

}  // namespace lockerctl::vision
