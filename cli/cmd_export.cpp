#include "cmd_export.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/progress.hpp"
#include "data/image.hpp"
#include "export/onnx_export.hpp"
#include "inference/engine.hpp"

namespace lockerctl::cli {
namespace fs = std::filesystem;

void setup_export(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto e = std::make_shared<ExportOptions>();
  CLI::App* exp = app.add_subcommand(
      "export",
      "Export a model file to ONNX for OpenCV DNN or another runtime: opset 10 (Clip with min/max "
      "attributes, which Debian 12's OpenCV 4.6 reads), BatchNorm folded into the convolutions, "
      "sigmoid included, batch 1 at the model's input size; input name, shape, preprocessing, "
      "classes and threshold in the metadata. Checked with onnx::checker.");
  exp->add_option("model", e->model, "Model file (.h5)")->required();
  exp->add_option("--format", e->format, "Export format")->check(CLI::IsMember({"onnx"}))->capture_default_str();
  exp->add_option("--out", e->out, "Output file (default: MODEL with .onnx)");
  exp->callback([&global, &action, e] { action = [&global, e] { return run_export(global, *e); }; });

  auto p = std::make_shared<PredictOptions>();
  CLI::App* pred = app.add_subcommand(
      "predict",
      "Probability, decision and threshold for each image (folders are searched recursively), "
      "with LibTorch (.h5) or OpenCV DNN (.onnx, or .h5 exported in memory). An image that does "
      "not decode is reported and the others go on; the exit code is then 3.");
  pred->add_option("model", p->model, "Model file (.h5 or .onnx)")->required();
  pred->add_option("inputs", p->inputs, "Images or folders")->required();
  pred->add_option("--backend", p->backend, "torch or opencv")
      ->check(CLI::IsMember({"torch", "opencv"}))
      ->capture_default_str();
  pred->add_flag("--json", p->json, "One JSON object per line");
  pred->callback([&global, &action, p] { action = [&global, p] { return run_predict(global, *p); }; });
}

int run_export(const GlobalOptions& global, const ExportOptions& options) {
  load_config(global);
  const fs::path out = options.out.empty() ? fs::path(options.model).replace_extension(".onnx") : fs::path(options.out);
  const exporter::OnnxExport e = exporter::export_onnx_file(options.model, out);
  std::cout << "exported " << options.model << " to " << out.string() << " (ONNX opset "
            << exporter::kOnnxOpset << ", " << e.nodes << " nodes, input '" << e.input
            << "', output '" << e.output << "'; checked)\n";
  return 0;
}

int run_predict(const GlobalOptions& global, const PredictOptions& options) {
  load_config(global);
  auto engine = inference::open_engine(options.model, *inference::parse_backend(options.backend));
  const auto& info = engine->info();
  int failed = 0;
  const auto files = image_inputs(options.inputs);
  Progress progress("predict", files.size(), per_image_progress());
  for (const auto& file : files) {
    progress.advance();
    const data::DecodeResult image = data::load_image(file);
    if (!image.ok()) {
      log::error("{}: {}", file.string(), image.error);
      ++failed;
      continue;
    }
    const float p = engine->probability(image.image.rgb);
    const bool accept = p >= info.threshold;
    const std::string decision = accept ? info.positive_class : info.negative_class;
    if (options.json) {
      std::cout << nlohmann::json{{"image", file.string()}, {"probability", p}, {"decision", decision},
                                  {"threshold", info.threshold}, {"backend", options.backend}}
                       .dump()
                << "\n";
    } else {
      std::cout << fmt::format("{}  {:.4f}  {}  (threshold {:.3f})\n", file.string(), p, decision, info.threshold);
    }
  }
  return failed ? static_cast<int>(ExitCode::Data) : 0;
}

}  // namespace lockerctl::cli
