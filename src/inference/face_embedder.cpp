#include "inference/face_embedder.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"
#include "data/image.hpp"
#include "models/face_recognition_net.hpp"

namespace lockerctl::inference {
namespace fs = std::filesystem;

struct FaceEmbedder::Net {
  explicit Net(const fs::path& manifest) : net(manifest) { net->eval(); }
  models::FaceRecognitionNet net;
};

FaceEmbedder::FaceEmbedder(const fs::path& manifest) {
  data::verify_model_file(manifest, kFaceRecognitionManifestSha256);
  data::verify_model_file(face_embedder_weights(manifest), kFaceRecognitionBinSha256);
  net_ = std::make_unique<Net>(manifest);
}

FaceEmbedder::~FaceEmbedder() = default;

std::vector<FaceDescriptor> FaceEmbedder::embed(const std::vector<cv::Mat>& chips) {
  constexpr int side = models::FaceRecognitionNetImpl::kInputSize;
  if (chips.empty()) return {};
  torch::InferenceMode guard;
  torch::Tensor batch = torch::empty({static_cast<long>(chips.size()), side, side, 3}, torch::kUInt8);
  for (std::size_t i = 0; i < chips.size(); ++i) {
    const cv::Mat& chip = chips[i];
    if (chip.type() != CV_8UC3 || chip.cols != side || chip.rows != side) {
      throw DataError(fmt::format("face chip {}: expected a {}x{} 8-bit RGB image, got {}x{} with {} channels", i, side, side,
                                  chip.cols, chip.rows, chip.channels()));
    }
    batch[static_cast<long>(i)].copy_(torch::from_blob(chip.isContinuous() ? chip.data : chip.clone().data, {side, side, 3}, torch::kUInt8));
  }
  const torch::Tensor out = net_->net->forward(batch.permute({0, 3, 1, 2}).to(torch::kFloat).contiguous()).contiguous();
  std::vector<FaceDescriptor> descriptors(chips.size());
  for (std::size_t i = 0; i < chips.size(); ++i) std::memcpy(descriptors[i].data(), out[static_cast<long>(i)].data_ptr<float>(), sizeof(FaceDescriptor));
  return descriptors;
}

FaceDescriptor FaceEmbedder::embed(const cv::Mat& chip) { return embed(std::vector<cv::Mat>{chip}).front(); }

float descriptor_distance(const FaceDescriptor& a, const FaceDescriptor& b) {
  float sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum);
}

}  // namespace lockerctl::inference
