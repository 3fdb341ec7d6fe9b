#include "cmd_dataset.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "data/batches.hpp"
#include "data/cache.hpp"
#include "data/synth.hpp"
#include "vision/face.hpp"

namespace lockerctl::cli {
namespace {

data::Task parse_task(const std::string& name) {
  return name == "owner" ? data::Task::Owner : data::Task::Human;
}

data::SplitFractions fractions_for(const config::Config& cfg) {
  return {cfg.data.train_fraction, cfg.data.val_fraction, cfg.data.test_fraction,
          static_cast<std::uint64_t>(cfg.data.seed)};
}

std::string counts_line(const data::SplitCounts& c, const std::string& pos, const std::string& neg) {
  std::string out;
  for (const data::Split s : data::kSplits) {
    const auto& n = c[static_cast<int>(s)];
    out += fmt::format("{}{} {} ({} {}, {} {})", out.empty() ? "" : "; ", data::split_name(s),
                       n[0] + n[1], n[1], pos, n[0], neg);
  }
  return out;
}

}  // namespace

void setup_dataset(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* dataset = app.add_subcommand("dataset", "Prepare, inspect and generate datasets.");
  dataset->require_subcommand(1);

  auto prep = std::make_shared<DatasetPrepareOptions>();
  CLI::App* prepare = dataset->add_subcommand(
      "prepare",
      "Decode every image of a dataset once (several threads), convert gray to RGB, resize to the "
      "layer's input size and write <data_dir>/<name>/cache.h5 with a seeded, stratified "
      "train/val/test split (split.csv) and the list of skipped files (skipped.csv). Unreadable, "
      "truncated, empty and non-image files are skipped and counted. Unchanged sources are not "
      "rebuilt. A recipe's sources are read under data.source_root (../shared/data when that "
      "folder exists, else data/sources); scripts/fetch-datasets.sh RECIPE fetches a shipped "
      "recipe's sources there.");
  prepare->add_option("-d,--dataset", prep->dataset,
                      "Recipe name (datasets/NAME.yaml), recipe file, or a folder laid out as "
                      "FOLDER/<class>/**/*.jpg")
      ->required();
  prepare->add_option("--task", prep->task, "For a plain folder: whose classes (human | owner)")
      ->check(CLI::IsMember({"human", "owner"}))
      ->capture_default_str();
  prepare->add_flag("--force", prep->force, "Rebuild even when the source is unchanged");
  prepare->callback([&global, &action, prep] {
    action = [&global, prep] { return run_dataset_prepare(global, *prep); };
  });

  auto insp = std::make_shared<DatasetInspectOptions>();
  CLI::App* inspect = dataset->add_subcommand(
      "inspect",
      "Show a prepared dataset: images per split and class, the same per source (each `sources` entry of "
      "its recipe, by its `name`, or each class folder), original image sizes, duplicate contents and "
      "skipped files.");
  inspect->add_option("name", insp->name, "Prepared dataset name")->required();
  inspect->add_flag("--json", insp->json, "Print JSON instead of text");
  inspect->callback([&global, &action, insp] {
    action = [&global, insp] { return run_dataset_inspect(global, *insp); };
  });

  auto syn = std::make_shared<DatasetSynthOptions>();
  CLI::App* synth = dataset->add_subcommand(
      "synth",
      "Generate a small SYNTHETIC labelled dataset (drawn people/faces vs clutter) in folder "
      "layout, for tests and the demo. Not for accuracy claims.");
  synth->add_option("--task", syn->task, "human: person vs clutter; owner: one face vs others")
      ->check(CLI::IsMember({"human", "owner"}))
      ->capture_default_str();
  synth->add_option("--out", syn->out, "Output folder (default <data_dir>/synthetic-<task>)");
  synth->add_option("--per-class", syn->per_class, "Images per class")
      ->check(CLI::Range(3, 100000))
      ->capture_default_str();
  synth->add_option("--size", syn->size, "Image side in pixels")
      ->check(CLI::Range(16, 1024))
      ->capture_default_str();
  synth->add_option("--seed", syn->seed, "Random seed")->capture_default_str();
  synth->callback([&global, &action, syn] {
    action = [&global, syn] { return run_dataset_synth(global, *syn); };
  });

  auto bench_opts = std::make_shared<DatasetBenchOptions>();
  CLI::App* bench = dataset->add_subcommand(
      "bench", "Measure loader throughput (images/s) from a prepared cache, without and with "
               "augmentation. Prints figures; asserts nothing.");
  bench->add_option("name", bench_opts->name, "Prepared dataset name")->required();
  bench->add_option("--batch-size", bench_opts->batch_size, "Batch size")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  bench->add_option("--batches", bench_opts->batches, "Batches timed per mode")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  bench->callback([&global, &action, bench_opts] {
    action = [&global, bench_opts] { return run_dataset_bench(global, *bench_opts); };
  });
}

int run_dataset_prepare(const GlobalOptions& global, const DatasetPrepareOptions& options) {
  const config::Config cfg = load_config(global);
  const data::DatasetSource source =
      data::resolve_dataset(options.dataset, cfg, parse_task(options.task));
  for (const auto& note : source.notes) log::warn("{}", note);
  log::info("dataset {}: {} files, task {}, classes {} / {}, {}x{} pixels", source.name,
            source.files.size(), data::task_name(source.task), source.positive_class,
            source.negative_class, source.image_size, source.image_size);
  data::PrepareOptions prepare_options;
  prepare_options.workers = data_workers(cfg);
  prepare_options.force = options.force;
  if (source.task == data::Task::Owner && cfg.face.detector != config::FaceDetector::WholeFrame) {
    // Layer 2 trains on the face crop that `lockerctl run` makes.
    auto crop = std::make_shared<vision::TrainingCrop>(face_options(cfg));
    prepare_options.crop = [crop](const cv::Mat& rgb, std::string& why) { return (*crop)(rgb, why); };
    prepare_options.crop_name = crop->description();
    log::info("dataset {}: layer 2 learns from the face crop ({})", source.name, prepare_options.crop_name);
  }
  const data::PrepareReport r =
      data::prepare_dataset(source, cfg.paths.data_dir, fractions_for(cfg), prepare_options);
  if (!r.rebuilt) {
    std::cout << source.name << ": up to date (" << r.paths.cache.string() << ")\n";
  } else {
    std::cout << source.name << ": prepared " << r.files - r.skipped << " of " << r.files
              << " files in " << fmt::format("{:.1f}", r.seconds) << " s ("
              << fmt::format("{:.0f}", r.files / std::max(r.seconds, 1e-9)) << " images/s, "
              << prepare_options.workers << " threads)\n";
  }
  std::cout << "  " << counts_line(r.counts, source.positive_class, source.negative_class) << "\n"
            << "  skipped " << r.skipped << " file(s)"
            << (r.skipped ? " (listed in " + r.paths.skipped.string() + ")" : std::string()) << "\n"
            << "  cache " << r.paths.cache.string() << ", manifest " << r.paths.manifest.string()
            << "\n";
  return 0;
}

int run_dataset_inspect(const GlobalOptions& global, const DatasetInspectOptions& options) {
  const config::Config cfg = load_config(global);
  const data::DatasetSummary s = data::inspect_dataset(cfg.paths.data_dir, options.name);
  if (options.json) {
    nlohmann::json j;
    j["name"] = s.name;
    j["task"] = s.task;
    j["classes"] = {{"positive", s.positive_class}, {"negative", s.negative_class}};
    j["image_size"] = s.image_size;
    for (const data::Split split : data::kSplits) {
      const auto& n = s.counts[static_cast<int>(split)];
      j["splits"][data::split_name(split)] = {{s.positive_class, n[1]}, {s.negative_class, n[0]}};
    }
    j["original_size"] = {{"min_height", s.min_height}, {"max_height", s.max_height},
                          {"min_width", s.min_width}, {"max_width", s.max_width}};
    j["duplicates"] = {{"groups", s.duplicate_groups}, {"extra_images", s.duplicate_images}};
    j["skipped"] = nlohmann::json::array();
    for (const auto& [path, reason] : s.skipped) j["skipped"].push_back({{"path", path}, {"reason", reason}});
    for (const auto& [source, counts] : s.by_source) {
      for (const data::Split split : data::kSplits) {
        const auto& n = counts[static_cast<int>(split)];
        j["sources"][source][data::split_name(split)] = {{s.positive_class, n[1]}, {s.negative_class, n[0]}};
      }
    }
    j["fingerprint"] = s.fingerprint;
    j["created"] = s.created;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << s.name << " (task " << s.task << ", " << s.image_size << "x" << s.image_size
            << ", prepared " << s.created << ")\n";
  for (const data::Split split : data::kSplits) {
    const auto& n = s.counts[static_cast<int>(split)];
    std::cout << fmt::format("  {:<5}  {:>6} {}  {:>6} {}  {:>6} total\n", data::split_name(split),
                             n[1], s.positive_class, n[0], s.negative_class, n[0] + n[1]);
  }
  if (!s.by_source.empty()) {
    std::size_t width = 6;
    for (const auto& [source, counts] : s.by_source) width = std::max(width, source.size());
    const std::size_t class_width = std::max(s.positive_class.size(), s.negative_class.size());
    std::cout << fmt::format("  {:<{}}  {:<{}}  {:>6} {:>6} {:>6}\n", "source", width, "class", class_width, "train",
                             "val", "test");
    for (const auto& [source, counts] : s.by_source) {
      for (const int label : {1, 0}) {
        if (counts[0][label] + counts[1][label] + counts[2][label] == 0) continue;
        std::cout << fmt::format("  {:<{}}  {:<{}}  {:>6} {:>6} {:>6}\n", source, width,
                                 label ? s.positive_class : s.negative_class, class_width, counts[0][label],
                                 counts[1][label], counts[2][label]);
      }
    }
  }
  std::cout << fmt::format("  original sizes: {}-{} x {}-{} pixels (height x width)\n",
                           s.min_height, s.max_height, s.min_width, s.max_width)
            << fmt::format("  duplicate contents: {} group(s), {} extra image(s), each kept in one split\n",
                           s.duplicate_groups, s.duplicate_images)
            << "  skipped: " << s.skipped.size() << " file(s)\n";
  for (const auto& [path, reason] : s.skipped) std::cout << "    " << path << ": " << reason << "\n";
  return 0;
}

int run_dataset_synth(const GlobalOptions& global, const DatasetSynthOptions& options) {
  const config::Config cfg = load_config(global);
  data::SynthOptions o;
  o.task = parse_task(options.task);
  o.per_class = options.per_class;
  o.size = options.size;
  o.seed = static_cast<std::uint64_t>(options.seed);
  const config::LayerConfig& layer = data::layer_config(cfg, o.task);
  const std::filesystem::path out =
      options.out.empty() ? std::filesystem::path(cfg.paths.data_dir) / ("synthetic-" + options.task)
                          : std::filesystem::path(options.out);
  const int n = data::write_synthetic(out, layer.positive_class, layer.negative_class, o);
  std::cout << "SYNTHETIC DATA (not photos; not for accuracy claims): wrote " << n << " images, "
            << options.per_class << " per class (" << layer.positive_class << " / "
            << layer.negative_class << "), " << options.size << "x" << options.size << ", to "
            << out.string() << "\n";
  return 0;
}

int run_dataset_bench(const GlobalOptions& global, const DatasetBenchOptions& options) {
  const config::Config cfg = load_config(global);
  const data::CachePaths paths = data::CachePaths::in(cfg.paths.data_dir, options.name);
  data::inspect_dataset(cfg.paths.data_dir, options.name);  // clear error when not prepared
  for (const bool augment : {false, true}) {
    data::BatchOptions o;
    o.batch_size = options.batch_size;
    o.workers = data_workers(cfg);
    o.augment.enabled = augment;
    data::BatchReader reader(paths.cache, data::Split::Train, o);
    std::size_t images = 0;
    int batches = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int epoch = 0; batches < options.batches; ++epoch) {
      reader.start_epoch(epoch);
      while (batches < options.batches) {
        const auto b = reader.next();
        if (!b) break;
        images += b->count;
        ++batches;
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << fmt::format("loader {} augmentation: {:.0f} images/s ({} images in {} batches of {}, "
                             "{}x{}, {} threads, {:.2f} s)\n",
                             augment ? "with" : "without", images / secs, images, batches,
                             options.batch_size, reader.image_size(), reader.image_size(), o.workers,
                             secs);
  }
  return 0;
}

}  // namespace lockerctl::cli
