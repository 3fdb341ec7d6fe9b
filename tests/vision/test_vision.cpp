#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/errors.hpp"
#include "support/rtsp_server.hpp"
#include "support/temp_dir.hpp"
#include "vision/camera.hpp"

namespace lockerctl::vision {
namespace {

TEST(FolderCamera, CyclesThroughImagesInNameOrderAndSkipsBrokenOnes) {
  test::TempDir dir;
  cv::imwrite((dir / "a.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(10, 10, 10)));
  dir.write("b.png", "not an image at all");
  cv::imwrite((dir / "c.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(200, 200, 200)));
  dir.write("notes.txt", "ignored");
  FolderCamera camera(dir.path());
  const auto first = camera.grab();
  const auto second = camera.grab();
  const auto third = camera.grab();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->at<cv::Vec3b>(0, 0)[0], 10);
  EXPECT_EQ(second->at<cv::Vec3b>(0, 0)[0], 200) << "b.png is skipped";
  EXPECT_EQ(third->at<cv::Vec3b>(0, 0)[0], 10) << "round and round";
  EXPECT_EQ(camera.skipped(), 1);
}

TEST(FolderCamera, WithoutASceneIsALostCamera) {
  FolderCamera camera;
  EXPECT_FALSE(camera.grab());
  EXPECT_FALSE(camera.reopen());
  test::TempDir dir;
  cv::imwrite((dir / "a.png").string(), cv::Mat(8, 8, CV_8UC3));
  camera.show(dir / "a.png");
  EXPECT_TRUE(camera.grab());
}

TEST(OpenCamera, NamesASourceItCannotOpen) {
  try {
    open_camera("/no/such/video.mp4");
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_STREQ(e.what(), "camera '/no/such/video.mp4': cannot open it");
  }
  EXPECT_NE(dynamic_cast<FolderCamera*>(open_camera("sim").get()), nullptr);
}

TEST(OpenCamera, ReadsAVideoFileThroughVideoCapture) {
  test::TempDir dir;
  const auto file = dir / "clip.avi";
  {
    cv::VideoWriter writer(file.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 5, cv::Size(32, 32));
    if (!writer.isOpened()) GTEST_SKIP() << "this OpenCV cannot write MJPG AVI files";
    for (int i = 0; i < 3; ++i) writer.write(cv::Mat(32, 32, CV_8UC3, cv::Scalar(i * 80, 0, 0)));
  }
  auto camera = open_camera(file.string());
  EXPECT_EQ(dynamic_cast<FolderCamera*>(camera.get()), nullptr);
  int frames = 0;
  while (auto frame = camera->grab()) {
    EXPECT_EQ(frame->size(), cv::Size(32, 32));
    ++frames;
  }
  EXPECT_EQ(frames, 3);
  EXPECT_TRUE(camera->reopen()) << "a file can be read again from the start";
  EXPECT_TRUE(camera->grab());
}

TEST(OpenCamera, AnRtspCameraSurvivesTheStreamDroppingAndComingBack) {
  if (!test::RtspServer::available()) {
    GTEST_SKIP() << "GStreamer's RTSP server for Python is absent (gir1.2-gst-rtsp-server-1.0, python3-gi: scripts/install-deps.sh)";
  }
  test::TempDir dir;
  for (int i = 0; i < 20; ++i) {
    cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(40, 40, 40));
    cv::rectangle(frame, cv::Rect(10 * i, 100, 40, 40), cv::Scalar(0, 200, 0), cv::FILLED);
    cv::imwrite((dir / fmt::format("frame{:03d}.jpg", i)).string(), frame);
  }
  test::RtspServer server(dir / "frame%03d.jpg");
  auto camera = open_camera(server.url(), 1000);
  EXPECT_EQ(camera->name(), server.url());
  for (int i = 0; i < 10; ++i) {
    const auto frame = camera->grab();
    ASSERT_TRUE(frame) << "frame " << i << "; " << server.log();
    EXPECT_EQ(frame->size(), cv::Size(320, 240));
  }
  server.kill();
  // What was on its way may still arrive; then the camera is lost, after the read timeout, not hung.
  const auto dropped = std::chrono::steady_clock::now();
  int late = 0;
  while (camera->grab() && late < 5000) ++late;
  EXPECT_LT(late, 5000);
  EXPECT_LT(std::chrono::steady_clock::now() - dropped, std::chrono::seconds(10));
  EXPECT_FALSE(camera->reopen()) << "no server, no stream";
  server.start();
  ASSERT_TRUE(camera->reopen()) << server.log();
  const auto frame = camera->grab();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), cv::Size(320, 240));
}

TEST(SaveFrame, WritesTheFormatTheExtensionNamesAndRefusesAnUnknownOne) {
  test::TempDir dir;
  const cv::Mat frame(16, 16, CV_8UC3, cv::Scalar(0, 128, 255));
  save_frame(dir / "f.png", frame);
  const cv::Mat back = cv::imread((dir / "f.png").string());
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.at<cv::Vec3b>(3, 3), cv::Vec3b(0, 128, 255)) << "PNG is lossless";
  save_frame(dir / "f.jpg", frame);
  EXPECT_FALSE(cv::imread((dir / "f.jpg").string()).empty());
  EXPECT_THROW(save_frame(dir / "f.unknown", frame), IoError);
  EXPECT_FALSE(std::filesystem::exists(dir / "f.unknown"));
}

}  // namespace
}  // namespace lockerctl::vision
