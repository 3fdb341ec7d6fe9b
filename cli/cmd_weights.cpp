#include "cmd_weights.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "models/keras_import.hpp"

namespace lockerctl::cli {

void setup_weights(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* weights = app.add_subcommand("weights", "Import pretrained weights.");
  weights->require_subcommand(1);

  auto opts = std::make_shared<WeightsImportOptions>();
  CLI::App* import = weights->add_subcommand(
      "import",
      "Import MobileNetV2 ImageNet weights from Keras' HDF5 layout "
      "(mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_<size>_no_top.h5; "
      "scripts/fetch-weights.sh downloads it) into a lockerctl model file with an untrained "
      "layer-1 head. Every tensor is checked; a missing, unexpected or mis-shaped one is named.");
  import->add_option("--from", opts->from, "Source format")
      ->check(CLI::IsMember({"keras"}))
      ->capture_default_str();
  import->add_option("file", opts->file, "Keras weights file (.h5)")->required();
  import->add_option("--out", opts->out, "Model file to write (e.g. models/mobilenet_v2_imagenet.h5)")
      ->required();
  import->add_option("--alpha", opts->alpha,
                     "Width multiplier (default: read from the file's tensor shapes)")
      ->check(CLI::Range(0.35, 1.4));
  import->add_option("--input-size", opts->input_size, "Input size recorded in the model file")
      ->check(CLI::Range(32, 1024))
      ->capture_default_str();
  import->callback([&global, &action, opts] {
    action = [&global, opts] { return run_weights_import(global, *opts); };
  });
}

int run_weights_import(const GlobalOptions& global, const WeightsImportOptions& options) {
  load_config(global);
  models::KerasImportOptions import_options;
  if (options.alpha > 0) import_options.alpha = options.alpha;
  import_options.input_size = options.input_size;
  const auto imported = models::import_keras_weights(options.file, options.out, import_options);
  std::cout << "imported " << imported.tensors << " tensors (MobileNetV2 alpha " << imported.alpha
            << ") from " << options.file << " into " << options.out << "\n";
  return 0;
}

}  // namespace lockerctl::cli
