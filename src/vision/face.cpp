#include "vision/face.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "core/errors.hpp"

namespace lockerctl::vision {

struct FaceFinder::Cascade {
  cv::CascadeClassifier classifier;
};

FaceFinder::FaceFinder(const FaceOptions& options) : options_(options) {
  if (!options_.detect) return;
  if (!std::filesystem::exists(options_.cascade)) {
    throw DeviceError(fmt::format("face cascade {}: no such file (install Debian's opencv-data, or set "
                                  "face.detector: whole_frame)", options_.cascade));
  }
  cascade_ = std::make_unique<Cascade>();
  if (!cascade_->classifier.load(options_.cascade)) {
    throw DeviceError(fmt::format("face cascade {}: not a cascade OpenCV can load", options_.cascade));
  }
}

FaceFinder::~FaceFinder() = default;

std::optional<cv::Mat> FaceFinder::find(const cv::Mat& frame) {
  if (!options_.detect) return frame;
  cv::Mat gray = frame;
  if (frame.channels() == 3) cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> faces;
  cascade_->classifier.detectMultiScale(gray, faces, 1.1, 4, 0, cv::Size(options_.min_size, options_.min_size));
  if (faces.empty()) return std::nullopt;
  const cv::Rect face = *std::max_element(faces.begin(), faces.end(),
                                          [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  const int mx = static_cast<int>(face.width * options_.margin);
  const int my = static_cast<int>(face.height * options_.margin);
  const cv::Rect grown = cv::Rect(face.x - mx, face.y - my, face.width + 2 * mx, face.height + 2 * my) &
                         cv::Rect(0, 0, frame.cols, frame.rows);
  return frame(grown).clone();
}

}  // namespace lockerctl::vision
