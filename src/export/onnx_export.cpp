#include "export/onnx_export.hpp"

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <fstream>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/version.hpp"
#include "models/face_recognition_net.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"
#include "models/owner_cnn.hpp"

namespace lockerctl::exporter {
namespace {

// Appends nodes and initializers to an ONNX graph, naming every value uniquely.
class Graph {
 public:
  explicit Graph(onnx::GraphProto* g) : g_(g) {}

  std::string constant(const std::string& name, const torch::Tensor& value) {
    const torch::Tensor t = value.detach().to(torch::kCPU, torch::kFloat).contiguous();
    onnx::TensorProto* init = g_->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (const auto d : t.sizes()) init->add_dims(d);
    init->set_raw_data(std::string(static_cast<const char*>(t.data_ptr()), t.nbytes()));
    return name;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        std::string* output) {
    onnx::NodeProto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(fmt::format("{}_{}", op, count_));
    for (const auto& i : inputs) n->add_input(i);
    *output = fmt::format("t{}", count_++);
    n->add_output(*output);
    return n;
  }

  static void ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const auto x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto* n, const char* name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }

  int count() const { return count_; }

 private:
  onnx::GraphProto* g_;
  int count_ = 0;
};

// A convolution; `pads` are ONNX order [top, left, bottom, right].
std::string conv(Graph& g, const std::string& x, const std::string& name, const torch::Tensor& w,
                 const torch::Tensor& b, int64_t stride, int64_t groups, const std::vector<int64_t>& pads) {
  std::string y;
  auto* n = g.node("Conv", {x, g.constant(name + ".weight", w), g.constant(name + ".bias", b)}, &y);
  Graph::ints(n, "kernel_shape", {w.size(2), w.size(3)});
  Graph::ints(n, "strides", {stride, stride});
  Graph::ints(n, "pads", pads);
  Graph::integer(n, "group", groups);
  return y;
}

// Conv + BatchNorm (folded) + optional ReLU6 (Clip). `side` is the input side, updated.
std::string conv_bn(Graph& g, const std::string& x, const std::string& name, models::ConvBnImpl& m,
                    int64_t& side) {
  const auto& opt = m.conv->options;
  const int64_t k = (*opt.kernel_size())[0], s = (*opt.stride())[0];
  std::vector<int64_t> pads{0, 0, 0, 0};
  if (k > 1) {
    const auto [before, after] = models::same_padding(side, static_cast<int>(k), static_cast<int>(s));
    pads = {before, before, after, after};
  }
  side = (side + s - 1) / s;
  const auto& bn = m.bn;
  const torch::Tensor scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
  const torch::Tensor w = m.conv->weight * scale.view({-1, 1, 1, 1});
  const torch::Tensor b = bn->bias - bn->running_mean * scale;
  std::string y = conv(g, x, name, w, b, s, opt.groups(), pads);
  if (m.relu6()) {
    std::string clipped;
    auto* n = g.node("Clip", {y}, &clipped);
    Graph::real(n, "min", 0.0f);
    Graph::real(n, "max", 6.0f);
    y = clipped;
  }
  return y;
}

std::string dense(Graph& g, const std::string& x, const std::string& name, torch::nn::LinearImpl& l) {
  std::string y;
  auto* n = g.node("Gemm", {x, g.constant(name + ".weight", l.weight), g.constant(name + ".bias", l.bias)}, &y);
  Graph::integer(n, "transB", 1);
  return y;
}

std::string unary(Graph& g, const char* op, const std::string& x) {
  std::string y;
  g.node(op, {x}, &y);
  return y;
}

std::string binary(Graph& g, const char* op, const std::string& a, const std::string& b) {
  std::string y;
  g.node(op, {a, b}, &y);
  return y;
}

// Zero padding; `pads` are ONNX order [begin of each axis..., end of each axis...].
std::string zero_pad(Graph& g, const std::string& x, const std::vector<int64_t>& pads) {
  std::string y;
  Graph::ints(g.node("Pad", {x}, &y), "pads", pads);
  return y;
}

std::string pool(Graph& g, const char* op, const std::string& x, int64_t k, int64_t s) {
  std::string y;
  auto* n = g.node(op, {x}, &y);
  Graph::ints(n, "kernel_shape", {k, k});
  Graph::ints(n, "strides", {s, s});
  return y;
}

// The pooled features [N, feature_dim].
std::string backbone_graph(Graph& g, models::MobileNetV2BackboneImpl& m, const std::string& x, int64_t side) {
  std::string y = conv_bn(g, x, "stem", *m.stem, side);
  for (std::size_t i = 0; i < m.blocks->size(); ++i) {
    auto block = m.blocks[i]->as<models::InvertedResidual>();
    const std::string in = y, prefix = fmt::format("block{}", i);
    if (block->expand) y = conv_bn(g, y, prefix + ".expand", *block->expand, side);
    y = conv_bn(g, y, prefix + ".depthwise", *block->depthwise, side);
    y = conv_bn(g, y, prefix + ".project", *block->project, side);
    if (block->residual) y = binary(g, "Add", in, y);
  }
  y = conv_bn(g, y, "top", *m.top, side);
  y = unary(g, "GlobalAveragePool", y);
  return unary(g, "Flatten", y);
}

std::string owner_graph(Graph& g, models::OwnerCnnImpl& m, const std::string& x) {
  std::string y = x;
  int i = 1;
  for (auto* c : {&m.conv1, &m.conv2, &m.conv3}) {
    y = conv(g, y, fmt::format("conv{}", i++), (*c)->weight, (*c)->bias, 1, 1, {0, 0, 0, 0});
    y = pool(g, "MaxPool", unary(g, "Relu", y), 2, 2);
  }
  y = unary(g, "Flatten", y);
  y = unary(g, "Relu", dense(g, y, "dense1", *m.dense1));
  return dense(g, y, "dense2", *m.dense2);
}

// The side of a 'valid' convolution or pool's output.
int64_t valid_side(int64_t side, int64_t k, int64_t s) { return (side - k) / s + 1; }

// One residual block of face-api's network (models::FaceRecognitionNetImpl::block); `side` is
// the input side, updated.
std::string face_block(Graph& g, const std::string& x, const std::string& name,
                       models::FaceRecognitionNetImpl::Block& b, int64_t& side) {
  const auto conv_of = [&](torch::nn::Conv2d& c, const std::string& input, const std::string& suffix) {
    const int64_t s = (*c->options.stride())[0];
    const int64_t p = (**c10::get_if<torch::ExpandingArray<2>>(&c->options.padding()))[0];
    return conv(g, input, name + suffix, c->weight, c->bias, s, 1, {p, p, p, p});
  };
  std::string y = conv_of(b.conv2, unary(g, "Relu", conv_of(b.conv1, x, ".conv1")), ".conv2");
  if (!b.down) return unary(g, "Relu", binary(g, "Add", y, x));
  const int64_t out_side = valid_side(side, 3, 2), pooled_side = side / 2;
  if (pooled_side > out_side) {
    const int64_t grow = pooled_side - out_side;
    y = zero_pad(g, y, {0, 0, 0, 0, 0, 0, grow, grow});
  }
  std::string shortcut = pool(g, "AveragePool", x, 2, 2);
  const int64_t more_channels = b.conv2->options.out_channels() - b.conv1->options.in_channels();
  if (more_channels > 0) shortcut = zero_pad(g, shortcut, {0, 0, 0, 0, 0, more_channels, 0, 0});
  side = pooled_side;
  return unary(g, "Relu", binary(g, "Add", shortcut, y));
}

std::string face_recognition_graph(Graph& g, models::FaceRecognitionNetImpl& m, const std::string& x) {
  using Net = models::FaceRecognitionNetImpl;
  // (x - mean) / 255 folded into the stem: its padding is 'valid', so every tap sees a pixel.
  const torch::Tensor mean = torch::tensor({Net::kMean[0], Net::kMean[1], Net::kMean[2]}).view({1, 3, 1, 1});
  const torch::Tensor w = m.stem()->weight / 255.0f;
  const torch::Tensor b = m.stem()->bias - (w * mean).sum({1, 2, 3});
  std::string y = unary(g, "Relu", conv(g, x, "conv32_down", w, b, 2, 1, {0, 0, 0, 0}));
  y = pool(g, "MaxPool", y, 3, 2);
  int64_t side = valid_side(valid_side(Net::kInputSize, 7, 2), 3, 2);
  int i = 0;
  for (auto& block : m.blocks()) y = face_block(g, y, fmt::format("block{}", i++), block, side);
  y = unary(g, "Flatten", unary(g, "GlobalAveragePool", y));
  std::string descriptor;
  auto* fc = g.node("Gemm", {y, g.constant("fc", m.fc().t()), g.constant("fc.bias", torch::zeros({Net::kDescriptorSize}))}, &descriptor);
  Graph::integer(fc, "transB", 1);  // the form OpenCV 4.6 reads, as dense() writes it
  return descriptor;
}

// A tensor's name and shape; a dimension of 0 is the batch, of any size.
void value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (const auto d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (d > 0) {
      dim->set_dim_value(d);
    } else {
      dim->set_dim_param("batch");
    }
  }
}

// An empty opset-10 model whose graph is called `name`.
onnx::ModelProto new_model(const std::string& name) {
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION_2019_3_18);  // IR 5 pairs with opset 10
  model.set_producer_name("lockerctl");
  model.set_producer_version(kVersion);
  model.set_model_version(1);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  model.mutable_graph()->set_name(name);
  return model;
}

// Names the last node's output `out.output` (of shape `dims`), checks `model` and serialises it
// into `out`; `what` names it in errors.
void finish(onnx::ModelProto& model, const std::vector<int64_t>& dims, const std::string& what, OnnxExport& out) {
  onnx::GraphProto* graph = model.mutable_graph();
  graph->mutable_node(graph->node_size() - 1)->set_output(0, out.output);
  value_info(graph->add_output(), out.output, dims);
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw ModelError(what + ": the exported ONNX graph fails the checker: " + e.what());
  }
  out.nodes = model.graph().node_size();
  if (!model.SerializeToString(&out.bytes)) throw ModelError(what + ": cannot serialise ONNX");
}

void metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* p = model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

// A network without metadata for any batch: input "input" [N, 3, side, side], output `output`
// [N, width], its graph built by `build(graph, input)`; `what` names it in errors.
template <class Build>
OnnxExport export_batch_net(const std::string& name, int64_t side, const std::string& output, int64_t width,
                            const std::string& what, Build build) {
  torch::NoGradGuard no_grad;
  onnx::ModelProto model = new_model(name);
  onnx::GraphProto* graph = model.mutable_graph();
  Graph g(graph);
  OnnxExport out;
  out.input = "input";
  out.output = output;
  value_info(graph->add_input(), out.input, {0, 3, side, side});
  build(g, out.input);
  finish(model, {0, width}, what, out);
  return out;
}

}  // namespace

OnnxExport export_onnx(const std::filesystem::path& model_file) {
  const models::LoadedModel loaded = models::load_model(model_file);
  const models::ModelMeta& meta = loaded.meta;
  const int64_t size = meta.spec.input_size;
  torch::NoGradGuard no_grad;
  loaded.net->eval();

  onnx::ModelProto model = new_model(models::architecture_name(meta.spec.architecture));
  onnx::GraphProto* graph = model.mutable_graph();
  Graph g(graph);

  OnnxExport out;
  out.input = "input";
  out.output = "probability";
  value_info(graph->add_input(), out.input, {1, 3, size, size});
  std::string logit;
  if (auto mnv2 = std::dynamic_pointer_cast<models::MobileNetV2Impl>(loaded.net)) {
    logit = dense(g, backbone_graph(g, *mnv2->backbone, out.input, size), "head", *mnv2->head);
  } else if (auto owner = std::dynamic_pointer_cast<models::OwnerCnnImpl>(loaded.net)) {
    logit = owner_graph(g, *owner, out.input);
  } else {
    throw ModelError(model_file.string() + ": no ONNX export for this architecture");
  }
  std::string prob;
  g.node("Sigmoid", {logit}, &prob);

  metadata(model, "architecture", models::architecture_name(meta.spec.architecture));
  metadata(model, "input_name", out.input);
  metadata(model, "input_shape", fmt::format("1,3,{},{}", size, size));
  metadata(model, "input_layout", "NCHW");
  metadata(model, "channel_order", meta.preprocessing.channel_order);
  metadata(model, "preprocess_scale", fmt::format("{:.17g}", meta.preprocessing.scale));
  metadata(model, "preprocess_offset", fmt::format("{:.17g}", meta.preprocessing.offset));
  metadata(model, "output_name", out.output);
  metadata(model, "positive_class", meta.positive_class);
  metadata(model, "negative_class", meta.negative_class);
  metadata(model, "threshold", fmt::format("{:.17g}", meta.threshold));
  metadata(model, "input", meta.input);
  metadata(model, "source", meta.source);
  metadata(model, "created", meta.created);

  finish(model, {1, 1}, model_file.string(), out);
  return out;
}

OnnxExport export_backbone_onnx(models::MobileNetV2BackboneImpl& backbone, int input_size) {
  return export_batch_net("mobilenet_v2_backbone", input_size, "features", backbone.feature_dim(), "the MobileNetV2 backbone",
                          [&](Graph& g, const std::string& x) { backbone_graph(g, backbone, x, input_size); });
}

OnnxExport export_face_recognition_onnx(models::FaceRecognitionNetImpl& net) {
  using Net = models::FaceRecognitionNetImpl;
  return export_batch_net("face_recognition", Net::kInputSize, "descriptor", Net::kDescriptorSize,
                          "the face recognition network", [&](Graph& g, const std::string& x) { face_recognition_graph(g, net, x); });
}

OnnxExport export_onnx_file(const std::filesystem::path& model_file, const std::filesystem::path& out_path) {
  OnnxExport e = export_onnx(model_file);
  write_file_atomically(out_path, e.bytes);
  return e;
}

}  // namespace lockerctl::exporter
