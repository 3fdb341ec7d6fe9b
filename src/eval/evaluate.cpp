#include "eval/evaluate.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/clock.hpp"
#include "core/fs.hpp"
#include "data/batches.hpp"
#include "data/cache.hpp"
#include "eval/scoring.hpp"
#include "h5/h5.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"
#include "report/plot.hpp"

namespace lockerctl::eval {
namespace fs = std::filesystem;

namespace {

nlohmann::json metrics_json(const Metrics& m) {
  return {{"threshold", m.threshold}, {"precision", m.precision}, {"recall", m.recall},
          {"f1", m.f1},               {"accuracy", m.accuracy},   {"far", m.far},
          {"frr", m.frr},
          {"confusion", {{"tp", m.confusion.tp}, {"fp", m.confusion.fp}, {"tn", m.confusion.tn}, {"fn", m.confusion.fn}}}};
}

// Writes each wrong image from the cache as PNG, named with its class and score.
std::size_t copy_misclassified(const fs::path& cache, data::Split split, const Scores& s,
                               double threshold, const fs::path& dir) {
  fs::create_directories(dir);
  const h5::File f = h5::File::open_read(cache);
  const std::string g = std::string("/") + data::split_name(split);
  const auto paths = f.read_strings(g + "/paths");
  const auto shape = f.shape(g + "/images");
  const int size = static_cast<int>(shape[1]);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size) * size * 3);
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.scores.size(); ++i) {
    const bool predicted = s.scores[i] >= threshold, actual = s.labels[i] >= 0.5f;
    if (predicted == actual) continue;
    f.read_rows<std::uint8_t>(g + "/images", i, 1, pixels.data());
    cv::Mat rgb(size, size, CV_8UC3, pixels.data()), bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::string base = fs::path(paths[i]).stem().string();
    const auto name = fmt::format("{}_score{:.3f}_{}_{}.png", actual ? "false_reject" : "false_accept",
                                  s.scores[i], i, base);
    if (!cv::imwrite((dir / name).string(), bgr)) throw IoError((dir / name).string() + ": cannot write");
    ++n;
  }
  return n;
}

}  // namespace

std::vector<std::string> compare_with_baseline(const fs::path& baseline, const Metrics& m,
                                               double auc, double tolerance) {
  std::ifstream in(baseline);
  if (!in) throw DataError(baseline.string() + ": cannot read baseline");
  nlohmann::json b;
  try {
    in >> b;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(baseline.string() + ": not valid JSON (" + e.what() + ")");
  }
  const std::pair<const char*, double> current[] = {
      {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
      {"accuracy", m.accuracy},   {"roc_auc", auc}};
  std::vector<std::string> fell;
  int compared = 0;
  for (const auto& [name, value] : current) {
    if (!b.contains(name) || !b[name].is_number()) continue;
    ++compared;
    const double was = b[name].get<double>();
    if (value < was - tolerance) {
      fell.push_back(fmt::format("{} fell from {:.4f} to {:.4f} (tolerance {})", name, was, value, tolerance));
    }
  }
  if (compared == 0) {
    throw DataError(baseline.string() + ": names none of precision, recall, f1, accuracy, roc_auc");
  }
  return fell;
}

EvaluateResult evaluate_model(const EvaluateOptions& o) {
  const models::LoadedModel model = models::load_model(o.model);
  const data::DatasetSummary ds = data::inspect_dataset(o.data_dir, o.dataset);
  if (ds.positive_class != model.meta.positive_class) {
    throw DataError(fmt::format("dataset '{}' has classes {} / {}, model {} expects {} / {}", o.dataset,
                                ds.positive_class, ds.negative_class, o.model.string(),
                                model.meta.positive_class, model.meta.negative_class));
  }
  const data::CachePaths paths = data::CachePaths::in(o.data_dir, o.dataset);
  data::BatchOptions bo;
  bo.batch_size = o.batch_size;
  bo.shuffle = false;
  bo.workers = o.workers;
  bo.scale = model.meta.preprocessing.scale;
  bo.offset = model.meta.preprocessing.offset;
  data::BatchReader reader(paths.cache, o.split, bo);
  if (reader.images() == 0) {
    throw DataError(fmt::format("dataset '{}' has no {} images", o.dataset, data::split_name(o.split)));
  }
  if (o.device == "cuda") model.net->to(torch::kCUDA);
  const Scores s = score_split(*model.net, reader, o.device);

  EvaluateResult r;
  r.report_dir = o.report_dir;
  r.metrics = compute_metrics(s.scores, s.labels, model.meta.threshold);
  r.roc_auc = roc_auc(s.scores, s.labels);
  r.far_threshold = threshold_for_far(s.scores, s.labels, o.target_far);
  r.at_far_threshold = compute_metrics(s.scores, s.labels, r.far_threshold);

  nlohmann::json j = metrics_json(r.metrics);
  j["model"] = o.model.string();
  j["dataset"] = o.dataset;
  j["split"] = data::split_name(o.split);
  j["images"] = s.scores.size();
  j["loss"] = s.loss;
  j["roc_auc"] = r.roc_auc;
  j["target_far"] = o.target_far;
  j["at_target_far"] = metrics_json(r.at_far_threshold);
  j["dataset_fingerprint"] = ds.fingerprint;
  j["evaluated"] = utc_now_iso8601();
  fs::create_directories(o.report_dir);
  write_file_atomically(o.report_dir / "metrics.json", j.dump(2) + "\n");

  const std::string name = o.model.stem().string();
  const Metrics& m = r.metrics;
  std::string md = fmt::format("# {} on {} ({} split, {} images)\n\n", name, o.dataset,
                               data::split_name(o.split), s.scores.size());
  md += "| Model | Precision (%) | Recall (%) | F1 score (%) | Accuracy (%) |\n";
  md += "| --- | --- | --- | --- | --- |\n";
  md += fmt::format("| {} (threshold {:.3f}) | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", name, m.threshold,
                    100 * m.precision, 100 * m.recall, 100 * m.f1, 100 * m.accuracy);
  const Metrics& f = r.at_far_threshold;
  md += fmt::format("| {} at FAR ≤ {} (threshold {:.3f}) | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n\n", name,
                    o.target_far, f.threshold, 100 * f.precision, 100 * f.recall, 100 * f.f1, 100 * f.accuracy);
  md += fmt::format("ROC AUC {:.4f}. At threshold {:.3f}: TP {}, FN {}, FP {}, TN {}; false accept rate "
                    "{:.4f}, false reject rate {:.4f}.\n",
                    r.roc_auc, m.threshold, m.confusion.tp, m.confusion.fn, m.confusion.fp,
                    m.confusion.tn, m.far, m.frr);
  write_file_atomically(o.report_dir / "metrics.md", md);

  report::Series roc{"ROC (AUC " + fmt::format("{:.3f}", r.roc_auc) + ")", {}, {}};
  for (const auto& p : roc_curve(s.scores, s.labels)) {
    roc.x.push_back(p.far);
    roc.y.push_back(p.tpr);
  }
  report::save_line_chart(o.report_dir / "roc.png", {roc},
                          {"ROC: " + name + " on " + o.dataset, "false accept rate",
                           "true accept rate", 0, 1, true});
  report::save_confusion_matrix(o.report_dir / "confusion.png", m.confusion.tp, m.confusion.fn,
                                m.confusion.fp, m.confusion.tn, model.meta.positive_class,
                                model.meta.negative_class,
                                fmt::format("{} on {} ({}), threshold {:.3f}", name, o.dataset,
                                            data::split_name(o.split), m.threshold));
  if (!o.misclassified.empty()) {
    r.misclassified = copy_misclassified(paths.cache, o.split, s, m.threshold, o.misclassified);
  }
  if (!o.baseline.empty()) r.regressions = compare_with_baseline(o.baseline, m, r.roc_auc, o.tolerance);
  return r;
}

}  // namespace lockerctl::eval
