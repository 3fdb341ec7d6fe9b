#include "models/model_file.hpp"

#include "models/binary_net.hpp"

#include <fmt/format.h>

#include <set>

#include "core/clock.hpp"
#include "core/fs.hpp"
#include "core/version.hpp"
#include "h5/h5.hpp"

namespace lockerctl::models {
namespace {

std::vector<hsize_t> h5_shape(const torch::Tensor& t) {
  return {t.sizes().begin(), t.sizes().end()};
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

// Opens a model file and checks that it is one, in a format this build reads.
h5::File open_model(const std::filesystem::path& path) {
  return errors_as<ModelError>([&] {
    h5::File file = h5::File::open_read(path);
    if (!file.has_attribute("/", "format") ||
        file.read_string_attribute("/", "format") != kModelFormat) {
      throw ModelError(path.string() + ": not a lockerctl model file (no format=\"" +
                       std::string(kModelFormat) + "\" attribute)");
    }
    const auto version = file.read_int_attribute("/", "format_version");
    if (version > kModelFormatVersion) {
      throw ModelError(fmt::format("{}: model format version {} is newer than this lockerctl reads "
                                   "({}); upgrade lockerctl",
                                   path.string(), version, kModelFormatVersion));
    }
    return file;
  });
}

ModelMeta read_meta(const h5::File& f) {
  const std::string arch = f.read_string_attribute("/", "architecture");
  const auto architecture = parse_architecture(arch);
  if (!architecture) {
    throw ModelError(f.path().string() + ": unknown architecture '" + arch + "'");
  }
  ModelMeta m;
  m.spec.architecture = *architecture;
  m.spec.alpha = f.read_double_attribute("/", "alpha");
  m.spec.input_size = static_cast<int>(f.read_int_attribute("/", "input_size"));
  m.spec.dropout = f.read_double_attribute("/", "dropout");
  m.preprocessing.scale = f.read_double_attribute("/", "preprocess_scale");
  m.preprocessing.offset = f.read_double_attribute("/", "preprocess_offset");
  m.preprocessing.channel_order = f.read_string_attribute("/", "channel_order");
  m.positive_class = f.read_string_attribute("/", "positive_class");
  m.negative_class = f.read_string_attribute("/", "negative_class");
  m.threshold = f.read_double_attribute("/", "threshold");
  if (f.has_attribute("/", "input")) m.input = f.read_string_attribute("/", "input");  // files before it: images
  m.created = f.read_string_attribute("/", "created");
  m.source = f.read_string_attribute("/", "source");
  m.dataset_manifest = f.read_string_attribute("/", "dataset_manifest");
  m.config_yaml = f.read_string_attribute("/", "config_yaml");
  m.metrics_json = f.read_string_attribute("/", "metrics_json");
  return m;
}

}  // namespace

void save_model(const std::filesystem::path& path, BinaryNet& net, ModelMeta meta) {
  if (meta.created.empty()) meta.created = utc_now_iso8601();
  meta.spec = net.spec();
  AtomicFile out(path);
  {
    h5::File f = h5::File::create(out.temp());
    f.write_attribute("/", "format", std::string(kModelFormat));
    f.write_attribute("/", "format_version", static_cast<std::int64_t>(kModelFormatVersion));
    f.write_attribute("/", "lockerctl_version", std::string(kVersion));
    f.write_attribute("/", "architecture", architecture_name(meta.spec.architecture));
    f.write_attribute("/", "alpha", meta.spec.alpha);
    f.write_attribute("/", "input_size", static_cast<std::int64_t>(meta.spec.input_size));
    f.write_attribute("/", "dropout", meta.spec.dropout);
    f.write_attribute("/", "preprocess_scale", meta.preprocessing.scale);
    f.write_attribute("/", "preprocess_offset", meta.preprocessing.offset);
    f.write_attribute("/", "channel_order", meta.preprocessing.channel_order);
    f.write_attribute("/", "positive_class", meta.positive_class);
    f.write_attribute("/", "negative_class", meta.negative_class);
    f.write_attribute("/", "threshold", meta.threshold);
    f.write_attribute("/", "input", meta.input);
    f.write_attribute("/", "created", meta.created);
    f.write_attribute("/", "source", meta.source);
    f.write_attribute("/", "dataset_manifest", meta.dataset_manifest);
    f.write_attribute("/", "config_yaml", meta.config_yaml);
    f.write_attribute("/", "metrics_json", meta.metrics_json);

    torch::NoGradGuard no_grad;
    for (const auto& p : net.named_parameters()) {
      const torch::Tensor t = p.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
      f.write<float>("/parameters/" + p.key(), h5_shape(t), t.data_ptr<float>());
    }
    for (const auto& b : net.named_buffers()) {
      const torch::Tensor& v = b.value();
      if (v.scalar_type() == torch::kLong) {
        const torch::Tensor t = v.detach().to(torch::kCPU).contiguous();
        f.write<std::int64_t>("/buffers/" + b.key(), h5_shape(t), t.data_ptr<std::int64_t>());
      } else {
        const torch::Tensor t = v.detach().to(torch::kCPU, torch::kFloat).contiguous();
        f.write<float>("/buffers/" + b.key(), h5_shape(t), t.data_ptr<float>());
      }
    }
    f.close();
  }
  out.commit();
}

ModelMeta read_model_meta(const std::filesystem::path& path) {
  const h5::File f = open_model(path);
  return errors_as<ModelError>([&] { return read_meta(f); });
}

LoadedModel load_model(const std::filesystem::path& path, std::optional<Architecture> expected) {
  const h5::File f = open_model(path);
  LoadedModel model;
  model.meta = errors_as<ModelError>([&] { return read_meta(f); });
  if (expected && *expected != model.meta.spec.architecture) {
    throw ModelError(fmt::format("{}: is a {} model, expected {}", path.string(),
                                 architecture_name(model.meta.spec.architecture),
                                 architecture_name(*expected)));
  }
  model.net = build(model.meta.spec);

  std::vector<std::string> problems;
  std::set<std::string> expected_names;
  torch::NoGradGuard no_grad;
  const auto fill = [&](const std::string& group, const std::string& name, torch::Tensor target) {
    const std::string object = group + name;
    expected_names.insert(object);
    if (!f.exists(object)) {
      problems.push_back("missing tensor " + object);
      return;
    }
    const auto shape = f.shape(object);
    const std::vector<int64_t> found(shape.begin(), shape.end());
    if (found != target.sizes().vec()) {
      problems.push_back(fmt::format("{} has shape {}, the architecture needs {}", object,
                                     shape_text(found), shape_text(target.sizes().vec())));
      return;
    }
    if (target.scalar_type() == torch::kLong) {
      const auto a = f.read<std::int64_t>(object);
      target.copy_(torch::from_blob(const_cast<std::int64_t*>(a.values.data()), target.sizes(),
                                    torch::kLong));
    } else {
      const auto a = f.read<float>(object);
      target.copy_(
          torch::from_blob(const_cast<float*>(a.values.data()), target.sizes(), torch::kFloat));
    }
  };
  errors_as<ModelError>([&] {
    for (auto& p : model.net->named_parameters()) fill("/parameters/", p.key(), p.value());
    for (auto& b : model.net->named_buffers()) fill("/buffers/", b.key(), b.value());
    for (const std::string group : {"/parameters", "/buffers"}) {
      if (!f.exists(group)) continue;
      for (const auto& name : f.children(group)) {
        if (!expected_names.count(group + "/" + name)) {
          problems.push_back("unexpected tensor " + group + "/" + name);
        }
      }
    }
  });
  if (!problems.empty()) {
    throw ModelError(fmt::format("{}: does not match architecture {}: {}", path.string(),
                                 architecture_name(model.meta.spec.architecture),
                                 fmt::join(problems, "; ")));
  }
  model.net->eval();
  return model;
}

}  // namespace lockerctl::models
