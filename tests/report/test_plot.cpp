#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "report/plot.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::report {
namespace {

TEST(Plot, LineChartIsAReadablePng) {
  test::TempDir dir;
  save_line_chart(dir / "loss.png", {{"train", {1, 2, 3}, {0.7, 0.5, 0.3}}, {"validation", {1, 2, 3}, {0.7, 0.6, 0.5}}},
                  {"Loss", "epoch", "loss", 0, 0, false});
  const cv::Mat img = cv::imread((dir / "loss.png").string());
  EXPECT_EQ(img.cols, 720);
  EXPECT_GT(cv::countNonZero(img.reshape(1) != 255), 1000) << "something was drawn";
}

TEST(Plot, ConfusionMatrixIsAReadablePng) {
  test::TempDir dir;
  save_confusion_matrix(dir / "cm.png", 9, 1, 2, 8, "owner", "not_owner", "test");
  EXPECT_FALSE(cv::imread((dir / "cm.png").string()).empty());
}

}  // namespace
}  // namespace lockerctl::report
