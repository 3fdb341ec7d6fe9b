#include "eval/score_report.hpp"

#include <fmt/format.h>

#include "core/fs.hpp"
#include "report/plot.hpp"

namespace lockerctl::eval {

nlohmann::json metrics_json(const Metrics& m) {
  const Interval far = rate_interval(m.confusion.fp, m.confusion.fp + m.confusion.tn);
  return {{"threshold", m.threshold}, {"precision", m.precision}, {"recall", m.recall},
          {"f1", m.f1},               {"accuracy", m.accuracy},   {"far", m.far},
          {"far_95", {far.low, far.high}}, {"frr", m.frr},
          {"confusion", {{"tp", m.confusion.tp}, {"fp", m.confusion.fp}, {"tn", m.confusion.tn}, {"fn", m.confusion.fn}}}};
}

ScoreReport write_score_report(const std::filesystem::path& dir, const std::vector<float>& scores,
                               const std::vector<float>& labels, double threshold, double target_far,
                               const ReportSubject& s, nlohmann::json fields, const std::vector<std::string>& sources) {
  ScoreReport r;
  r.metrics = compute_metrics(scores, labels, threshold);
  r.roc_auc = roc_auc(scores, labels);
  r.far_threshold = threshold_for_far(scores, labels, target_far);
  r.at_far_threshold = compute_metrics(scores, labels, r.far_threshold);
  if (!sources.empty()) r.by_source = metrics_by_source(scores, labels, sources, threshold);

  nlohmann::json j = metrics_json(r.metrics);
  j.update(fields);
  j["roc_auc"] = r.roc_auc;
  j["target_far"] = target_far;
  j["at_target_far"] = metrics_json(r.at_far_threshold);
  for (const SourceMetrics& m : r.by_source) {
    j["by_source"].push_back({{"source", m.source},
                              {"images", m.confusion.total()},
                              {"accuracy", m.accuracy},
                              {"false_accepts", m.confusion.fp},
                              {"false_rejects", m.confusion.fn},
                              {"positives", m.confusion.tp + m.confusion.fn},
                              {"negatives", m.confusion.tn + m.confusion.fp}});
  }
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "metrics.json", j.dump(2) + "\n");

  const Metrics& m = r.metrics;
  std::string md = fmt::format("# {} on {} ({})\n\n", s.name, s.on, s.detail);
  md += "| Model | Precision (%) | Recall (%) | F1 score (%) | Accuracy (%) |\n";
  md += "| --- | --- | --- | --- | --- |\n";
  md += fmt::format("| {} (threshold {:.3f}) | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", s.name, m.threshold,
                    100 * m.precision, 100 * m.recall, 100 * m.f1, 100 * m.accuracy);
  const Metrics& f = r.at_far_threshold;
  md += fmt::format("| {} at FAR ≤ {} (threshold {:.3f}) | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n\n", s.name,
                    target_far, f.threshold, 100 * f.precision, 100 * f.recall, 100 * f.f1, 100 * f.accuracy);
  md += fmt::format("ROC AUC {:.4f}. At threshold {:.3f}: TP {}, FN {}, FP {}, TN {}; false accept rate "
                    "{:.4f}, false reject rate {:.4f}.\n",
                    r.roc_auc, m.threshold, m.confusion.tp, m.confusion.fn, m.confusion.fp,
                    m.confusion.tn, m.far, m.frr);
  if (!r.by_source.empty()) {
    md += fmt::format("\nBy source, at threshold {:.3f}:\n\n", m.threshold);
    md += fmt::format("| Source | Images ({} / {}) | Accuracy (%) | False accepts | False rejects |\n",
                      s.positive_class, s.negative_class);
    md += "| --- | --- | --- | --- | --- |\n";
    for (const SourceMetrics& b : r.by_source) {
      md += fmt::format("| {} | {} / {} | {:.2f} | {} | {} |\n", b.source, b.confusion.tp + b.confusion.fn,
                        b.confusion.tn + b.confusion.fp, 100 * b.accuracy, b.confusion.fp, b.confusion.fn);
    }
  }
  write_file_atomically(dir / "metrics.md", md);

  report::Series roc{"ROC (AUC " + fmt::format("{:.3f}", r.roc_auc) + ")", {}, {}};
  for (const auto& p : roc_curve(scores, labels)) {
    roc.x.push_back(p.far);
    roc.y.push_back(p.tpr);
  }
  report::save_line_chart(dir / "roc.png", {roc},
                          {"ROC: " + s.name + " on " + s.on, "false accept rate", "true accept rate", 0, 1, true});
  report::save_confusion_matrix(dir / "confusion.png", m.confusion.tp, m.confusion.fn, m.confusion.fp,
                                m.confusion.tn, s.positive_class, s.negative_class,
                                fmt::format("{} on {} ({}), threshold {:.3f}", s.name, s.on, s.detail, m.threshold));
  return r;
}

}  // namespace lockerctl::eval
