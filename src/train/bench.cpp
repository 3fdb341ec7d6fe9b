#include "train/bench.hpp"

#include <torch/torch.h>

#include <fmt/format.h>

#include <chrono>

#include "core/errors.hpp"
#include "inference/backbone_features.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/owner_cnn.hpp"

namespace lockerctl::train {
namespace {

// Images per second of `step` over `batches` timed calls after one warm-up call.
template <class Step>
double rate(int batch_size, int batches, bool cuda, Step step) {
  step();
  if (cuda) torch::cuda::synchronize();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < batches; ++i) step();
  if (cuda) torch::cuda::synchronize();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return batch_size * batches / secs;
}

}  // namespace

std::vector<BenchRow> bench_training(const BenchOptions& o) {
  std::vector<BenchRow> rows;
  torch::manual_seed(1);
  for (const std::string& name : o.devices) {
    const bool cuda = name == "cuda";
    if (cuda && !torch::cuda::is_available()) throw DeviceError("bench: CUDA is not usable here");
    const torch::Device device = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    const auto bce = [](const torch::Tensor& logits, const torch::Tensor& y) {
      return torch::binary_cross_entropy_with_logits(logits.squeeze(1), y);
    };
    const auto x = torch::randn({o.batch_size, 3, o.human_size, o.human_size}, device);
    const auto y = torch::randint(0, 2, {o.batch_size}, device).to(torch::kFloat);

    models::MobileNetV2 net(models::ModelSpec{models::Architecture::MobileNetV2, 1.0, o.human_size, 0.0});
    net->to(device);
    net->freeze_backbone();
    net->train();
    {
      torch::NoGradGuard no_grad;
      net->eval();
      rows.push_back({name, fmt::format("backbone forward, batch {}", o.batch_size),
                      rate(o.batch_size, o.batches, cuda, [&] { net->backbone->forward(x); })});
      if (!cuda) {  // the feature cache fill on a CPU: image by image, LibTorch against OpenCV DNN
        const auto one = x.slice(0, 0, 1).contiguous();
        const int images = o.batch_size * o.batches;
        rows.push_back({name, "backbone forward, batch 1, LibTorch",
                        rate(1, images, cuda, [&] { net->backbone->forward(one); })});
        inference::BackboneFeatures opencv(*net->backbone, o.human_size);
        std::vector<float> out(static_cast<std::size_t>(o.batch_size) * opencv.feature_dim());
        rows.push_back({name, "backbone forward, batch 1, OpenCV DNN (feature cache fill)",
                        rate(1, images, cuda, [&] { opencv.run(one.data_ptr<float>(), 1, out.data()); })});
        rows.push_back({name, fmt::format("backbone forward, batch {}, OpenCV DNN", o.batch_size),
                        rate(o.batch_size, o.batches, cuda, [&] { opencv.run(x.data_ptr<float>(), o.batch_size, out.data()); })});
      }
      net->train();
    }
    torch::optim::Adam head_opt(net->head->parameters(), torch::optim::AdamOptions(1e-3));
    const auto features = torch::randn({o.batch_size, net->backbone->feature_dim()}, device);
    rows.push_back({name, "frozen backbone, head on cached features",
                    rate(o.batch_size, std::max(o.batches, 50), cuda, [&] {
                      head_opt.zero_grad();
                      bce(net->head->forward(features), y).backward();
                      head_opt.step();
                    })});
    rows.push_back({name, "frozen backbone, no feature cache",
                    rate(o.batch_size, o.batches, cuda, [&] {
                      head_opt.zero_grad();
                      bce(net->forward(x), y).backward();
                      head_opt.step();
                    })});
    net->freeze_backbone(17);  // every block, the last conv and the head learn
    net->train();
    std::vector<torch::Tensor> all;
    for (auto& p : net->parameters()) {
      p.set_requires_grad(true);
      all.push_back(p);
    }
    torch::optim::Adam full_opt(all, torch::optim::AdamOptions(1e-5));
    rows.push_back({name, "full fine-tuning (all layers)",
                    rate(o.batch_size, o.batches, cuda, [&] {
                      full_opt.zero_grad();
                      bce(net->forward(x), y).backward();
                      full_opt.step();
                    })});

    models::OwnerCnn owner(models::ModelSpec{models::Architecture::OwnerCnn, 1.0, o.owner_size, 0.0});
    owner->to(device);
    owner->train();
    torch::optim::Adam owner_opt(owner->parameters(), torch::optim::AdamOptions(1e-3));
    const auto xo = torch::rand({o.batch_size, 3, o.owner_size, o.owner_size}, device);
    rows.push_back({name, "owner CNN training",
                    rate(o.batch_size, o.batches, cuda, [&] {
                      owner_opt.zero_grad();
                      bce(owner->forward(xo), y).backward();
                      owner_opt.step();
                    })});
  }
  return rows;
}

}  // namespace lockerctl::train
