#include "models/mobilenet_v2.hpp"

#include <fmt/format.h>

namespace lockerctl::models {
namespace F = torch::nn::functional;

// Keras' ZeroPadding2D(correct_pad) before a stride-2 'valid' conv is the same.
std::pair<int64_t, int64_t> same_padding(int64_t in, int kernel, int stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

const std::vector<BlockConfig>& mobilenet_v2_blocks() {
  static const std::vector<BlockConfig> blocks = [] {
    std::vector<BlockConfig> b{{1, 16, 1}};
    // (t, c, n, s) from the paper's table 2, expanded to one entry per block.
    const int table[][4] = {{6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
                            {6, 160, 3, 2}, {6, 320, 1, 1}};
    for (const auto& row : table)
      for (int i = 0; i < row[2]; ++i) b.push_back({row[0], row[1], i == 0 ? row[3] : 1});
    return b;
  }();
  return blocks;
}

ConvBnImpl::ConvBnImpl(int in, int out, int kernel, int stride, bool depthwise, bool relu6)
    : kernel_(kernel), stride_(stride), relu6_(relu6) {
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                    .stride(stride)
                                    .padding(0)
                                    .groups(depthwise ? in : 1)
                                    .bias(false)));
  // Keras: epsilon 1e-3, momentum 0.999 (PyTorch counts momentum the other way round).
  bn = register_module("bn", torch::nn::BatchNorm2d(
                                 torch::nn::BatchNorm2dOptions(out).eps(1e-3).momentum(0.001)));
}

torch::Tensor ConvBnImpl::forward(torch::Tensor x) {
  int64_t pad_h = 0, pad_w = 0;
  if (kernel_ > 1) {
    const auto [top, bottom] = same_padding(x.size(2), kernel_, stride_);
    const auto [left, right] = same_padding(x.size(3), kernel_, stride_);
    // The convolution pads the symmetric part itself; only a stride-2 conv on an even side needs
    // one more zero row and column, bottom and right, which costs a copy.
    if (bottom > top || right > left) x = F::pad(x, F::PadFuncOptions({0, right - left, 0, bottom - top}));
    pad_h = top;
    pad_w = left;
  }
  x = F::conv2d(x, conv->weight, F::Conv2dFuncOptions().stride(stride_).padding(torch::ExpandingArray<2>({pad_h, pad_w})).groups(conv->options.groups()));
  x = bn->forward(x);
  // In place, as torchvision's ReLU6: batch norm's backward needs its input, not its output.
  return relu6_ ? F::hardtanh(x, F::HardtanhFuncOptions().min_val(0.0).max_val(6.0).inplace(true)) : x;
}

InvertedResidualImpl::InvertedResidualImpl(int in, int out, int stride_, int expansion_)
    : stride(stride_), expansion(expansion_), residual(stride_ == 1 && in == out) {
  const int hidden = in * expansion;
  if (expansion != 1) expand = register_module("expand", ConvBn(in, hidden, 1, 1, false, true));
  depthwise = register_module("depthwise", ConvBn(hidden, hidden, 3, stride, true, true));
  project = register_module("project", ConvBn(hidden, out, 1, 1, false, false));
}

torch::Tensor InvertedResidualImpl::forward(torch::Tensor x) {
  torch::Tensor y = expand ? expand->forward(x) : x;
  y = project->forward(depthwise->forward(y));
  return residual ? x + y : y;
}

MobileNetV2BackboneImpl::MobileNetV2BackboneImpl(double alpha) {
  int channels = make_divisible(32 * alpha);
  stem = register_module("stem", ConvBn(3, channels, 3, 2, false, true));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (const BlockConfig& b : mobilenet_v2_blocks()) {
    const int out = make_divisible(b.channels * alpha);
    blocks->push_back(InvertedResidual(channels, out, b.stride, b.expansion));
    channels = out;
  }
  // Keras keeps 1280 features for alpha <= 1 and widens them only above.
  feature_dim_ = alpha > 1.0 ? make_divisible(1280 * alpha) : 1280;
  top = register_module("top", ConvBn(channels, feature_dim_, 1, 1, false, true));
}

torch::Tensor MobileNetV2BackboneImpl::stem_output(torch::Tensor x) { return stem->forward(x); }

torch::Tensor MobileNetV2BackboneImpl::forward(torch::Tensor x) {
  x = stem->forward(x);
  for (const auto& block : *blocks) x = block->as<InvertedResidual>()->forward(x);
  x = top->forward(x);
  return x.mean({2, 3});
}

MobileNetV2Impl::MobileNetV2Impl(const ModelSpec& spec) : spec_(spec) {
  spec_.validate();
  backbone = register_module("backbone", MobileNetV2Backbone(spec.alpha));
  dropout = register_module("dropout", torch::nn::Dropout(spec.dropout));
  head = register_module("head", torch::nn::Linear(backbone->feature_dim(), 1));
}

torch::Tensor MobileNetV2Impl::forward(torch::Tensor x) {
  return head->forward(dropout->forward(backbone->forward(x)));
}

void MobileNetV2Impl::freeze_backbone(int trainable_blocks) {
  frozen_bn_.clear();
  for (auto& p : backbone->parameters()) p.set_requires_grad(true);  // undo an earlier freeze
  const int total = static_cast<int>(backbone->blocks->size());
  const auto freeze = [this](torch::nn::Module& m) {
    for (auto& p : m.parameters()) p.set_requires_grad(false);
    for (auto& child : m.modules()) {
      if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(child)) {
        frozen_bn_.emplace_back(bn);
      }
    }
  };
  freeze(*backbone->stem);
  for (int i = 0; i < total - trainable_blocks; ++i) freeze(*backbone->blocks[i]);
  if (trainable_blocks == 0) freeze(*backbone->top);
  train(is_training());
}

void MobileNetV2Impl::train(bool on) {
  torch::nn::Module::train(on);
  for (auto& bn : frozen_bn_) bn->eval();
}

std::vector<LayerRow> MobileNetV2Impl::layers() {
  torch::NoGradGuard no_grad;
  const bool was_training = is_training();
  eval();
  std::vector<LayerRow> rows;
  const auto add = [&rows](std::string name, std::string kind, const torch::Tensor& out,
                           const torch::nn::Module* m) {
    rows.push_back(layer_row(std::move(name), std::move(kind), out, m));
  };
  torch::Tensor x = torch::zeros({1, 3, spec_.input_size, spec_.input_size});
  add("input", "RGB in [-1, 1]", x, nullptr);
  x = backbone->stem->forward(x);
  add("stem", "Conv2d 3x3/2 + BN + ReLU6", x, backbone->stem.get());
  for (std::size_t i = 0; i < backbone->blocks->size(); ++i) {
    auto block = backbone->blocks[i]->as<InvertedResidual>();
    x = block->forward(x);
    add(fmt::format("block_{}", i),
        fmt::format("InvertedResidual t={} s={}{}", block->expansion, block->stride,
                    block->residual ? " +add" : ""),
        x, block);
  }
  x = backbone->top->forward(x);
  add("top", "Conv2d 1x1 + BN + ReLU6", x, backbone->top.get());
  x = x.mean({2, 3});
  add("pool", "GlobalAveragePool", x, nullptr);
  x = head->forward(x);
  add("head", "Dense 1 (sigmoid on the logit)", x, head.get());
  train(was_training);
  return rows;
}

}  // namespace lockerctl::models
