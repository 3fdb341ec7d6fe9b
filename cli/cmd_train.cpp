#include "cmd_train.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "train/trainer.hpp"

namespace lockerctl::cli {
namespace {

void add_common(CLI::App* cmd, TrainCommandOptions& o) {
  cmd->add_option("-d,--dataset", o.dataset,
                  "Prepared dataset (lockerctl dataset prepare); default human_people or owner_orl");
  cmd->add_option("--epochs", o.epochs, "Epochs (default: train.epochs / train.finetune_epochs)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--device", o.device, "cpu or cuda (default: runtime.device)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--run-dir", o.run_dir,
                  "Folder for checkpoint.pt, best.h5, metrics.csv, loss.png, accuracy.png and "
                  "TensorBoard events (default runs/<task>-<dataset>)");
  cmd->add_option("--out", o.out, "Where the best model is copied (default models/<task>.h5)");
  cmd->add_flag("--resume", o.resume,
                "Continue the interrupted run in --run-dir exactly (model, optimiser, epoch, RNG)");
}

}  // namespace

void setup_train(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto train_opts = std::make_shared<TrainCommandOptions>();
  CLI::App* train = app.add_subcommand(
      "train",
      "Train a layer with Adam on binary cross-entropy. human: MobileNetV2 with the ImageNet "
      "backbone frozen (train.pretrained) and a new dense sigmoid head; without augmentation the "
      "backbone features are computed once and cached. owner: the owner CNN from scratch. Logs "
      "per-epoch loss/accuracy/precision/recall/F1 for train and validation, keeps the best epoch "
      "(train.monitor), stops early (train.patience), and checkpoints every epoch atomically.");
  train->add_option("task", train_opts->task, "human or owner")
      ->required()
      ->check(CLI::IsMember({"human", "owner"}));
  add_common(train, *train_opts);
  train->callback([&global, &action, train_opts] {
    action = [&global, train_opts] { return run_train(global, *train_opts, false); };
  });

  auto ft_opts = std::make_shared<TrainCommandOptions>();
  CLI::App* finetune = app.add_subcommand(
      "finetune",
      "Fine-tune a trained layer-1 model: unfreeze the top train.finetune_blocks inverted-residual "
      "blocks and the last 1x1 convolution, train with train.finetune_learning_rate; BatchNorm in "
      "the layers still frozen stays in inference mode.");
  finetune->add_option("task", ft_opts->task, "human (the only layer with a pretrained backbone)")
      ->required()
      ->check(CLI::IsMember({"human"}));
  finetune->add_option("--from", ft_opts->from, "Trained layer-1 model (default models/human.h5)");
  add_common(finetune, *ft_opts);
  finetune->callback([&global, &action, ft_opts] {
    action = [&global, ft_opts] { return run_train(global, *ft_opts, true); };
  });
}

int run_train(const GlobalOptions& global, const TrainCommandOptions& options, bool finetune) {
  const config::Config cfg = load_config(global);
  train::TrainOptions o;
  o.mode = finetune ? train::Mode::Finetune : train::Mode::Train;
  o.task = options.task == "owner" ? data::Task::Owner : data::Task::Human;
  o.dataset = !options.dataset.empty() ? options.dataset
                                       : (o.task == data::Task::Human ? "human_people" : "owner_orl");
  o.data_dir = cfg.paths.data_dir;
  const std::string run_name = options.task + "-" + o.dataset + (finetune ? "-finetune" : "");
  o.run_dir = options.run_dir.empty() ? std::filesystem::path("runs") / run_name
                                      : std::filesystem::path(options.run_dir);
  const std::filesystem::path models_dir = cfg.paths.models_dir;
  o.out = !options.out.empty() ? std::filesystem::path(options.out)
                               : models_dir / (options.task + (finetune ? "-finetuned.h5" : ".h5"));
  o.start_from = !options.from.empty() ? std::filesystem::path(options.from) : models_dir / "human.h5";
  o.device = compute_device(cfg, options.device);
  o.resume = options.resume;
  o.workers = data_workers(cfg);
  o.seed = static_cast<std::uint64_t>(cfg.data.seed);
  o.train = cfg.train;
  if (options.epochs > 0) (finetune ? o.train.finetune_epochs : o.train.epochs) = options.epochs;
  o.config_yaml = config::to_yaml(cfg);

  const train::TrainResult r = train::train_model(o);
  const auto& best = r.history.at(r.best_epoch - 1);
  std::cout << fmt::format(
      "{} {} on {}: {} epoch(s) in {:.1f} s{}; best epoch {}: val loss {:.4f}, accuracy {:.4f}, "
      "precision {:.4f}, recall {:.4f}, F1 {:.4f}\n  model {} (copied to {})\n  logs {}\n",
      finetune ? "fine-tuned" : "trained", options.task, o.dataset, r.history.size(), r.seconds,
      r.stopped_early ? " (stopped early)" : "", r.best_epoch, best.val_loss, best.val_accuracy,
      best.val_precision, best.val_recall, best.val_f1, r.model.string(), o.out.string(),
      o.run_dir.string());
  return 0;
}

}  // namespace lockerctl::cli
