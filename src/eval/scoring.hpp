#pragma once

// Runs a model over a prepared split: the probabilities the metrics are computed from.

#include <string>
#include <vector>

namespace lockerctl::data {
class BatchReader;
}
namespace lockerctl::models {
class BinaryNet;
}

namespace lockerctl::eval {

/// Probabilities and labels of every row of a split, in row order, with the mean BCE loss.
struct Scores {
  std::vector<float> scores;   ///< sigmoid of the logit, per cache row
  std::vector<float> labels;   ///< 0 / 1
  double loss = 0;             ///< mean binary cross-entropy
};

/// Scores every row `reader` yields in its current epoch (use shuffle off for row order), in
/// eval mode, without gradients. `device` is "cpu" or "cuda".
Scores score_split(models::BinaryNet& net, data::BatchReader& reader, const std::string& device);

}  // namespace lockerctl::eval
