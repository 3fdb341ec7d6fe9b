#include "vision/face_chip.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <complex>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "vision/camera.hpp"

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

namespace {

namespace fs = std::filesystem;

// Writes an RGB chip as a PNG file only its owner may read.
void write_chip(const fs::path& file, const cv::Mat& chip) {
  cv::Mat bgr;
  cv::cvtColor(chip, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> bytes;
  if (!cv::imencode(".png", bgr, bytes)) throw IoError(file.string() + ": cannot encode the face chip");
  write_file_atomically(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  ::chmod(file.c_str(), 0600);
}

void create_private_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the folder: {}", dir.string(), ec.message()));
  ::chmod(dir.c_str(), 0700);
}

}  // namespace

void replace_face_chips(const fs::path& dir, const std::vector<cv::Mat>& chips) {
  const fs::path next = dir.string() + ".new", old = dir.string() + ".old";
  std::error_code ec;
  fs::remove_all(next, ec);
  create_private_folder(next);
  for (std::size_t i = 0; i < chips.size(); ++i) write_chip(next / fmt::format("{:02}.png", i + 1), chips[i]);
  fs::remove_all(old, ec);
  if (fs::exists(dir)) {
    fs::rename(dir, old, ec);
    if (ec) throw IoError(fmt::format("{}: cannot move the old face chips aside: {}", dir.string(), ec.message()));
  }
  fs::rename(next, dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot put the new face chips in place: {}", dir.string(), ec.message()));
  fs::remove_all(old, ec);
}

std::vector<fs::path> face_chip_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".png") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

ChipFolderReport make_face_chips(const std::vector<fs::path>& photos, const fs::path& dir, FaceDetector& detector) {
  create_private_folder(dir);
  ChipFolderReport report;
  for (const fs::path& photo : photos) {
    const fs::path chip_file = dir / (photo.filename().string() + ".png");
    if (fs::exists(chip_file)) {
      ++report.kept;
      continue;
    }
    std::string error;
    const std::optional<cv::Mat> frame = load_frame(photo, error);
    if (!frame) {
      ++report.unreadable;
      continue;
    }
    const std::vector<Face> faces = detector.detect(*frame);
    if (faces.empty() || !faces.front().has_landmarks) {
      ++report.no_face;
      continue;
    }
    write_chip(chip_file, align_face(*frame, faces.front()));
    ++report.made;
  }
  return report;
}

}  // namespace lockerctl::vision
