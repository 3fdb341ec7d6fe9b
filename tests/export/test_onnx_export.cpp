#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <fstream>

#include "core/errors.hpp"
#include "export/onnx_export.hpp"
#include "inference/engine.hpp"
#include "models/binary_net.hpp"
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
