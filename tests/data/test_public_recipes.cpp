// Builds the shipped recipes from the team's public image collections (../shared/data), at a
// small image size to stay fast. Skips when the collections are absent.
#include <gtest/gtest.h>

#include <map>

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

TEST_F(PublicRecipes, HumanPeopleHasAThousandImagesAClassAndCountsThemBySource) {
  const PrepareReport r = build("human_people");
  EXPECT_EQ(r.files, 2000u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(r.counts[0][1] + r.counts[1][1] + r.counts[2][1], 1000u);
  EXPECT_EQ(r.counts[0][0] + r.counts[1][0] + r.counts[2][0], 1000u);
  const DatasetSummary s = inspect_dataset(dir_ / "data", "human_people");
  const std::map<std::string, std::pair<int, std::size_t>> expected = {  // class, images
      {"people/inria", {1, 250}},         {"people/street", {1, 200}},
      {"people/segmentation", {1, 150}},  {"faces/caltech", {1, 150}},
      {"faces/lfw", {1, 150}},            {"faces/orl", {1, 100}},
      {"rooms/locker_room", {0, 100}},    {"rooms/places", {0, 300}},
      {"rooms/laundromat_living_lobby", {0, 100}}, {"rooms/houses", {0, 100}},
      {"objects/caltech", {0, 150}},      {"objects/cifar", {0, 150}},
      {"rooms/houses_gray", {0, 100}}};
  ASSERT_EQ(s.by_source.size(), expected.size());
  for (const auto& [source, want] : expected) {
    ASSERT_TRUE(s.by_source.count(source)) << source;
    const auto& n = s.by_source.at(source);
    EXPECT_EQ(n[0][want.first] + n[1][want.first] + n[2][want.first], want.second) << source;
    EXPECT_EQ(n[0][1 - want.first] + n[1][1 - want.first] + n[2][1 - want.first], 0u) << source;
    EXPECT_GT(n[2][want.first], 0u) << source << " has no test image";
  }
}

TEST_F(PublicRecipes, HumanPeopleLargeNamesEveryPersonPhoto) {
  const DatasetSource ds = resolve_dataset("human_people_large", cfg_, Task::Human);
  std::size_t people = 0, human = 0;
  for (const SourceFile& f : ds.files) {
    human += f.label == 1;
    people += f.source.rfind("people/", 0) == 0 && f.source != "people/small";
  }
  EXPECT_EQ(people, 993u) << "INRIA 500, street 300, segmentation 193";
  EXPECT_GT(human, 2400u);
  EXPECT_GT(ds.files.size() - human, 2400u);
  EXPECT_TRUE(ds.notes.empty()) << ds.notes.front();
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
