#pragma once

// Layer 2, the owner check, exactly as the paper describes it: three 3x3 stride-1 ReLU
// convolutions (16, 32, 16 filters; 'valid' padding, the Keras default), each followed by a 2x2
// max-pool; flatten; dense 256 ReLU; dense 1 (sigmoid on the logit). Input RGB in [0, 1].

#include "models/binary_net.hpp"

namespace lockerctl::models {

class OwnerCnnImpl : public BinaryNet {
 public:
  explicit OwnerCnnImpl(const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;
  std::vector<LayerRow> layers() override;
  const ModelSpec& spec() const override { return spec_; }

  /// Side of the last feature map for an input of `input_size` pixels.
  static int feature_side(int input_size);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::Linear dense1{nullptr}, dense2{nullptr};

 private:
  ModelSpec spec_;
};
TORCH_MODULE(OwnerCnn);

}  // namespace lockerctl::models
