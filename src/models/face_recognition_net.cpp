#include "models/face_recognition_net.hpp"

#include <fmt/format.h>

#include <map>

#include "core/errors.hpp"
#include "models/tfjs_weights.hpp"

namespace lockerctl::models {
namespace F = torch::nn::functional;

namespace {

// face-api's block names in forward order; "_down" blocks halve the side.
constexpr const char* kBlocks[] = {"conv32_1",  "conv32_2",  "conv32_3",  "conv64_down",  "conv64_1",
                                   "conv64_2",  "conv64_3",  "conv128_down", "conv128_1", "conv128_2",
                                   "conv256_down", "conv256_1", "conv256_2", "conv256_down_out"};

class Weights {
 public:
  explicit Weights(const std::filesystem::path& manifest) : manifest_(manifest) {
    for (auto& t : read_tfjs_weights(manifest)) tensors_.emplace(t.name, std::move(t));
  }

  torch::Tensor take(const std::string& name, std::vector<long> shape) {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw bad(fmt::format("has no tensor {}: not face-api's face recognition model", name));
    if (it->second.shape != shape) {
      throw bad(fmt::format("{} has shape [{}], expected [{}]", name, fmt::join(it->second.shape, ", "), fmt::join(shape, ", ")));
    }
    std::vector<int64_t> dims(shape.begin(), shape.end());
    torch::Tensor t = torch::from_blob(it->second.values.data(), dims, torch::kFloat).clone();
    tensors_.erase(it);
    return t;
  }

  /// A conv layer with face-api's bias and scale folded in: w' = w * s, b' = b * s + c.
  torch::nn::Conv2d conv(const std::string& name, long in, long out, long k, long stride, long padding) {
    const torch::Tensor filters = take(name + "/conv/filters", {k, k, in, out});  // HWIO
    const torch::Tensor bias = take(name + "/conv/bias", {out});
    const torch::Tensor s = take(name + "/scale/weights", {out});
    const torch::Tensor c = take(name + "/scale/biases", {out});
    torch::nn::Conv2d layer(torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(padding));
    torch::NoGradGuard no_grad;
    layer->weight.copy_(filters.permute({3, 2, 0, 1}) * s.view({out, 1, 1, 1}));
    layer->bias.copy_(bias * s + c);
    return layer;
  }

  void expect_all_taken() const {
    if (!tensors_.empty()) throw bad(fmt::format("has a tensor this network does not use: {}", tensors_.begin()->first));
  }

 private:
  ModelError bad(const std::string& why) const { return ModelError(fmt::format("{}: {}", manifest_.string(), why)); }
  std::filesystem::path manifest_;
  std::map<std::string, TfjsTensor> tensors_;
};

}  // namespace

FaceRecognitionNetImpl::FaceRecognitionNetImpl(const std::filesystem::path& manifest) {
  Weights w(manifest);
  stem_ = register_module("conv32_down", w.conv("conv32_down", 3, 32, 7, 2, 0));
  long channels = 32;
  for (const std::string name : kBlocks) {
    Block b;
    b.down = name.find("_down") != std::string::npos;
    const long out = name == "conv256_down_out" ? 256 : std::stol(name.substr(4, name.find('_') - 4));
    b.conv1 = register_module(name + "_conv1", w.conv(name + "/conv1", channels, out, 3, b.down ? 2 : 1, b.down ? 0 : 1));
    b.conv2 = register_module(name + "_conv2", w.conv(name + "/conv2", out, out, 3, 1, 1));
    blocks_.push_back(b);
    channels = out;
  }
  fc_ = register_buffer("fc", w.take("fc", {256, kDescriptorSize}));
  w.expect_all_taken();
}

torch::Tensor FaceRecognitionNetImpl::block(Block& b, const torch::Tensor& x) {
  torch::Tensor out = b.conv2->forward(torch::relu(b.conv1->forward(x)));
  if (!b.down) return torch::relu(out + x);
  torch::Tensor pooled = F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(2));
  const long grow_h = pooled.size(2) - out.size(2), grow_w = pooled.size(3) - out.size(3);
  if (grow_h > 0 || grow_w > 0) out = F::pad(out, F::PadFuncOptions({0, grow_w, 0, grow_h}));
  const long more_channels = out.size(1) - pooled.size(1);
  if (more_channels > 0) pooled = F::pad(pooled, F::PadFuncOptions({0, 0, 0, 0, 0, more_channels}));
  return torch::relu(pooled + out);
}

torch::Tensor FaceRecognitionNetImpl::forward(torch::Tensor x) {
  const torch::Tensor mean = torch::tensor({kMean[0], kMean[1], kMean[2]}).view({1, 3, 1, 1});
  x = (x - mean) / 255.0f;
  x = torch::relu(stem_->forward(x));
  x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
  for (Block& b : blocks_) x = block(b, x);
  return x.mean({2, 3}).matmul(fc_);
}

}  // namespace lockerctl::models
