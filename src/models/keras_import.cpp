#include "models/keras_import.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "h5/h5.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"

namespace lockerctl::models {
namespace {

// One Keras Conv2D/DepthwiseConv2D layer with its BatchNormalization, and the ConvBn that holds
// them here.
struct ConvBnLayer {
  std::string torch_prefix;
  std::string conv;
  std::string bn;
  bool depthwise;
};

std::vector<ConvBnLayer> keras_layers() {
  std::vector<ConvBnLayer> layers{{"backbone.stem", "Conv1", "bn_Conv1", false}};
  const std::size_t blocks = mobilenet_v2_blocks().size();
  for (std::size_t i = 0; i < blocks; ++i) {
    const std::string keras = i == 0 ? "expanded_conv" : fmt::format("block_{}", i);
    const std::string torch = fmt::format("backbone.blocks.{}", i);
    if (i > 0) layers.push_back({torch + ".expand", keras + "_expand", keras + "_expand_BN", false});
    layers.push_back(
        {torch + ".depthwise", keras + "_depthwise", keras + "_depthwise_BN", true});
    layers.push_back({torch + ".project", keras + "_project", keras + "_project_BN", false});
  }
  layers.push_back({"backbone.top", "Conv_1", "Conv_1_bn", false});
  return layers;
}

// torch tensor name -> Keras "layer/weight:0".
const std::map<std::string, std::string>& name_map() {
  static const std::map<std::string, std::string> map = [] {
    std::map<std::string, std::string> m;
    for (const auto& l : keras_layers()) {
      m[l.torch_prefix + ".conv.weight"] =
          l.conv + (l.depthwise ? "/depthwise_kernel:0" : "/kernel:0");
      m[l.torch_prefix + ".bn.weight"] = l.bn + "/gamma:0";
      m[l.torch_prefix + ".bn.bias"] = l.bn + "/beta:0";
      m[l.torch_prefix + ".bn.running_mean"] = l.bn + "/moving_mean:0";
      m[l.torch_prefix + ".bn.running_var"] = l.bn + "/moving_variance:0";
    }
    return m;
  }();
  return map;
}

std::string shape_text(const std::vector<hsize_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

// Keras shape of a tensor given its PyTorch shape.
std::vector<hsize_t> keras_shape(const std::string& keras, const torch::Tensor& t) {
  const auto s = t.sizes();
  if (keras.find("depthwise_kernel") != std::string::npos) {  // [C,1,kh,kw] <- [kh,kw,C,1]
    return {hsize_t(s[2]), hsize_t(s[3]), hsize_t(s[0]), hsize_t(s[1])};
  }
  if (keras.find("kernel") != std::string::npos) {  // [O,I,kh,kw] <- [kh,kw,I,O]
    return {hsize_t(s[2]), hsize_t(s[3]), hsize_t(s[1]), hsize_t(s[0])};
  }
  return {s.begin(), s.end()};
}

torch::Tensor to_torch_layout(const std::string& keras, const h5::Array<float>& a) {
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  torch::Tensor t =
      torch::from_blob(const_cast<float*>(a.values.data()), shape, torch::kFloat).clone();
  if (keras.find("depthwise_kernel") != std::string::npos) return t.permute({2, 3, 0, 1});
  if (keras.find("kernel") != std::string::npos) return t.permute({3, 2, 0, 1});
  return t;
}

// Where the Keras weights live: the root of a save_weights file, or /model_weights of a
// model.save file.
std::string weights_root(const h5::File& f) {
  if (f.has_attribute("/", "layer_names")) return "/";
  if (f.has_attribute("/model_weights", "layer_names")) return "/model_weights/";
  throw ModelError(f.path().string() +
                   ": not a Keras weights file (no 'layer_names' attribute at the root or in "
                   "/model_weights)");
}

// Every tensor of the file by "layer/weight:0", with the dataset path it was read from.
std::map<std::string, std::string> list_keras_tensors(const h5::File& f, const std::string& root) {
  std::map<std::string, std::string> tensors;
  for (const auto& layer : f.read_string_list_attribute(root, "layer_names")) {
    const std::string group = root + layer;
    if (!f.exists(group)) {
      throw ModelError(f.path().string() + ": layer '" + layer +
                       "' is listed in layer_names but has no group");
    }
    for (const auto& weight : f.read_string_list_attribute(group, "weight_names")) {
      // Keras stores "Conv1/kernel:0" (the layer name may carry a suffix such as "_1"); the part
      // after the last '/' is the weight's own name.
      const std::string base = weight.substr(weight.rfind('/') + 1);
      tensors[layer + "/" + base] = group + "/" + weight;
    }
  }
  return tensors;
}

double infer_alpha(const h5::File& f, const std::map<std::string, std::string>& tensors) {
  const auto it = tensors.find("block_16_project/kernel:0");
  if (it == tensors.end()) {
    throw ModelError(f.path().string() +
                     ": cannot tell the width multiplier: tensor block_16_project/kernel:0 is "
                     "missing (give --alpha)");
  }
  const auto shape = f.shape(it->second);
  for (const double alpha : {0.35, 0.5, 0.75, 1.0, 1.3, 1.4}) {
    if (shape.size() == 4 && shape[3] == hsize_t(make_divisible(320 * alpha))) return alpha;
  }
  throw ModelError(f.path().string() + ": block_16_project/kernel:0 has shape " +
                   shape_text(shape) + ", which matches no MobileNetV2 width multiplier");
}

}  // namespace

std::string keras_name_for(const std::string& torch_name) {
  const auto& map = name_map();
  const auto it = map.find(torch_name);
  return it == map.end() ? std::string() : it->second;
}

KerasImport import_keras_mobilenet_v2(const std::filesystem::path& file,
                                      const KerasImportOptions& options) {
  return errors_as<ModelError>([&] {
    h5::File f = h5::File::open_read(file);
    const std::string root = weights_root(f);
    const auto tensors = list_keras_tensors(f, root);

    KerasImport result;
    result.alpha = options.alpha ? *options.alpha : infer_alpha(f, tensors);
    ModelSpec spec{Architecture::MobileNetV2, result.alpha, options.input_size, 0.0};
    result.model = std::make_shared<MobileNetV2Impl>(spec);

    std::vector<std::string> problems;
    std::set<std::string> used;
    torch::NoGradGuard no_grad;
    auto state = result.model->named_parameters();
    for (const auto& b : result.model->named_buffers()) state.insert(b.key(), b.value());
    for (auto& entry : state) {
      const std::string keras = keras_name_for(entry.key());
      if (keras.empty()) continue;  // the head and num_batches_tracked are not Keras weights
      const auto it = tensors.find(keras);
      if (it == tensors.end()) {
        problems.push_back("missing tensor " + keras);
        continue;
      }
      used.insert(keras);
      const auto found = f.shape(it->second);
      const auto wanted = keras_shape(keras, entry.value());
      if (found != wanted) {
        problems.push_back(fmt::format("{} has shape {}, expected {}", keras, shape_text(found),
                                       shape_text(wanted)));
        continue;
      }
      entry.value().copy_(to_torch_layout(keras, f.read<float>(it->second)));
      ++result.tensors;
    }
    for (const auto& [keras, path] : tensors) {
      if (!used.count(keras)) problems.push_back("unexpected tensor " + keras);
    }
    if (!problems.empty()) {
      throw ModelError(fmt::format("{}: does not fit MobileNetV2 alpha {}: {}", file.string(),
                                   result.alpha, fmt::join(problems, "; ")));
    }
    result.model->eval();
    return result;
  });
}

}  // namespace lockerctl::models

namespace lockerctl::models {

KerasImport import_keras_weights(const std::filesystem::path& file,
                                 const std::filesystem::path& out,
                                 const KerasImportOptions& options) {
  KerasImport imported = import_keras_mobilenet_v2(file, options);
  ModelMeta meta;
  meta.preprocessing = Preprocessing::for_architecture(Architecture::MobileNetV2);
  meta.source = fmt::format("keras:{} ({} tensors, alpha {}; head untrained)",
                            file.filename().string(), imported.tensors, imported.alpha);
  save_model(out, *imported.model, meta);
  return imported;
}

}  // namespace lockerctl::models
