#include <gtest/gtest.h>

#include <map>

#include "core/errors.hpp"
#include "data/split.hpp"

namespace lockerctl::data {
namespace {

std::vector<SplitItem> items(int per_class) {
  std::vector<SplitItem> v;
  for (int label : {0, 1})
    for (int i = 0; i < per_class; ++i) v.push_back({std::to_string(label) + ":" + std::to_string(i), label});
  return v;
}

std::map<std::pair<int, Split>, int> count(const std::vector<SplitItem>& v) {
  std::map<std::pair<int, Split>, int> c;
  for (const auto& i : v) ++c[{i.label, i.split}];
  return c;
}

TEST(AssignSplits, IsStratified70_20_10) {
  auto v = items(100);
  assign_splits(v, {}, "pos", "neg");
  auto c = count(v);
  for (int label : {0, 1}) {
    EXPECT_EQ((c[{label, Split::Train}]), 70);
    EXPECT_EQ((c[{label, Split::Val}]), 20);
    EXPECT_EQ((c[{label, Split::Test}]), 10);
  }
}

TEST(AssignSplits, SameSeedSameSplitAnyInputOrder) {
  auto a = items(50), b = items(50);
  std::reverse(b.begin(), b.end());
  assign_splits(a, {}, "pos", "neg");
  assign_splits(b, {}, "pos", "neg");
  std::map<std::string, Split> sa, sb;
  for (const auto& i : a) sa[i.sha256] = i.split;
  for (const auto& i : b) sb[i.sha256] = i.split;
  EXPECT_EQ(sa, sb);

  auto c = items(50);
  SplitFractions other;
  other.seed = 99;
  assign_splits(c, other, "pos", "neg");
  int moved = 0;
  for (const auto& i : c) moved += sa[i.sha256] != i.split;
  EXPECT_GT(moved, 0) << "another seed gives another split";
}

TEST(AssignSplits, DuplicatesNeverStraddleSplits) {
  auto v = items(30);
  for (int k = 0; k < 10; ++k) v.push_back({"1:" + std::to_string(k), 1});  // second copies
  assign_splits(v, {}, "pos", "neg");
  std::map<std::string, std::set<Split>> where;
  for (const auto& i : v) where[i.sha256].insert(i.split);
  for (const auto& [hash, splits] : where) EXPECT_EQ(splits.size(), 1u) << hash;
}

TEST(AssignSplits, AddingAnImageMovesFewOthers) {
  auto a = items(100);
  assign_splits(a, {}, "pos", "neg");
  auto b = items(100);
  b.push_back({"1:new", 1});
  assign_splits(b, {}, "pos", "neg");
  int moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i) moved += a[i].split != b[i].split;
  EXPECT_LE(moved, 3);
}

TEST(AssignSplits, EverySplitGetsOneWhenTheClassIsTiny) {
  auto v = items(3);
  assign_splits(v, {}, "pos", "neg");
  auto c = count(v);
  EXPECT_EQ((c[{1, Split::Train}]), 1);
  EXPECT_EQ((c[{1, Split::Val}]), 1);
  EXPECT_EQ((c[{1, Split::Test}]), 1);
}

TEST(AssignSplits, TooFewImagesIsAnErrorNamingTheClass) {
  std::vector<SplitItem> v{{"a", 1}, {"b", 1}, {"c", 0}, {"d", 0}, {"e", 0}};
  try {
    assign_splits(v, {}, "owner", "not_owner");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "class 'owner' has 2 distinct usable image(s); a 0.7/0.2/0.1 split needs at least 3");
  }
}

}  // namespace
}  // namespace lockerctl::data
