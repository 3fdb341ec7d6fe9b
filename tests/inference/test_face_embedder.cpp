// The face embedding port against face-api itself: descriptors computed by face-api 1.7.15 in
// Node (TF.js CPU backend) for the same chips, kept in face_descriptors_golden.json by
// scripts/face-golden.sh.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/hash.hpp"
#include "inference/face_embedder.hpp"
#include "support/temp_dir.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl {
namespace {
namespace fs = std::filesystem;
using inference::FaceDescriptor;
using inference::FaceEmbedder;

fs::path manifest() { return test::source_dir() / "models/face/face_recognition_model-weights_manifest.json"; }

#define SKIP_WITHOUT_MODEL()                                                                               \
  if (!fs::exists(manifest())) GTEST_SKIP() << manifest().string() << " is not fetched (scripts/fetch-face-models.sh)"

// The same pattern as scripts/face-golden.cjs.
cv::Mat synthetic_chip() {
  cv::Mat chip(150, 150, CV_8UC3);
  for (int y = 0; y < 150; ++y)
    for (int x = 0; x < 150; ++x)
      for (int c = 0; c < 3; ++c) chip.at<cv::Vec3b>(y, x)[c] = static_cast<uchar>((x * 3 + y * 5 + c * 71 + ((x * y) % 13) * 9) % 256);
  return chip;
}

std::string pixels_sha256(const cv::Mat& chip) { return data::sha256_hex(chip.data, chip.total() * chip.elemSize()); }

FaceEmbedder& embedder(inference::Backend backend) {
  static FaceEmbedder on_torch(manifest(), inference::Backend::Torch);
  static FaceEmbedder on_opencv(manifest(), inference::Backend::OpenCv);
  return backend == inference::Backend::Torch ? on_torch : on_opencv;
}

// Each test runs on both backends: LibTorch, and OpenCV DNN on the ONNX export.
class FaceEmbedderOn : public ::testing::TestWithParam<inference::Backend> {
 protected:
  FaceEmbedder& embedder() { return lockerctl::embedder(GetParam()); }
};

struct GoldenChip {
  std::string image;
  cv::Mat chip;
  std::vector<float> descriptor;  // face-api's
};

/// The golden chips rebuilt here: the synthetic one always, the LFW ones when ../shared/data is
/// there (aligned from the landmarks the golden file keeps).
std::vector<GoldenChip> golden_chips() {
  std::ifstream in(test::source_dir() / "tests/inference/face_descriptors_golden.json");
  const auto golden = nlohmann::json::parse(in);
  std::vector<GoldenChip> chips;
  for (const auto& item : golden.at("chips")) {
    GoldenChip g{item.at("image"), {}, item.at("descriptor").get<std::vector<float>>()};
    if (g.image == "synthetic") {
      g.chip = synthetic_chip();
    } else {
      const fs::path file = test::shared_data(g.image);
      if (file.empty()) continue;
      vision::Face face;
      face.has_landmarks = true;
      for (std::size_t i = 0; i < 5; ++i) face.landmarks[i] = {item["landmarks"][i][0].get<float>(), item["landmarks"][i][1].get<float>()};
      g.chip = vision::align_face(cv::imread(file.string()), face);
    }
    EXPECT_EQ(pixels_sha256(g.chip), item.at("chip_sha256").get<std::string>())
        << g.image << ": this chip differs from the one face-api saw; the comparison would mean nothing";
    chips.push_back(std::move(g));
  }
  return chips;
}

TEST_P(FaceEmbedderOn, MatchesFaceApiItselfWithin1e4) {
  SKIP_WITHOUT_MODEL();
  const auto golden = golden_chips();
  if (golden.size() == 1) std::cout << "[ note     ] the LFW chips need ../shared/data; compared the synthetic chip only\n";
  std::vector<cv::Mat> chips;
  for (const auto& g : golden) chips.push_back(g.chip);
  const std::vector<FaceDescriptor> got = embedder().embed(chips);
  ASSERT_EQ(got.size(), golden.size());
  double worst = 0;
  for (std::size_t k = 0; k < got.size(); ++k) {
    ASSERT_EQ(golden[k].descriptor.size(), 128u);
    for (std::size_t i = 0; i < 128; ++i) worst = std::max(worst, static_cast<double>(std::abs(got[k][i] - golden[k].descriptor[i])));
  }
  std::cout << fmt::format("[ figures  ] {} chips, largest difference from face-api {:.2e}\n", got.size(), worst);
  EXPECT_LT(worst, 1e-4);
  // One chip at a time gives what the batch gave.
  const FaceDescriptor one = embedder().embed(chips.back());
  for (std::size_t i = 0; i < 128; ++i) EXPECT_NEAR(one[i], got.back()[i], 1e-5);
}

TEST_P(FaceEmbedderOn, SamePersonIsCloserThanAnother) {
  SKIP_WITHOUT_MODEL();
  std::vector<cv::Mat> chips;
  for (const auto& g : golden_chips()) {
    if (g.image != "synthetic") chips.push_back(g.chip);
  }
  if (chips.empty()) GTEST_SKIP() << "needs ../shared/data/lfw_subset";
  // Two photos of each person, one after the other.
  ASSERT_EQ(chips.size(), 8u);
  const std::vector<FaceDescriptor> d = embedder().embed(chips);
  for (std::size_t a = 0; a < d.size(); a += 2) {
    const float same = inference::descriptor_distance(d[a], d[a + 1]);
    EXPECT_LT(same, 0.6f) << "person " << a / 2;
    for (std::size_t b = 0; b < d.size(); ++b) {
      if (b / 2 != a / 2) {
        EXPECT_GT(inference::descriptor_distance(d[a], d[b]), same) << a << " vs " << b;
      }
    }
  }
}

TEST(FaceEmbedder, RefusesAFileThatIsNotThePinnedOne) {
  SKIP_WITHOUT_MODEL();
  test::TempDir dir;
  fs::copy_file(manifest(), dir / manifest().filename().string());
  {
    std::ofstream truncated(dir / "face_recognition_model.bin", std::ios::binary);
    truncated << "not the weights";
  }
  try {
    FaceEmbedder e(dir / manifest().filename().string(), inference::Backend::Torch);
    FAIL() << "a corrupt .bin was accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("face_recognition_model.bin: wrong SHA-256"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FaceEmbedder(dir / "missing.json"), ModelError);
}

TEST_P(FaceEmbedderOn, RefusesAChipOfTheWrongSize) {
  SKIP_WITHOUT_MODEL();
  EXPECT_THROW(embedder().embed(cv::Mat(100, 100, CV_8UC3, cv::Scalar::all(0))), DataError);
}

INSTANTIATE_TEST_SUITE_P(Backends, FaceEmbedderOn, ::testing::Values(inference::Backend::Torch, inference::Backend::OpenCv),
                         [](const auto& backend) { return backend.param == inference::Backend::Torch ? "Torch" : "OpenCv"; });

// The ONNX export against the LibTorch network on chips of noise, in a batch of five and alone.
TEST(FaceEmbedder, TheOnnxExportGivesTheTorchDescriptors) {
  SKIP_WITHOUT_MODEL();
  cv::RNG rng(37);
  std::vector<cv::Mat> chips;
  for (int i = 0; i < 5; ++i) {
    cv::Mat chip(150, 150, CV_8UC3);
    rng.fill(chip, cv::RNG::UNIFORM, 0, 256);
    chips.push_back(chip);
  }
  const auto torch = embedder(inference::Backend::Torch).embed(chips);
  const auto opencv = embedder(inference::Backend::OpenCv).embed(chips);
  double worst = 0;
  for (std::size_t k = 0; k < chips.size(); ++k)
    for (std::size_t i = 0; i < 128; ++i) worst = std::max(worst, static_cast<double>(std::abs(torch[k][i] - opencv[k][i])));
  std::cout << fmt::format("[ figures  ] largest difference between the backends {:.2e}\n", worst);
  EXPECT_LT(worst, 1e-4);
  const FaceDescriptor alone = embedder(inference::Backend::OpenCv).embed(chips[2]);
  for (std::size_t i = 0; i < 128; ++i) EXPECT_NEAR(alone[i], opencv[2][i], 1e-5);
}

}  // namespace
}  // namespace lockerctl
