#include "cmd_evaluate.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "eval/evaluate.hpp"

namespace lockerctl::cli {

void setup_evaluate(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto opts = std::make_shared<EvaluateCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate",
      "Evaluate a model on a split of a prepared dataset: precision, recall, F1 and accuracy (from "
      "one confusion matrix), ROC AUC, and the threshold that meets a target false-accept rate. "
      "Writes reports/<model>/metrics.json, metrics.md (the paper's table), roc.png and "
      "confusion.png. With --by-source, also a row per source of the dataset (accuracy, false accepts, "
      "false rejects). With --baseline, exits 1 naming each metric that fell by more than --tolerance.");
  cmd->add_option("model", opts->model, "Model file (.h5)")->required();
  cmd->add_option("-d,--dataset", opts->dataset, "Prepared dataset name")->required();
  cmd->add_option("--split", opts->split, "Split to evaluate")
      ->check(CLI::IsMember({"train", "val", "test"}))
      ->capture_default_str();
  cmd->add_option("--target-far", opts->target_far,
                  "False accept rate (non-owners let through) the suggested threshold must meet")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--report-dir", opts->report_dir, "Default reports/<model file stem>");
  cmd->add_option("--misclassified", opts->misclassified,
                  "Copy every wrongly classified image here, named with its class, source and score");
  cmd->add_flag("--by-source", opts->by_source,
                "A row per source (each `sources` entry of the dataset's recipe, or class folder) in the "
                "output, metrics.json (by_source) and metrics.md");
  cmd->add_option("--baseline", opts->baseline, "metrics.json of an accepted run to gate against");
  cmd->add_option("--tolerance", opts->tolerance, "Allowed drop below the baseline")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--device", opts->device, "cpu or cuda (default: runtime.device)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->callback([&global, &action, opts] {
    action = [&global, opts] { return run_evaluate(global, *opts); };
  });
}

int run_evaluate(const GlobalOptions& global, const EvaluateCommandOptions& options) {
  const config::Config cfg = load_config(global);
  eval::EvaluateOptions o;
  o.model = options.model;
  o.dataset = options.dataset;
  o.data_dir = cfg.paths.data_dir;
  o.split = options.split == "train" ? data::Split::Train
            : options.split == "val" ? data::Split::Val
                                     : data::Split::Test;
  o.target_far = options.target_far;
  o.report_dir = !options.report_dir.empty()
                     ? std::filesystem::path(options.report_dir)
                     : std::filesystem::path("reports") / o.model.stem();
  o.misclassified = options.misclassified;
  o.by_source = options.by_source;
  o.baseline = options.baseline;
  o.tolerance = options.tolerance;
  o.device = compute_device(cfg, options.device);
  o.batch_size = cfg.train.batch_size;
  o.workers = data_workers(cfg);
  const eval::EvaluateResult r = eval::evaluate_model(o);
  const auto& m = r.metrics;
  std::cout << fmt::format(
      "{} on {} ({}): precision {:.4f}, recall {:.4f}, F1 {:.4f}, accuracy {:.4f} at threshold "
      "{:.3f}\n  confusion: TP {} FN {} FP {} TN {}; false accept rate {:.4f}, false reject rate "
      "{:.4f}; ROC AUC {:.4f}\n  threshold for FAR <= {}: {:.4f} (recall there {:.4f})\n  reports "
      "in {}\n",
      options.model, options.dataset, options.split, m.precision, m.recall, m.f1, m.accuracy,
      m.threshold, m.confusion.tp, m.confusion.fn, m.confusion.fp, m.confusion.tn, m.far, m.frr,
      r.roc_auc, options.target_far, r.far_threshold, r.at_far_threshold.recall,
      r.report_dir.string());
  for (const eval::SourceMetrics& b : r.by_source) {
    std::cout << fmt::format("  {}: {} image(s), accuracy {:.4f}, {} false accept(s), {} false reject(s)\n", b.source,
                             b.confusion.total(), b.accuracy, b.confusion.fp, b.confusion.fn);
  }
  if (!options.misclassified.empty()) {
    std::cout << "  " << r.misclassified << " misclassified image(s) in " << options.misclassified << "\n";
  }
  if (!r.regressions.empty()) {
    for (const auto& line : r.regressions) log::error("regression: {}", line);
    return static_cast<int>(ExitCode::CheckFailed);
  }
  if (!options.baseline.empty()) std::cout << "  no regression against " << options.baseline << "\n";
  return 0;
}

}  // namespace lockerctl::cli
