#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/evaluate.hpp"
#include "fixture.hpp"

namespace lockerctl::eval {
namespace {

class EvaluateTest : public test::TinyDatasets {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(model_)) {
      auto o = options(data::Task::Owner, "eval-model");
      o.train.epochs = 8;
      o.out = model_;
      train::train_model(o);
    }
  }
  EvaluateOptions eval_options(const std::string& report) const {
    EvaluateOptions o;
    o.model = model_;
    o.dataset = "owner";
    o.data_dir = dir_->path() / "data";
    o.split = data::Split::Val;
    o.report_dir = dir_->path() / "reports" / report;
    o.workers = 1;
    return o;
  }
  std::filesystem::path model_ = dir_->path() / "models/eval-owner.h5";
};

TEST_F(EvaluateTest, WritesMetricsJsonTableAndFigures) {
  auto o = eval_options("plain");
  o.misclassified = dir_->path() / "wrong";
  const EvaluateResult r = evaluate_model(o);
  EXPECT_EQ(r.metrics.confusion.total(), 4u);  // val split: 20% of 12 images a class
  std::ifstream in(o.report_dir / "metrics.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(j["f1"].get<double>(), r.metrics.f1);
  EXPECT_DOUBLE_EQ(j["roc_auc"].get<double>(), r.roc_auc);
  EXPECT_EQ(j["split"], "val");
  std::ifstream md(o.report_dir / "metrics.md");
  const std::string table((std::istreambuf_iterator<char>(md)), {});
  EXPECT_NE(table.find("| Model | Precision (%) | Recall (%) | F1 score (%) | Accuracy (%) |"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(o.report_dir / "roc.png"));
  EXPECT_TRUE(std::filesystem::exists(o.report_dir / "confusion.png"));
  const auto wrong = r.metrics.confusion.fp + r.metrics.confusion.fn;
  EXPECT_EQ(r.misclassified, wrong);
  if (wrong > 0) {
    EXPECT_FALSE(std::filesystem::is_empty(o.misclassified));
  }
}

TEST_F(EvaluateTest, BaselineGateNamesEachMetricThatFell) {
  auto o = eval_options("gate");
  const EvaluateResult first = evaluate_model(o);
  o.baseline = o.report_dir / "metrics.json";
  EXPECT_TRUE(evaluate_model(o).regressions.empty()) << "the same model meets its own baseline";

  nlohmann::json better = {{"accuracy", first.metrics.accuracy + 0.2}, {"recall", 1.5}, {"f1", 0.0}};
  const auto high = dir_->path() / "high.json";
  std::ofstream(high) << better.dump();
  o.baseline = high;
  const auto fell = evaluate_model(o).regressions;
  ASSERT_EQ(fell.size(), 2u);
  EXPECT_EQ(fell[0].rfind("recall fell from 1.5000", 0), 0u) << fell[0];
  EXPECT_EQ(fell[1].rfind("accuracy fell from", 0), 0u) << fell[1];
}

TEST_F(EvaluateTest, UnusableBaselineIsADataError) {
  auto o = eval_options("bad-baseline");
  o.baseline = dir_->path() / "garbage.json";
  std::ofstream(o.baseline) << "{not json";
  EXPECT_THROW(evaluate_model(o), DataError);
  std::ofstream(o.baseline, std::ios::trunc) << R"({"speed": 1})";
  EXPECT_THROW(evaluate_model(o), DataError);
}

TEST_F(EvaluateTest, ModelOfOtherClassesIsRefused) {
  auto o = eval_options("mismatch");
  o.dataset = "human";
  EXPECT_THROW(evaluate_model(o), DataError);
}

}  // namespace
}  // namespace lockerctl::eval
