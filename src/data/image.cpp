#include "data/image.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/hash.hpp"

namespace lockerctl::data {
namespace {

bool starts_with(const std::vector<std::uint8_t>& b, std::initializer_list<std::uint8_t> magic,
                 std::size_t at = 0) {
  if (b.size() < at + magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

// The format the bytes claim to be, or "" when none we read.
std::string sniff(const std::vector<std::uint8_t>& b) {
  if (starts_with(b, {0xFF, 0xD8, 0xFF})) return "jpeg";
  if (starts_with(b, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return "png";
  if (starts_with(b, {'B', 'M'})) return "bmp";
  if (b.size() >= 2 && b[0] == 'P' && std::strchr("123456", b[1]) && b[1] != 0) return "pnm";
  if (starts_with(b, {'R', 'I', 'F', 'F'}) && starts_with(b, {'W', 'E', 'B', 'P'}, 8)) return "webp";
  return "";
}

// A JPEG ends with the EOI marker FF D9, possibly followed by a little padding.
bool jpeg_complete(const std::vector<std::uint8_t>& b) {
  const std::size_t window = std::min<std::size_t>(b.size(), 1024);
  for (std::size_t i = b.size() - 1; i + window >= b.size() && i > 0; --i) {
    if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
  }
  return false;
}

// A PNG ends with the IEND chunk: "IEND" + 4-byte CRC.
bool png_complete(const std::vector<std::uint8_t>& b) {
  if (b.size() < 12) return false;
  const std::size_t at = b.size() - 8;
  return b[at] == 'I' && b[at + 1] == 'E' && b[at + 2] == 'N' && b[at + 3] == 'D';
}

}  // namespace

const std::vector<std::string>& image_extensions() {
  static const std::vector<std::string> ext{".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".webp"};
  return ext;
}

bool has_image_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto& all = image_extensions();
  return std::find(all.begin(), all.end(), ext) != all.end();
}

bool read_file(const std::filesystem::path& path, std::vector<std::uint8_t>& bytes,
               std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "read error";
    return false;
  }
  return true;
}

DecodeResult decode_image(const std::vector<std::uint8_t>& bytes) {
  DecodeResult r;
  if (bytes.empty()) {
    r.error = "empty file";
    return r;
  }
  const std::string format = sniff(bytes);
  if (format.empty()) {
    r.error = "not an image (content is no JPEG, PNG, BMP, PGM/PPM or WebP)";
    return r;
  }
  if (format == "jpeg" && !jpeg_complete(bytes)) {
    r.error = "truncated JPEG (no end-of-image marker)";
    return r;
  }
  if (format == "png" && !png_complete(bytes)) {
    r.error = "truncated PNG (no IEND chunk)";
    return r;
  }
  cv::Mat bgr;
  try {
    bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    r.error = "cannot decode " + format + ": " + e.msg;
    return r;
  }
  if (bgr.empty()) {
    r.error = "cannot decode " + format + " (corrupt)";
    return r;
  }
  cv::cvtColor(bgr, r.image.rgb, cv::COLOR_BGR2RGB);
  r.image.original_height = bgr.rows;
  r.image.original_width = bgr.cols;
  return r;
}

DecodeResult load_image(const std::filesystem::path& path) {
  std::vector<std::uint8_t> bytes;
  DecodeResult r;
  if (!read_file(path, bytes, r.error)) return r;
  return decode_image(bytes);
}

void verify_model_file(const std::filesystem::path& file, const char* expected) {
  const auto fail = [&](const std::string& why) {
    return ModelError(fmt::format("{}: {}; expected a file with SHA-256 {} (scripts/fetch-face-models.sh fetches it)",
                                  file.string(), why, expected));
  };
  if (!std::filesystem::exists(file)) throw fail("no such file");
  std::vector<std::uint8_t> bytes;
  std::string error;
  if (!read_file(file, bytes, error)) throw fail(error);
  if (sha256_hex(bytes.data(), bytes.size()) != expected) throw fail("wrong SHA-256 (corrupt or another model)");
}

cv::Mat resize_square(const cv::Mat& rgb, int size) {
  if (rgb.rows == size && rgb.cols == size) return rgb.clone();
  cv::Mat out;
  cv::resize(rgb, out, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
  return out;
}

cv::Mat to_gray_rgb(const cv::Mat& rgb) {
  cv::Mat gray, out;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  cv::cvtColor(gray, out, cv::COLOR_GRAY2RGB);
  return out;
}

}  // namespace lockerctl::data
