#include <gtest/gtest.h>

#include <sstream>

#include "core/log.hpp"
#include "core/secret.hpp"

namespace lockerctl {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { log::configure(log::Level::Info, log::Format::Text); }
  std::ostringstream sink_;
};

TEST_F(LogTest, TextFormatPrefixesAllButInfo) {
  log::configure(log::Level::Debug, log::Format::Text, &sink_);
  log::info("ready {}", 1);
  log::warn("slow");
  log::error("broken: {}", "x");
  EXPECT_EQ(sink_.str(), "ready 1\nwarning: slow\nerror: broken: x\n");
}

TEST_F(LogTest, LevelFiltersLowerMessages) {
  log::configure(log::Level::Warn, log::Format::Text, &sink_);
  log::debug("d");
  log::info("i");
  log::warn("w");
  EXPECT_EQ(sink_.str(), "warning: w\n");
  EXPECT_FALSE(log::enabled(log::Level::Info));
}

TEST_F(LogTest, JsonFormatWritesOneEscapedObjectPerLine) {
  log::configure(log::Level::Info, log::Format::Json, &sink_);
  log::error("a \"quoted\"\nline");
  const std::string line = sink_.str();
  EXPECT_NE(line.find(R"("level":"error")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("msg":"a \"quoted\"\nline")"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line: " << line;
}

TEST_F(LogTest, SecretsAreMaskedWhenFormatted) {
  log::configure(log::Level::Info, log::Format::Text, &sink_);
  const Secret token("hunter2");
  log::info("token={}", token);
  EXPECT_EQ(sink_.str(), "token=********\n");
  EXPECT_EQ(token.reveal(), "hunter2");
  EXPECT_EQ(Secret().masked(), "");
}

TEST(LogFormat, ParsesOnlyKnownNames) {
  EXPECT_EQ(log::parse_format("json"), log::Format::Json);
  EXPECT_EQ(log::parse_format("text"), log::Format::Text);
  EXPECT_FALSE(log::parse_format("xml").has_value());
}

TEST(JsonEscape, EscapesControlCharacters) {
  EXPECT_EQ(log::json_escape(std::string("a\tb\x01", 4)), "a\\tb\\u0001");
  EXPECT_EQ(log::json_escape("back\\slash"), "back\\\\slash");
}

}  // namespace
}  // namespace lockerctl
