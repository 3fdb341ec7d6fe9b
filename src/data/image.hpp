#pragma once

// The one image loader: every image lockerctl reads (datasets, predictions, camera folders) goes
// through here, so a corrupt file is rejected the same way everywhere.

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace lockerctl::data {

/// File name endings read as images (lower case, with the dot).
const std::vector<std::string>& image_extensions();
/// True when `path` ends in one of image_extensions(), in any letter case.
bool has_image_extension(const std::filesystem::path& path);

/// A decoded image: 8-bit RGB, 3 channels (gray files are replicated to three channels).
struct Image {
  cv::Mat rgb;
  int original_height = 0;
  int original_width = 0;
};

/// The outcome of decoding: an image, or the reason the file cannot be used.
struct DecodeResult {
  Image image;
  std::string error;  ///< "" when the image is usable
  bool ok() const { return error.empty(); }
};

/// Checks and decodes encoded bytes. Rejects, with a reason: empty input, content that is no
/// known image format (JPEG, PNG, BMP, PGM/PPM, WebP) whatever the file name says, a JPEG without
/// its end marker or a PNG without its IEND chunk (truncated downloads), and anything OpenCV
/// cannot decode. Never throws.
DecodeResult decode_image(const std::vector<std::uint8_t>& bytes);

/// Reads `path` and decodes it as above. Never throws; an unreadable file is an error result.
DecodeResult load_image(const std::filesystem::path& path);

/// Reads a whole file. Returns false (with `error` set) when it cannot.
bool read_file(const std::filesystem::path& path, std::vector<std::uint8_t>& bytes,
               std::string& error);

/// Checks that `file` exists and has the SHA-256 `expected` (a pinned model file). Throws
/// ModelError naming the file, the reason and the expected hash, and how to fetch the models.
void verify_model_file(const std::filesystem::path& file, const char* expected);

/// Resizes 8-bit RGB to size×size with bilinear interpolation on the 8-bit image (no crop, no
/// aspect preservation): the preprocessing the reference MobileNetV2 features were computed with.
cv::Mat resize_square(const cv::Mat& rgb, int size);

/// Replaces colour by its luminance, keeping three channels.
cv::Mat to_gray_rgb(const cv::Mat& rgb);

}  // namespace lockerctl::data
