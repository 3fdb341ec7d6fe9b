#include "config/schema.hpp"

#include "core/fs.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace lockerctl::config {

Secret read_secret_file(const std::string& path) {
  std::string text = read_private_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return Secret(std::move(text));
}

template <>
const char* expected_kind<std::string>() { return "a string"; }
template <>
const char* expected_kind<int>() { return "an integer"; }
template <>
const char* expected_kind<double>() { return "a number"; }
template <>
const char* expected_kind<bool>() { return "true or false"; }

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_key(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  // Allow about one typo per three characters, at least one.
  std::size_t best_distance = std::max<std::size_t>(1, key.size() / 3) + 1;
  for (const auto& candidate : known) {
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

YAML::Node YamlReader::take(const char* key) {
  Frame& frame = frames_.back();
  frame.known.emplace_back(key);
  // Look the key up by iterating: operator[] on a const node would not tell us about duplicates,
  // and on a non-const node it would insert the key.
  for (const auto& kv : frame.node) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void YamlReader::check_keys_are_unique(const YAML::Node& node) {
  std::map<std::string, int> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      problem(kv.first.Mark(), join_path(), "keys must be plain names");
      continue;
    }
    if (++seen[kv.first.Scalar()] == 2) {
      problem(kv.first.Mark(), key_path(kv.first.Scalar()), "duplicate key");
    }
  }
}

std::string YamlReader::describe(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "'" + node.Scalar() + "'";
}

std::string YamlReader::join_path() const {
  std::string out;
  for (const auto& p : path_) out += (out.empty() ? "" : ".") + p;
  return out;
}

std::string YamlReader::key_path(const std::string& key) const {
  const std::string prefix = join_path();
  return prefix.empty() ? key : prefix + "." + key;
}

void YamlReader::problem(const YAML::Mark& mark, std::string key, std::string message) {
  // yaml-cpp marks are 0-based; editors and compilers count from 1.
  const bool known = !mark.is_null();
  problems_.push_back({file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0,
                       std::move(key), std::move(message)});
}

std::string EnvOverrides::variable_for(const std::string& key) const {
  std::string name = "LOCKERCTL";
  for (const auto& part : path_) name += "_" + part;
  name += "_" + key;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

}  // namespace lockerctl::config
