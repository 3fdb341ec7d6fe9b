#include "config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/schedule.hpp"

namespace lockerctl::config {

namespace {

// The node of `list[i].field` under `parent` (or the item, or nothing), for the problem's place.
YAML::Node item_node(const YAML::Node& parent, const char* list, std::size_t i, const char* field) {
  const YAML::Node items = parent.IsMap() ? parent[list] : YAML::Node();
  if (!items.IsSequence() || i >= items.size()) return {};
  const YAML::Node item = items[i];
  return item.IsMap() && item[field] ? item[field] : item;
}

// The named things on the board's inputs or outputs (board.sensors, board.actuators): names and
// numbers unique, no name an event's or action's of its own, none on the door's or lock's number.
struct Wiring {
  const char* list;         // "sensors"
  const char* noun;         // "sensor"
  const char* number;       // "input": the key of the number, and the word for it
  std::vector<std::string> reserved;  // names taken by the rules' events or actions
  const char* reserved_as;  // "an event"
  int taken;                // the door's input, the lock's output
  const char* taken_by;     // "is the door contact (board.door_input)"
};

template <class Item, class At>
void check_wired(const std::vector<Item>& items, int Item::*number, const Wiring& w, const YAML::Node& board, const At& at) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string key = fmt::format("board.{}[{}]", w.list, i);
    const auto& name = items[i].name;
    const int n = items[i].*number;
    if (std::find(w.reserved.begin(), w.reserved.end(), name) != w.reserved.end()) {
      at(item_node(board, w.list, i, "name"), key + ".name", fmt::format("'{}' names {} of its own; choose another name", name, w.reserved_as));
    }
    if (n == w.taken) at(item_node(board, w.list, i, w.number), key + "." + w.number, fmt::format("{} {} {}", w.number, n, w.taken_by));
    for (std::size_t j = 0; j < i; ++j) {
      if (items[j].name == name) at(item_node(board, w.list, i, "name"), key + ".name", fmt::format("two {} are named '{}'", w.list, name));
      if (items[j].*number == n) {
        at(item_node(board, w.list, i, w.number), key + "." + w.number, fmt::format("{} {} is also {} '{}'", w.number, n, w.noun, items[j].name));
      }
    }
  }
}

template <class At>
void check_wiring(const Config& c, const YAML::Node& root, const At& at) {
  const YAML::Node board = root.IsMap() ? root["board"] : YAML::Node();
  std::vector<std::string> events = {"door"};
  events.insert(events.end(), std::begin(kRuleEvents), std::end(kRuleEvents));
  check_wired(c.board.sensors, &SensorConfig::input,
              {"sensors", "sensor", "input", events, "an event", c.board.door_input, "is the door contact (board.door_input)"}, board, at);
  check_wired(c.board.actuators, &ActuatorConfig::output,
              {"actuators", "actuator", "output", {std::begin(kRuleActions), std::end(kRuleActions)}, "an action", c.board.lock_output,
               "drives the lock (board.lock_output)"},
              board, at);
}

template <class At>
void check_rules(const Config& c, const YAML::Node& root, const At& at) {
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    const RuleConfig& rule = c.rules[i];
    const std::string key = fmt::format("rules[{}]", i);
    const bool event = std::find(std::begin(kRuleEvents), std::end(kRuleEvents), rule.when) != std::end(kRuleEvents);
    const bool sensor = std::any_of(c.board.sensors.begin(), c.board.sensors.end(), [&](const SensorConfig& s) { return s.name == rule.when; });
    if (!event && !sensor) {
      std::vector<std::string> known(std::begin(kRuleEvents), std::end(kRuleEvents));
      for (const SensorConfig& s : c.board.sensors) known.push_back(s.name);
      at(item_node(root, "rules", i, "when"), key + ".when",
         fmt::format("'{}' is neither a sensor (board.sensors) nor an event: {}", rule.when, fmt::join(known, ", ")));
    }
    try {
      Schedule::parse(rule.hours);
    } catch (const std::invalid_argument& e) {
      at(item_node(root, "rules", i, "hours"), key + ".hours", e.what());
    }
    try {
      if (rule_actions(rule.then, c.board).empty()) throw std::invalid_argument("no action");
    } catch (const std::invalid_argument& e) {
      at(item_node(root, "rules", i, "then"), key + ".then", e.what());
    }
  }
}

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
  const auto at = [&](const YAML::Node& node, const std::string& key, const std::string& message) {
    const YAML::Mark mark = node ? node.Mark() : YAML::Mark::null_mark();
    problems.push_back({file, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1, key, message});
  };
  const YAML::Node motion = root.IsMap() ? root["motion"] : YAML::Node();
  try {
    Schedule::parse(c.motion.opening_hours);
  } catch (const std::invalid_argument& e) {
    at(motion.IsMap() ? motion["opening_hours"] : YAML::Node(), "motion.opening_hours", e.what());
  }
  const YAML::Node access = root.IsMap() ? root["access"] : YAML::Node();
  const auto access_key = [&](const char* key) { return access.IsMap() ? access[key] : YAML::Node(); };
  try {
    const Schedule hours = Schedule::parse(c.access.hours);
    if (hours.empty()) throw std::invalid_argument("no hours at all: no attempt could ever start (all day: 00:00-24:00)");
    if (const auto when = hours.overlap()) throw std::invalid_argument(fmt::format("two entries overlap at {}", *when));
  } catch (const std::invalid_argument& e) {
    at(access_key("hours"), "access.hours", e.what());
  }
  try {
    load_holidays(c.access.holidays);
  } catch (const std::invalid_argument& e) {
    at(access_key("holidays"), "access.holidays", e.what());
  }
  for (std::size_t i = 0; i < c.motion.zones.size(); ++i) {
    const std::string key = fmt::format("motion.zones[{}]", i);
    try {
      parse_corners(c.motion.zones[i].corners);
    } catch (const std::invalid_argument& e) {
      at(item_node(motion, "zones", i, "corners"), key + ".corners", e.what());
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (c.motion.zones[j].name == c.motion.zones[i].name) {
        at(item_node(motion, "zones", i, "name"), key + ".name", "two zones are named '" + c.motion.zones[i].name + "'");
      }
    }
  }
  check_wiring(c, root, at);
  check_rules(c, root, at);
}

}  // namespace

std::filesystem::path board_key_file(const Config& cfg) {
  return cfg.board.key_file.empty() ? std::filesystem::path(cfg.paths.var_dir) / "board.key"
                                    : std::filesystem::path(cfg.board.key_file);
}

std::vector<std::string> rule_actions(const std::string& then, const BoardConfig& board) {
  std::vector<std::string> words;
  std::istringstream in(then);
  for (std::string word; in >> word;) {
    const bool action = std::find(std::begin(kRuleActions), std::end(kRuleActions), word) != std::end(kRuleActions);
    const bool actuator = std::any_of(board.actuators.begin(), board.actuators.end(), [&](const ActuatorConfig& a) { return a.name == word; });
    if (!action && !actuator) {
      std::vector<std::string> known(std::begin(kRuleActions), std::end(kRuleActions));
      for (const ActuatorConfig& a : board.actuators) known.push_back(a.name);
      throw std::invalid_argument(fmt::format("'{}' is neither an action nor an actuator (board.actuators): {}", word, fmt::join(known, ", ")));
    }
    if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
  }
  return words;
}

std::vector<std::pair<double, double>> parse_corners(const std::string& text) {
  std::vector<std::pair<double, double>> corners;
  std::istringstream in(text);
  for (std::string pair; in >> pair;) {
    double x = 0, y = 0;
    char comma = 0, rest = 0;
    std::istringstream p(pair);
    if (!(p >> x >> comma >> y) || comma != ',' || (p >> rest)) {
      throw std::invalid_argument(fmt::format("'{}' is not a corner (x,y)", pair));
    }
    if (x < 0 || x > 1 || y < 0 || y > 1) {
      throw std::invalid_argument(fmt::format("corner '{}' is outside the frame: corners are fractions 0..1", pair));
    }
    corners.emplace_back(x, y);
  }
  if (!corners.empty() && corners.size() < 3) {
    throw std::invalid_argument(fmt::format("a zone needs at least 3 corners, got {}", corners.size()));
  }
  return corners;
}

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
  if (config.data.source_root.empty()) config.data.source_root = default_source_root();
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

std::string default_source_root() {
  std::error_code ec;
  return std::filesystem::is_directory("../shared/data", ec) ? "../shared/data" : "data/sources";
}

std::string yaml_cpp_version() { return LOCKERCTL_YAML_CPP_VERSION; }

std::vector<std::string> key_paths() {
  Config config;
  KeyLister lister;
  lister.list_root(config);
  return lister.keys;
}

}  // namespace lockerctl::config
