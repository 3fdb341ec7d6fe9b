#pragma once

// The report of a scored test: the paper's four figures at the threshold in use, ROC AUC, the
// threshold that meets a target false-accept rate, metrics.json, metrics.md, roc.png and
// confusion.png. `lockerctl evaluate` (a model on a dataset split) and `lockerctl face calibrate`
// (the liveness check on an operator's captures) both write it. This header does not include
// LibTorch.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.hpp"

namespace lockerctl::eval {

/// What the report is about, for its titles and tables.
struct ReportSubject {
  std::string name;            ///< the scorer, e.g. the model file's stem or "liveness"
  std::string on;              ///< what was scored, e.g. the dataset's name
  std::string detail;          ///< e.g. "test split, 200 images"
  std::string positive_class, negative_class;
};

struct ScoreReport {
  Metrics metrics;              ///< at the threshold in use
  double roc_auc = 0.5;
  double far_threshold = 1.0;   ///< the threshold meeting target_far
  Metrics at_far_threshold;     ///< the figures at that threshold
  std::vector<SourceMetrics> by_source;  ///< at the threshold in use, when sources were given
};

/// Computes the figures of `scores` (labels 1 = positive) at `threshold` and at the threshold for
/// `target_far`, and writes dir/metrics.json (`fields` plus the figures), metrics.md, roc.png and
/// confusion.png atomically. With `sources` (one per score), also a row per source in
/// metrics.json (`by_source`) and metrics.md. Throws IoError.
ScoreReport write_score_report(const std::filesystem::path& dir, const std::vector<float>& scores,
                               const std::vector<float>& labels, double threshold, double target_far,
                               const ReportSubject& subject, nlohmann::json fields,
                               const std::vector<std::string>& sources = {});

/// The figures of `m` as JSON (threshold, precision, recall, f1, accuracy, far, far_95: its 95%
/// interval, frr, confusion).
nlohmann::json metrics_json(const Metrics& m);

}  // namespace lockerctl::eval
