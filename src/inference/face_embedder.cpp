#include "inference/face_embedder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "core/errors.hpp"
#include "data/image.hpp"
#include "export/onnx_export.hpp"
#include "inference/opencv_net.hpp"
#include "models/face_recognition_net.hpp"

namespace lockerctl::inference {
namespace fs = std::filesystem;

constexpr int kSide = models::FaceRecognitionNetImpl::kInputSize;

// The network on one backend: a batch of checked chips in, [N, 128] floats out.
struct FaceEmbedder::Net {
  virtual ~Net() = default;
  virtual void run(const std::vector<cv::Mat>& chips, float* out) = 0;
};

namespace {

class TorchNet : public FaceEmbedder::Net {
 public:
  explicit TorchNet(models::FaceRecognitionNet net) : net_(std::move(net)) {}
  void run(const std::vector<cv::Mat>& chips, float* out) override {
    torch::InferenceMode guard;
    torch::Tensor batch = torch::empty({static_cast<long>(chips.size()), kSide, kSide, 3}, torch::kUInt8);
    for (std::size_t i = 0; i < chips.size(); ++i) {
      const cv::Mat chip = chips[i].isContinuous() ? chips[i] : chips[i].clone();
      batch[static_cast<long>(i)].copy_(torch::from_blob(chip.data, {kSide, kSide, 3}, torch::kUInt8));
    }
    const torch::Tensor y = net_->forward(batch.permute({0, 3, 1, 2}).to(torch::kFloat).contiguous()).contiguous();
    std::memcpy(out, y.data_ptr<float>(), y.nbytes());
  }

 private:
  models::FaceRecognitionNet net_;
};

class OpenCvNet : public FaceEmbedder::Net {
 public:
  OpenCvNet(models::FaceRecognitionNetImpl& net, const fs::path& manifest)
      : net_(read_onnx_net(exporter::export_face_recognition_onnx(net).bytes, manifest.string())) {}
  void run(const std::vector<cv::Mat>& chips, float* out) override {
    // The chips are RGB already, as the exported graph wants them: no swap, no scaling.
    net_.setInput(cv::dnn::blobFromImages(chips, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F));
    const cv::Mat y = net_.forward();
    std::memcpy(out, y.ptr<float>(), y.total() * sizeof(float));
  }

 private:
  cv::dnn::Net net_;
};

}  // namespace

FaceEmbedder::FaceEmbedder(const fs::path& manifest, Backend backend) {
  data::verify_model_file(manifest, kFaceRecognitionManifestSha256);
  data::verify_model_file(face_embedder_weights(manifest), kFaceRecognitionBinSha256);
  models::FaceRecognitionNet net(manifest);
  net->eval();
  if (backend == Backend::Torch) {
    net_ = std::make_unique<TorchNet>(std::move(net));
  } else {
    net_ = std::make_unique<OpenCvNet>(*net, manifest);
  }
}

FaceEmbedder::~FaceEmbedder() = default;

std::vector<FaceDescriptor> FaceEmbedder::embed(const std::vector<cv::Mat>& chips) {
  for (std::size_t i = 0; i < chips.size(); ++i) {
    const cv::Mat& chip = chips[i];
    if (chip.type() != CV_8UC3 || chip.cols != kSide || chip.rows != kSide) {
      throw DataError(fmt::format("face chip {}: expected a {}x{} 8-bit RGB image, got {}x{} with {} channels", i, kSide, kSide,
                                  chip.cols, chip.rows, chip.channels()));
    }
  }
  std::vector<FaceDescriptor> descriptors(chips.size());
  if (!chips.empty()) net_->run(chips, descriptors.front().data());
  return descriptors;
}

FaceDescriptor FaceEmbedder::embed(const cv::Mat& chip) { return embed(std::vector<cv::Mat>{chip}).front(); }

float descriptor_distance(const FaceDescriptor& a, const FaceDescriptor& b) {
  float sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum);
}

}  // namespace lockerctl::inference
