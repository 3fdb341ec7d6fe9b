#include "eval/evaluate.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/clock.hpp"
#include "core/fs.hpp"
#include "data/batches.hpp"
#include "data/cache.hpp"
#include "eval/score_report.hpp"
#include "eval/scoring.hpp"
#include "h5/h5.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"

namespace lockerctl::eval {
namespace fs = std::filesystem;

namespace {

/// `source` made fit for a file name: letters, digits, '-' and '_' kept, anything else '-'.
std::string file_name_part(const std::string& source) {
  std::string out;
  for (const char c : source) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '-';
  return out;
}

// Writes each wrong image from the cache as PNG, named with its class, its source and score.
std::size_t copy_misclassified(const fs::path& cache, data::Split split, const Scores& s,
                               const std::vector<std::string>& sources, double threshold, const fs::path& dir) {
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
    const std::string base = fs::path(paths[i]).stem().string();
    const std::string from = i < sources.size() ? file_name_part(sources[i]) + "_" : "";
    const auto name = fmt::format("{}_{}score{:.3f}_{}_{}.png", actual ? "false_reject" : "false_accept", from,
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
  const std::vector<std::string> sources = data::split_sources(paths.cache, o.split);
  if (o.by_source && sources.size() != s.scores.size()) {
    throw DataError(fmt::format("dataset '{}' was prepared without its sources: prepare it again "
                                "(lockerctl dataset prepare -d {} --force)", o.dataset, o.dataset));
  }

  const std::string name = o.model.stem().string();
  const ScoreReport report = write_score_report(
      o.report_dir, s.scores, s.labels, model.meta.threshold, o.target_far,
      {name, o.dataset, fmt::format("{} split, {} images", data::split_name(o.split), s.scores.size()),
       model.meta.positive_class, model.meta.negative_class},
      {{"model", o.model.string()},
       {"dataset", o.dataset},
       {"split", data::split_name(o.split)},
       {"images", s.scores.size()},
       {"loss", s.loss},
       {"dataset_fingerprint", ds.fingerprint},
       {"evaluated", utc_now_iso8601()}},
      o.by_source ? sources : std::vector<std::string>{});
  EvaluateResult r;
  r.report_dir = o.report_dir;
  r.metrics = report.metrics;
  r.roc_auc = report.roc_auc;
  r.far_threshold = report.far_threshold;
  r.at_far_threshold = report.at_far_threshold;
  r.by_source = report.by_source;
  const Metrics& m = r.metrics;
  if (!o.misclassified.empty()) {
    r.misclassified = copy_misclassified(paths.cache, o.split, s, sources, m.threshold, o.misclassified);
  }
  if (!o.baseline.empty()) r.regressions = compare_with_baseline(o.baseline, m, r.roc_auc, o.tolerance);
  return r;
}

}  // namespace lockerctl::eval
