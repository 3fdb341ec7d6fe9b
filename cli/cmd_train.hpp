#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct TrainCommandOptions {
  std::string task;          // human | owner
  std::string dataset;       // prepared dataset name; default human_public / owner_orl
  int epochs = 0;            // 0 = train.epochs (or train.finetune_epochs)
  std::string device;        // cpu | cuda; "" = runtime.device
  std::string run_dir;       // default runs/<task>-<dataset>[-finetune]
  std::string out;           // default <models_dir>/<task>.h5 (finetune: <task>-finetuned.h5)
  std::string from;          // finetune: the trained layer-1 model; default <models_dir>/human.h5
  bool resume = false;       // continue the run in run_dir
};

/// Adds `lockerctl train` and `lockerctl finetune`.
void setup_train(CLI::App& app, const GlobalOptions& global, Action& action);

int run_train(const GlobalOptions& global, const TrainCommandOptions& options, bool finetune);

}  // namespace lockerctl::cli
