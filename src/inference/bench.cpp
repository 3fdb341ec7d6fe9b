#include "inference/bench.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <opencv2/dnn.hpp>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/memory.hpp"
#include "export/onnx_export.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"

namespace lockerctl::inference {
namespace {

template <class Fn>
LatencyRow time_it(const std::string& model, const std::string& backend, int frames, Fn fn) {
  const Latency l = time_calls(frames, fn);
  return {model, backend, l.median_ms, l.p95_ms, peak_rss_mb()};
}

}  // namespace

std::vector<LatencyRow> bench_inference(const std::vector<std::filesystem::path>& given, int frames) {
  std::vector<std::filesystem::path> files = given;
  std::filesystem::path temp;
  if (files.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "lockerctl-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw IoError("cannot create a temporary folder for bench models");
    temp = pattern;
    for (const auto& spec : {models::ModelSpec{models::Architecture::MobileNetV2, 1.0, 224, 0.0},
                             models::ModelSpec{models::Architecture::OwnerCnn, 1.0, 224, 0.0}}) {
      const auto path = temp / (models::architecture_name(spec.architecture) + ".h5");
      models::save_model(path, *models::build(spec), models::ModelMeta{});
      files.push_back(path);
    }
  }
  std::vector<LatencyRow> rows;
  for (const auto& file : files) {
    const models::LoadedModel m = models::load_model(file);
    const int s = m.meta.spec.input_size;
    const std::string name =
        m.meta.spec.architecture == models::Architecture::MobileNetV2
            ? fmt::format("mobilenet_v2 {} {}x{} + head", m.meta.spec.alpha, s, s)
            : fmt::format("owner_cnn {}x{}", s, s);
    m.net->eval();
    const torch::Tensor x = torch::rand({1, 3, s, s});
    {
      torch::InferenceMode guard;
      rows.push_back(time_it(name, "torch eager, NCHW", frames, [&] { torch::sigmoid(m.net->forward(x)); }));
      // Channels-last weights and input let oneDNN pick its NHWC convolution kernels.
      for (auto& p : m.net->parameters()) {
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
      }
      const torch::Tensor xl = x.contiguous(torch::MemoryFormat::ChannelsLast);
      rows.push_back(time_it(name, "torch eager, channels-last", frames, [&] { torch::sigmoid(m.net->forward(xl)); }));
    }
    const exporter::OnnxExport onnx = exporter::export_onnx(file);
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.bytes.data(), onnx.bytes.size());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    const cv::Mat blob(std::vector<int>{1, 3, s, s}, CV_32F, x.data_ptr<float>());
    rows.push_back(time_it(name, "opencv dnn (ONNX, BN folded)", frames, [&] {
      net.setInput(blob);
      net.forward();
    }));
  }
  if (!temp.empty()) std::filesystem::remove_all(temp);
  return rows;
}

}  // namespace lockerctl::inference
