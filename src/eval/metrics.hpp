#pragma once

// The one metrics implementation: training logs, evaluation reports and the CI gate all call it,
// so the figures cannot disagree. Scores are probabilities of the positive class; labels are 0/1.

#include <cstddef>
#include <string>
#include <vector>

namespace lockerctl::eval {

/// Counts at one threshold: positive = score >= threshold.
struct Confusion {
  std::size_t tp = 0, fp = 0, tn = 0, fn = 0;
  std::size_t total() const { return tp + fp + tn + fn; }
};

/// The paper's four figures, all from one confusion matrix (so F1 is the harmonic mean of the
/// precision and recall reported beside it). A ratio with an empty denominator is 0.
struct Metrics {
  double threshold = 0.5;
  Confusion confusion;
  double precision = 0, recall = 0, f1 = 0, accuracy = 0;
  /// False accept rate: negatives accepted / negatives. For access control, the figure that matters.
  double far = 0;
  /// False reject rate: positives rejected / positives.
  double frr = 0;
};

Confusion confusion_at(const std::vector<float>& scores, const std::vector<float>& labels,
                       double threshold);
Metrics metrics_from(const Confusion& c, double threshold);
Metrics compute_metrics(const std::vector<float>& scores, const std::vector<float>& labels,
                        double threshold = 0.5);

/// Area under the ROC curve (probability that a random positive outscores a random negative,
/// ties counting half); 0.5 when a class is missing.
double roc_auc(const std::vector<float>& scores, const std::vector<float>& labels);

/// The figures of one source of a dataset (a recipe's `sources` entry): a weak kind of image
/// shows up here before it moves the totals.
struct SourceMetrics {
  std::string source;
  Confusion confusion;  ///< false accepts are confusion.fp, false rejects confusion.fn
  double accuracy = 0;
};
/// Per source, in name order: `sources[i]` names the source of scores[i]. Throws
/// std::invalid_argument when the lengths differ.
std::vector<SourceMetrics> metrics_by_source(const std::vector<float>& scores, const std::vector<float>& labels,
                                             const std::vector<std::string>& sources, double threshold);

/// One point of the ROC curve.
struct RocPoint {
  double threshold;
  double far;  ///< false positive rate
  double tpr;  ///< true positive rate (recall)
};
/// The ROC curve from the highest threshold to the lowest, starting at (0, 0).
std::vector<RocPoint> roc_curve(const std::vector<float>& scores, const std::vector<float>& labels);

/// The lowest threshold whose false accept rate is at most `target_far` (the most permissive
/// threshold that still meets the target). Returns a threshold above every score when even the
/// strictest cut-off cannot meet it.
double threshold_for_far(const std::vector<float>& scores, const std::vector<float>& labels,
                         double target_far);

/// A 95% confidence interval of a rate.
struct Interval {
  double low = 0, high = 0;
};
/// The Wilson score interval of `k` events in `n` tries, taken as independent ({0, 1} when n is
/// 0). Tries that share a person are not independent, so for a false accept rate over pairs of
/// people it is the least uncertainty there is, not all of it.
Interval rate_interval(std::size_t k, std::size_t n);

}  // namespace lockerctl::eval
