#pragma once

// The configuration schema machinery. Every configuration struct lists its keys once, in a
// `template <class V> void visit(V& v)` member:
//
//   v.field("threads", threads, Range<int>{0, 1024});
//   v.field("format", format, Choices<log::Format>{{"text", log::Format::Text}, ...});
//   v.section("paths", paths);
//
// and the visitors below read it from YAML strictly, write it back, apply environment overrides
// to secrets and list its keys. A new key needs only its member and its visit line.

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/secret.hpp"

namespace lockerctl::config {

/// The content of a secret file (trailing line ends removed). Throws IoError for a missing file or
/// one its group or others may read.
Secret read_secret_file(const std::string& path);


/// Inclusive bounds for a numeric key.
template <class T>
struct Range {
  T min;
  T max;
};

/// The accepted spellings of an enumerated key, in the order they are documented.
template <class E>
struct Choices {
  std::vector<std::pair<std::string, E>> names;

  const std::string* name_of(E value) const {
    for (const auto& [name, v] : names)
      if (v == value) return &name;
    return nullptr;
  }
  std::string list() const {
    std::string out;
    for (const auto& [name, v] : names) out += (out.empty() ? "" : "|") + name;
    return out;
  }
};

/// Marks a key that must be present (e.g. each dataset source's `path`).
struct Required {};

/// The known key closest to `key` by edit distance, or "" when none is close.
std::string closest_key(const std::string& key, const std::vector<std::string>& known);

/// "an integer", "a number", ...: what a scalar of type T looks like, for error messages.
template <class T>
const char* expected_kind();

/// Reads a YAML mapping into a schema struct, collecting every problem instead of stopping at the
/// first: unknown and duplicate keys, wrong types, values out of range. Keys absent from the file
/// keep their defaults.
class YamlReader {
 public:
  YamlReader(std::string file, std::vector<ConfigProblem>& problems)
      : file_(std::move(file)), problems_(problems) {}

  /// Reads `root` (a mapping, or null for an empty file) into `s`.
  template <class S>
  void read_root(const YAML::Node& root, S& s) {
    if (!root || root.IsNull()) return;
    if (!root.IsMap()) {
      problem(root.Mark(), "", "the top level must be a mapping of sections");
      return;
    }
    read_map(root, s);
  }

  template <class S>
  void section(const char* key, S& sub) {
    const YAML::Node node = take(key);
    if (!node || node.IsNull()) return;
    path_.push_back(key);
    if (node.IsMap()) {
      read_map(node, sub);
    } else {
      problem(node.Mark(), join_path(), "expected a mapping of keys");
    }
    path_.pop_back();
  }

  template <class T>
  void field(const char* key, T& value) {
    const YAML::Node node = take(key);
    if (!node) return;
    convert(key, node, value);
  }

  template <class T>
  void field(const char* key, T& value, const Range<T>& range) {
    const YAML::Node node = take(key);
    if (!node) return;
    T parsed = value;
    if (!convert(key, node, parsed)) return;
    if (parsed < range.min || parsed > range.max) {
      problem(node.Mark(), key_path(key),
              "value " + node.Scalar() + " is out of range [" + std::to_string(range.min) + ", " +
                  std::to_string(range.max) + "]");
      return;
    }
    value = parsed;
  }

  template <class E>
  void field(const char* key, E& value, const Choices<E>& choices) {
    const YAML::Node node = take(key);
    if (!node) return;
    std::string name;
    if (!convert(key, node, name)) return;
    for (const auto& [n, v] : choices.names) {
      if (n == name) {
        value = v;
        return;
      }
    }
    problem(node.Mark(), key_path(key),
            "'" + name + "' is not one of " + choices.list());
  }

  /// A secret is its value, or "file:PATH": the content of a file that only its owner may read.
  void field(const char* key, Secret& value) {
    const YAML::Node node = take(key);
    if (!node) return;
    std::string text;
    if (!convert(key, node, text)) return;
    if (text.rfind("file:", 0) != 0) {
      value = Secret(text);
      return;
    }
    try {
      value = read_secret_file(text.substr(5));
    } catch (const Error& e) {
      problem(node.Mark(), key_path(key), e.what());
    }
  }

  template <class T>
  void field(const char* key, T& value, const Required&) {
    const YAML::Node node = take(key);
    if (!node) {
      problem(frames_.back().node.Mark(), key_path(key), "missing required key");
      return;
    }
    convert(key, node, value);
  }

  /// A list of mappings, each read into an S; reported as "key[i].field".
  template <class S>
  void list(const char* key, std::vector<S>& items) {
    const YAML::Node node = take(key);
    if (!node || node.IsNull()) return;
    if (!node.IsSequence()) {
      problem(node.Mark(), key_path(key), "expected a list, got " + describe(node));
      return;
    }
    items.clear();
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      path_.push_back(std::string(key) + "[" + std::to_string(i) + "]");
      S value;
      if (item.IsMap()) {
        read_map(item, value);
      } else {
        problem(item.Mark(), join_path(), "expected a mapping of keys");
      }
      items.push_back(std::move(value));
      path_.pop_back();
    }
  }

 private:
  struct Frame {
    YAML::Node node;
    std::vector<std::string> known;  // keys the schema declares at this level
  };

  template <class S>
  void read_map(const YAML::Node& node, S& s) {
    frames_.push_back({node, {}});
    check_keys_are_unique(node);
    s.visit(*this);
    const Frame frame = frames_.back();
    frames_.pop_back();
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      bool known = false;
      for (const auto& k : frame.known) known = known || k == key;
      if (known) continue;
      std::string message = "unknown key";
      const std::string near = closest_key(key, frame.known);
      if (!near.empty()) message += " (did you mean '" + near + "'?)";
      problem(kv.first.Mark(), key_path(key), message);
    }
  }

  // Marks `key` as declared at the current level and returns its node (invalid when absent).
  YAML::Node take(const char* key);

  template <class T>
  bool convert(const char* key, const YAML::Node& node, T& out) {
    if (!node.IsScalar()) {
      problem(node.Mark(), key_path(key),
              std::string("expected ") + expected_kind<T>() + ", got " + describe(node));
      return false;
    }
    try {
      out = node.as<T>();
      return true;
    } catch (const YAML::BadConversion&) {
      problem(node.Mark(), key_path(key),
              std::string("expected ") + expected_kind<T>() + ", got '" + node.Scalar() + "'");
      return false;
    }
  }

  void check_keys_are_unique(const YAML::Node& node);
  static std::string describe(const YAML::Node& node);
  std::string join_path() const;
  std::string key_path(const std::string& key) const;
  void problem(const YAML::Mark& mark, std::string key, std::string message);

  std::string file_;
  std::vector<ConfigProblem>& problems_;
  std::vector<Frame> frames_;
  std::vector<std::string> path_;
};

/// Writes a schema struct as YAML (the effective configuration). Secrets are masked.
class YamlWriter {
 public:
  explicit YamlWriter(YAML::Emitter& out) : out_(out) {}

  template <class S>
  void write_root(S& s) {
    out_ << YAML::BeginMap;
    s.visit(*this);
    out_ << YAML::EndMap;
  }
  template <class S>
  void section(const char* key, S& sub) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    sub.visit(*this);
    out_ << YAML::EndMap;
  }
  template <class T, class... Constraint>
  void field(const char* key, T& value, const Constraint&...) {
    out_ << YAML::Key << key << YAML::Value << value;
  }
  template <class E>
  void field(const char* key, E& value, const Choices<E>& choices) {
    const std::string* name = choices.name_of(value);
    out_ << YAML::Key << key << YAML::Value << (name ? *name : std::string("?"));
  }
  void field(const char* key, Secret& value) {
    out_ << YAML::Key << key << YAML::Value << value.masked();
  }
  template <class S>
  void list(const char* key, std::vector<S>& items) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginSeq;
    for (S& item : items) {
      out_ << YAML::BeginMap;
      item.visit(*this);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }

 private:
  YAML::Emitter& out_;
};

/// Replaces each secret with `LOCKERCTL_<SECTION>_<KEY>` from the environment when that is set,
/// so credentials need not be written into files.
class EnvOverrides {
 public:
  template <class S>
  void apply_root(S& s) {
    s.visit(*this);
  }
  template <class S>
  void section(const char* key, S& sub) {
    path_.push_back(key);
    sub.visit(*this);
    path_.pop_back();
  }
  template <class T, class... Constraint>
  void field(const char*, T&, const Constraint&...) {}
  void field(const char* key, Secret& value) {
    if (const char* env = std::getenv(variable_for(key).c_str())) value = Secret(env);
  }
  template <class S>
  void list(const char*, std::vector<S>&) {}  // list items hold no secrets

  /// The variable name for `key` under the current section path.
  std::string variable_for(const std::string& key) const;

 private:
  std::vector<std::string> path_;
};

/// Lists every key path ("runtime.threads") of a schema, in declaration order.
class KeyLister {
 public:
  template <class S>
  void list_root(S& s) {
    s.visit(*this);
  }
  template <class S>
  void section(const char* key, S& sub) {
    path_.push_back(key);
    sub.visit(*this);
    path_.pop_back();
  }
  template <class T, class... Constraint>
  void field(const char* key, T&, const Constraint&...) {
    std::string full;
    for (const auto& p : path_) full += p + ".";
    keys.push_back(full + key);
  }
  template <class S>
  void list(const char* key, std::vector<S>&) {
    field(key, key);
  }

  std::vector<std::string> keys;

 private:
  std::vector<std::string> path_;
};

}  // namespace lockerctl::config
