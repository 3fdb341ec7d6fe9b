#include "data/synth.hpp"

#include <fmt/format.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/augment.hpp"

namespace lockerctl::data {
namespace {

cv::Scalar random_color(Rng& rng) {
  return cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
}

// Background: a colour with random rectangles, circles and lines (no circles with `round` false:
// the scenes without people then hold nothing face-like, which keeps the toy task learnable by a
// MobileNetV2 trained from scratch on a few hundred images).
cv::Mat clutter(int size, Rng& rng, int shapes, bool round = true) {
  cv::Mat img(size, size, CV_8UC3, random_color(rng));
  for (int i = 0; i < shapes; ++i) {
    const cv::Point a(static_cast<int>(rng.uniform(0, size)), static_cast<int>(rng.uniform(0, size)));
    const cv::Point b(static_cast<int>(rng.uniform(0, size)), static_cast<int>(rng.uniform(0, size)));
    int kind = static_cast<int>(rng.next() % 3);
    if (!round && kind == 1) kind = 0;  // a rectangle instead of a circle
    switch (kind) {
      case 0: cv::rectangle(img, a, b, random_color(rng), cv::FILLED); break;
      case 1: cv::circle(img, a, static_cast<int>(rng.uniform(2, size / 4.0)), random_color(rng), cv::FILLED); break;
      default: cv::line(img, a, b, random_color(rng), 1 + static_cast<int>(rng.uniform(0, 3))); break;
    }
  }
  return img;
}

// What makes a face look like one person: proportions and colours.
struct FaceLook {
  double width;        // face width / height
  double eye_spacing;  // between eye centres, share of face width
  double mouth;        // mouth width, share of face width
  cv::Scalar skin, hair;
};

void draw_face(cv::Mat& img, cv::Point centre, int height, const FaceLook& f) {
  const int h = height / 2, w = static_cast<int>(h * f.width);
  cv::ellipse(img, centre + cv::Point(0, -h / 3), cv::Size(w + 2, h * 3 / 4), 0, 180, 360, f.hair, cv::FILLED);
  cv::ellipse(img, centre, cv::Size(w, h), 0, 0, 360, f.skin, cv::FILLED);
  const int dx = static_cast<int>(w * f.eye_spacing), ey = centre.y - h / 4;
  const int er = std::max(1, h / 8);
  cv::circle(img, {centre.x - dx, ey}, er, cv::Scalar(20, 20, 20), cv::FILLED);
  cv::circle(img, {centre.x + dx, ey}, er, cv::Scalar(20, 20, 20), cv::FILLED);
  const int mw = static_cast<int>(w * f.mouth);
  cv::line(img, {centre.x - mw, centre.y + h / 2}, {centre.x + mw, centre.y + h / 2},
           cv::Scalar(60, 30, 120), std::max(1, h / 10));
}

FaceLook random_look(Rng& rng) {
  return {rng.uniform(0.6, 1.0), rng.uniform(0.25, 0.6), rng.uniform(0.2, 0.7),
          cv::Scalar(rng.uniform(60, 230), rng.uniform(90, 220), rng.uniform(130, 255)),
          random_color(rng)};
}

// The synthetic owner: a wide face, close eyes, a wide mouth, dark-red hair.
const FaceLook kOwner{0.95, 0.28, 0.65, cv::Scalar(150, 180, 230), cv::Scalar(30, 30, 140)};

bool near_owner(const FaceLook& f) {
  return std::abs(f.width - kOwner.width) < 0.12 && std::abs(f.eye_spacing - kOwner.eye_spacing) < 0.08;
}

cv::Mat person(int size, Rng& rng) {
  cv::Mat img = clutter(size, rng, 4);
  const int head = static_cast<int>(size * rng.uniform(0.25, 0.4));
  const cv::Point c(static_cast<int>(size * rng.uniform(0.35, 0.65)), static_cast<int>(size * rng.uniform(0.25, 0.4)));
  const cv::Scalar shirt = random_color(rng);
  cv::rectangle(img, {c.x - head / 2, c.y + head / 2}, {c.x + head / 2, std::min(size - 1, c.y + head * 2)}, shirt, cv::FILLED);
  cv::line(img, {c.x - head / 2, c.y + head}, {c.x - head, c.y + head * 2}, shirt, std::max(1, head / 6));
  cv::line(img, {c.x + head / 2, c.y + head}, {c.x + head, c.y + head * 2}, shirt, std::max(1, head / 6));
  draw_face(img, c, head, random_look(rng));
  return img;
}

cv::Mat face(int size, Rng& rng, const FaceLook& look) {
  cv::Mat img = clutter(size, rng, 2);
  const cv::Point c(static_cast<int>(size * rng.uniform(0.45, 0.55)), static_cast<int>(size * rng.uniform(0.45, 0.55)));
  draw_face(img, c, static_cast<int>(size * rng.uniform(0.6, 0.75)), look);
  return img;
}

}  // namespace

int write_synthetic(const std::filesystem::path& out, const std::string& positive_class,
                    const std::string& negative_class, const SynthOptions& o) {
  Rng rng(o.seed);
  std::error_code ec;
  for (const auto& cls : {positive_class, negative_class}) {
    std::filesystem::create_directories(out / cls, ec);
    if (ec) throw IoError((out / cls).string() + ": cannot create folder: " + ec.message());
  }
  int written = 0;
  for (int i = 0; i < o.per_class; ++i) {
    for (const int label : {1, 0}) {
      cv::Mat rgb;
      if (o.task == Task::Human) {
        // People are whole figures or close-up faces (as the real human class holds both).
        rgb = !label ? clutter(o.size, rng, 8, false) : i % 2 ? face(o.size, rng, random_look(rng)) : person(o.size, rng);
      } else {
        FaceLook look = kOwner;
        if (label) {
          look.width += rng.uniform(-0.04, 0.04);
          look.eye_spacing += rng.uniform(-0.03, 0.03);
        } else {
          do look = random_look(rng); while (near_owner(look));
        }
        rgb = face(o.size, rng, look);
      }
      cv::Mat bgr;
      cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
      const auto path = out / (label ? positive_class : negative_class) / fmt::format("synth_{:04d}.png", i);
      if (!cv::imwrite(path.string(), bgr)) throw IoError(path.string() + ": cannot write image");
      ++written;
    }
  }
  std::ofstream readme(out / "README.txt");
  readme << "SYNTHETIC images generated by `lockerctl dataset synth` (task " << task_name(o.task)
         << ", seed " << o.seed << ").\nThey exercise the pipeline; they are not photos and say "
         << "nothing about accuracy on real people.\n";
  return written;
}

}  // namespace lockerctl::data
