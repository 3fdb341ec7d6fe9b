#include "models/binary_net.hpp"

#include "models/mobilenet_v2.hpp"
#include "models/owner_cnn.hpp"

namespace lockerctl::models {

std::shared_ptr<BinaryNet> build(const ModelSpec& spec) {
  spec.validate();
  if (spec.architecture == Architecture::MobileNetV2) return std::make_shared<MobileNetV2Impl>(spec);
  return std::make_shared<OwnerCnnImpl>(spec);
}

int64_t count_weights(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  for (const auto& b : module.named_buffers()) {
    if (b.key().find("num_batches_tracked") == std::string::npos) n += b.value().numel();
  }
  return n;
}

int64_t count_trainable(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

LayerRow layer_row(std::string name, std::string kind, const torch::Tensor& output,
                   const torch::nn::Module* module) {
  return {std::move(name), std::move(kind), output.sizes().vec(),
          module ? count_weights(*module) : 0, module ? count_trainable(*module) : 0};
}

}  // namespace lockerctl::models
