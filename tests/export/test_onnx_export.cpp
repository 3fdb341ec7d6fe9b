#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <fstream>

#include "core/errors.hpp"
#include "export/onnx_export.hpp"
#include "h5/h5.hpp"
#include "inference/backbone_features.hpp"
#include "inference/engine.hpp"
#include "models/binary_net.hpp"
#include "models/keras_import.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::exporter {
namespace {

// A model file with random weights and non-trivial BatchNorm statistics, so folding is exercised.
std::filesystem::path random_model(const test::TempDir& dir, const models::ModelSpec& spec,
                                   const std::string& name) {
  torch::manual_seed(11);
  auto net = models::build(spec);
  torch::NoGradGuard no_grad;
  for (auto& b : net->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.2);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
  for (auto& p : net->named_parameters()) {
    if (p.key().find(".bn.") != std::string::npos) p.value().uniform_(0.5, 1.5);
  }
  models::ModelMeta meta;
  meta.preprocessing = models::Preprocessing::for_architecture(spec.architecture);
  const auto path = dir / (name + ".h5");
  models::save_model(path, *net, meta);
  return path;
}

cv::Mat random_image(int h, int w, unsigned seed) {
  cv::Mat img(h, w, CV_8UC3);
  cv::theRNG().state = seed;
  cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(255));
  return img;
}

struct Case {
  models::ModelSpec spec;
  const char* name;
};

class OnnxParity : public ::testing::TestWithParam<Case> {};

TEST_P(OnnxParity, OpenCvDnnAgreesWithLibTorchWithin1e4) {
  test::TempDir dir;
  const auto model = random_model(dir, GetParam().spec, GetParam().name);
  const auto onnx_file = dir / "model.onnx";
  const OnnxExport e = export_onnx_file(model, onnx_file);
  EXPECT_GT(e.nodes, 5);

  auto torch_engine = inference::open_engine(model, inference::Backend::Torch);
  auto onnx_engine = inference::open_engine(onnx_file, inference::Backend::OpenCv);
  auto h5_opencv = inference::open_engine(model, inference::Backend::OpenCv);
  double worst = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const cv::Mat img = random_image(40 + 7 * i, 50, i + 1);
    const float p = torch_engine->probability(img);
    worst = std::max(worst, std::abs(p - onnx_engine->probability(img)) * 1.0);
    worst = std::max(worst, std::abs(p - h5_opencv->probability(img)) * 1.0);
    EXPECT_GT(p, 0.0f);
    EXPECT_LT(p, 1.0f);
  }
  EXPECT_LT(worst, 1e-4);
  std::printf("[ parity   ] %s: max |p_torch - p_opencv| = %.2e\n", GetParam().name, worst);
}

INSTANTIATE_TEST_SUITE_P(
    Models, OnnxParity,
    ::testing::Values(Case{{models::Architecture::OwnerCnn, 1.0, 32, 0.0}, "owner32"},
                      Case{{models::Architecture::MobileNetV2, 0.35, 32, 0.0}, "mnv2_032"},
                      Case{{models::Architecture::MobileNetV2, 0.5, 45, 0.0}, "mnv2_045_odd"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(OnnxExport, IsOpset10WithAttributeClipNoIdentityAndMetadata) {
  test::TempDir dir;
  const auto model = random_model(dir, {models::Architecture::MobileNetV2, 0.35, 32, 0.0}, "m");
  const OnnxExport e = export_onnx(model);
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(e.bytes));
  EXPECT_EQ(proto.opset_import(0).version(), 10);
  int clips = 0;
  for (const auto& n : proto.graph().node()) {
    EXPECT_NE(n.op_type(), "Identity");
    EXPECT_NE(n.op_type(), "BatchNormalization") << "BatchNorm is folded";
    if (n.op_type() == "Clip") {
      ++clips;
      EXPECT_EQ(n.input_size(), 1) << "opset-10 Clip: min/max are attributes";
      EXPECT_EQ(n.attribute_size(), 2);
    }
  }
  EXPECT_EQ(clips, 1 + 16 + 17 + 1);  // stem, 16 expands, 17 depthwise, top
  EXPECT_EQ(proto.graph().node(proto.graph().node_size() - 1).op_type(), "Sigmoid");
  std::map<std::string, std::string> meta;
  for (const auto& p : proto.metadata_props()) meta[p.key()] = p.value();
  EXPECT_EQ(meta["input_shape"], "1,3,32,32");
  EXPECT_EQ(meta["channel_order"], "RGB");
  EXPECT_EQ(meta["architecture"], "mobilenet_v2");
}

// The largest difference between the backbone's features from LibTorch and from OpenCV DNN on
// the exported backbone, for `input` [N, 3, S, S], run as one batch and image by image.
double backbone_difference(models::MobileNetV2BackboneImpl& backbone, const torch::Tensor& input) {
  torch::NoGradGuard no_grad;
  backbone.eval();
  const torch::Tensor x = input.contiguous();
  const auto n = x.size(0);
  const torch::Tensor expected = backbone.forward(x);
  inference::BackboneFeatures opencv(backbone, static_cast<int>(x.size(2)));
  EXPECT_EQ(opencv.feature_dim(), expected.size(1));
  torch::Tensor batch = torch::empty_like(expected), single = torch::empty_like(expected);
  opencv.run(x.data_ptr<float>(), static_cast<int>(n), batch.data_ptr<float>());
  for (int64_t i = 0; i < n; ++i) opencv.run(x[i].data_ptr<float>(), 1, single[i].data_ptr<float>());
  EXPECT_GT(expected.abs().max().item<double>(), 0.01) << "features that are all zero prove nothing";
  return std::max((batch - expected).abs().max().item<double>(), (single - expected).abs().max().item<double>());
}

TEST(BackboneExport, OpenCvFeaturesAgreeWithLibTorchWithin1e4) {
  for (const auto& [alpha, side] : {std::pair{0.35, 32}, std::pair{0.5, 45}}) {
    test::TempDir dir;
    const auto file = random_model(dir, {models::Architecture::MobileNetV2, alpha, side, 0.0}, "m");
    const models::LoadedModel loaded = models::load_model(file);
    auto& net = dynamic_cast<models::MobileNetV2Impl&>(*loaded.net);
    torch::manual_seed(5);
    const double worst = backbone_difference(*net.backbone, torch::rand({3, 3, side, side}) * 2 - 1);
    EXPECT_LT(worst, 1e-4) << "alpha " << alpha << ", " << side << " px";
    std::printf("[ parity   ] backbone %.2f at %d px: max |f_torch - f_opencv| = %.2e\n", alpha, side, worst);
  }
}

TEST(BackboneExport, ImageNetFeaturesAgreeWithLibTorchWithin1e4) {
  const auto weights = test::shared_data("mobilenet_v2/mobilenet_v2_1.0_224_no_top.keras-layout.h5");
  const auto golden = test::shared_data("mobilenet_v2/golden_features.h5");
  if (weights.empty() || golden.empty()) GTEST_SKIP() << "../shared/data/mobilenet_v2 is absent (set LOCKERCTL_SHARED_DATA)";
  const models::KerasImport imported = models::import_keras_mobilenet_v2(weights);
  // The reference set's real photos and faces, preprocessed to [-1, 1], NHWC.
  const h5::File f = h5::File::open_read(golden);
  std::vector<torch::Tensor> inputs;
  for (const std::string& name : f.read_string_list_attribute("/", "cases")) {
    auto a = f.read<float>(name + "/input");
    const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
    inputs.push_back(torch::from_blob(a.values.data(), shape, torch::kFloat).permute({0, 3, 1, 2}).clone());
  }
  ASSERT_GE(inputs.size(), 6u);
  const double worst = backbone_difference(*imported.model->backbone, torch::cat(inputs));
  EXPECT_LT(worst, 1e-4);
  std::printf("[ parity   ] ImageNet backbone, %zu images at 224 px: max |f_torch - f_opencv| = %.2e\n",
              inputs.size(), worst);
}

TEST(OnnxEngine, CorruptTruncatedAndMisusedFilesAreModelErrors) {
  test::TempDir dir;
  const auto model = random_model(dir, {models::Architecture::OwnerCnn, 1.0, 32, 0.0}, "o");
  const auto good = dir / "o.onnx";
  const OnnxExport e = export_onnx_file(model, good);

  const auto truncated = dir / "t.onnx";
  std::ofstream(truncated, std::ios::binary) << e.bytes.substr(0, e.bytes.size() / 3);
  EXPECT_THROW(inference::open_engine(truncated, inference::Backend::OpenCv), ModelError);
  const auto garbage = dir.write("g.onnx", "this is not protobuf at all \xff\xfe");
  EXPECT_THROW(inference::open_engine(garbage, inference::Backend::OpenCv), ModelError);
  EXPECT_THROW(inference::open_engine(good, inference::Backend::Torch), ModelError);
  EXPECT_THROW(inference::open_engine(good, inference::Backend::OpenCv, models::Architecture::MobileNetV2),
               ModelError);
  const auto bad_h5 = dir.write("bad.h5", "not hdf5");
  EXPECT_THROW(inference::open_engine(bad_h5, inference::Backend::Torch), ModelError);
  EXPECT_NO_THROW(inference::open_engine(good, inference::Backend::OpenCv, models::Architecture::OwnerCnn));
}

}  // namespace
}  // namespace lockerctl::exporter
