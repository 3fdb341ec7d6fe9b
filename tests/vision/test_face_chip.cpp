#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/face_chip.hpp"

namespace lockerctl::vision {
namespace {

/// A face whose landmarks are the chip's, turned by `degrees`, scaled by `scale` and moved.
Face turned_face(double degrees, double scale, cv::Point2f shift) {
  Face f;
  f.has_landmarks = true;
  const double a = degrees * CV_PI / 180;
  const auto chip = chip_landmarks();
  for (std::size_t i = 0; i < 5; ++i) {
    const double x = chip[i].x, y = chip[i].y;
    f.landmarks[i] = cv::Point2f(static_cast<float>(scale * (std::cos(a) * x - std::sin(a) * y)) + shift.x,
                                 static_cast<float>(scale * (std::sin(a) * x + std::cos(a) * y)) + shift.y);
  }
  return f;
}

TEST(FaceChip, LandmarksLandWhereDlibsChipsPutThem) {
  const auto p = chip_landmarks();
  // Eyes level and mirrored about the middle, nose tip between them, mouth below.
  EXPECT_FLOAT_EQ(p[0].y, p[1].y);
  EXPECT_NEAR((p[0].x + p[1].x) / 2, 75, 1.0);
  EXPECT_NEAR(p[1].x - p[0].x, 52.9, 0.1);  // dlib: eye distance 0.529 of the unpadded chip / 1.5 * 150
  EXPECT_GT(p[2].y, p[0].y);
  EXPECT_GT(p[3].y, p[2].y);
}

TEST(FaceChip, TheTransformUndoesRotationScaleAndShift) {
  const Face f = turned_face(-20, 2.5, {300, 120});
  const cv::Matx23d m = chip_transform(f.landmarks);
  const auto chip = chip_landmarks();
  for (std::size_t i = 0; i < 5; ++i) {
    const cv::Vec3d p(f.landmarks[i].x, f.landmarks[i].y, 1);
    const cv::Vec2d q = m * p;
    EXPECT_NEAR(q[0], chip[i].x, 1e-3);
    EXPECT_NEAR(q[1], chip[i].y, 1e-3);
  }
  // Similarity only: the 2x2 part is a scaled rotation, never a mirror.
  EXPECT_NEAR(m(0, 0), m(1, 1), 1e-9);
  EXPECT_NEAR(m(0, 1), -m(1, 0), 1e-9);
  EXPECT_NEAR(std::hypot(m(0, 0), m(1, 0)), 1 / 2.5, 1e-6);
}

TEST(FaceChip, AlignsPixelsAndFillsBlackPastTheBorder) {
  // A white dot on each landmark of a face turned by 30 degrees, near the frame's corner.
  cv::Mat frame(400, 400, CV_8UC3, cv::Scalar(0, 0, 255));  // red in BGR
  const Face f = turned_face(30, 1.5, {40, -60});
  for (const auto& p : f.landmarks) cv::circle(frame, p, 3, cv::Scalar::all(255), cv::FILLED);
  const cv::Mat chip = align_face(frame, f);
  ASSERT_EQ(chip.size(), cv::Size(kFaceChipSize, kFaceChipSize));
  ASSERT_EQ(chip.type(), CV_8UC3);
  for (const auto& p : chip_landmarks()) EXPECT_EQ(chip.at<cv::Vec3b>(cv::Point(p)), cv::Vec3b(255, 255, 255)) << p;
  EXPECT_EQ(chip.at<cv::Vec3b>(20, 130), cv::Vec3b(255, 0, 0)) << "RGB out: the frame's red";
  EXPECT_EQ(chip.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0)) << "past the frame's top border";
}

TEST(FaceChip, SharpnessFallsWithBlur) {
  cv::Mat chip(150, 150, CV_8UC3);
  cv::randu(chip, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::Mat blurred;
  cv::GaussianBlur(chip, blurred, cv::Size(0, 0), 3);
  EXPECT_GT(chip_sharpness(chip), 20 * chip_sharpness(blurred));
}

}  // namespace
}  // namespace lockerctl::vision
