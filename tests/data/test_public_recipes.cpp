// Builds the shipped recipes from the team's public image collections (../shared/data), at a
// small image size to stay fast. Skips when the collections are absent.
#include <gtest/gtest.h>

#include "data/batches.hpp"
#include "data/cache.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::data {
namespace {

class PublicRecipes : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto root = test::shared_data("");
    if (root.empty() || !std::filesystem::exists(root / "faces_orl_att")) {
      GTEST_SKIP() << "../shared/data is absent (set LOCKERCTL_SHARED_DATA)";
    }
    cfg_.data.source_root = root.string();
    cfg_.paths.datasets_dir = (test::source_dir() / "datasets").string();
    cfg_.human.image_size = 32;
    cfg_.owner.image_size = 32;
  }
  PrepareReport build(const std::string& name) {
    PrepareOptions o;
    o.workers = 2;
    return prepare_dataset(resolve_dataset(name, cfg_, Task::Human), dir_ / "data", {}, o);
  }
  config::Config cfg_;
  test::TempDir dir_;
};

TEST_F(PublicRecipes, HumanPublicHasAThousandImagesAClassSplit70_20_10) {
  const PrepareReport r = build("human_public");
  EXPECT_EQ(r.files, 2000u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(r.counts[0][1], 700u);
  EXPECT_EQ(r.counts[0][0], 700u);
  EXPECT_EQ(r.counts[1][1], 200u);
  EXPECT_EQ(r.counts[2][0], 100u);
  BatchReader reader(r.paths.cache, Split::Val, {});
  EXPECT_EQ(reader.images(), 400u);
  EXPECT_TRUE(reader.next().has_value());
}

TEST_F(PublicRecipes, OwnerOrlHasTenOwnerPhotos) {
  const PrepareReport r = build("owner_orl");
  EXPECT_EQ(r.files, 400u);
  EXPECT_EQ(r.counts[0][1] + r.counts[1][1] + r.counts[2][1], 10u);
  EXPECT_EQ(r.counts[2][1], 1u);
  EXPECT_EQ(r.counts[0][0] + r.counts[1][0] + r.counts[2][0], 390u);
}

}  // namespace
}  // namespace lockerctl::data
