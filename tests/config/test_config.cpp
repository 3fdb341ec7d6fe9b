#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::config {
namespace {

// Parses `text` and returns the problems it causes (empty when valid).
std::vector<ConfigProblem> problems_of(const std::string& text) {
  try {
    parse(text, "test.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

// True when the dotted `key` names a value in `root`.
bool has_key(const YAML::Node& root, const std::string& key) {
  YAML::Node node = root;
  std::stringstream parts(key);
  for (std::string part; std::getline(parts, part, '.');) {
    if (!node.IsMap()) return false;
    const YAML::Node& parent = node;
    const YAML::Node child = parent[part];
    if (!child) return false;
    node.reset(child);
  }
  return true;
}

TEST(Config, EmptyTextGivesTheDefaults) {
  const Config c = parse("", "empty.yaml");
  EXPECT_EQ(c.paths.var_dir, "var");
  EXPECT_EQ(c.runtime.threads, 0);
  EXPECT_EQ(c.runtime.device, ComputeDevice::Cpu);
  EXPECT_EQ(c.log.format, log::Format::Text);
}

TEST(Config, ValuesOverrideDefaultsKeyByKey) {
  const Config c = parse("runtime:\n  threads: 2\n  device: cuda\nlog:\n  format: json\n", "t.yaml");
  EXPECT_EQ(c.runtime.threads, 2);
  EXPECT_EQ(c.runtime.device, ComputeDevice::Cuda);
  EXPECT_EQ(c.log.format, log::Format::Json);
  EXPECT_EQ(c.paths.data_dir, "data") << "keys left out keep their defaults";
}

TEST(Config, UnknownKeyIsReportedWithLineColumnAndSuggestion) {
  const auto p = problems_of("paths:\n  data_dir: d\n  modles_dir: m\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(),
            "test.yaml:3:3: paths.modles_dir: unknown key (did you mean 'models_dir'?)");
}

TEST(Config, UnknownSectionIsReported) {
  const auto p = problems_of("runtime:\n  threads: 1\ncameras:\n  index: 0\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:3:1: cameras: unknown key (did you mean 'camera'?)");
}

TEST(Config, WrongTypeNamesTheExpectedKind) {
  const auto p = problems_of("runtime:\n  threads: many\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:2:12: runtime.threads: expected an integer, got 'many'");
}

TEST(Config, ListWhereAScalarBelongsIsAWrongType) {
  const auto p = problems_of("paths:\n  var_dir: [a, b]\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "paths.var_dir");
  EXPECT_EQ(p[0].message, "expected a string, got a list");
}

TEST(Config, SectionThatIsNotAMappingIsReported) {
  const auto p = problems_of("runtime: 4\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:1:10: runtime: expected a mapping of keys");
}

TEST(Config, OutOfRangeValueShowsTheRange) {
  const auto p = problems_of("runtime:\n  threads: -3\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:2:12: runtime.threads: value -3 is out of range [0, 1024]");
}

TEST(Config, UnknownChoiceListsTheAcceptedOnes) {
  const auto p = problems_of("runtime:\n  device: tpu\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message, "'tpu' is not one of cpu|cuda");
}

TEST(Config, SyntaxErrorGivesItsPosition) {
  const auto p = problems_of("runtime:\n  threads: [1, 2\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_GT(p[0].line, 0);
  EXPECT_NE(p[0].message.find("YAML syntax error"), std::string::npos) << p[0].message;
}

TEST(Config, EveryProblemIsCollectedNotJustTheFirst) {
  const auto p = problems_of(
      "paths:\n  datadir: x\nruntime:\n  threads: 99999\n  device: gpu\nlog:\n  level: loud\n");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].key, "paths.datadir");
  EXPECT_EQ(p[1].key, "runtime.threads");
  EXPECT_EQ(p[2].key, "runtime.device");
  EXPECT_EQ(p[3].key, "log.level");
}

TEST(Config, DuplicateKeyIsAnError) {
  const auto p = problems_of("runtime:\n  threads: 1\n  threads: 2\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:3:3: runtime.threads: duplicate key");
}

TEST(Config, TopLevelMustBeAMapping) {
  const auto p = problems_of("- a\n- b\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message, "the top level must be a mapping of sections");
}

TEST(Config, MissingFileIsAConfigErrorNamingTheFile) {
  test::TempDir dir;
  try {
    load(dir / "nope.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].to_string(), (dir / "nope.yaml").string() + ": no such file");
  }
}

TEST(Config, NoFileMeansDefaults) {
  const Config c = load(std::nullopt);
  EXPECT_EQ(c.paths.models_dir, "models");
}

TEST(Config, ShowOutputLoadsBackToTheSameConfig) {
  const Config c = parse("runtime:\n  threads: 3\nlog:\n  level: debug\n", "t.yaml");
  const Config again = parse(to_yaml(c), "shown.yaml");
  EXPECT_EQ(to_yaml(again), to_yaml(c));
  EXPECT_EQ(again.runtime.threads, 3);
  EXPECT_EQ(again.log.level, log::Level::Debug);
}

// configs/default.yaml is the documentation of every key: it must name each one, and the value it
// shows must be the built-in default.
TEST(DefaultYaml, DocumentsEveryKeyWithItsBuiltInDefault) {
  const auto file = test::source_dir() / "configs/default.yaml";
  const Config shipped = load(file);
  EXPECT_EQ(to_yaml(shipped), to_yaml(Config{}));

  const YAML::Node root = YAML::LoadFile(file.string());
  for (const std::string& key : key_paths()) {
    EXPECT_TRUE(has_key(root, key)) << "configs/default.yaml does not document " << key;
  }
}

TEST(KeyPaths, ListsSectionQualifiedKeys) {
  const auto keys = key_paths();
  EXPECT_NE(std::find(keys.begin(), keys.end(), "runtime.threads"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "log.format"), keys.end());
}

}  // namespace
}  // namespace lockerctl::config

namespace lockerctl::config {
namespace {

TEST(Config, SplitFractionsMustAddUpToOne) {
  const auto p = problems_of("data:\n  train_fraction: 0.8\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(),
            "test.yaml:2:3: data: train_fraction + val_fraction + test_fraction is 1.1, not 1");
}

TEST(Config, TheKioskAsInputNeedsTheWebServer) {
  const auto p = problems_of("access:\n  input: web\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:2:3: access: input is web (the kiosk page), which needs web.enabled: true");
  EXPECT_TRUE(problems_of("access:\n  input: web\nweb:\n  enabled: true\n").empty());
}

TEST(Config, LayerClassesMustDiffer) {
  const auto p = problems_of("owner:\n  negative_class: owner\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "owner");
}

TEST(Config, LayerDefaultsAreThePapers) {
  const Config c;
  EXPECT_EQ(c.human.positive_class, "human");
  EXPECT_EQ(c.human.image_size, 224);
  EXPECT_EQ(c.owner.negative_class, "not_owner");
  EXPECT_EQ(c.owner.image_size, 256);
}

}  // namespace
}  // namespace lockerctl::config

namespace lockerctl::config {
namespace {

TEST(Config, MotionZonesAndOpeningHoursAreCheckedWhereTheyAreWritten) {
  const std::string text =
      "motion:\n"
      "  opening_hours: mon-fri 8:00-18:00\n"
      "  zones:\n"
      "    - name: vault\n"
      "      corners: 0.5,0 1,0 1,1 0.5,1\n"
      "    - name: door\n"
      "      corners: 0,0 1.5,0 0,1\n"
      "    - name: vault\n"
      "    - corners: 0,0 1,1\n";
  const auto p = problems_of(text);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:9:7: motion.zones[3].name: missing required key");
  EXPECT_EQ(p[1].to_string(), "test.yaml:2:18: motion.opening_hours: '8:00' is not a time of day (HH:MM, 00:00 to 24:00)");
  EXPECT_EQ(p[2].to_string(), "test.yaml:7:16: motion.zones[1].corners: corner '1.5,0' is outside the frame: corners are fractions 0..1");
  EXPECT_EQ(p[3].to_string(), "test.yaml:8:13: motion.zones[2].name: two zones are named 'vault'");
  EXPECT_EQ(p[4].to_string(), "test.yaml:9:16: motion.zones[3].corners: a zone needs at least 3 corners, got 2");

  const Config c = parse("motion:\n  zones:\n    - name: vault\n      corners: 0.5,0 1,0 1,1\n", "t.yaml");
  ASSERT_EQ(c.motion.zones.size(), 1u);
  EXPECT_EQ(parse_corners(c.motion.zones[0].corners).size(), 3u);
  EXPECT_EQ(to_yaml(parse(to_yaml(c), "shown.yaml")), to_yaml(c)) << "zones survive config show";
}

TEST(Config, OpeningHoursAndHolidaysAreCheckedWhereTheyAreWritten) {
  auto p = problems_of("access:\n  hours: mon-fri 09:00-17:00, fri 16:00-18:00\n  holidays: 2026-12-25, 2026-13-01\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:2:10: access.hours: two entries overlap at fri 16:00");
  EXPECT_EQ(p[1].to_string(), "test.yaml:3:13: access.holidays: holiday: '2026-13-01' is not a date (YYYY-MM-DD)");
  p = problems_of("access:\n  hours: \"\"\n  holidays: /nowhere/bank.ics\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].to_string(), "test.yaml:2:10: access.hours: no hours at all: no attempt could ever start (all day: 00:00-24:00)");
  EXPECT_EQ(p[1].to_string(), "test.yaml:3:13: access.holidays: /nowhere/bank.ics: cannot read the holiday calendar");
  EXPECT_TRUE(problems_of("access:\n  hours: mon-fri 09:30-16:30, sat 09:30-12:30\n").empty());
}

TEST(Config, SensorsActuatorsAndRulesAreCheckedWhereTheyAreWritten) {
  const std::string text =
      "board:\n"
      "  sensors:\n"
      "    - name: smoke\n"
      "      input: 0\n"
      "    - name: smoke\n"
      "      input: 2\n"
      "    - name: tamper\n"
      "      input: 2\n"
      "  actuators:\n"
      "    - name: siren\n"
      "      output: 0\n"
      "    - name: alert\n"
      "      output: 1\n"
      "rules:\n"
      "  - when: fire\n"
      "    then: siren\n"
      "  - when: smoke\n"
      "    hours: 25:00-26:00\n"
      "    then: siren horn\n"
      "  - when: door forced\n"
      "    then: \"\"\n";
  const auto p = problems_of(text);
  std::vector<std::string> lines;
  for (const auto& problem : p) lines.push_back(problem.to_string());
  const std::vector<std::string> expected = {
      "test.yaml:4:14: board.sensors[0].input: input 0 is the door contact (board.door_input)",
      "test.yaml:5:13: board.sensors[1].name: two sensors are named 'smoke'",
      "test.yaml:7:13: board.sensors[2].name: 'tamper' names an event of its own; choose another name",
      "test.yaml:8:14: board.sensors[2].input: input 2 is also sensor 'smoke'",
      "test.yaml:11:15: board.actuators[0].output: output 0 drives the lock (board.lock_output)",
      "test.yaml:12:13: board.actuators[1].name: 'alert' names an action of its own; choose another name",
      "test.yaml:15:11: rules[0].when: 'fire' is neither a sensor (board.sensors) nor an event: door forced, tamper, link attack, motion, "
      "smoke, smoke, tamper",
      "test.yaml:18:12: rules[1].hours: '25:00' is not a time of day (HH:MM, 00:00 to 24:00)",
      "test.yaml:19:11: rules[1].then: 'horn' is neither an action nor an actuator (board.actuators): alert, alarm, evidence, "
      "siren, alert",
      "test.yaml:21:11: rules[2].then: no action",
  };
  EXPECT_EQ(lines, expected);

  const Config c;  // the defaults: the simulated board's wiring and rules for each of its sensors
  ASSERT_EQ(c.board.sensors.size(), 3u);
  EXPECT_EQ(c.board.sensors[1].name, "smoke");
  EXPECT_EQ(c.board.actuators[0].name, "siren");
  EXPECT_EQ(rule_actions(c.rules[0].then, c.board), (std::vector<std::string>{"siren", "light", "alert"}));
  EXPECT_EQ(rule_actions("alert alert siren", c.board), (std::vector<std::string>{"alert", "siren"}));
  EXPECT_EQ(to_yaml(parse(to_yaml(c), "shown.yaml")), to_yaml(c)) << "rules survive config show";
}

}  // namespace
}  // namespace lockerctl::config
