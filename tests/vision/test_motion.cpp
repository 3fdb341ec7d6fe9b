// Motion detection on real footage (OpenCV's pedestrian video, checked against OpenCV's HOG people
// detector), on a still scene with sensor noise, and through lighting changes; incident clips.

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/videoio.hpp>

#include "core/errors.hpp"
#include "support/temp_dir.hpp"
#include "vision/clip.hpp"
#include "vision/motion.hpp"

namespace lockerctl::vision {
namespace {

using namespace std::chrono_literals;

cv::Mat first_frame_of_the_footage() {
  cv::VideoCapture video(test::shared_data("videos/vtest.avi").string());
  cv::Mat frame;
  video.read(frame);
  return frame;
}

#define NEED_FOOTAGE() \
  if (test::shared_data("videos/vtest.avi").empty()) GTEST_SKIP() << "../shared/data/videos/vtest.avi is absent"

TEST(Motion, FindsThePeopleWalkingInTheRealFootage) {
  NEED_FOOTAGE();
  cv::VideoCapture video(test::shared_data("videos/vtest.avi").string());
  ASSERT_TRUE(video.isOpened());
  MotionDetector whole(MotionOptions{});
  MotionOptions left;
  left.zones = {{"left", {{0, 0}, {0.2f, 0}, {0.2f, 1}, {0, 1}}}};
  MotionDetector edge(left);
  cv::HOGDescriptor hog;
  hog.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());

  int frames = 0, moving = 0, people = 0, found = 0, edge_moving = 0, lighting = 0;
  cv::Mat frame;
  for (int i = 0; video.read(frame); ++i) {
    const Motion m = whole.feed(frame);
    edge_moving += edge.feed(frame).moving();
    lighting += m.lighting;
    if (i < 10) continue;
    ++frames;
    moving += m.moving();
    if (i < 60 || i % 25 != 0) continue;
    // An independent judge: OpenCV's HOG people detector, where it is confident.
    std::vector<cv::Rect> boxes;
    std::vector<double> weights;
    hog.detectMultiScale(frame, boxes, weights, 0, {8, 8}, {0, 0}, 1.05, 2);
    for (std::size_t k = 0; k < boxes.size(); ++k) {
      if (weights[k] < 1.0) continue;
      ++people;
      const bool covered = std::any_of(m.boxes.begin(), m.boxes.end(),
                                       [&](const cv::Rect& b) { return (b & boxes[k]).area() > 0.3 * boxes[k].area(); });
      found += covered;
    }
  }
  EXPECT_GT(frames, 700) << "the footage has 795 frames";
  EXPECT_EQ(lighting, 0);
  EXPECT_GT(moving, 0.95 * frames) << "someone walks in almost every frame";
  ASSERT_GE(people, 10) << "the HOG detector found too few people to judge by";
  EXPECT_GE(found, 0.8 * people) << found << " of the " << people << " people HOG found are covered by motion";
  // People walk in and out of the left fifth: motion there comes and goes.
  EXPECT_GT(edge_moving, 100);
  EXPECT_LT(edge_moving, 0.7 * frames);
}

TEST(Motion, AStillSceneWithSensorNoiseIsNotMotionButSomethingMovingInItIs) {
  NEED_FOOTAGE();
  const cv::Mat still = first_frame_of_the_footage();
  MotionDetector detector(MotionOptions{});
  cv::RNG rng(7);
  cv::Mat noisy, noise(still.size(), CV_16SC3);
  for (int i = 0; i < 100; ++i) {
    rng.fill(noise, cv::RNG::NORMAL, 0, 4);
    still.convertTo(noisy, CV_16SC3);
    noisy += noise;
    noisy.convertTo(noisy, CV_8UC3);
    EXPECT_FALSE(detector.feed(noisy).moving()) << "frame " << i;
  }
  // A dark, person-sized shape crossing the same scene.
  int moving = 0;
  for (int i = 0; i < 30; ++i) {
    cv::Mat frame = still.clone();
    const cv::Rect body(100 + 15 * i, 200, 50, 130);
    cv::rectangle(frame, body, cv::Scalar(40, 35, 30), cv::FILLED);
    const Motion m = detector.feed(frame);
    if (!m.moving()) continue;
    ++moving;
    EXPECT_TRUE(std::any_of(m.boxes.begin(), m.boxes.end(), [&](const cv::Rect& b) { return (b & body).area() > 0; }));
  }
  EXPECT_GE(moving, 28);
}

TEST(Motion, LightingChangesAreNotMotion) {
  NEED_FOOTAGE();
  const cv::Mat still = first_frame_of_the_footage();
  MotionDetector detector(MotionOptions{});
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(detector.feed(still).moving());
  cv::Mat frame;
  // The lights dim slowly to 40%, then come back on at once, then a brighter lamp with an offset.
  for (int i = 0; i <= 60; ++i) {
    still.convertTo(frame, -1, 1.0 - 0.01 * i, 0);
    EXPECT_FALSE(detector.feed(frame).moving()) << "dimming step " << i;
  }
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(detector.feed(still).moving()) << "lights on, frame " << i;
  for (int i = 0; i < 20; ++i) {
    still.convertTo(frame, -1, 1.3, 25);
    EXPECT_FALSE(detector.feed(frame).moving()) << "brighter lamp, frame " << i;
  }
  // A switch that lights one side only, over most of the frame: a lighting change, learnt.
  cv::Mat half = still.clone();
  half(cv::Rect(0, 0, still.cols * 3 / 4, still.rows)) += cv::Scalar(90, 90, 90);
  Motion m = detector.feed(half);
  EXPECT_FALSE(m.moving());
  EXPECT_TRUE(m.lighting);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(detector.feed(half).moving()) << "after the switch, frame " << i;
}

TEST(Motion, OnlyZonesAreWatched) {
  cv::Mat scene(240, 320, CV_8UC3);
  cv::randu(scene, 0, 255);
  cv::GaussianBlur(scene, scene, {9, 9}, 0);
  MotionOptions o;
  o.zones = {{"vault", {{0.5f, 0}, {1, 0}, {1, 1}, {0.5f, 1}}}};
  MotionDetector detector(o);
  for (int i = 0; i < 30; ++i) detector.feed(scene);
  cv::Mat frame = scene.clone();
  cv::rectangle(frame, cv::Rect(20, 60, 40, 100), cv::Scalar(0, 0, 0), cv::FILLED);  // left half
  EXPECT_FALSE(detector.feed(frame).moving());
  frame = scene.clone();
  cv::rectangle(frame, cv::Rect(220, 60, 40, 100), cv::Scalar(0, 0, 0), cv::FILLED);  // in the vault zone
  const Motion m = detector.feed(frame);
  EXPECT_EQ(m.zone, "vault");
  EXPECT_GT(m.area, 0.03);

}

TEST(Clip, KeepsTheSecondsBeforeAndAfterAndWritesAnH264ClipThatPlaysBack) {
  test::TempDir dir;
  ClipRecorder clips({2.0, 1.0, 320});
  const auto t0 = ClipRecorder::Clock::now();
  auto frame_at = [](int i) {
    cv::Mat f(480, 640, CV_8UC3, cv::Scalar(30, 30, 30));
    cv::circle(f, {20 + 10 * i, 240}, 40, cv::Scalar(0, 200, 0), cv::FILLED);
    return f;
  };
  for (int i = 0; i < 50; ++i) clips.push(frame_at(i), t0 + i * 100ms);  // 5 s at 10 fps
  clips.start("A1", dir / "A1" / "clip.mp4", t0 + 4900ms);
  EXPECT_TRUE(clips.finish(t0 + 5000ms).empty()) << "still recording the second after";
  for (int i = 50; i < 70; ++i) clips.push(frame_at(i), t0 + i * 100ms);
  const auto done = clips.finish(t0 + 7000ms);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].incident, "A1");
  // 2 s before (21 frames: 2.9 to 4.9 s) and 1 s after (5.0 to 5.9 s).
  EXPECT_EQ(done[0].frames, 31);
  EXPECT_NEAR(done[0].seconds, 3.0, 0.01);
  EXPECT_EQ(clips.recording(), 0u);

  cv::VideoCapture video((dir / "A1" / "clip.mp4").string(), cv::CAP_FFMPEG);
  ASSERT_TRUE(video.isOpened());
  const int fourcc = static_cast<int>(video.get(cv::CAP_PROP_FOURCC));
  const std::string codec{static_cast<char>(fourcc & 255), static_cast<char>((fourcc >> 8) & 255),
                          static_cast<char>((fourcc >> 16) & 255), static_cast<char>((fourcc >> 24) & 255)};
  EXPECT_TRUE(codec == "avc1" || codec == "h264") << codec;
  EXPECT_NEAR(video.get(cv::CAP_PROP_FPS), 10, 0.5);
  EXPECT_EQ(video.get(cv::CAP_PROP_FRAME_WIDTH), 320) << "scaled to max_width";
  int frames = 0;
  cv::Mat f;
  double first_x = -1, last_x = -1;
  while (video.read(f)) {
    ++frames;
    cv::Mat green;
    cv::inRange(f, cv::Scalar(0, 150, 0), cv::Scalar(80, 255, 80), green);
    const cv::Moments mo = cv::moments(green, true);
    ASSERT_GT(mo.m00, 0) << "the ball is in frame " << frames;
    (first_x < 0 ? first_x : last_x) = mo.m10 / mo.m00;
  }
  EXPECT_EQ(frames, 31);
  // The ball moved 10 px a frame at 640 px: 5 px at 320, over 30 frames.
  EXPECT_NEAR(last_x - first_x, 150, 6);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir / "A1")) EXPECT_EQ(e.path().filename(), "clip.mp4");

  clips.start("A2", dir / "A2" / "clip.mp4", t0 + 7000ms);
  clips.push(frame_at(0), t0 + 7100ms);
  EXPECT_EQ(clips.finish(t0 + 7200ms, true).size(), 1u) << "a stopping run writes what it has";
}

TEST(Clip, NamesAClipItCannotWrite) {
  test::TempDir dir;
  dir.write("file", "x");
  try {
    write_clip(dir / "file" / "clip.mp4", {cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 2, 3))}, 10);
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("clip.mp4"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lockerctl::vision
