#pragma once

// The aligned face chip the embedding network takes: 150x150 RGB, the face turned upright and
// scaled so that its eyes, nose tip and mouth corners land where dlib's face chips put them (size
// 150, padding 0.25: the chips face-api's and dlib's recognition network was trained on).
// Enrollment, verification, `lockerctl run` and owner-CNN training all make chips here.

#include <array>
#include <cstddef>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/face.hpp"

namespace lockerctl::vision {

inline constexpr int kFaceChipSize = 150;

/// Where align_face puts the five landmarks (Face::landmarks order) in the chip, in pixels.
std::array<cv::Point2f, 5> chip_landmarks();

/// The 2x3 similarity transform (rotation, one scale, shift; no shear, no mirror) from frame
/// pixels to chip pixels that maps a face's five `landmarks` closest (least squares) onto
/// chip_landmarks().
cv::Matx23d chip_transform(const std::array<cv::Point2f, 5>& landmarks);

/// The chip of `face` in a BGR `frame`: 150x150 8-bit RGB, black past the frame's border. The
/// face must have landmarks (YuNet's); the embedding method needs `face.detector: yunet`.
cv::Mat align_face(const cv::Mat& frame, const Face& face);

/// How sharp a chip is: the variance of its grey Laplacian. Blurred faces score low.
double chip_sharpness(const cv::Mat& chip);

/// Replaces the folder `dir` with `chips` (RGB) as 01.png, 02.png, ...: they are written beside
/// it first and then swapped in, so a crash leaves the old chips or the new ones. Face chips are
/// biometric data: the folder is 0700 and the files 0600. Throws IoError.
void replace_face_chips(const std::filesystem::path& dir, const std::vector<cv::Mat>& chips);

/// The PNG chips in `dir`, in name order (none when it does not exist).
std::vector<std::filesystem::path> face_chip_files(const std::filesystem::path& dir);

struct ChipFolderReport {
  std::size_t made = 0;        ///< chips aligned now
  std::size_t kept = 0;        ///< chips already there
  std::size_t no_face = 0;     ///< photos without a face with landmarks
  std::size_t unreadable = 0;  ///< photos that could not be decoded
};

/// Aligns the largest face of each of `photos` into `dir` as <photo name>.png, once: a chip
/// already there is kept. Photos must have distinct names. Throws IoError when `dir` cannot be
/// written.
ChipFolderReport make_face_chips(const std::vector<std::filesystem::path>& photos, const std::filesystem::path& dir,
                                 FaceDetector& detector);

}  // namespace lockerctl::vision
