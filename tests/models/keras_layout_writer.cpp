#include "keras_layout_writer.hpp"

#include <hdf5.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace lockerctl::test {
namespace {

// keras_applications/mobilenet_v2.py: _make_divisible.
int divisible(double v, int d = 8) {
  int n = std::max(d, static_cast<int>(v + d / 2.0) / d * d);
  if (n < 0.9 * v) n += d;
  return n;
}

struct Tensor {
  std::string name;  // e.g. "kernel:0"
  std::vector<hsize_t> shape;
};
struct Layer {
  std::string name;
  std::vector<Tensor> weights;
};

std::vector<Tensor> bn(hsize_t c) {
  return {{"gamma:0", {c}}, {"beta:0", {c}}, {"moving_mean:0", {c}}, {"moving_variance:0", {c}}};
}

// The layers of keras_applications' MobileNetV2(include_top=False), in model order.
std::vector<Layer> keras_layers(double alpha) {
  std::vector<Layer> L;
  const hsize_t first = divisible(32 * alpha);
  L.push_back({"input_1", {}});
  L.push_back({"Conv1_pad", {}});
  L.push_back({"Conv1", {{"kernel:0", {3, 3, 3, first}}}});
  L.push_back({"bn_Conv1", bn(first)});
  L.push_back({"Conv1_relu", {}});
  // (filters, stride, expansion, block_id)
  const int spec[17][3] = {{16, 1, 1},  {24, 2, 6},  {24, 1, 6},  {32, 2, 6},  {32, 1, 6},
                           {32, 1, 6},  {64, 2, 6},  {64, 1, 6},  {64, 1, 6},  {64, 1, 6},
                           {96, 1, 6},  {96, 1, 6},  {96, 1, 6},  {160, 2, 6}, {160, 1, 6},
                           {160, 1, 6}, {320, 1, 6}};
  hsize_t in = first;
  for (int id = 0; id < 17; ++id) {
    const hsize_t out = divisible(spec[id][0] * alpha);
    const std::string p = id == 0 ? "expanded_conv_" : "block_" + std::to_string(id) + "_";
    hsize_t hidden = in;
    if (id > 0) {
      hidden = in * spec[id][2];
      L.push_back({p + "expand", {{"kernel:0", {1, 1, in, hidden}}}});
      L.push_back({p + "expand_BN", bn(hidden)});
      L.push_back({p + "expand_relu", {}});
    }
    if (spec[id][1] == 2) L.push_back({p + "pad", {}});
    L.push_back({p + "depthwise", {{"depthwise_kernel:0", {3, 3, hidden, 1}}}});
    L.push_back({p + "depthwise_BN", bn(hidden)});
    L.push_back({p + "depthwise_relu", {}});
    L.push_back({p + "project", {{"kernel:0", {1, 1, hidden, out}}}});
    L.push_back({p + "project_BN", bn(out)});
    if (in == out && spec[id][1] == 1) L.push_back({p + "add", {}});
    in = out;
  }
  const hsize_t last = alpha > 1.0 ? divisible(1280 * alpha) : 1280;
  L.push_back({"Conv_1", {{"kernel:0", {1, 1, in, last}}}});
  L.push_back({"Conv_1_bn", bn(last)});
  L.push_back({"out_relu", {}});
  return L;
}

void check(herr_t rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("keras layout writer: " + what);
}

// A 1-D attribute of fixed-length strings, as h5py 2.x stored Keras' lists; an empty list is an
// empty float64 array.
void string_list_attribute(hid_t obj, const char* name, const std::vector<std::string>& values) {
  const hsize_t n = values.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  if (values.empty()) {
    const hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Aclose(a);
  } else {
    std::size_t width = 1;
    for (const auto& v : values) width = std::max(width, v.size());
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, width);
    std::vector<char> buf(width * n, '\0');
    for (hsize_t i = 0; i < n; ++i) values[i].copy(buf.data() + i * width, width);
    const hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    check(H5Awrite(a, type, buf.data()), name);
    H5Aclose(a);
    H5Tclose(type);
  }
  H5Sclose(space);
}

}  // namespace

int write_keras_mobilenet_v2(const std::filesystem::path& path, const KerasLayoutOptions& o) {
  std::mt19937 rng(o.seed);
  std::normal_distribution<float> normal(0.0f, 0.1f);
  std::uniform_real_distribution<float> positive(0.5f, 1.5f);

  std::vector<Layer> layers = keras_layers(o.alpha);
  if (o.extra) layers[2].weights.push_back({"extra:0", {4}});

  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error("cannot create " + path.string());
  std::vector<std::string> names;
  int written = 0;
  for (const Layer& layer : layers) {
    names.push_back(layer.name);
    const hid_t group = H5Gcreate2(file, layer.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<std::string> weight_names;
    // Keras nests each layer's weights one level deeper: /<layer>/<layer>/kernel:0.
    const hid_t sub = layer.weights.empty() ? H5I_INVALID_HID
                                            : H5Gcreate2(group, layer.name.c_str(), H5P_DEFAULT,
                                                         H5P_DEFAULT, H5P_DEFAULT);
    for (Tensor t : layer.weights) {
      const std::string key = layer.name + "/" + t.name;
      if (key == o.skip) continue;
      if (key == o.bad_shape) t.shape.back() += 1;
      weight_names.push_back(key);
      hsize_t count = 1;
      for (hsize_t d : t.shape) count *= d;
      std::vector<float> values(count);
      const bool variance = t.name == "moving_variance:0";
      for (auto& v : values) v = variance ? positive(rng) : normal(rng);
      const hid_t space = H5Screate_simple(static_cast<int>(t.shape.size()), t.shape.data(), nullptr);
      const hid_t d =
          H5Dcreate2(sub, t.name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      check(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), key);
      H5Dclose(d);
      H5Sclose(space);
      ++written;
    }
    if (sub >= 0) H5Gclose(sub);
    string_list_attribute(group, "weight_names", weight_names);
    H5Gclose(group);
  }
  if (!o.no_layer_names) string_list_attribute(file, "layer_names", names);
  H5Fclose(file);
  return written;
}

}  // namespace lockerctl::test
