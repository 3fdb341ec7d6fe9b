#include "vision/liveness.hpp"

#include <random>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/image.hpp"

namespace lockerctl::vision {
namespace {

constexpr int kInputSide = 80;

/// One MiniFASNet: its crop scale and its network.
struct FasNet {
  double scale;
  cv::dnn::Net net;
};

FasNet load(const std::string& file, const char* sha256, double scale) {
  data::verify_model_file(file, sha256);
  try {
    return {scale, cv::dnn::readNetFromONNX(file)};
  } catch (const cv::Exception& e) {
    throw ModelError(fmt::format("{}: OpenCV DNN cannot load it: {}", file, e.err));
  }
}

class MiniFasNetPair final : public LivenessCheck {
 public:
  explicit MiniFasNetPair(const LivenessModels& m)
      : nets_{load(m.v2, kMiniFasNetV2Sha256, 2.7), load(m.v1se, kMiniFasNetV1SeSha256, 4.0)} {}

  double score(const cv::Mat& frame, const Face& face) override {
    cv::Mat bgr = frame;
    if (frame.channels() == 1) cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
    double real = 0;
    for (FasNet& n : nets_) {
      const cv::Mat crop = liveness_crop(bgr, face.box, n.scale, kInputSide);
      n.net.setInput(cv::dnn::blobFromImage(crop));  // BGR, 0-255, no mean, no scaling
      const cv::Mat logits = n.net.forward().reshape(1, 1);
      double max_logit = logits.at<float>(0);
      for (int c = 1; c < logits.cols; ++c) max_logit = std::max(max_logit, static_cast<double>(logits.at<float>(c)));
      double sum = 0;
      for (int c = 0; c < logits.cols; ++c) sum += std::exp(logits.at<float>(c) - max_logit);
      real += std::exp(logits.at<float>(1) - max_logit) / sum;
    }
    return real / static_cast<double>(nets_.size());
  }

 private:
  std::array<FasNet, 2> nets_;
};

}  // namespace

std::unique_ptr<LivenessCheck> make_liveness_check(const LivenessModels& models) {
  return std::make_unique<MiniFasNetPair>(models);
}

cv::Mat liveness_crop(const cv::Mat& frame, const cv::Rect2f& box, double scale, int size) {
  const double w = frame.cols, h = frame.rows;
  const double bw = std::max(1.0f, box.width), bh = std::max(1.0f, box.height);
  scale = std::min({(h - 1) / bh, (w - 1) / bw, scale});
  const double cx = box.x + bw / 2, cy = box.y + bh / 2;
  double x0 = cx - bw * scale / 2, y0 = cy - bh * scale / 2;
  double x1 = cx + bw * scale / 2, y1 = cy + bh * scale / 2;
  if (x0 < 0) { x1 -= x0; x0 = 0; }
  if (y0 < 0) { y1 -= y0; y0 = 0; }
  if (x1 > w - 1) { x0 -= x1 - (w - 1); x1 = w - 1; }
  if (y1 > h - 1) { y0 -= y1 - (h - 1); y1 = h - 1; }
  // Truncation and the inclusive far edge are the authors' (int(), [y0 : y1 + 1]).
  const int left = static_cast<int>(x0), top = static_cast<int>(y0);
  const cv::Rect roi(left, top, static_cast<int>(x1) - left + 1, static_cast<int>(y1) - top + 1);
  cv::Mat out;
  cv::resize(frame(roi & cv::Rect(0, 0, frame.cols, frame.rows)), out, cv::Size(size, size));
  return out;
}

std::pair<cv::Mat, Face> simulated_frame(const cv::Mat& frame, const Face& face, unsigned seed, double jitter) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Face moved = face;
  const double scale = 1 + jitter * u(rng);
  const double cx = face.box.x + face.box.width / 2 + jitter * face.box.width * u(rng);
  const double cy = face.box.y + face.box.height / 2 + jitter * face.box.height * u(rng);
  moved.box = cv::Rect2f(static_cast<float>(cx - face.box.width * scale / 2), static_cast<float>(cy - face.box.height * scale / 2),
                         static_cast<float>(face.box.width * scale), static_cast<float>(face.box.height * scale));
  cv::Mat lit;
  frame.convertTo(lit, -1, 1 + 2 * jitter * u(rng), 0);
  return {lit, moved};
}

}  // namespace lockerctl::vision
