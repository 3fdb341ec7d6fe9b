#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockerctl::data {

enum class Split { Train = 0, Val = 1, Test = 2 };
inline constexpr Split kSplits[] = {Split::Train, Split::Val, Split::Test};
/// "train" / "val" / "test".
const char* split_name(Split s);

struct SplitFractions {
  double train = 0.7;
  double val = 0.2;
  double test = 0.1;
  std::uint64_t seed = 1337;
};

/// What the splitter needs of one usable image.
struct SplitItem {
  std::string sha256;  ///< content hash: equal hashes are one image and share a split
  int label = 0;
  Split split = Split::Train;  ///< output
};

/// Assigns every item a split: per class, the distinct contents are ordered by a seeded hash of
/// their SHA-256 (the same on every machine, and adding an image moves few others) and cut
/// train/val/test by the fractions, each split with a positive fraction getting at least one.
/// Throws DataError naming the class when it has fewer distinct images than that needs.
void assign_splits(std::vector<SplitItem>& items, const SplitFractions& fractions,
                   const std::string& positive_class, const std::string& negative_class);

}  // namespace lockerctl::data
