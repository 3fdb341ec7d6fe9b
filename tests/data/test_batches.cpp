#include <gtest/gtest.h>

#include "data/batches.hpp"
#include "data/cache.hpp"
#include "data/synth.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::data {
namespace {

class BatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    config::Config cfg;
    cfg.data.source_root = dir_->path().string();
    cfg.owner.image_size = 32;
    SynthOptions o;
    o.task = Task::Owner;
    o.per_class = 20;
    o.size = 32;
    write_synthetic(dir_->path() / "src", "owner", "not_owner", o);
    // Leave only 6 owner images so balancing has work to do.
    for (int i = 6; i < 20; ++i) {
      std::filesystem::remove(dir_->path() / "src/owner" / ("synth_00" + std::to_string(i) + ".png"));
    }
    PrepareOptions p;
    cache_ = prepare_dataset(resolve_dataset((dir_->path() / "src").string(), cfg, Task::Owner),
                             dir_->path() / "data", {}, p)
                 .paths.cache;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::vector<Batch> epoch(BatchOptions o, int e = 0) {
    BatchReader r(cache_, Split::Train, o);
    r.start_epoch(e);
    std::vector<Batch> out;
    while (auto b = r.next()) out.push_back(std::move(*b));
    return out;
  }

  static test::TempDir* dir_;
  static std::filesystem::path cache_;
};
test::TempDir* BatchTest::dir_ = nullptr;
std::filesystem::path BatchTest::cache_;

TEST_F(BatchTest, CoversTheSplitOncePerEpochInBatches) {
  BatchOptions o;
  o.batch_size = 4;
  const auto batches = epoch(o);
  std::vector<std::size_t> rows;
  for (const auto& b : batches) rows.insert(rows.end(), b.rows.begin(), b.rows.end());
  std::sort(rows.begin(), rows.end());
  ASSERT_FALSE(rows.empty());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], i);
  EXPECT_EQ(batches[0].images.size(), 4u * 3 * 32 * 32);
}

TEST_F(BatchTest, SameSeedSameBatchesWhateverTheThreadCount) {
  BatchOptions a;
  a.batch_size = 5;
  a.augment.enabled = true;
  a.workers = 1;
  BatchOptions b = a;
  b.workers = 3;
  const auto x = epoch(a, 2), y = epoch(b, 2);
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].rows, y[i].rows);
    EXPECT_EQ(x[i].images, y[i].images);
  }
  const auto z = epoch(a, 3);
  EXPECT_NE(x[0].rows, z[0].rows) << "each epoch has its own order";
}

TEST_F(BatchTest, AugmentationChangesPixelsButNotLabels) {
  BatchOptions plain;
  plain.shuffle = false;
  BatchOptions aug = plain;
  aug.augment.enabled = true;
  const auto p = epoch(plain), a = epoch(aug);
  EXPECT_EQ(p[0].labels, a[0].labels);
  EXPECT_NE(p[0].images, a[0].images);
}

TEST_F(BatchTest, NormalisesWithTheModelsScaleAndOffset) {
  BatchOptions o;
  o.shuffle = false;
  o.scale = 1.0 / 255.0;
  o.offset = 0.0;
  for (const auto& b : epoch(o)) {
    for (const float v : b.images) {
      ASSERT_GE(v, 0.0f);
      ASSERT_LE(v, 1.0f);
    }
  }
  o.scale = 1.0 / 127.5;
  o.offset = -1.0;
  const auto b = epoch(o);
  EXPECT_LT(*std::min_element(b[0].images.begin(), b[0].images.end()), 0.0f);
}

TEST_F(BatchTest, BalancingRepeatsTheSmallClassToParity) {
  BatchOptions o;
  o.balance = true;
  float positives = 0, total = 0;
  for (const auto& b : epoch(o)) {
    for (const float l : b.labels) {
      positives += l;
      ++total;
    }
  }
  EXPECT_EQ(positives * 2, total);
}

}  // namespace
}  // namespace lockerctl::data
