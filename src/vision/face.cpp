#include "vision/face.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "core/errors.hpp"
#include "data/image.hpp"

namespace lockerctl::vision {
namespace {

/// YuNet is trained for faces of about 10 to 300 px. The first pass looks at the frame with its
/// longer side at most kWideSide px (small and middle-sized faces); the second at kCloseSide px,
/// where a face that fills a close-up frame shrinks into the range the model knows.
constexpr int kWideSide = 640;
constexpr int kCloseSide = 160;
/// Above about this size (in the pass's input pixels) YuNet still finds a face, but its box falls
/// short of it: an 800-px face in a 1280x960 frame is boxed at 622 px by the wide pass and 793 px by
/// the close pass; a 440-px face (246 px in the wide pass's input) at 442 px.
constexpr float kReliableSide = 250;
/// YuNet's layers need an input of some size (OpenCV throws in getLayerShapesRecursively below
/// about 32 px), and a face that fills its frame needs a margin around it to be found: a smaller
/// input (a tight face crop, a thumbnail, a thin strip) is centred on a black canvas this big.
constexpr int kMinInput = 128;

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

void largest_first(std::vector<Face>& faces) {
  std::stable_sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.box.area() > b.box.area(); });
}

class YuNetDetector final : public FaceDetector {
 public:
  explicit YuNetDetector(const FaceOptions& o) : options_(o) {
    data::verify_model_file(o.model, kYuNetSha256);
    try {
      // One network per pass: changing a network's input size rebuilds it, which costs more than
      // the detection itself.
      for (auto& net : nets_) net = cv::FaceDetectorYN::create(o.model, "", cv::Size(160, 120), o.score_threshold, 0.3f, 5000);
    } catch (const cv::Exception& e) {
      throw ModelError(fmt::format("{}: OpenCV cannot load it as a YuNet face detector: {}", o.model, e.err));
    }
  }

  std::vector<Face> detect(const cv::Mat& frame) override {
    if (frame.empty()) return {};
    cv::Mat bgr = frame;
    if (frame.channels() == 1) cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
    const int side = std::max(bgr.cols, bgr.rows);
    const double wide = std::min(1.0, static_cast<double>(kWideSide) / side);
    std::vector<Face> faces = pass(*nets_[0], bgr, wide);
    if (side > 2 * kCloseSide) {
      for (const Face& f : pass(*nets_[1], bgr, static_cast<double>(kCloseSide) / side)) {
        const auto same = std::find_if(faces.begin(), faces.end(), [&](const Face& g) { return iou(f.box, g.box) > 0.3f; });
        if (same == faces.end()) {
          // A face the wide pass missed counts only when it is too large for the wide pass; a
          // smaller one the wide pass saw at four times the detail and found nothing.
          if (f.box.width * wide > kReliableSide) faces.push_back(f);
        } else if (same->box.width * wide > kReliableSide) {
          *same = f;  // a large face: the close pass saw it whole, at a size YuNet boxes well
        }
      }
    }
    faces.erase(std::remove_if(faces.begin(), faces.end(),
                               [&](const Face& f) { return std::min(f.box.width, f.box.height) < options_.min_size; }),
                faces.end());
    largest_first(faces);
    return faces;
  }

  std::string name() const override { return "yunet"; }

 private:
  /// Detects on the frame scaled by `scale` and maps the results back to frame pixels.
  static std::vector<Face> pass(cv::FaceDetectorYN& net, const cv::Mat& bgr, double scale) {
    cv::Mat scaled = bgr;
    if (scale < 1.0) {
      const auto side = [&](int n) { return std::max(1, static_cast<int>(std::lround(n * scale))); };
      cv::resize(bgr, scaled, cv::Size(side(bgr.cols), side(bgr.rows)), 0, 0, cv::INTER_AREA);
    }
    cv::Mat input = scaled;
    const int left = std::max(0, kMinInput - scaled.cols) / 2, top = std::max(0, kMinInput - scaled.rows) / 2;
    if (scaled.cols < kMinInput || scaled.rows < kMinInput) {
      cv::copyMakeBorder(scaled, input, top, std::max(0, kMinInput - scaled.rows - top), left,
                         std::max(0, kMinInput - scaled.cols - left), cv::BORDER_CONSTANT, cv::Scalar::all(0));
    }
    if (net.getInputSize() != input.size()) net.setInputSize(input.size());
    cv::Mat rows;
    net.detect(input, rows);
    std::vector<Face> faces;
    const float back = static_cast<float>(static_cast<double>(bgr.cols) / scaled.cols);
    const auto x = [&](float v) { return (v - static_cast<float>(left)) * back; };
    const auto y = [&](float v) { return (v - static_cast<float>(top)) * back; };
    for (int i = 0; i < rows.rows; ++i) {
      const float* r = rows.ptr<float>(i);
      Face f;
      f.box = cv::Rect2f(x(r[0]), y(r[1]), r[2] * back, r[3] * back);
      for (int k = 0; k < 5; ++k) f.landmarks[k] = cv::Point2f(x(r[4 + 2 * k]), y(r[5 + 2 * k]));
      f.has_landmarks = true;
      f.score = r[14];
      faces.push_back(f);
    }
    return faces;
  }

  FaceOptions options_;
  std::array<cv::Ptr<cv::FaceDetectorYN>, 2> nets_;  ///< wide pass, close pass
};

class HaarDetector final : public FaceDetector {
 public:
  explicit HaarDetector(const FaceOptions& o) : options_(o) {
    if (!std::filesystem::exists(o.cascade)) {
      throw DeviceError(fmt::format("face cascade {}: no such file (install Debian's opencv-data, or set "
                                    "face.detector: yunet)", o.cascade));
    }
    if (!classifier_.load(o.cascade)) {
      throw DeviceError(fmt::format("face cascade {}: not a cascade OpenCV can load", o.cascade));
    }
  }

  std::vector<Face> detect(const cv::Mat& frame) override {
    cv::Mat gray = frame;
    if (frame.channels() == 3) cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
    cv::equalizeHist(gray, gray);
    std::vector<cv::Rect> boxes;
    classifier_.detectMultiScale(gray, boxes, 1.1, 4, 0, cv::Size(options_.min_size, options_.min_size));
    std::vector<Face> faces;
    for (const cv::Rect& b : boxes) faces.push_back(Face{cv::Rect2f(b), {}, false, 1.f});
    largest_first(faces);
    return faces;
  }

  std::string name() const override { return "haar"; }

 private:
  FaceOptions options_;
  cv::CascadeClassifier classifier_;
};

class WholeFrame final : public FaceDetector {
 public:
  std::vector<Face> detect(const cv::Mat& frame) override {
    if (frame.empty()) return {};
    return {Face{cv::Rect2f(0, 0, static_cast<float>(frame.cols), static_cast<float>(frame.rows)), {}, false, 1.f}};
  }
  std::string name() const override { return "whole_frame"; }
};

}  // namespace

bool Face::cut_off(const cv::Size& frame) const {
  return box.x < 0 || box.y < 0 || box.x + box.width > frame.width || box.y + box.height > frame.height;
}

std::unique_ptr<FaceDetector> make_face_detector(const FaceOptions& options) {
  switch (options.kind) {
    case DetectorKind::YuNet: return std::make_unique<YuNetDetector>(options);
    case DetectorKind::Haar: return std::make_unique<HaarDetector>(options);
    case DetectorKind::WholeFrame: return std::make_unique<WholeFrame>();
  }
  throw std::logic_error("unknown face detector");
}

cv::Mat crop_face(const cv::Mat& frame, const Face& face, double margin) {
  const cv::Rect whole(0, 0, frame.cols, frame.rows);
  if (cv::Rect(face.box) == whole) return frame;
  const double side = std::max(face.box.width, face.box.height) * (1 + 2 * margin);
  const double cx = face.box.x + face.box.width / 2.0, cy = face.box.y + face.box.height / 2.0;
  const cv::Rect square(static_cast<int>(std::lround(cx - side / 2)), static_cast<int>(std::lround(cy - side / 2)),
                        static_cast<int>(std::lround(side)), static_cast<int>(std::lround(side)));
  cv::Mat crop(square.size(), frame.type(), cv::Scalar::all(0));
  const cv::Rect inside = square & whole;
  if (!inside.empty()) frame(inside).copyTo(crop(inside - square.tl()));
  return crop;
}

std::optional<FaceCrop> layer2_input(const cv::Mat& frame, const std::vector<Face>& faces, double margin) {
  if (faces.empty()) return std::nullopt;
  return FaceCrop{crop_face(frame, faces.front(), margin), faces.front(), faces.size()};
}

TrainingCrop::TrainingCrop(const FaceOptions& options)
    : options_(options), detector_(make_face_detector(options)) {}

cv::Mat TrainingCrop::operator()(const cv::Mat& rgb, std::string& why) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<Face> faces;
  {
    std::lock_guard lock(turn_);
    faces = detector_->detect(bgr);
  }
  const auto crop = layer2_input(rgb, faces, options_.margin);
  if (!crop) {
    why = "no face found";
    return {};
  }
  return crop->image;
}

std::string TrainingCrop::description() const {
  return fmt::format("largest {} face (score >= {}, side >= {} px), margin {}", detector_->name(),
                     options_.score_threshold, options_.min_size, options_.margin);
}

void draw_faces(cv::Mat& image, const std::vector<Face>& faces, const std::vector<std::optional<double>>& liveness,
                double liveness_threshold) {
  const int thick = std::max(1, std::max(image.cols, image.rows) / 300);
  const double font = std::max(0.4, std::max(image.cols, image.rows) / 900.0);
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const Face& f = faces[i];
    const std::optional<double> live = i < liveness.size() ? liveness[i] : std::nullopt;
    const cv::Scalar colour = !live ? cv::Scalar(0, 220, 255)
                              : *live >= liveness_threshold ? cv::Scalar(0, 200, 0)
                                                            : cv::Scalar(0, 0, 255);
    cv::rectangle(image, cv::Rect(f.box), colour, thick);
    if (f.has_landmarks) {
      for (const cv::Point2f& p : f.landmarks) cv::circle(image, p, 2 * thick, cv::Scalar(255, 0, 255), cv::FILLED);
    }
    std::string label = fmt::format("#{} face {:.2f}", i + 1, f.score);
    if (live) label += fmt::format(" live {:.2f} {}", *live, *live >= liveness_threshold ? "REAL" : "SPOOF");
    int baseline = 0;
    const cv::Size text = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, font, thick + 2, &baseline);
    const cv::Point at(std::clamp(static_cast<int>(f.box.x), 0, std::max(0, image.cols - text.width)),
                       std::max(text.height + 2, static_cast<int>(f.box.y) - 4));
    cv::putText(image, label, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thick + 2);
    cv::putText(image, label, at, cv::FONT_HERSHEY_SIMPLEX, font, colour, thick);
  }
}

}  // namespace lockerctl::vision
