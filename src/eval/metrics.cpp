#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>

namespace lockerctl::eval {
namespace {

double ratio(std::size_t a, std::size_t b) { return b ? static_cast<double>(a) / b : 0.0; }

std::vector<std::size_t> by_score_descending(const std::vector<float>& scores) {
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
  return idx;
}

}  // namespace

Confusion confusion_at(const std::vector<float>& scores, const std::vector<float>& labels,
                       double threshold) {
  Confusion c;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = scores[i] >= threshold;
    const bool actual = labels[i] >= 0.5f;
    if (predicted && actual) ++c.tp;
    else if (predicted) ++c.fp;
    else if (actual) ++c.fn;
    else ++c.tn;
  }
  return c;
}

Metrics metrics_from(const Confusion& c, double threshold) {
  Metrics m;
  m.threshold = threshold;
  m.confusion = c;
  m.precision = ratio(c.tp, c.tp + c.fp);
  m.recall = ratio(c.tp, c.tp + c.fn);
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  m.accuracy = ratio(c.tp + c.tn, c.total());
  m.far = ratio(c.fp, c.fp + c.tn);
  m.frr = ratio(c.fn, c.fn + c.tp);
  return m;
}

Metrics compute_metrics(const std::vector<float>& scores, const std::vector<float>& labels,
                        double threshold) {
  return metrics_from(confusion_at(scores, labels, threshold), threshold);
}

double roc_auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  // Mann-Whitney U over ranks, with average ranks for ties.
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) ++j;
    const double rank = (i + 1 + j) / 2.0;  // average of ranks i+1..j
    for (std::size_t k = i; k < j; ++k) {
      if (labels[idx[k]] >= 0.5f) {
        positive_rank_sum += rank;
        ++positives;
      }
    }
    i = j;
  }
  const std::size_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  return (positive_rank_sum - positives * (positives + 1) / 2.0) /
         (static_cast<double>(positives) * negatives);
}

std::vector<SourceMetrics> metrics_by_source(const std::vector<float>& scores, const std::vector<float>& labels,
                                             const std::vector<std::string>& sources, double threshold) {
  if (sources.size() != scores.size() || labels.size() != scores.size()) {
    throw std::invalid_argument("metrics_by_source: scores, labels and sources differ in length");
  }
  std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> split;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    split[sources[i]].first.push_back(scores[i]);
    split[sources[i]].second.push_back(labels[i]);
  }
  std::vector<SourceMetrics> out;
  for (const auto& [source, sl] : split) {
    const Confusion c = confusion_at(sl.first, sl.second, threshold);
    out.push_back({source, c, ratio(c.tp + c.tn, c.total())});
  }
  return out;
}

std::vector<RocPoint> roc_curve(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::size_t positives = 0;
  for (const float l : labels) positives += l >= 0.5f;
  const std::size_t negatives = labels.size() - positives;
  std::vector<RocPoint> curve{{std::numeric_limits<double>::infinity(), 0.0, 0.0}};
  std::size_t tp = 0, fp = 0;
  const auto idx = by_score_descending(scores);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    (labels[idx[i]] >= 0.5f ? tp : fp)++;
    if (i + 1 == idx.size() || scores[idx[i + 1]] != scores[idx[i]]) {
      curve.push_back({scores[idx[i]], ratio(fp, negatives), ratio(tp, positives)});
    }
  }
  return curve;
}

double threshold_for_far(const std::vector<float>& scores, const std::vector<float>& labels,
                         double target_far) {
  const float top = scores.empty() ? 1.0f : *std::max_element(scores.begin(), scores.end());
  double best = std::nextafter(top, std::numeric_limits<float>::infinity());
  for (const RocPoint& p : roc_curve(scores, labels)) {
    if (std::isinf(p.threshold)) continue;
    if (p.far <= target_far) best = p.threshold;  // thresholds fall as the curve goes on
  }
  return best;
}

Interval rate_interval(std::size_t k, std::size_t n) {
  if (n == 0) return {0, 1};
  const double z = 1.959963984540054;  // the 97.5th percentile of the normal distribution
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn;
  const double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
  return {k == 0 ? 0.0 : centre - half, k == n ? 1.0 : centre + half};
}

}  // namespace lockerctl::eval
