#pragma once

// MobileNetV2 (Sandler et al. 2018) as Keras builds it, so that Keras' ImageNet weights mean here
// what they meant there: TF "SAME" padding (an even input to a stride-2 3x3 convolution is padded
// by one at the bottom and right only), BatchNorm with epsilon 1e-3, ReLU6, no activation after
// the projection, residual adds where the stride is 1 and the channel counts match.

#include <string>
#include <vector>

#include "models/binary_net.hpp"

namespace lockerctl::models {

/// Convolution without bias + BatchNorm (eps 1e-3) + optional ReLU6, padded like TF "SAME" for the
/// actual input size.
class ConvBnImpl : public torch::nn::Module {
 public:
  ConvBnImpl(int in, int out, int kernel, int stride, bool depthwise, bool relu6);
  torch::Tensor forward(torch::Tensor x);
  bool relu6() const { return relu6_; }

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};

 private:
  int kernel_;
  int stride_;
  bool relu6_;
};
TORCH_MODULE(ConvBn);

/// An inverted-residual block: optional 1x1 expand, 3x3 depthwise, 1x1 linear projection.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int in, int out, int stride, int expansion);
  torch::Tensor forward(torch::Tensor x);

  ConvBn expand{nullptr};  ///< absent (null) in block 0, whose expansion is 1
  ConvBn depthwise{nullptr};
  ConvBn project{nullptr};
  int stride;
  int expansion;
  bool residual;
};
TORCH_MODULE(InvertedResidual);

/// The feature extractor without the ImageNet top: stem, 17 blocks, 1x1 conv, global average pool.
class MobileNetV2BackboneImpl : public torch::nn::Module {
 public:
  explicit MobileNetV2BackboneImpl(double alpha);
  /// Pooled features [N, feature_dim()] from preprocessed NCHW input in [-1, 1].
  torch::Tensor forward(torch::Tensor x);
  /// The stem output (Conv1 + BN + ReLU6), for checking against a reference.
  torch::Tensor stem_output(torch::Tensor x);
  int feature_dim() const { return feature_dim_; }

  ConvBn stem{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  ConvBn top{nullptr};

 private:
  int feature_dim_;
};
TORCH_MODULE(MobileNetV2Backbone);

/// Layer 1: the backbone + dropout + one dense unit (the sigmoid is applied to the logit).
class MobileNetV2Impl : public BinaryNet {
 public:
  explicit MobileNetV2Impl(const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;
  std::vector<LayerRow> layers() override;
  const ModelSpec& spec() const override { return spec_; }

  /// Freezes the backbone (no gradients, BatchNorm in eval mode) except its top `trainable_blocks`
  /// inverted-residual blocks and the final 1x1 conv when `trainable_blocks` > 0.
  void freeze_backbone(int trainable_blocks = 0);
  /// Keeps frozen BatchNorm layers in eval mode whatever train() says.
  void train(bool on = true) override;

  MobileNetV2Backbone backbone{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear head{nullptr};

 private:
  ModelSpec spec_;
  std::vector<torch::nn::BatchNorm2d> frozen_bn_;
};
TORCH_MODULE(MobileNetV2);

/// TF "SAME" padding for one spatial dimension: (before, after) so that the output is
/// ceil(in / stride); the odd pixel goes after (bottom/right).
std::pair<int64_t, int64_t> same_padding(int64_t in, int kernel, int stride);

/// One row of the MobileNetV2 block table: expansion t, output channels c (before alpha), stride s.
struct BlockConfig {
  int expansion;
  int channels;
  int stride;
};
/// The 17 inverted-residual blocks of MobileNetV2, in order (block 0 first).
const std::vector<BlockConfig>& mobilenet_v2_blocks();

}  // namespace lockerctl::models
