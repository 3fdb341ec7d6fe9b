#include <gtest/gtest.h>

#include <set>

#include "data/source.hpp"
#include "data/synth.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::data {
namespace {

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.data.source_root = dir_.path().string();
    cfg_.paths.datasets_dir = (dir_ / "recipes").string();
    SynthOptions o;
    o.per_class = 6;
    o.size = 24;
    write_synthetic(dir_ / "faces", "human", "not_human", o);
  }
  std::string recipe(const std::string& name, const std::string& text) {
    dir_.write("recipes/" + name + ".yaml", text);
    return name;
  }
  test::TempDir dir_;
  config::Config cfg_;
};

TEST_F(SourceTest, FolderDatasetReadsBothClassFoldersAndNotesOthers) {
  std::filesystem::create_directories(dir_ / "faces/unsorted");
  const auto ds = resolve_dataset((dir_ / "faces").string(), cfg_, Task::Human);
  EXPECT_EQ(ds.name, "faces");
  EXPECT_EQ(ds.files.size(), 12u);
  EXPECT_EQ(ds.image_size, 224);
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_NE(ds.notes[0].find("unsorted"), std::string::npos) << ds.notes[0];
  EXPECT_EQ(ds.files[0].name.rfind("faces/", 0), 0u) << "names are relative to the source root";
}

TEST_F(SourceTest, RecipeMapsSourcesToClassesWithDisjointSeededPicks) {
  recipe("r", R"(task: human
image_size: 48
sources:
  - {path: faces/human, class: human}
  - {path: faces/not_human, class: not_human, limit: 3}
  - {path: faces/not_human, class: not_human, offset: 3, limit: 2, gray: true}
)");
  const auto ds = resolve_dataset("r", cfg_, Task::Owner);
  EXPECT_EQ(ds.task, Task::Human) << "the recipe's task wins";
  EXPECT_EQ(ds.image_size, 48);
  std::set<std::string> names;
  int gray = 0, negatives = 0;
  for (const auto& f : ds.files) {
    names.insert(f.name);
    gray += f.gray;
    negatives += f.label == 0;
  }
  EXPECT_EQ(names.size(), ds.files.size()) << "offset/limit picks do not overlap";
  EXPECT_EQ(negatives, 5);
  EXPECT_EQ(gray, 2);
  EXPECT_EQ(resolve_dataset("r", cfg_, Task::Human).files.size(), ds.files.size())
      << "the same seed picks the same files";
}

TEST_F(SourceTest, GlobsExpandToFoldersAndFiles) {
  recipe("g", "sources:\n  - {path: \"faces/h*\", class: human}\n"
              "  - {path: \"faces/not_human/synth_000[0-2].png\", class: not_human}\n");
  const auto ds = resolve_dataset("g", cfg_, Task::Human);
  EXPECT_EQ(ds.files.size(), 6u + 3u);
}

TEST_F(SourceTest, RecipeClassMustBeAConfiguredClass) {
  recipe("bad", "sources:\n  - {path: faces/human, class: person}\n");
  try {
    resolve_dataset("bad", cfg_, Task::Human);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("class 'person' is neither human nor not_human"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(SourceTest, AnAbsentSourceIsNamedWithTheCommandThatFetchesIt) {
  recipe("gone", "sources:\n  - {path: nowhere, class: human}\n");
  recipe("gone_glob", "sources:\n  - {path: faces/human, class: human}\n"
                      "  - {path: \"absent/collection/[!F]*\", class: not_human}\n");
  for (const auto& [name, source] : {std::pair<std::string, std::string>{"gone", "sources[0]: "},
                                     {"gone_glob", "sources[1]: "}}) {
    try {
      resolve_dataset(name, cfg_, Task::Human);
      ADD_FAILURE() << name << ": resolved without its source";
    } catch (const DataError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(source), std::string::npos) << what;
      EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
      EXPECT_NE(what.find("scripts/fetch-datasets.sh " + name), std::string::npos) << what;
    }
  }
  recipe("empty_glob", "sources:\n  - {path: faces/human, class: human}\n"
                       "  - {path: \"faces/nothing_*\", class: not_human}\n");
  EXPECT_FALSE(resolve_dataset("empty_glob", cfg_, Task::Human).notes.empty())
      << "a glob over a folder that is there but matches nothing is a note, not an error";
  recipe("middle_glob", "sources:\n  - {path: \"f*/human\", class: human}\n  - {path: faces/not_human, class: not_human}\n");
  EXPECT_EQ(resolve_dataset("middle_glob", cfg_, Task::Human).files.size(), 6u + 6u)
      << "a wildcard before the last folder is still a glob whose folder exists";
}

TEST_F(SourceTest, RecipeIsReadStrictly) {
  recipe("strict", "sources:\n  - {path: faces/human, clas: human}\n");
  try {
    resolve_dataset("strict", cfg_, Task::Human);
    FAIL();
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 2u);
    EXPECT_EQ(e.problems()[0].key, "sources[0].class");
    EXPECT_EQ(e.problems()[0].message, "missing required key");
    EXPECT_EQ(e.problems()[1].message, "unknown key (did you mean 'class'?)");
  }
}

TEST_F(SourceTest, UnknownDatasetNameSaysWhereItLooked) {
  try {
    resolve_dataset("nope", cfg_, Task::Human);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("no folder of that name and no recipe"), std::string::npos);
  }
}

}  // namespace
}  // namespace lockerctl::data
