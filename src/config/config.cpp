#include "config/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace lockerctl::config {

namespace {

// Rules that span several keys, reported at the section that breaks them.
void check_consistency(const Config& c, const YAML::Node& root, const std::string& file,
                       std::vector<ConfigProblem>& problems) {
  const auto add = [&](const char* section, const std::string& message) {
    YAML::Mark mark = YAML::Mark::null_mark();
    if (root.IsMap() && root[section]) mark = root[section].Mark();
    problems.push_back({file, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1, section, message});
  };
  const double sum = c.data.train_fraction + c.data.val_fraction + c.data.test_fraction;
  if (std::abs(sum - 1.0) > 1e-6) {
    add("data", fmt::format("train_fraction + val_fraction + test_fraction is {}, not 1", sum));
  }
  for (const LayerConfig* layer : {&c.human, static_cast<const LayerConfig*>(&c.owner)}) {
    if (layer->positive_class.empty() || layer->negative_class.empty() ||
        layer->positive_class == layer->negative_class) {
      add(layer == &c.human ? "human" : "owner", "positive_class and negative_class must be two different names");
    }
  }
  if (c.access.input == InputSource::Web && !c.web.enabled) {
    add("access", "input is web (the kiosk page), which needs web.enabled: true");
  }
}

}  // namespace

Config parse(const std::string& text, const std::string& file) {
  std::vector<ConfigProblem> problems;
  Config config;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const bool placed = !e.mark.is_null();
    problems.push_back({file, placed ? e.mark.line + 1 : 0, placed ? e.mark.column + 1 : 0, "",
                        "YAML syntax error: " + e.msg});
    throw ConfigError(std::move(problems));
  }
  YamlReader reader(file, problems);
  reader.read_root(root, config);
  check_consistency(config, root, file, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  EnvOverrides env;
  env.apply_root(config);
  return config;
}

Config load(const std::optional<std::filesystem::path>& file) {
  if (!file) return parse("", "<defaults>");
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const std::string reason = std::filesystem::exists(*file, ec) ? "cannot be read"
                                                                    : "no such file";
    throw ConfigError({{file->string(), 0, 0, "", reason}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), file->string());
}

std::string to_yaml(const Config& config) {
  YAML::Emitter out;
  Config copy = config;  // visitors take mutable references; the writer only reads
  YamlWriter writer(out);
  writer.write_root(copy);
  return std::string(out.c_str()) + "\n";
}

std::string yaml_cpp_version() { return LOCKERCTL_YAML_CPP_VERSION; }

std::vector<std::string> key_paths() {
  Config config;
  KeyLister lister;
  lister.list_root(config);
  return lister.keys;
}

}  // namespace lockerctl::config
