#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/summary.hpp"

namespace lockerctl::models {
namespace {

int64_t backbone_weights(double alpha) {
  MobileNetV2 net(ModelSpec{Architecture::MobileNetV2, alpha, 32, 0.0});
  return count_weights(*net->backbone);
}

TEST(MobileNetV2, BackboneWeightCountsMatchKeras) {
  // Keras MobileNetV2(include_top=False).count_params() at alpha 1.0 (other widths are checked
  // tensor by tensor against the Keras layout in test_keras_import.cpp).
  EXPECT_EQ(backbone_weights(1.0), 2257984);
}

TEST(MobileNetV2, FeatureWidthGrowsOnlyAboveAlphaOne) {
  EXPECT_EQ(MobileNetV2(ModelSpec{Architecture::MobileNetV2, 0.5, 32, 0})->backbone->feature_dim(),
            1280);
  EXPECT_EQ(MobileNetV2(ModelSpec{Architecture::MobileNetV2, 1.4, 32, 0})->backbone->feature_dim(),
            1792);
}

TEST(MobileNetV2, OutputsOneLogitPerImageForEvenAndOddSizes) {
  for (const int size : {32, 33, 45}) {
    MobileNetV2 net(ModelSpec{Architecture::MobileNetV2, 0.35, size, 0.0});
    net->eval();
    torch::NoGradGuard no_grad;
    const auto out = net->forward(torch::randn({2, 3, size, size}));
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 1})) << size;
  }
}

// With all-ones weights and input, each output of a 3x3 stride-2 conv counts the real (unpadded)
// pixels under its window. TF "SAME" on an even size pads only bottom/right: the top-left window
// sees 9 pixels. PyTorch's symmetric padding=1 would see 4.
TEST(ConvBn, PadsStrideTwoLikeTensorFlowSame) {
  ConvBn layer(1, 1, 3, 2, false, false);
  torch::NoGradGuard no_grad;
  layer->conv->weight.fill_(1.0);
  layer->eval();  // BatchNorm with mean 0, var 1: divides by sqrt(1 + 1e-3)
  const auto out = layer->forward(torch::ones({1, 1, 4, 4})) * std::sqrt(1.0 + 1e-3);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_NEAR(out[0][0][0][0].item<double>(), 9.0, 1e-4);
  EXPECT_NEAR(out[0][0][1][1].item<double>(), 4.0, 1e-4);

  // Odd size: TF pads one pixel on every side.
  const auto odd = layer->forward(torch::ones({1, 1, 5, 5})) * std::sqrt(1.0 + 1e-3);
  ASSERT_EQ(odd.sizes(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_NEAR(odd[0][0][0][0].item<double>(), 4.0, 1e-4);
}

TEST(ConvBn, UsesKerasBatchNormEpsilon) {
  ConvBn layer(3, 8, 1, 1, false, true);
  EXPECT_DOUBLE_EQ(layer->bn->options.eps(), 1e-3);
}

TEST(InvertedResidual, AddsTheInputOnlyWhenStrideOneAndChannelsMatch) {
  EXPECT_TRUE(InvertedResidual(24, 24, 1, 6)->residual);
  EXPECT_FALSE(InvertedResidual(24, 24, 2, 6)->residual);
  EXPECT_FALSE(InvertedResidual(24, 32, 1, 6)->residual);
  EXPECT_FALSE(InvertedResidual(32, 16, 1, 1)->expand) << "expansion 1 has no expand conv";
}

TEST(MobileNetV2, FrozenBackboneKeepsBatchNormInEvalModeAndNoGradients) {
  MobileNetV2 net(ModelSpec{Architecture::MobileNetV2, 0.35, 32, 0.2});
  net->freeze_backbone();
  net->train();
  EXPECT_FALSE(net->backbone->stem->bn->is_training());
  EXPECT_FALSE(net->backbone->top->conv->weight.requires_grad());
  EXPECT_TRUE(net->head->weight.requires_grad());
  EXPECT_EQ(count_trainable(*net), 1281);

  net->freeze_backbone(2);  // fine-tuning: the top two blocks and the last conv learn
  net->train();
  auto last = net->backbone->blocks[16]->as<InvertedResidual>();
  auto frozen = net->backbone->blocks[14]->as<InvertedResidual>();
  EXPECT_TRUE(last->project->bn->is_training());
  EXPECT_TRUE(last->project->conv->weight.requires_grad());
  EXPECT_FALSE(frozen->project->bn->is_training());
  EXPECT_FALSE(frozen->project->conv->weight.requires_grad());
  EXPECT_TRUE(net->backbone->top->conv->weight.requires_grad());
}

TEST(MobileNetV2, RejectsOutOfRangeOptions) {
  EXPECT_THROW(MobileNetV2(ModelSpec{Architecture::MobileNetV2, 2.0, 224, 0}), ModelError);
  EXPECT_THROW(MobileNetV2(ModelSpec{Architecture::MobileNetV2, 1.0, 16, 0}), ModelError);
  EXPECT_THROW(MobileNetV2(ModelSpec{Architecture::MobileNetV2, 1.0, 224, 1.0}), ModelError);
}

TEST(Summary, ListsEveryBlockWithShapesAndTotals) {
  const ModelSpec spec{Architecture::MobileNetV2, 1.0, 224, 0.0};
  const auto rows = describe(spec);
  ASSERT_EQ(rows.size(), 1u + 1 + 17 + 1 + 1 + 1);
  EXPECT_EQ(rows[1].output, (std::vector<int64_t>{1, 32, 112, 112}));
  EXPECT_EQ(rows.back().output, (std::vector<int64_t>{1, 1}));
  const std::string table = render_layer_table(spec, rows);
  EXPECT_NE(table.find("backbone without the head: 2257984"), std::string::npos) << table;
  EXPECT_NE(table.find("total weights: 2259265"), std::string::npos) << table;
}

}  // namespace
}  // namespace lockerctl::models
