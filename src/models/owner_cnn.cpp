#include "models/owner_cnn.hpp"

#include <fmt/format.h>

namespace lockerctl::models {
namespace F = torch::nn::functional;

int OwnerCnnImpl::feature_side(int input_size) {
  int side = input_size;
  for (int i = 0; i < 3; ++i) side = (side - 2) / 2;  // valid 3x3 conv, then 2x2 pool
  return side;
}

OwnerCnnImpl::OwnerCnnImpl(const ModelSpec& spec) : spec_(spec) {
  spec_.validate();
  using torch::nn::Conv2dOptions;
  conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(3, 16, 3)));
  conv2 = register_module("conv2", torch::nn::Conv2d(Conv2dOptions(16, 32, 3)));
  conv3 = register_module("conv3", torch::nn::Conv2d(Conv2dOptions(32, 16, 3)));
  const int side = feature_side(spec.input_size);
  dense1 = register_module("dense1", torch::nn::Linear(16 * side * side, 256));
  dense2 = register_module("dense2", torch::nn::Linear(256, 1));
}

torch::Tensor OwnerCnnImpl::forward(torch::Tensor x) {
  x = F::max_pool2d(torch::relu(conv1->forward(x)), F::MaxPool2dFuncOptions(2));
  x = F::max_pool2d(torch::relu(conv2->forward(x)), F::MaxPool2dFuncOptions(2));
  x = F::max_pool2d(torch::relu(conv3->forward(x)), F::MaxPool2dFuncOptions(2));
  x = torch::relu(dense1->forward(x.flatten(1)));
  return dense2->forward(x);
}

std::vector<LayerRow> OwnerCnnImpl::layers() {
  torch::NoGradGuard no_grad;
  std::vector<LayerRow> rows;
  const auto add = [&rows](std::string name, std::string kind, const torch::Tensor& out,
                           const torch::nn::Module* m) {
    rows.push_back(layer_row(std::move(name), std::move(kind), out, m));
  };
  torch::Tensor x = torch::zeros({1, 3, spec_.input_size, spec_.input_size});
  add("input", "RGB in [0, 1]", x, nullptr);
  const std::pair<const char*, torch::nn::Conv2d*> convs[] = {
      {"conv1", &conv1}, {"conv2", &conv2}, {"conv3", &conv3}};
  int n = 1;
  for (const auto& [name, conv] : convs) {
    x = torch::relu((*conv)->forward(x));
    add(name, fmt::format("Conv2d 3x3/1 {} + ReLU", (*conv)->options.out_channels()), x,
        conv->get());
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
    add(fmt::format("pool{}", n++), "MaxPool 2x2", x, nullptr);
  }
  x = x.flatten(1);
  add("flatten", "Flatten", x, nullptr);
  x = torch::relu(dense1->forward(x));
  add("dense1", "Dense 256 + ReLU", x, dense1.get());
  x = dense2->forward(x);
  add("dense2", "Dense 1 (sigmoid on the logit)", x, dense2.get());
  return rows;
}

}  // namespace lockerctl::models
