#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "models/spec.hpp"

namespace lockerctl::models {

/// A binary image classifier: NCHW float input, preprocessed as its ModelMeta says; one logit per
/// image out. The probability is sigmoid(logit); training uses the logit for numerical stability.
class BinaryNet : public torch::nn::Module {
 public:
  /// Logits, shape [N, 1].
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  /// The layer table for a batch of one image of the spec's input size.
  virtual std::vector<LayerRow> layers() = 0;
  virtual const ModelSpec& spec() const = 0;
};

/// Builds an untrained network of the given spec (validated). Throws ModelError.
std::shared_ptr<BinaryNet> build(const ModelSpec& spec);

/// Number of elements in `module`'s parameters plus its BatchNorm running statistics, the way
/// Keras counts a model (num_batches_tracked is not a weight and is left out).
int64_t count_weights(const torch::nn::Module& module);
/// Number of elements in `module`'s trainable parameters.
int64_t count_trainable(const torch::nn::Module& module);

/// A layer-table row for `output`, counting the weights of `module` (none when null).
LayerRow layer_row(std::string name, std::string kind, const torch::Tensor& output,
                   const torch::nn::Module* module);

}  // namespace lockerctl::models
