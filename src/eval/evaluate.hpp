#pragma once

// `lockerctl evaluate`: a model on one split of a prepared dataset, with the paper's four figures,
// the confusion matrix, ROC AUC, the threshold that meets a target false-accept rate, reports, and
// a regression gate against a baseline. This header does not include LibTorch.

#include <filesystem>
#include <string>
#include <vector>

#include "data/split.hpp"
#include "eval/metrics.hpp"

namespace lockerctl::eval {

struct EvaluateOptions {
  std::filesystem::path model;          ///< a lockerctl model file
  std::string dataset;                  ///< prepared dataset name
  std::filesystem::path data_dir;
  data::Split split = data::Split::Test;
  double target_far = 0.01;             ///< false accepts allowed, for the suggested threshold
  std::filesystem::path report_dir;     ///< reports/<model>
  std::filesystem::path misclassified;  ///< copy wrong images here ("" = don't)
  bool by_source = false;               ///< add a row per source of the dataset to the report
  std::filesystem::path baseline;       ///< metrics to compare with ("" = no gate)
  double tolerance = 0.01;              ///< how far a metric may fall below the baseline
  std::string device = "cpu";
  int workers = 2;
  int batch_size = 32;
};

struct EvaluateResult {
  Metrics metrics;                  ///< at the model's own threshold
  double roc_auc = 0.5;
  double far_threshold = 1.0;       ///< the threshold meeting target_far on this split
  Metrics at_far_threshold;         ///< the figures at that threshold
  std::vector<std::string> regressions;  ///< one line per metric that fell past the tolerance
  std::vector<SourceMetrics> by_source;  ///< with by_source
  std::size_t misclassified = 0;
  std::filesystem::path report_dir;
};

/// Runs the evaluation and writes report_dir/metrics.json, metrics.md (the paper's table), roc.png
/// and confusion.png. Throws ModelError, DataError, IoError; a regression is not an exception but
/// listed in the result.
EvaluateResult evaluate_model(const EvaluateOptions& options);

/// Compares `current` with a baseline metrics.json: a metric present in both that is lower than
/// baseline − tolerance gives one line naming it. Throws DataError for an unreadable baseline.
std::vector<std::string> compare_with_baseline(const std::filesystem::path& baseline,
                                               const Metrics& current, double roc_auc,
                                               double tolerance);

}  // namespace lockerctl::eval
