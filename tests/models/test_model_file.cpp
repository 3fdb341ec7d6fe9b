#include <gtest/gtest.h>

#include <fstream>

#include "h5/h5.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::models {
namespace {

std::string load_error(const std::filesystem::path& file,
                       std::optional<Architecture> expected = std::nullopt) {
  try {
    load_model(file, expected);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

class ModelFileTest : public ::testing::Test {
 protected:
  std::filesystem::path save_owner(const std::string& name, int size = 32) {
    torch::manual_seed(5);
    net_ = build(ModelSpec{Architecture::OwnerCnn, 1.0, size, 0.0});
    ModelMeta meta;
    meta.preprocessing = Preprocessing::for_architecture(Architecture::OwnerCnn);
    meta.positive_class = "owner";
    meta.negative_class = "not_owner";
    meta.threshold = 0.73;
    meta.source = "test";
    meta.dataset_manifest = "sha256:abc";
    meta.metrics_json = R"({"f1":0.9})";
    const auto path = dir_ / name;
    save_model(path, *net_, meta);
    return path;
  }

  test::TempDir dir_;
  std::shared_ptr<BinaryNet> net_;
};

TEST_F(ModelFileTest, RoundTripsTensorsAndMetadata) {
  const auto path = save_owner("owner.h5");
  const LoadedModel loaded = load_model(path, Architecture::OwnerCnn);
  EXPECT_EQ(loaded.meta.positive_class, "owner");
  EXPECT_DOUBLE_EQ(loaded.meta.threshold, 0.73);
  EXPECT_DOUBLE_EQ(loaded.meta.preprocessing.scale, 1.0 / 255.0);
  EXPECT_EQ(loaded.meta.dataset_manifest, "sha256:abc");
  EXPECT_EQ(loaded.meta.metrics_json, R"({"f1":0.9})");
  EXPECT_EQ(loaded.meta.spec.input_size, 32);
  EXPECT_FALSE(loaded.meta.created.empty());
  const auto original = net_->named_parameters();
  const auto restored = loaded.net->named_parameters();
  ASSERT_EQ(original.size(), restored.size());
  for (const auto& p : original) {
    EXPECT_TRUE(torch::equal(p.value(), restored[p.key()])) << p.key();
  }
  EXPECT_EQ(read_model_meta(path).negative_class, "not_owner");
}

TEST_F(ModelFileTest, KeepsBatchNormStatistics) {
  auto net = build(ModelSpec{Architecture::MobileNetV2, 0.35, 32, 0.0});
  net->train();
  {
    torch::NoGradGuard no_grad;
    net->forward(torch::randn({4, 3, 32, 32}) * 3);  // moves the running statistics
  }
  const auto path = dir_ / "mnv2.h5";
  save_model(path, *net, ModelMeta{});
  const LoadedModel loaded = load_model(path);
  for (const auto& b : net->named_buffers()) {
    EXPECT_TRUE(torch::equal(b.value(), loaded.net->named_buffers()[b.key()])) << b.key();
  }
}

TEST_F(ModelFileTest, TensorsAreReadableByName) {
  const auto path = save_owner("owner.h5");
  const h5::File f = h5::File::open_read(path);
  EXPECT_EQ(f.shape("/parameters/conv1.weight"), (std::vector<hsize_t>{16, 3, 3, 3}));
  EXPECT_EQ(f.read_string_attribute("/", "architecture"), "owner_cnn");
  EXPECT_EQ(f.read_string_attribute("/", "format"), "lockerctl-model");
}

TEST_F(ModelFileTest, WrongArchitectureForTheLayerIsRefused) {
  const auto path = save_owner("owner.h5");
  EXPECT_EQ(load_error(path, Architecture::MobileNetV2),
            path.string() + ": is a owner_cnn model, expected mobilenet_v2");
}

TEST_F(ModelFileTest, ShapeMismatchIsExplained) {
  const auto path = save_owner("owner.h5", 32);
  {
    // Same tensors, but the file now claims a 64-pixel input: dense1 no longer fits.
    h5::File f = h5::File::open_read(path);
    f.close();
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t attr = H5Aopen(id, "input_size", H5P_DEFAULT);
    const std::int64_t size = 64;
    H5Awrite(attr, H5T_NATIVE_INT64, &size);
    H5Aclose(attr);
    H5Fclose(id);
  }
  EXPECT_EQ(load_error(path),
            path.string() + ": does not match architecture owner_cnn: /parameters/dense1.weight "
                            "has shape [256,64], the architecture needs [256,576]");
}

TEST_F(ModelFileTest, TruncatedFileIsAModelError) {
  const auto path = save_owner("owner.h5");
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size / 2);
  const std::string error = load_error(path);
  EXPECT_EQ(error.rfind(path.string() + ": ", 0), 0u) << error;
}

TEST_F(ModelFileTest, NonModelFilesAreRefused) {
  const auto text = dir_.write("notes.h5", "hello");
  EXPECT_EQ(load_error(text), text.string() + ": not an HDF5 file");
  const auto other = dir_ / "other.h5";
  {
    h5::File f = h5::File::create(other);
    f.write_attribute("/", "something", std::string("else"));
    f.close();
  }
  EXPECT_EQ(load_error(other),
            other.string() + ": not a lockerctl model file (no format=\"lockerctl-model\" attribute)");
}

TEST_F(ModelFileTest, SaveIsAtomicAndLeavesNoTemporaryFiles) {
  save_owner("owner.h5");
  save_owner("owner.h5");  // replaces
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
    names.push_back(e.path().filename());
  EXPECT_EQ(names, (std::vector<std::string>{"owner.h5"}));
}

}  // namespace
}  // namespace lockerctl::models
