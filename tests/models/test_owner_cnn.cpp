#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "models/owner_cnn.hpp"

namespace lockerctl::models {
namespace {

TEST(OwnerCnn, HasThePapersLayersAndWeightCountAt256) {
  OwnerCnn net(ModelSpec::owner_default());
  // conv 3->16, 16->32, 32->16 (3x3 + bias), dense 16*30*30 -> 256, dense 256 -> 1.
  const int64_t expected = (27 * 16 + 16) + (144 * 32 + 32) + (288 * 16 + 16) +
                           (14400 * 256 + 256) + (256 + 1);
  EXPECT_EQ(count_weights(*net), expected);
  EXPECT_EQ(expected, 3696625);
  EXPECT_EQ(OwnerCnnImpl::feature_side(256), 30);
}

TEST(OwnerCnn, InputSizeIsConfigurable) {
  OwnerCnn net(ModelSpec{Architecture::OwnerCnn, 1.0, 64, 0.0});
  EXPECT_EQ(OwnerCnnImpl::feature_side(64), 6);
  EXPECT_EQ(net->dense1->options.in_features(), 16 * 6 * 6);
  torch::NoGradGuard no_grad;
  const auto out = net->forward(torch::rand({3, 3, 64, 64}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 1}));
}

TEST(OwnerCnn, LayerTableFollowsConvPoolThreeTimes) {
  OwnerCnn net(ModelSpec{Architecture::OwnerCnn, 1.0, 64, 0.0});
  const auto rows = net->layers();
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"input", "conv1", "pool1", "conv2", "pool2", "conv3",
                                             "pool3", "flatten", "dense1", "dense2"}));
  EXPECT_EQ(rows[7].output, (std::vector<int64_t>{1, 576}));
}

TEST(OwnerCnn, RejectsInputsTooSmallForThreePools) {
  EXPECT_THROW(OwnerCnn(ModelSpec{Architecture::OwnerCnn, 1.0, 21, 0.0}), ModelError);
  EXPECT_NO_THROW(OwnerCnn(ModelSpec{Architecture::OwnerCnn, 1.0, 22, 0.0}));
}

}  // namespace
}  // namespace lockerctl::models
