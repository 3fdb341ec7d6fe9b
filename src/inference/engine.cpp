#include "inference/engine.hpp"

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <opencv2/dnn.hpp>

#include "core/errors.hpp"
#include "data/image.hpp"
#include "export/onnx_export.hpp"
#include "h5/h5.hpp"
#include "inference/opencv_net.hpp"
#include "models/binary_net.hpp"
#include "models/model_file.hpp"

namespace lockerctl::inference {
namespace fs = std::filesystem;

std::optional<Backend> parse_backend(const std::string& name) {
  if (name == "torch") return Backend::Torch;
  if (name == "opencv") return Backend::OpenCv;
  return std::nullopt;
}

cv::dnn::Net read_onnx_net(const std::string& bytes, const std::string& what) {
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  } catch (const cv::Exception& e) {
    throw ModelError(what + ": OpenCV DNN cannot read this ONNX model: " + e.msg);
  }
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

namespace {

EngineInfo info_from(const models::ModelMeta& m) {
  return {m.spec.architecture, m.spec.input_size, m.preprocessing.scale, m.preprocessing.offset,
          m.positive_class, m.negative_class, m.threshold, m.input};
}

void check_architecture(const fs::path& model, const EngineInfo& info,
                        std::optional<models::Architecture> expected) {
  if (expected && *expected != info.architecture) {
    throw ModelError(model.string() + ": is a " + models::architecture_name(info.architecture) +
                     " model, expected " + models::architecture_name(*expected));
  }
}

class TorchEngine : public InferenceEngine {
 public:
  explicit TorchEngine(models::LoadedModel loaded) : net_(std::move(loaded.net)) {
    info_ = info_from(loaded.meta);
    net_->eval();
  }
  float probability(const cv::Mat& rgb) override {
    const cv::Mat img = data::resize_square(rgb, info_.input_size);
    torch::InferenceMode guard;
    const auto x = torch::from_blob(img.data, {1, info_.input_size, info_.input_size, 3}, torch::kUInt8)
                       .permute({0, 3, 1, 2})
                       .to(torch::kFloat)
                       .mul(info_.scale)
                       .add(info_.offset)
                       .contiguous();
    return torch::sigmoid(net_->forward(x)).item<float>();
  }

 private:
  std::shared_ptr<models::BinaryNet> net_;
};

class OpenCvEngine : public InferenceEngine {
 public:
  OpenCvEngine(const std::string& onnx_bytes, EngineInfo info, const fs::path& source)
      : net_(read_onnx_net(onnx_bytes, source.string())) {
    info_ = std::move(info);
  }
  float probability(const cv::Mat& rgb) override {
    const cv::Mat img = data::resize_square(rgb, info_.input_size);
    // blobFromImage computes (pixel - mean) * scale; pixel * scale + offset needs mean = -offset / scale.
    const double mean = -info_.offset / info_.scale;
    net_.setInput(cv::dnn::blobFromImage(img, info_.scale, cv::Size(), cv::Scalar(mean, mean, mean),
                                         false, false, CV_32F));
    return net_.forward().at<float>(0);
  }

 private:
  cv::dnn::Net net_;
};

// Reads an .onnx file written by `lockerctl export`, with its metadata.
std::pair<std::string, EngineInfo> read_onnx(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ModelError(file.string() + ": no such file");
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes) || !model.has_graph()) {
    throw ModelError(file.string() + ": not a readable ONNX model (corrupt or truncated)");
  }
  std::map<std::string, std::string> meta;
  for (const auto& p : model.metadata_props()) meta[p.key()] = p.value();
  for (const char* key : {"architecture", "input_shape", "preprocess_scale", "preprocess_offset", "threshold"}) {
    if (!meta.count(key)) {
      throw ModelError(file.string() + ": ONNX model lacks the '" + key +
                       "' metadata lockerctl export writes; export it with lockerctl");
    }
  }
  EngineInfo info;
  const auto arch = models::parse_architecture(meta["architecture"]);
  if (!arch) throw ModelError(file.string() + ": unknown architecture '" + meta["architecture"] + "'");
  info.architecture = *arch;
  info.input_size = std::stoi(meta["input_shape"].substr(meta["input_shape"].rfind(',') + 1));
  info.scale = std::stod(meta["preprocess_scale"]);
  info.offset = std::stod(meta["preprocess_offset"]);
  info.threshold = std::stod(meta["threshold"]);
  info.positive_class = meta["positive_class"];
  info.negative_class = meta["negative_class"];
  if (meta.count("input")) info.input = meta["input"];
  return {std::move(bytes), info};
}

}  // namespace

std::unique_ptr<InferenceEngine> open_engine(const fs::path& model, Backend backend,
                                             std::optional<models::Architecture> expected) {
  const bool is_onnx = model.extension() == ".onnx";
  std::unique_ptr<InferenceEngine> engine;
  if (backend == Backend::Torch) {
    if (is_onnx) {
      throw ModelError(model.string() + ": the torch backend reads .h5 model files; use --backend opencv for ONNX");
    }
    engine = std::make_unique<TorchEngine>(models::load_model(model));
  } else if (is_onnx) {
    auto [bytes, info] = read_onnx(model);
    engine = std::make_unique<OpenCvEngine>(bytes, info, model);
  } else {
    const exporter::OnnxExport exported = exporter::export_onnx(model);
    engine = std::make_unique<OpenCvEngine>(exported.bytes, info_from(models::read_model_meta(model)), model);
  }
  check_architecture(model, engine->info(), expected);
  return engine;
}

}  // namespace lockerctl::inference
