#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/augment.hpp"
#include "models/model_file.hpp"
#include "support/temp_dir.hpp"
#include "train/owner_model.hpp"

namespace lockerctl::train {
namespace {

namespace fs = std::filesystem;

// A chip-sized grey image with noise; `owner_like` ones carry a bright disc in the middle, the
// others a dark bar. Written as PNG, as `owner enroll` keeps chips.
fs::path chip(const fs::path& dir, const std::string& name, bool owner_like, data::Rng& rng) {
  cv::Mat img(48, 48, CV_8UC3, cv::Scalar::all(110));
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b::all(static_cast<uchar>(80 + rng.uniform(0, 60)));
  }
  const cv::Point centre(24 + static_cast<int>(rng.uniform(-3, 3)), 24 + static_cast<int>(rng.uniform(-3, 3)));
  if (owner_like) {
    cv::circle(img, centre, 12, cv::Scalar::all(240), cv::FILLED);
  } else {
    cv::rectangle(img, centre - cv::Point(16, 4), centre + cv::Point(16, 4), cv::Scalar::all(10), cv::FILLED);
  }
  fs::create_directories(dir);
  const fs::path file = dir / (name + ".png");
  cv::imwrite(file.string(), img);
  return file;
}

class OwnerModel : public ::testing::Test {
 protected:
  OwnerModelOptions options(bool separable) {
    data::Rng rng(7);
    OwnerModelOptions o;
    o.owner = "alice";
    for (int i = 0; i < 12; ++i) o.owner_chips.push_back(chip(dir_ / "owner", "o" + std::to_string(i), true, rng));
    // Inseparable: strangers drawn exactly as the owner is.
    for (int i = 0; i < 48; ++i) o.other_chips.push_back(chip(dir_ / "others", "n" + std::to_string(i), !separable, rng));
    o.image_size = 32;
    o.fractions = {0.6, 0.15, 0.25, 1};
    o.active = dir_ / "models/owners/alice.h5";
    o.train.data_dir = dir_ / "data";
    o.train.run_dir = dir_ / "runs/owner-alice";
    o.train.workers = 1;
    o.train.train.epochs = 6;
    o.train.train.batch_size = 16;
    o.train.train.augment = true;
    o.train.train.balance = true;
    return o;
  }
  test::TempDir dir_;
};

TEST_F(OwnerModel, LearnsTheOwnerAndBecomesActiveWhenStrangersAreRejected) {
  OwnerModelOptions o = options(true);
  o.max_far = 0.0;
  const OwnerModelResult r = train_owner_model(o);
  EXPECT_EQ(r.tested.metrics.far, 0.0);
  EXPECT_GT(r.tested.metrics.confusion.tp, 0u);
  // 25% of each class is held out for the test.
  EXPECT_EQ(r.tested.metrics.confusion.tp + r.tested.metrics.confusion.fn, 3u);
  EXPECT_EQ(r.tested.metrics.confusion.fp + r.tested.metrics.confusion.tn, 12u);
  ASSERT_TRUE(r.activated);
  const models::ModelMeta meta = models::read_model_meta(o.active);
  EXPECT_EQ(meta.input, models::kFaceChipInput);
  EXPECT_EQ(meta.spec.input_size, 32);
  EXPECT_EQ(meta.positive_class, "owner");
  EXPECT_TRUE(fs::exists(o.train.run_dir / "test/metrics.md"));
}

TEST_F(OwnerModel, IsNotMadeActiveWhenItAcceptsStrangersAndTheActiveModelStays) {
  OwnerModelOptions o = options(false);
  o.max_far = 0.0;
  fs::create_directories(o.active.parent_path());
  { std::ofstream(o.active) << "the model that was active"; }
  const OwnerModelResult r = train_owner_model(o);
  EXPECT_FALSE(r.activated);
  EXPECT_TRUE(r.tested.metrics.far > 0.0 || r.tested.metrics.confusion.tp == 0);
  std::ifstream in(o.active);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "the model that was active");
  EXPECT_TRUE(fs::exists(r.trained.model));  // kept in the run folder for a look
}

TEST_F(OwnerModel, NeedsThreeOwnerChipsForTrainingValidationAndTest) {
  OwnerModelOptions o = options(true);
  o.owner_chips.resize(2);
  try {
    train_owner_model(o);
    FAIL() << "two chips were accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("owner 'alice': 2 enrolled face chip(s); the owner CNN needs at least 3"),
              std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(o.active));
}

}  // namespace
}  // namespace lockerctl::train
