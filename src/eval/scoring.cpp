#include "eval/scoring.hpp"

#include <torch/torch.h>

#include "data/batches.hpp"
#include "models/binary_net.hpp"

namespace lockerctl::eval {

Scores score_split(models::BinaryNet& net, data::BatchReader& reader, const std::string& device) {
  const torch::Device dev = device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  torch::NoGradGuard no_grad;
  const bool was_training = net.is_training();
  net.eval();
  Scores out;
  out.scores.assign(reader.images(), 0.0f);
  out.labels.assign(reader.images(), 0.0f);
  double loss_sum = 0;
  std::size_t n = 0;
  reader.start_epoch(0);
  while (auto b = reader.next()) {
    const auto x = torch::from_blob(b->images.data(), {b->count, 3, b->size, b->size}).to(dev);
    const auto y = torch::from_blob(b->labels.data(), {b->count}).to(dev);
    const auto logits = net.forward(x).squeeze(1);
    loss_sum += torch::binary_cross_entropy_with_logits(logits, y, {}, {}, at::Reduction::Sum).item<double>();
    const auto p = torch::sigmoid(logits).to(torch::kCPU).contiguous();
    const float* prob = p.data_ptr<float>();
    for (int i = 0; i < b->count; ++i) {
      out.scores[b->rows[i]] = prob[i];
      out.labels[b->rows[i]] = b->labels[i];
    }
    n += b->count;
  }
  out.loss = n ? loss_sum / n : 0.0;
  net.train(was_training);
  return out;
}

}  // namespace lockerctl::eval
