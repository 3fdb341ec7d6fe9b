#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "data/cache.hpp"

#include "core/csv.hpp"
#include "data/synth.hpp"
#include "h5/h5.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::data {
namespace {

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.data.source_root = dir_.path().string();
    cfg_.human.image_size = 32;
    SynthOptions o;
    o.per_class = 10;
    o.size = 24;
    write_synthetic(dir_ / "src", "human", "not_human", o);
  }
  PrepareReport prepare(bool force = false) {
    PrepareOptions o;
    o.workers = 2;
    o.force = force;
    return prepare_dataset(resolve_dataset((dir_ / "src").string(), cfg_, Task::Human),
                           dir_ / "data", {}, o);
  }
  std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  test::TempDir dir_;
  config::Config cfg_;
};

TEST_F(CacheTest, WritesImagesLabelsManifestAndAttributes) {
  const PrepareReport r = prepare();
  EXPECT_TRUE(r.rebuilt);
  EXPECT_EQ(r.files, 20u);
  EXPECT_EQ(r.counts[0][1] + r.counts[1][1] + r.counts[2][1], 10u);
  EXPECT_EQ(r.counts[0][1], 7u);

  const h5::File f = h5::File::open_read(r.paths.cache);
  EXPECT_EQ(f.shape("/train/images"), (std::vector<hsize_t>{14, 32, 32, 3}));
  EXPECT_EQ(f.read_int_attribute("/", "image_size"), 32);
  EXPECT_EQ(f.read_string_attribute("/", "channel_order"), "RGB");
  EXPECT_EQ(f.read_strings("/test/paths").size(), 2u);

  const std::string manifest = read(r.paths.manifest);
  EXPECT_EQ(manifest.rfind("path,class,split,sha256,source\n", 0), 0u);
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 21);
  EXPECT_NE(manifest.find("src/human/synth_0000.png,human,"), std::string::npos) << manifest;
  const auto sources = split_sources(r.paths.cache, Split::Test);
  const auto paths = f.read_strings("/test/paths");
  ASSERT_EQ(sources.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(paths[i].rfind("src/" + sources[i] + "/", 0), 0u) << "a folder dataset's source is the class folder";
  }
}

TEST_F(CacheTest, EveryImageKeepsItsSourceAndInspectCountsThemBySplit) {
  dir_.write("r.yaml", R"(task: human
sources:
  - {name: drawn people, path: src/human, class: human}
  - {name: first half, path: src/not_human, class: not_human, limit: 5}
  - {path: src/not_human, class: not_human, offset: 5}
)");
  PrepareOptions o;
  o.workers = 2;
  const PrepareReport r = prepare_dataset(resolve_dataset((dir_ / "r.yaml").string(), cfg_, Task::Human),
                                          dir_ / "data", {}, o);
  const DatasetSummary s = inspect_dataset(dir_ / "data", "r");
  ASSERT_EQ(s.by_source.size(), 3u);
  const auto total = [&](const std::string& source, int label) {
    const auto& n = s.by_source.at(source);
    return n[0][label] + n[1][label] + n[2][label];
  };
  EXPECT_EQ(total("drawn people", 1), 10u);
  EXPECT_EQ(total("first half", 0), 5u);
  EXPECT_EQ(total("src/not_human", 0), 5u) << "a source without a name goes by its path";
  EXPECT_EQ(total("drawn people", 0), 0u);
  std::size_t test_images = 0;
  for (const auto& [source, n] : s.by_source) test_images += n[2][0] + n[2][1];
  EXPECT_EQ(test_images, r.counts[2][0] + r.counts[2][1]);
  const auto sources = split_sources(r.paths.cache, Split::Test);
  const auto paths = h5::File::open_read(r.paths.cache).read_strings("/test/paths");
  ASSERT_EQ(sources.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const bool human = paths[i].find("/human/") != std::string::npos;
    EXPECT_EQ(sources[i] == "drawn people", human) << paths[i] << " from " << sources[i];
  }
  EXPECT_NE(read(r.paths.manifest).find(",drawn people\n"), std::string::npos);
}

TEST_F(CacheTest, UnchangedSourceIsANoOpAndAChangedOneRebuilds) {
  prepare();
  const auto first = std::filesystem::last_write_time(dir_ / "data/src/cache.h5");
  const PrepareReport again = prepare();
  EXPECT_FALSE(again.rebuilt);
  EXPECT_EQ(again.counts, prepare().counts);
  EXPECT_EQ(std::filesystem::last_write_time(dir_ / "data/src/cache.h5"), first);

  std::filesystem::copy_file(dir_ / "src/human/synth_0000.png", dir_ / "src/human/copy.png");
  EXPECT_TRUE(prepare().rebuilt) << "a new file changes the fingerprint";
  EXPECT_TRUE(prepare(true).rebuilt) << "--force rebuilds";
}

TEST_F(CacheTest, DuplicatesShareASplit) {
  for (int i = 0; i < 5; ++i) {
    std::filesystem::copy_file(dir_ / "src/human/synth_0003.png",
                               dir_ / ("src/human/dup" + std::to_string(i) + ".png"));
  }
  const PrepareReport r = prepare();
  std::map<std::string, std::set<std::string>> splits;
  std::ifstream in(r.paths.manifest);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    splits[line.substr(c3 + 1)].insert(line.substr(c2 + 1, c3 - c2 - 1));
  }
  for (const auto& [hash, s] : splits) EXPECT_EQ(s.size(), 1u) << hash;
  const DatasetSummary summary = inspect_dataset(dir_ / "data", "src");
  EXPECT_EQ(summary.duplicate_groups, 1u);
  EXPECT_EQ(summary.duplicate_images, 5u);
}

TEST_F(CacheTest, BadFilesAreSkippedCountedAndListed) {
  dir_.write("src/human/empty.jpg", "");
  dir_.write("src/not_human/text.png", "just text");
  std::ifstream in(dir_ / "src/human/synth_0001.png", std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(in)), {});
  dir_.write("src/human/truncated.png", png.substr(0, png.size() / 2));

  const PrepareReport r = prepare();
  EXPECT_EQ(r.files, 23u);
  EXPECT_EQ(r.skipped, 3u);
  const DatasetSummary s = inspect_dataset(dir_ / "data", "src");
  std::map<std::string, std::string> reasons(s.skipped.begin(), s.skipped.end());
  EXPECT_EQ(reasons["src/human/empty.jpg"], "empty file");
  EXPECT_EQ(reasons["src/human/truncated.png"], "truncated PNG (no IEND chunk)");
  EXPECT_EQ(reasons["src/not_human/text.png"].rfind("not an image", 0), 0u);
}

TEST_F(CacheTest, SameContentInBothClassesIsSkipped) {
  std::filesystem::copy_file(dir_ / "src/human/synth_0002.png", dir_ / "src/not_human/mislabelled.png");
  const PrepareReport r = prepare();
  EXPECT_EQ(r.skipped, 2u);
  const DatasetSummary s = inspect_dataset(dir_ / "data", "src");
  EXPECT_EQ(s.skipped[0].second, "same content appears in both classes");
}

TEST_F(CacheTest, AClassLeftEmptyIsAnErrorNamingIt) {
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "src/not_human")) {
    std::ofstream(e.path(), std::ios::trunc);  // every negative image becomes empty
  }
  try {
    prepare();
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("class 'not_human' has no usable image"), std::string::npos)
        << e.what();
  }
}

TEST_F(CacheTest, InspectingAnUnpreparedDatasetSaysHowToPrepareIt) {
  try {
    inspect_dataset(dir_ / "data", "never");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("lockerctl dataset prepare --dataset never"),
              std::string::npos);
  }
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("a/b.jpg"), "a/b.jpg");
  EXPECT_EQ(csv_field("a,b \"c\".jpg"), "\"a,b \"\"c\"\".jpg\"");
}

}  // namespace
}  // namespace lockerctl::data
