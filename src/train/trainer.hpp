#pragma once

// `lockerctl train` and `lockerctl finetune`: Adam on binary cross-entropy, per-epoch metrics on
// the training and validation splits, the best epoch kept as a model file, early stopping,
// crash-safe checkpoints with exact resume, TensorBoard events, metrics.csv and PNG curves.
// This header does not include LibTorch.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "data/source.hpp"

namespace lockerctl::train {

enum class Mode {
  Train,     ///< human: frozen ImageNet backbone + new head; owner: the CNN from scratch
  Finetune,  ///< human only: start from a trained layer-1 model, unfreeze the top blocks
};

struct TrainOptions {
  Mode mode = Mode::Train;
  data::Task task = data::Task::Human;
  std::string dataset;                  ///< prepared dataset name (for names and provenance)
  std::filesystem::path data_dir;       ///< where prepared datasets live
  std::filesystem::path run_dir;        ///< checkpoints, logs, figures, best model
  std::filesystem::path out;            ///< where the best model is copied at the end
  std::filesystem::path start_from;     ///< Finetune: the layer-1 model file to start from
  std::string device = "cpu";           ///< cpu | cuda
  bool resume = false;                  ///< continue the run in run_dir exactly
  int workers = 2;
  std::uint64_t seed = 1337;
  config::TrainConfig train;            ///< epochs, batch size, learning rate, ...
  std::string config_yaml;              ///< recorded in the model's provenance
  bool face_chips = false;              ///< the dataset holds aligned face chips: the model's input
};

/// One epoch's figures.
struct EpochRecord {
  int epoch = 0;  ///< 1-based
  double train_loss = 0, train_accuracy = 0, train_precision = 0, train_recall = 0, train_f1 = 0;
  double val_loss = 0, val_accuracy = 0, val_precision = 0, val_recall = 0, val_f1 = 0;
  double seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  int best_epoch = 0;
  bool stopped_early = false;
  bool used_feature_cache = false;
  std::filesystem::path model;  ///< the best model file (a copy of it is at options.out)
  double seconds = 0;
};

/// Runs training. Throws DataError (dataset missing or unusable), ModelError (pretrained or
/// start model unusable), DeviceError (cuda requested but unusable), IoError.
TrainResult train_model(const TrainOptions& options);

/// The header of metrics.csv and the line of one epoch.
std::string metrics_csv_header();
std::string metrics_csv_line(const EpochRecord& r);

}  // namespace lockerctl::train
