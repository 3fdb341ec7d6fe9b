// The imported ImageNet weights reproduce an independent reference implementation of MobileNetV2
// (../shared/data/mobilenet_v2/golden_features.h5, see SOURCES.md there): same stem output within
// 1e-4 and same 1280-d pooled features within 1e-3, for real photos, faces and a synthetic input.
#include <gtest/gtest.h>

#include "h5/h5.hpp"
#include "models/keras_import.hpp"
#include "models/mobilenet_v2.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::models {
namespace {

torch::Tensor read(const h5::File& f, const std::string& dataset) {
  const auto a = f.read<float>(dataset);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  return torch::from_blob(const_cast<float*>(a.values.data()), shape, torch::kFloat).clone();
}

TEST(GoldenFeatures, ImportedImageNetWeightsMatchTheReference) {
  const auto weights =
      test::shared_data("mobilenet_v2/mobilenet_v2_1.0_224_no_top.keras-layout.h5");
  const auto golden = test::shared_data("mobilenet_v2/golden_features.h5");
  if (weights.empty() || golden.empty()) {
    GTEST_SKIP() << "../shared/data/mobilenet_v2 is absent (set LOCKERCTL_SHARED_DATA)";
  }
  const KerasImport imported = import_keras_mobilenet_v2(weights);
  ASSERT_DOUBLE_EQ(imported.alpha, 1.0);
  auto& backbone = imported.model->backbone;
  torch::NoGradGuard no_grad;

  const h5::File f = h5::File::open_read(golden);
  const auto cases = f.read_string_list_attribute("/", "cases");
  ASSERT_GE(cases.size(), 6u);
  for (const std::string& name : cases) {
    SCOPED_TRACE(name);
    const torch::Tensor input = read(f, name + "/input").permute({0, 3, 1, 2});  // NHWC -> NCHW
    const torch::Tensor stem = backbone->stem_output(input).permute({0, 2, 3, 1});
    const double stem_error = (stem - read(f, name + "/stem")).abs().max().item<double>();
    EXPECT_LT(stem_error, 1e-4);
    const torch::Tensor features = backbone->forward(input).squeeze(0);
    const double feature_error = (features - read(f, name + "/features")).abs().max().item<double>();
    EXPECT_LT(feature_error, 1e-3);
    std::printf("[ golden   ] %-14s stem max|diff| %.2e, features max|diff| %.2e\n", name.c_str(),
                stem_error, feature_error);
  }
}

}  // namespace
}  // namespace lockerctl::models
