// The schema visitors on a struct of their own, with a secret, since the product configuration
// gains its first secret with the alert channels.
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/schema.hpp"

namespace lockerctl::config {
namespace {

struct SmsSection {
  std::string account = "AC1";
  Secret token;
  double rate = 1.5;
  bool enabled = false;

  template <class V>
  void visit(V& v) {
    v.field("account", account);
    v.field("token", token);
    v.field("rate", rate, Range<double>{0.0, 10.0});
    v.field("enabled", enabled);
  }
};

struct TestConfig {
  SmsSection sms;
  template <class V>
  void visit(V& v) {
    v.section("sms", sms);
  }
};

TestConfig read(const std::string& text, std::vector<ConfigProblem>& problems) {
  TestConfig c;
  YamlReader reader("s.yaml", problems);
  reader.read_root(YAML::Load(text), c);
  return c;
}

std::string show(TestConfig c) {
  YAML::Emitter out;
  YamlWriter(out).write_root(c);
  return out.c_str();
}

TEST(Schema, ReadsEveryScalarKind) {
  std::vector<ConfigProblem> problems;
  const TestConfig c = read("sms:\n  token: abc\n  rate: 2.25\n  enabled: true\n", problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(c.sms.token.reveal(), "abc");
  EXPECT_DOUBLE_EQ(c.sms.rate, 2.25);
  EXPECT_TRUE(c.sms.enabled);
}

TEST(Schema, WrongBoolAndNumberAreReported) {
  std::vector<ConfigProblem> problems;
  read("sms:\n  rate: fast\n  enabled: perhaps\n", problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].to_string(), "s.yaml:2:9: sms.rate: expected a number, got 'fast'");
  EXPECT_EQ(problems[1].to_string(),
            "s.yaml:3:12: sms.enabled: expected true or false, got 'perhaps'");
}

TEST(Schema, KeyWithoutValueIsReported) {
  std::vector<ConfigProblem> problems;
  read("sms:\n  account:\n", problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message, "expected a string, got nothing");
}

TEST(Schema, WriterMasksSecrets) {
  std::vector<ConfigProblem> problems;
  const TestConfig c = read("sms:\n  token: s3cr3t-value\n", problems);
  const std::string out = show(c);
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
  EXPECT_NE(out.find("token: \"********\""), std::string::npos) << out;
}

TEST(Schema, EnvironmentOverridesSecretsOnly) {
  ::setenv("LOCKERCTL_SMS_TOKEN", "from-env", 1);
  ::setenv("LOCKERCTL_SMS_ACCOUNT", "ignored", 1);
  std::vector<ConfigProblem> problems;
  TestConfig c = read("sms:\n  token: from-file\n", problems);
  EnvOverrides env;
  env.apply_root(c);
  ::unsetenv("LOCKERCTL_SMS_TOKEN");
  ::unsetenv("LOCKERCTL_SMS_ACCOUNT");
  EXPECT_EQ(c.sms.token.reveal(), "from-env");
  EXPECT_EQ(c.sms.account, "AC1") << "only secrets come from the environment";
  EXPECT_EQ(show(c).find("from-env"), std::string::npos) << "overrides are never printed";
}

TEST(Schema, KeyListerQualifiesKeysWithTheirSection) {
  TestConfig c;
  KeyLister lister;
  lister.list_root(c);
  EXPECT_EQ(lister.keys,
            (std::vector<std::string>{"sms.account", "sms.token", "sms.rate", "sms.enabled"}));
}

TEST(ClosestKey, SuggestsOnlyNearMisses) {
  const std::vector<std::string> known{"data_dir", "models_dir", "var_dir"};
  EXPECT_EQ(closest_key("var_dri", known), "var_dir");
  EXPECT_EQ(closest_key("camera", known), "");
}

}  // namespace
}  // namespace lockerctl::config
