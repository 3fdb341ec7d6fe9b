#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "eval/metrics.hpp"
#include "eval/pad.hpp"

namespace lockerctl::eval {
namespace {

TEST(Metrics, PaperFiguresFromOneConfusionMatrix) {
  // 3 TP, 1 FN, 1 FP, 5 TN.
  const std::vector<float> s{0.9f, 0.8f, 0.7f, 0.2f, 0.6f, 0.1f, 0.3f, 0.4f, 0.05f, 0.2f};
  const std::vector<float> l{1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  const Metrics m = compute_metrics(s, l, 0.5);
  EXPECT_EQ(m.confusion.tp, 3u);
  EXPECT_EQ(m.confusion.fn, 1u);
  EXPECT_EQ(m.confusion.fp, 1u);
  EXPECT_EQ(m.confusion.tn, 5u);
  EXPECT_DOUBLE_EQ(m.precision, 0.75);
  EXPECT_DOUBLE_EQ(m.recall, 0.75);
  EXPECT_DOUBLE_EQ(m.f1, 2 * m.precision * m.recall / (m.precision + m.recall));
  EXPECT_DOUBLE_EQ(m.accuracy, 0.8);
  EXPECT_DOUBLE_EQ(m.far, 1.0 / 6);
  EXPECT_DOUBLE_EQ(m.frr, 0.25);
}

TEST(Metrics, ThresholdIsInclusive) {
  EXPECT_EQ(confusion_at({0.5f}, {1}, 0.5).tp, 1u);
}

TEST(Metrics, EmptyDenominatorsGiveZeroNotNan) {
  const Metrics m = compute_metrics({0.1f, 0.2f}, {0, 0}, 0.5);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_EQ(m.accuracy, 1.0);
}

TEST(RocAuc, PerfectInverseTiedAndMissingClass) {
  EXPECT_DOUBLE_EQ(roc_auc({0.9f, 0.8f, 0.2f, 0.1f}, {1, 1, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1f, 0.2f, 0.8f, 0.9f}, {1, 1, 0, 0}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.5f, 0.5f, 0.5f, 0.5f}, {1, 1, 0, 0}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({0.9f, 0.4f, 0.6f, 0.1f}, {1, 1, 0, 0}), 0.75);
  EXPECT_DOUBLE_EQ(roc_auc({0.9f}, {1}), 0.5);
}

TEST(RocCurve, RunsFromOriginToOneOne) {
  const auto c = roc_curve({0.9f, 0.4f, 0.6f, 0.1f}, {1, 1, 0, 0});
  EXPECT_EQ(c.front().far, 0.0);
  EXPECT_EQ(c.front().tpr, 0.0);
  EXPECT_EQ(c.back().far, 1.0);
  EXPECT_EQ(c.back().tpr, 1.0);
}

TEST(ThresholdForFar, MostPermissiveThresholdMeetingTheTarget) {
  const std::vector<float> s{0.95f, 0.9f, 0.8f, 0.7f, 0.85f, 0.3f, 0.2f, 0.1f};
  const std::vector<float> l{1, 1, 1, 1, 0, 0, 0, 0};
  // FAR 0 needs a threshold above the negative 0.85: the lowest such is 0.9.
  const double t0 = threshold_for_far(s, l, 0.0);
  EXPECT_FLOAT_EQ(static_cast<float>(t0), 0.9f);
  EXPECT_EQ(compute_metrics(s, l, t0).far, 0.0);
  // FAR 0.25 allows one negative through: down to 0.7.
  EXPECT_FLOAT_EQ(static_cast<float>(threshold_for_far(s, l, 0.25)), 0.7f);
}

TEST(ThresholdForFar, UnreachableTargetRejectsEverything) {
  const std::vector<float> s{0.9f, 0.9f};
  const std::vector<float> l{1, 0};
  const double t = threshold_for_far(s, l, 0.0);
  EXPECT_GT(t, 0.9);
  EXPECT_EQ(compute_metrics(s, l, t).confusion.fp, 0u);
}

TEST(MetricsBySource, EachSourceGetsItsAccuracyFalseAcceptsAndFalseRejects) {
  // faces: 3 people, one missed; rooms: 3 empty rooms, one taken for a person; inria: all right.
  const std::vector<float> s{0.9f, 0.8f, 0.2f, 0.1f, 0.7f, 0.3f, 0.95f, 0.99f};
  const std::vector<float> l{1, 1, 1, 0, 0, 0, 1, 1};
  const std::vector<std::string> from{"faces", "faces", "faces", "rooms", "rooms", "rooms", "inria", "inria"};
  const auto rows = metrics_by_source(s, l, from, 0.5);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].source, "faces");  // in name order
  EXPECT_EQ(rows[0].confusion.fn, 1u);
  EXPECT_EQ(rows[0].confusion.fp, 0u);
  EXPECT_DOUBLE_EQ(rows[0].accuracy, 2.0 / 3);
  EXPECT_EQ(rows[1].source, "inria");
  EXPECT_DOUBLE_EQ(rows[1].accuracy, 1.0);
  EXPECT_EQ(rows[2].source, "rooms");
  EXPECT_EQ(rows[2].confusion.fp, 1u);
  EXPECT_EQ(rows[2].confusion.fn, 0u);
  std::size_t total = 0;
  for (const auto& r : rows) total += r.confusion.total();
  EXPECT_EQ(total, s.size());
  EXPECT_THROW(metrics_by_source(s, l, {"faces"}, 0.5), std::invalid_argument);
}

TEST(RateInterval, WilsonIntervalsOfKnownCases) {
  // Reference values: the Wilson score interval at 95% (Newcombe 1998, method 3).
  const auto none = rate_interval(0, 100);
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.0370, 5e-5);
  const auto ten = rate_interval(10, 100);
  EXPECT_NEAR(ten.low, 0.0552, 5e-5);
  EXPECT_NEAR(ten.high, 0.1744, 5e-5);
  // More tries, a narrower interval around the same rate.
  const auto many = rate_interval(100, 1000);
  EXPECT_GT(many.low, ten.low);
  EXPECT_LT(many.high, ten.high);
  const auto empty = rate_interval(0, 0);
  EXPECT_EQ(empty.low, 0.0);
  EXPECT_EQ(empty.high, 1.0);
}

TEST(Pad, ApcerAndBpcerOverallPerTypeAndSourceAtTheThresholdAndForTheTarget) {
  // 4 real (one refused at 0.5), 6 attacks: 2 prints (one accepted), 3 replays, 1 mask.
  const std::vector<PadSample> s{
      {"r1", true, "", "a", 0.9},      {"r2", true, "", "a", 0.8},       {"r3", true, "", "b", 0.6},
      {"r4", true, "", "b", 0.3},      {"p1", false, "print", "a", 0.7}, {"p2", false, "print", "b", 0.2},
      {"v1", false, "replay", "b", 0.1}, {"v2", false, "replay", "b", 0.45}, {"v3", false, "replay", "a", 0.05},
      {"m1", false, "mask", "a", 0.4}};
  const PadFigures f = pad_figures(s, 0.5, 0.0, 2);
  EXPECT_EQ(f.overall.attacks, 6u);
  EXPECT_EQ(f.overall.attacks_accepted, 1u);
  EXPECT_EQ(f.overall.reals, 4u);
  EXPECT_EQ(f.overall.reals_refused, 1u);
  EXPECT_DOUBLE_EQ(f.overall.apcer(), 1.0 / 6);
  EXPECT_DOUBLE_EQ(f.overall.bpcer(), 0.25);
  ASSERT_EQ(f.by_type.size(), 3u);
  EXPECT_EQ(f.by_type.at("print").attacks_accepted, 1u);
  EXPECT_EQ(f.by_type.at("replay").attacks, 3u);
  EXPECT_EQ(f.by_type.at("replay").attacks_accepted, 0u);
  EXPECT_EQ(f.by_source.at("a").reals, 2u);
  EXPECT_EQ(f.by_source.at("a").attacks, 3u);
  EXPECT_EQ(f.by_source.at("b").reals_refused, 1u);
  // No attack may pass: the threshold goes just above the best attack (0.7), and refuses r3 and r4.
  EXPECT_GT(f.threshold_for_target, 0.7);
  EXPECT_FLOAT_EQ(f.threshold_for_target, 0.8f);
  EXPECT_EQ(f.at_target.attacks_accepted, 0u);
  EXPECT_EQ(f.at_target.reals_refused, 2u);
  ASSERT_EQ(f.worst_attacks.size(), 2u);
  EXPECT_EQ(f.worst_attacks[0].image, "p1");
  EXPECT_EQ(f.worst_attacks[1].image, "v2");
  EXPECT_EQ(f.worst_reals[0].image, "r4");
  EXPECT_NEAR(f.roc_auc, 20.0 / 24, 1e-9);  // of 24 real-attack pairs, 20 ranked right
  EXPECT_THROW(pad_figures({s[0], s[1]}, 0.5, 0.01), DataError) << "no attacks";
}

}  // namespace
}  // namespace lockerctl::eval
