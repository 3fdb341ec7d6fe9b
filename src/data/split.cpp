#include "data/split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/errors.hpp"
#include "data/hash.hpp"

namespace lockerctl::data {

const char* split_name(Split s) {
  switch (s) {
    case Split::Train: return "train";
    case Split::Val: return "val";
    case Split::Test: return "test";
  }
  return "?";
}

void assign_splits(std::vector<SplitItem>& items, const SplitFractions& f,
                   const std::string& positive_class, const std::string& negative_class) {
  const double fractions[3] = {f.train, f.val, f.test};
  const int wanted_splits = (f.train > 0) + (f.val > 0) + (f.test > 0);
  for (const int label : {1, 0}) {
    std::vector<std::pair<std::uint64_t, std::string>> groups;
    std::map<std::string, Split> assigned;
    for (const auto& item : items) {
      if (item.label == label && !assigned.count(item.sha256)) {
        assigned[item.sha256] = Split::Train;
        groups.emplace_back(keyed_order(f.seed, item.sha256), item.sha256);
      }
    }
    const int n = static_cast<int>(groups.size());
    const std::string& name = label == 1 ? positive_class : negative_class;
    if (n < wanted_splits) {
      throw DataError(fmt::format(
          "class '{}' has {} distinct usable image(s); a {}/{}/{} split needs at least {}", name, n,
          f.train, f.val, f.test, wanted_splits));
    }
    std::sort(groups.begin(), groups.end());
    int counts[3];
    for (int s = 0; s < 3; ++s) counts[s] = static_cast<int>(std::lround(n * fractions[s]));
    counts[0] = n - counts[1] - counts[2];
    // Each split with a share gets at least one image, taken from the largest.
    for (int s = 0; s < 3; ++s) {
      if (fractions[s] > 0 && counts[s] < 1) {
        const int largest = static_cast<int>(std::max_element(counts, counts + 3) - counts);
        --counts[largest];
        ++counts[s];
      }
    }
    int k = 0;
    for (int s = 0; s < 3; ++s)
      for (int i = 0; i < counts[s]; ++i) assigned[groups[k++].second] = static_cast<Split>(s);
    for (auto& item : items)
      if (item.label == label) item.split = assigned[item.sha256];
  }
}

}  // namespace lockerctl::data
