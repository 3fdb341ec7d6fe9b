#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "data/image.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::data {
namespace {

std::vector<std::uint8_t> encode(const cv::Mat& bgr, const std::string& ext) {
  std::vector<std::uint8_t> out;
  cv::imencode(ext, bgr, out);
  return out;
}

cv::Mat pattern(int h, int w) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 7 % 256, y * 5 % 256, 200);
  return m;
}

TEST(DecodeImage, DecodesPngAsRgbAndKeepsTheOriginalSize) {
  const auto r = decode_image(encode(pattern(20, 30), ".png"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.original_height, 20);
  EXPECT_EQ(r.image.original_width, 30);
  // BGR (0, 0, 200) in OpenCV is RGB (200, 0, 0).
  EXPECT_EQ(r.image.rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(200, 0, 0));
}

TEST(DecodeImage, GrayBecomesThreeEqualChannels) {
  cv::Mat gray(8, 8, CV_8UC1, cv::Scalar(77));
  const auto r = decode_image(encode(gray, ".pgm"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.rgb.channels(), 3);
  EXPECT_EQ(r.image.rgb.at<cv::Vec3b>(3, 3), cv::Vec3b(77, 77, 77));
}

TEST(DecodeImage, RejectsEmptyInput) { EXPECT_EQ(decode_image({}).error, "empty file"); }

TEST(DecodeImage, RejectsTextWithAnImageName) {
  const std::string text = "<html>not found</html>";
  EXPECT_EQ(decode_image({text.begin(), text.end()}).error,
            "not an image (content is no JPEG, PNG, BMP, PGM/PPM or WebP)");
}

TEST(DecodeImage, RejectsTruncatedJpegAndPng) {
  auto jpeg = encode(pattern(32, 32), ".jpg");
  jpeg.resize(jpeg.size() / 2);
  EXPECT_EQ(decode_image(jpeg).error, "truncated JPEG (no end-of-image marker)");
  auto png = encode(pattern(32, 32), ".png");
  png.resize(png.size() - 20);
  EXPECT_EQ(decode_image(png).error, "truncated PNG (no IEND chunk)");
}

TEST(DecodeImage, RejectsCorruptJpegBody) {
  std::vector<std::uint8_t> bytes{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9};
  const auto r = decode_image(bytes);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.rfind("cannot decode jpeg", 0), 0u) << r.error;
}

TEST(LoadImage, MissingFileIsAnErrorResultNotAnException) {
  const auto r = load_image("/nonexistent/x.jpg");
  EXPECT_EQ(r.error.rfind("cannot open", 0), 0u) << r.error;
}

TEST(ImageExtensions, AreCaseInsensitive) {
  EXPECT_TRUE(has_image_extension("a/B.JPG"));
  EXPECT_TRUE(has_image_extension("x.webp"));
  EXPECT_FALSE(has_image_extension("README"));
  EXPECT_FALSE(has_image_extension("x.gif"));
}

TEST(ResizeSquare, UsesBilinearOn8Bit) {
  const cv::Mat r = resize_square(pattern(10, 20), 16);
  EXPECT_EQ(r.rows, 16);
  EXPECT_EQ(r.cols, 16);
  EXPECT_EQ(r.type(), CV_8UC3);
}

}  // namespace
}  // namespace lockerctl::data
