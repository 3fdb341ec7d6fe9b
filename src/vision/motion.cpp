#include "vision/motion.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>


namespace lockerctl::vision {
namespace {

/// Whether two patches show the same thing under different light: their normalised
/// cross-correlation is high and their contrast alike (the frames' contrast is normalised).
/// Flat patches have no texture to compare and count as different.
bool same_texture(const cv::Mat& now, const cv::Mat& before) {
  cv::Scalar m1, s1, m2, s2;
  cv::meanStdDev(now, m1, s1);
  cv::meanStdDev(before, m2, s2);
  if (s1[0] < 4 || s2[0] < 4) return false;
  cv::Mat ncc;
  cv::matchTemplate(now, before, ncc, cv::TM_CCOEFF_NORMED);
  const double contrast = s1[0] / s2[0];
  return ncc.at<float>(0, 0) > 0.85 && contrast > 0.5 && contrast < 2;
}

}  // namespace

struct MotionDetector::State {
  cv::Ptr<cv::BackgroundSubtractorMOG2> background;
  cv::Size frame_size;              ///< of the frames the masks were made for
  std::vector<cv::Mat> zone_masks;  ///< one per zone, at the working size
  int frames = 0;
};

MotionDetector::MotionDetector(MotionOptions options) : o_(std::move(options)), s_(std::make_unique<State>()) {
  if (o_.zones.empty()) o_.zones.push_back({"frame", {}});
  reset();
}

MotionDetector::~MotionDetector() = default;

void MotionDetector::reset() {
  s_->background = cv::createBackgroundSubtractorMOG2(static_cast<int>(o_.history_frames), 25, false);
  s_->frames = 0;
}

Motion MotionDetector::feed(const cv::Mat& frame) {
  Motion result;
  if (frame.empty()) return result;
  // A small grey copy, blurred against sensor noise, with a fixed mean and contrast.
  const double scale = std::min(1.0, static_cast<double>(o_.width) / frame.cols);
  cv::Mat grey, small;
  if (frame.channels() == 3) {
    cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
  } else {
    grey = frame;
  }
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(5, 5), 0);
  // Median and spread from the quartiles: someone walking in barely moves them, a lamp does.
  int histogram[256] = {};
  for (int y = 0; y < small.rows; ++y) {
    for (const uchar* p = small.ptr<uchar>(y), *end = p + small.cols; p != end; ++p) ++histogram[*p];
  }
  const auto percentile = [&](double q) {
    const double wanted = q * static_cast<double>(small.total());
    double seen = 0;
    for (int v = 0; v < 256; ++v) {
      if ((seen += histogram[v]) >= wanted) return v;
    }
    return 255;
  };
  const double median = percentile(0.5), spread = (percentile(0.75) - percentile(0.25)) / 1.349;
  const double gain = std::clamp(spread > 0 ? 40.0 / spread : 1.0, 0.5, 3.0);  // noise in a dull scene is not amplified much
  small.convertTo(small, CV_8U, gain, 128 - median * gain);

  if (small.size() != s_->frame_size) {
    s_->frame_size = small.size();
    s_->zone_masks.clear();
    for (const MotionZone& zone : o_.zones) {
      cv::Mat mask(small.size(), CV_8U, cv::Scalar(zone.corners.empty() ? 255 : 0));
      if (!zone.corners.empty()) {
        std::vector<cv::Point> polygon;
        for (const cv::Point2f& c : zone.corners) {
          polygon.emplace_back(cvRound(c.x * (small.cols - 1)), cvRound(c.y * (small.rows - 1)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{polygon}, cv::Scalar(255));
      }
      s_->zone_masks.push_back(mask);
    }
    reset();
  }

  cv::Mat foreground;
  s_->background->apply(small, foreground);
  if (++s_->frames <= o_.warmup_frames) return result;
  cv::threshold(foreground, foreground, 200, 255, cv::THRESH_BINARY);
  cv::morphologyEx(foreground, foreground, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  cv::dilate(foreground, foreground, cv::getStructuringElement(cv::MORPH_ELLIPSE, {7, 7}));

  const double total = static_cast<double>(small.total());
  if (cv::countNonZero(foreground) > o_.lighting_area * total) {
    result.lighting = true;
    s_->background->apply(small, foreground, 1.0);  // the new light is the background from now on
    return result;
  }
  // Blobs whose texture is the background's under other light are not something new. When they
  // make up most of what changed, the light changed: it is learnt and nothing is reported.
  cv::Mat background, labels, stats, centroids;
  s_->background->getBackgroundImage(background);
  const int blobs = cv::connectedComponentsWithStats(foreground, labels, stats, centroids, 8, CV_32S);
  double changed = 0, relit = 0;
  for (int i = 1; i < blobs; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    changed += area;
    if (area < o_.min_area * total || !same_texture(small(box), background(box))) continue;
    relit += area;
    foreground.setTo(0, labels == i);
  }
  if (changed > 0 && relit >= 0.6 * changed) {
    result.lighting = true;
    s_->background->apply(small, foreground, 1.0);
    return result;
  }
  for (std::size_t z = 0; z < o_.zones.size(); ++z) {
    cv::Mat inside;
    cv::bitwise_and(foreground, s_->zone_masks[z], inside);
    const int n = cv::connectedComponentsWithStats(inside, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
      const int area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area < o_.min_area * total) continue;
      const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
      result.area += area / total;
      result.boxes.emplace_back(cvRound(box.x / scale), cvRound(box.y / scale), cvRound(box.width / scale),
                                cvRound(box.height / scale));
    }
    if (!result.boxes.empty()) {
      result.zone = o_.zones[z].name;
      return result;
    }
  }
  return result;
}

}  // namespace lockerctl::vision
