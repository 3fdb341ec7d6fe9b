#include "report/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "core/fs.hpp"

namespace lockerctl::report {
namespace {

const cv::Scalar kColors[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}};
const cv::Scalar kInk(40, 40, 40);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void write_png(const std::filesystem::path& png, const cv::Mat& img) {
  AtomicFile out(png);
  const std::filesystem::path temp = out.temp().string() + ".png";  // imwrite picks the codec by name
  if (!cv::imwrite(temp.string(), img)) throw IoError(png.string() + ": cannot write PNG");
  std::filesystem::rename(temp, out.temp());
  out.commit();
}

void text(cv::Mat& img, const std::string& s, cv::Point at, double scale = 0.45, int thick = 1) {
  cv::putText(img, s, at, kFont, scale, kInk, thick, cv::LINE_AA);
}

std::string tick_label(double v) {
  return std::abs(v) >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.2g}", v);
}

}  // namespace

void save_line_chart(const std::filesystem::path& png, const std::vector<Series>& series,
                     const ChartOptions& o) {
  const int W = 720, H = 500, left = 70, right = 20, top = 60, bottom = 55;
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  double x0 = 1e300, x1 = -1e300, y0 = o.y_min, y1 = o.y_max;
  const bool fit_y = o.y_min == 0 && o.y_max == 0;
  if (fit_y) {
    y0 = 1e300;
    y1 = -1e300;
  }
  for (const auto& s : series) {
    for (double v : s.x) x0 = std::min(x0, v), x1 = std::max(x1, v);
    if (fit_y) for (double v : s.y) if (std::isfinite(v)) y0 = std::min(y0, v), y1 = std::max(y1, v);
  }
  if (x0 > x1) x0 = 0, x1 = 1;
  if (y0 > y1) y0 = 0, y1 = 1;
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  if (fit_y) {
    const double pad = 0.05 * (y1 - y0);
    y0 -= pad;
    y1 += pad;
  }
  const auto px = [&](double x) { return left + static_cast<int>((x - x0) / (x1 - x0) * (W - left - right)); };
  const auto py = [&](double y) { return H - bottom - static_cast<int>((y - y0) / (y1 - y0) * (H - top - bottom)); };

  cv::rectangle(img, {left, top}, {W - right, H - bottom}, kInk, 1);
  for (int i = 0; i <= 5; ++i) {
    const double yv = y0 + (y1 - y0) * i / 5, xv = x0 + (x1 - x0) * i / 5;
    cv::line(img, {left, py(yv)}, {W - right, py(yv)}, cv::Scalar(225, 225, 225), 1);
    text(img, tick_label(yv), {5, py(yv) + 5});
    text(img, tick_label(xv), {px(xv) - 10, H - bottom + 18});
  }
  if (o.diagonal) cv::line(img, {px(x0), py(y0)}, {px(x1), py(y1)}, cv::Scalar(170, 170, 170), 1, cv::LINE_AA);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const cv::Scalar color = kColors[k % 4];
    for (std::size_t i = 1; i < s.x.size() && i < s.y.size(); ++i) {
      cv::line(img, {px(s.x[i - 1]), py(s.y[i - 1])}, {px(s.x[i]), py(s.y[i])}, color, 2, cv::LINE_AA);
    }
    if (s.x.size() == 1) cv::circle(img, {px(s.x[0]), py(s.y[0])}, 3, color, cv::FILLED);
    const int ly = top + 20 + 20 * static_cast<int>(k);
    cv::line(img, {W - right - 150, ly - 4}, {W - right - 125, ly - 4}, color, 2);
    text(img, s.name, {W - right - 118, ly});
  }
  text(img, o.title, {left, 25}, 0.6, 1);
  text(img, o.x_label, {W / 2 - 30, H - 12});
  text(img, o.y_label, {5, top - 12});
  write_png(png, img);
}

void save_confusion_matrix(const std::filesystem::path& png, std::size_t tp, std::size_t fn,
                           std::size_t fp, std::size_t tn, const std::string& positive,
                           const std::string& negative, const std::string& title) {
  const int cell = 150, left = 150, top = 90;
  cv::Mat img(top + 2 * cell + 40, left + 2 * cell + 30, CV_8UC3, cv::Scalar(255, 255, 255));
  const std::size_t counts[2][2] = {{tp, fn}, {fp, tn}};
  const std::size_t row_total[2] = {tp + fn, fp + tn};
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const double share = row_total[r] ? static_cast<double>(counts[r][c]) / row_total[r] : 0;
      const int shade = 255 - static_cast<int>(150 * share);
      const cv::Rect box(left + c * cell, top + r * cell, cell, cell);
      cv::rectangle(img, box, cv::Scalar(255, shade, shade), cv::FILLED);
      cv::rectangle(img, box, kInk, 1);
      text(img, std::to_string(counts[r][c]), {box.x + 20, box.y + 70}, 0.9, 2);
      text(img, fmt::format("{:.1f}% of row", 100 * share), {box.x + 20, box.y + 100});
    }
  }
  text(img, title, {10, 25}, 0.6);
  text(img, "predicted " + positive, {left + 5, top - 10});
  text(img, "predicted " + negative, {left + cell + 5, top - 10});
  text(img, "actual", {10, top + 60});
  text(img, positive, {10, top + 80});
  text(img, "actual", {10, top + cell + 60});
  text(img, negative, {10, top + cell + 80});
  write_png(png, img);
}

}  // namespace lockerctl::report
