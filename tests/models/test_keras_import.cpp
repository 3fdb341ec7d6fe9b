#include <gtest/gtest.h>

#include "h5/h5.hpp"
#include "keras_layout_writer.hpp"
#include "models/keras_import.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::models {
namespace {

torch::Tensor read_keras(const std::filesystem::path& file, const std::string& dataset) {
  const auto a = h5::File::open_read(file).read<float>(dataset);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  return torch::from_blob(const_cast<float*>(a.values.data()), shape, torch::kFloat).clone();
}

std::string import_error(const std::filesystem::path& file, KerasImportOptions options = {}) {
  try {
    import_keras_mobilenet_v2(file, options);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

test::KerasLayoutOptions layout(double alpha, unsigned seed) {
  test::KerasLayoutOptions o;
  o.alpha = alpha;
  o.seed = seed;
  return o;
}

class KerasImportTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
};

TEST_F(KerasImportTest, MapsEveryTensorIntoTorchLayout) {
  const auto file = dir_ / "tiny.h5";
  const int written = test::write_keras_mobilenet_v2(file, layout(0.35, 7));
  const KerasImport imported = import_keras_mobilenet_v2(file, {std::nullopt, 32});
  EXPECT_DOUBLE_EQ(imported.alpha, 0.35) << "alpha is read from block_16_project's shape";
  EXPECT_EQ(imported.tensors, written);
  EXPECT_EQ(written, 260);

  // HWIO [kh,kw,in,out] -> OIHW.
  const auto kernel = read_keras(file, "/Conv1/Conv1/kernel:0");
  const auto& stem = imported.model->backbone->stem;
  EXPECT_TRUE(torch::equal(stem->conv->weight, kernel.permute({3, 2, 0, 1})));
  EXPECT_EQ(stem->conv->weight[5][1][2][0].item<float>(), kernel[2][0][1][5].item<float>());
  // Depthwise [kh,kw,C,1] -> [C,1,kh,kw].
  const auto dw = read_keras(file, "/block_3_depthwise/block_3_depthwise/depthwise_kernel:0");
  auto block3 = imported.model->backbone->blocks[3]->as<InvertedResidual>();
  EXPECT_EQ(block3->depthwise->conv->weight[7][0][2][1].item<float>(), dw[2][1][7][0].item<float>());
  // BatchNorm statistics.
  const auto var = read_keras(file, "/Conv_1_bn/Conv_1_bn/moving_variance:0");
  EXPECT_TRUE(torch::equal(imported.model->backbone->top->bn->running_var, var));
  const auto beta = read_keras(file, "/expanded_conv_project_BN/expanded_conv_project_BN/beta:0");
  auto block0 = imported.model->backbone->blocks[0]->as<InvertedResidual>();
  EXPECT_TRUE(torch::equal(block0->project->bn->bias, beta));
}

TEST_F(KerasImportTest, RoundTripsThroughTheModelFile) {
  const auto keras = dir_ / "tiny.h5";
  test::write_keras_mobilenet_v2(keras, layout(0.35, 3));
  const auto out = dir_ / "models/imported.h5";
  const KerasImport imported = import_keras_weights(keras, out, {std::nullopt, 40});

  const LoadedModel loaded = load_model(out, Architecture::MobileNetV2);
  EXPECT_DOUBLE_EQ(loaded.meta.spec.alpha, 0.35);
  EXPECT_EQ(loaded.meta.spec.input_size, 40);
  EXPECT_NE(loaded.meta.source.find("keras:tiny.h5"), std::string::npos) << loaded.meta.source;
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 40, 40});
  imported.model->eval();
  EXPECT_TRUE(torch::allclose(imported.model->forward(x), loaded.net->forward(x), 0, 0))
      << "same tensors, same outputs";
}

TEST_F(KerasImportTest, ReadsEveryWidthTheKerasStoreOffers) {
  for (const double alpha : {0.5, 0.75, 1.3}) {
    const auto file = dir_ / "w.h5";
    test::write_keras_mobilenet_v2(file, layout(alpha, 1));
    EXPECT_DOUBLE_EQ(import_keras_mobilenet_v2(file, {std::nullopt, 32}).alpha, alpha);
  }
}

TEST_F(KerasImportTest, MissingTensorIsNamed) {
  const auto file = dir_ / "missing.h5";
  test::KerasLayoutOptions o;
  o.skip = "block_5_expand_BN/moving_mean:0";
  test::write_keras_mobilenet_v2(file, o);
  const std::string error = import_error(file, {std::nullopt, 32});
  EXPECT_NE(error.find("missing tensor block_5_expand_BN/moving_mean:0"), std::string::npos)
      << error;
}

TEST_F(KerasImportTest, MisShapedTensorIsNamedWithBothShapes) {
  const auto file = dir_ / "shape.h5";
  test::KerasLayoutOptions o;
  o.bad_shape = "block_2_project/kernel:0";
  test::write_keras_mobilenet_v2(file, o);
  const std::string error = import_error(file, {std::nullopt, 32});
  EXPECT_NE(error.find("block_2_project/kernel:0 has shape [1,1,48,9], expected [1,1,48,8]"),
            std::string::npos)
      << error;
}

TEST_F(KerasImportTest, UnexpectedTensorIsNamed) {
  const auto file = dir_ / "extra.h5";
  test::KerasLayoutOptions o;
  o.extra = true;
  test::write_keras_mobilenet_v2(file, o);
  const std::string error = import_error(file, {std::nullopt, 32});
  EXPECT_NE(error.find("unexpected tensor Conv1/extra:0"), std::string::npos) << error;
}

TEST_F(KerasImportTest, WrongAlphaGivenByTheUserIsAShapeError) {
  const auto file = dir_ / "tiny.h5";
  test::write_keras_mobilenet_v2(file, layout(0.35, 1));
  const std::string error = import_error(file, {1.0, 32});
  EXPECT_NE(error.find("Conv1/kernel:0 has shape [3,3,3,16], expected [3,3,3,32]"),
            std::string::npos)
      << error;
}

TEST_F(KerasImportTest, HdfFileWithoutLayerNamesIsNotAKerasFile) {
  const auto file = dir_ / "plain.h5";
  test::KerasLayoutOptions o;
  o.no_layer_names = true;
  test::write_keras_mobilenet_v2(file, o);
  EXPECT_EQ(import_error(file),
            file.string() + ": not a Keras weights file (no 'layer_names' attribute at the root "
                            "or in /model_weights)");
}

TEST_F(KerasImportTest, NonHdf5FileIsRejected) {
  const auto file = dir_.write("weights.h5", "<html>404 Not Found</html>\n");
  EXPECT_EQ(import_error(file), file.string() + ": not an HDF5 file");
  EXPECT_EQ(import_error(dir_ / "absent.h5"), (dir_ / "absent.h5").string() + ": no such file");
}

TEST(KerasNames, MapTorchNamesToKerasLayers) {
  EXPECT_EQ(keras_name_for("backbone.stem.conv.weight"), "Conv1/kernel:0");
  EXPECT_EQ(keras_name_for("backbone.blocks.0.depthwise.bn.running_var"),
            "expanded_conv_depthwise_BN/moving_variance:0");
  EXPECT_EQ(keras_name_for("backbone.blocks.16.depthwise.conv.weight"),
            "block_16_depthwise/depthwise_kernel:0");
  EXPECT_EQ(keras_name_for("backbone.top.bn.weight"), "Conv_1_bn/gamma:0");
  EXPECT_EQ(keras_name_for("head.weight"), "");
}

}  // namespace
}  // namespace lockerctl::models
