#include "cmd_model.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "models/model_file.hpp"
#include "models/summary.hpp"

namespace lockerctl::cli {

void setup_model(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* model = app.add_subcommand("model", "Inspect models.");
  model->require_subcommand(1);

  auto opts = std::make_shared<ModelSummaryOptions>();
  CLI::App* summary = model->add_subcommand(
      "summary",
      "Print layer tables and weight counts. Without FILE: layer 1 (MobileNetV2 + dense sigmoid "
      "head) and layer 2 (the owner CNN) as the paper builds them. With FILE: that model's "
      "architecture, preprocessing, classes, threshold and provenance, then its table.");
  summary->add_option("file", opts->file, "A lockerctl model file (.h5)");
  summary->add_option("--alpha", opts->alpha, "MobileNetV2 width multiplier (without FILE)")
      ->check(CLI::Range(0.35, 1.4))
      ->capture_default_str();
  summary->add_option("--human-size", opts->human_size, "Layer-1 input size (without FILE)")
      ->check(CLI::Range(32, 1024))
      ->capture_default_str();
  summary->add_option("--owner-size", opts->owner_size, "Layer-2 input size (without FILE)")
      ->check(CLI::Range(22, 1024))
      ->capture_default_str();
  summary->callback([&global, &action, opts] {
    action = [&global, opts] { return run_model_summary(global, *opts); };
  });
}

int run_model_summary(const GlobalOptions& global, const ModelSummaryOptions& options) {
  load_config(global);
  if (!options.file.empty()) {
    const models::ModelMeta meta = models::read_model_meta(options.file);
    std::cout << options.file << "\n"
              << "  classes: " << meta.positive_class << " (1) / " << meta.negative_class
              << " (0), threshold " << meta.threshold << "\n"
              << "  input: " << (meta.input == models::kFaceChipInput ? "aligned face chip" : "image") << ", "
              << meta.preprocessing.channel_order << " x " << meta.preprocessing.scale << " + "
              << meta.preprocessing.offset << "\n"
              << "  created: " << meta.created << "\n"
              << "  source: " << meta.source << "\n";
    if (!meta.dataset_manifest.empty()) std::cout << "  dataset: " << meta.dataset_manifest << "\n";
    if (!meta.metrics_json.empty()) std::cout << "  metrics: " << meta.metrics_json << "\n";
    std::cout << "\n" << models::render_layer_table(meta.spec, models::describe(meta.spec));
    return 0;
  }
  models::ModelSpec human = models::ModelSpec::human_default();
  human.alpha = options.alpha;
  human.input_size = options.human_size;
  models::ModelSpec owner = models::ModelSpec::owner_default();
  owner.input_size = options.owner_size;
  std::cout << "Layer 1, human check: "
            << models::render_layer_table(human, models::describe(human)) << "\n"
            << "Layer 2, owner check: "
            << models::render_layer_table(owner, models::describe(owner));
  return 0;
}

}  // namespace lockerctl::cli
