#pragma once

// A tiny synthetic dataset prepared once per test suite, and training options for it.

#include <gtest/gtest.h>

#include "data/cache.hpp"
#include "data/synth.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace lockerctl::test {

class TinyDatasets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    config::Config cfg;
    cfg.data.source_root = dir_->path().string();
    cfg.human.image_size = 32;
    cfg.owner.image_size = 32;
    for (const data::Task task : {data::Task::Human, data::Task::Owner}) {
      data::SynthOptions o;
      o.task = task;
      o.per_class = 12;
      o.size = 32;
      const auto name = data::task_name(task);
      const auto& layer = data::layer_config(cfg, task);
      data::write_synthetic(dir_->path() / name, layer.positive_class, layer.negative_class, o);
      data::prepare_dataset(data::resolve_dataset((dir_->path() / name).string(), cfg, task),
                            dir_->path() / "data", {}, {});
    }
    // A stand-in for the imported ImageNet backbone: random, narrow, saved as a model file.
    torch::manual_seed(3);
    auto backbone = models::build({models::Architecture::MobileNetV2, 0.35, 32, 0.0});
    models::save_model(pretrained(), *backbone, models::ModelMeta{});
  }
  static std::filesystem::path pretrained() { return dir_->path() / "models/backbone.h5"; }
  static void TearDownTestSuite() { delete dir_; }

  train::TrainOptions options(data::Task task, const std::string& run) const {
    train::TrainOptions o;
    o.task = task;
    o.dataset = data::task_name(task);
    o.data_dir = dir_->path() / "data";
    o.run_dir = dir_->path() / "runs" / run;
    o.workers = 1;
    o.train.epochs = 3;
    o.train.batch_size = 8;
    o.train.pretrained = pretrained().string();  // random weights: mechanics, not accuracy
    return o;
  }

  static TempDir* dir_;
};
inline TempDir* TinyDatasets::dir_ = nullptr;

}  // namespace lockerctl::test
