#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <sstream>

#include "fixture.hpp"
#include "h5/h5.hpp"
#include "models/binary_net.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"
#include "report/tensorboard.hpp"

namespace lockerctl::train {
namespace {

using test::TinyDatasets;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// metrics.csv without the wall-time column, which differs between runs.
std::string figures(const std::filesystem::path& csv) {
  std::string out, line;
  std::istringstream in(read(csv));
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

std::map<std::string, torch::Tensor> tensors(const std::filesystem::path& model) {
  std::map<std::string, torch::Tensor> out;
  const auto loaded = models::load_model(model);
  for (const auto& p : loaded.net->named_parameters()) out[p.key()] = p.value().clone();
  return out;
}

class TrainerTest : public TinyDatasets {};

TEST_F(TrainerTest, OwnerRunWritesModelLogsCurvesAndEvents) {
  auto o = options(data::Task::Owner, "owner");
  o.out = dir_->path() / "models/owner.h5";
  const TrainResult r = train_model(o);
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_GE(r.best_epoch, 1);
  const auto loaded = models::load_model(o.out, models::Architecture::OwnerCnn);
  EXPECT_EQ(loaded.meta.positive_class, "owner");
  EXPECT_NE(loaded.meta.metrics_json.find("\"f1\""), std::string::npos);
  EXPECT_FALSE(loaded.meta.dataset_manifest.empty());

  const std::string csv = read(o.run_dir / "metrics.csv");
  EXPECT_EQ(csv.rfind(metrics_csv_header() + "\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_TRUE(std::filesystem::exists(o.run_dir / "loss.png"));
  EXPECT_TRUE(std::filesystem::exists(o.run_dir / "accuracy.png"));

  std::vector<report::ScalarEvent> events;
  for (const auto& e : std::filesystem::directory_iterator(o.run_dir)) {
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) {
      const auto part = report::read_scalar_events(e.path());
      events.insert(events.end(), part.begin(), part.end());
    }
  }
  EXPECT_EQ(events.size(), 3u * 10);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const auto& e) { return e.tag == "f1/validation" && e.step == 3; }));
}

TEST_F(TrainerTest, ResumeContinuesExactlyWhereTheRunStopped) {
  auto straight = options(data::Task::Owner, "straight");
  straight.train.epochs = 4;
  train_model(straight);

  auto split = options(data::Task::Owner, "split");
  split.train.epochs = 2;
  train_model(split);  // "interrupted" after epoch 2
  split.train.epochs = 4;
  split.resume = true;
  train_model(split);

  EXPECT_EQ(figures(split.run_dir / "metrics.csv"), figures(straight.run_dir / "metrics.csv"));
  const auto a = tensors(straight.run_dir / "best.h5"), b = tensors(split.run_dir / "best.h5");
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-5, 1e-6)) << name;
}

TEST_F(TrainerTest, ResumeRefusesOtherSettingsAndANewRunRefusesAnOldFolder) {
  auto o = options(data::Task::Owner, "guard");
  o.train.epochs = 1;
  train_model(o);
  EXPECT_THROW(train_model(o), IoError) << "without --resume an existing run is not overwritten";
  o.resume = true;
  o.train.learning_rate = 0.5;
  o.train.epochs = 2;
  EXPECT_THROW(train_model(o), ModelError);
}

TEST_F(TrainerTest, FeatureCacheGivesTheSameHeadAsTrainingThroughTheFrozenBackbone) {
  auto cached = options(data::Task::Human, "cached");
  cached.train.epochs = 2;
  cached.train.feature_cache = true;
  const TrainResult a = train_model(cached);
  EXPECT_TRUE(a.used_feature_cache);

  auto direct = options(data::Task::Human, "direct");
  direct.train.epochs = 2;
  direct.train.feature_cache = false;
  const TrainResult b = train_model(direct);
  EXPECT_FALSE(b.used_feature_cache);

  const auto ta = tensors(a.model), tb = tensors(b.model);
  EXPECT_TRUE(torch::allclose(ta.at("head.weight"), tb.at("head.weight"), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(ta.at("head.bias"), tb.at("head.bias"), 1e-4, 1e-5));
  EXPECT_TRUE(torch::equal(ta.at("backbone.stem.conv.weight"), tb.at("backbone.stem.conv.weight")));
  for (std::size_t e = 0; e < a.history.size(); ++e) {
    EXPECT_NEAR(a.history[e].val_loss, b.history[e].val_loss, 1e-4);
  }
}

// The training features of the feature cache whose name holds `tag` ("" for the plain cache).
torch::Tensor cached_train_features(const std::filesystem::path& data_dir, const std::string& tag) {
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("features-", 0) != 0 || name.find(".tmp") != std::string::npos) continue;
    if ((tag.empty() && name.find("-aug") == std::string::npos) || (!tag.empty() && name.find(tag) != std::string::npos)) {
      auto a = h5::File::open_read(entry.path()).read<float>("/train/features");
      return torch::from_blob(a.values.data(), {int64_t(a.shape[0]), int64_t(a.shape[1])}).clone();
    }
  }
  ADD_FAILURE() << "no feature cache '" << tag << "' in " << data_dir;
  return {};
}

TEST_F(TrainerTest, AugmentCopiesAreComputedOnceIntoTheFeatureCache) {
  auto plain = options(data::Task::Human, "plain-features");
  plain.train.epochs = 2;
  const TrainResult a = train_model(plain);

  auto copies = options(data::Task::Human, "copies");
  copies.train.epochs = 2;
  copies.train.augment = true;
  copies.train.augment_copies = 2;
  const TrainResult b = train_model(copies);
  EXPECT_TRUE(b.used_feature_cache);

  const auto dir = plain.data_dir / "human";
  const torch::Tensor f0 = cached_train_features(dir, ""), f2 = cached_train_features(dir, "-aug2-");
  const int64_t n = f0.size(0);
  ASSERT_EQ(f2.size(0), 3 * n) << "the images, then two augmented variants of each";
  // The random stand-in backbone gives tiny features: compare them relative to their size.
  const double scale = f0.abs().max().item<double>();
  ASSERT_GT(scale, 0.0);
  const auto apart = [&](const torch::Tensor& x, const torch::Tensor& y) { return (x - y).abs().max().item<double>() / scale; };
  const torch::Tensor images = f2.slice(0, 0, n), first = f2.slice(0, n, 2 * n), second = f2.slice(0, 2 * n);
  EXPECT_LT(apart(images, f0), 1e-4) << "the first block is the images as they are";
  EXPECT_GT(apart(first, f0), 0.01) << "the variants are augmented";
  EXPECT_GT(apart(second, first), 0.01) << "each copy differs";
  EXPECT_FALSE(torch::allclose(tensors(a.model).at("head.weight"), tensors(b.model).at("head.weight")))
      << "the head saw the variants";

  auto on_the_fly = options(data::Task::Human, "on-the-fly");
  on_the_fly.train.epochs = 1;
  on_the_fly.train.augment = true;
  EXPECT_FALSE(train_model(on_the_fly).used_feature_cache) << "without copies, augmentation runs the backbone";
}

TEST_F(TrainerTest, FinetuneChangesOnlyTheUnfrozenTop) {
  auto base = options(data::Task::Human, "base");
  base.train.epochs = 1;
  const TrainResult first = train_model(base);

  auto ft = options(data::Task::Human, "finetune");
  ft.mode = Mode::Finetune;
  ft.start_from = first.model;
  ft.train.finetune_epochs = 1;
  ft.train.finetune_blocks = 2;
  ft.train.finetune_learning_rate = 1e-3;
  const TrainResult tuned = train_model(ft);
  const auto before = tensors(first.model), after = tensors(tuned.model);
  EXPECT_TRUE(torch::equal(before.at("backbone.stem.conv.weight"), after.at("backbone.stem.conv.weight")));
  EXPECT_TRUE(torch::equal(before.at("backbone.blocks.14.project.conv.weight"),
                           after.at("backbone.blocks.14.project.conv.weight")));
  EXPECT_FALSE(torch::equal(before.at("backbone.blocks.16.project.conv.weight"),
                            after.at("backbone.blocks.16.project.conv.weight")));
  // Frozen BatchNorm statistics did not move either.
  const auto stats = [](const std::filesystem::path& p) {
    const auto m = models::load_model(p);
    return m.net->named_buffers()["backbone.blocks.3.expand.bn.running_mean"].clone();
  };
  EXPECT_TRUE(torch::equal(stats(first.model), stats(tuned.model)));
}

TEST_F(TrainerTest, WithoutPretrainedWeightsEveryLayerLearns) {
  auto o = options(data::Task::Human, "scratch");
  o.train.pretrained = "";
  o.train.alpha = 0.35;
  o.train.epochs = 1;
  const TrainResult r = train_model(o);
  EXPECT_FALSE(r.used_feature_cache);
  torch::manual_seed(o.seed);  // the same initial weights train_model started from
  auto initial = models::build({models::Architecture::MobileNetV2, 0.35, 32, 0.0});
  const auto trained = tensors(r.model);
  EXPECT_FALSE(torch::equal(initial->named_parameters()["backbone.stem.conv.weight"],
                            trained.at("backbone.stem.conv.weight")));
}

TEST_F(TrainerTest, FinetuneIsForTheHumanLayerOnly) {
  auto o = options(data::Task::Owner, "ft-owner");
  o.mode = Mode::Finetune;
  EXPECT_THROW(train_model(o), ModelError);
}

TEST_F(TrainerTest, CudaWithoutCudaIsADeviceError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here";
  auto o = options(data::Task::Owner, "cuda");
  o.device = "cuda";
  EXPECT_THROW(train_model(o), DeviceError);
}

TEST_F(TrainerTest, UnpreparedDatasetIsADataError) {
  auto o = options(data::Task::Owner, "none");
  o.dataset = "never-prepared";
  EXPECT_THROW(train_model(o), DataError);
}

}  // namespace
}  // namespace lockerctl::train
