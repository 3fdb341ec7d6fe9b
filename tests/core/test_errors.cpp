#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace lockerctl {
namespace {

TEST(ConfigProblem, FormatsFileLineColumnKeyAndMessage) {
  const ConfigProblem p{"configs/x.yaml", 3, 5, "runtime.threads", "expected an integer, got 'many'"};
  EXPECT_EQ(p.to_string(), "configs/x.yaml:3:5: runtime.threads: expected an integer, got 'many'");
}

TEST(ConfigProblem, LeavesOutUnknownPositionAndKey) {
  EXPECT_EQ((ConfigProblem{"missing.yaml", 0, 0, "", "no such file"}).to_string(),
            "missing.yaml: no such file");
  EXPECT_EQ((ConfigProblem{"f.yaml", 7, 0, "", "bad"}).to_string(), "f.yaml:7: bad");
}

TEST(ConfigError, CarriesEveryProblemAndTheConfigExitCode) {
  const ConfigError one({{"a.yaml", 1, 1, "k", "unknown key"}});
  EXPECT_STREQ(one.what(), "a.yaml:1:1: k: unknown key");
  EXPECT_EQ(one.code(), ExitCode::Config);

  const ConfigError two({{"a.yaml", 1, 1, "k", "unknown key"}, {"a.yaml", 2, 1, "j", "bad"}});
  EXPECT_EQ(two.problems().size(), 2u);
  EXPECT_STREQ(two.what(), "2 configuration problems");
}

TEST(Errors, EachKindMapsToItsDocumentedExitCode) {
  EXPECT_EQ(static_cast<int>(DataError("x").code()), 3);
  EXPECT_EQ(static_cast<int>(ModelError("x").code()), 4);
  EXPECT_EQ(static_cast<int>(DeviceError("x").code()), 5);
  EXPECT_EQ(static_cast<int>(IoError("x").code()), 6);
  const Error& base = DataError("bad image", "decoder said: truncated");
  EXPECT_EQ(base.detail(), "decoder said: truncated");
}

}  // namespace
}  // namespace lockerctl

namespace lockerctl {
namespace {

TEST(ErrorsAs, OtherErrorsTakeTheCallersKindAndKeepTheirMessage) {
  try {
    errors_as<ModelError>([]() -> int { throw IoError("m.h5: truncated"); });
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "m.h5: truncated");
    EXPECT_EQ(e.code(), ExitCode::Model);
  }
  EXPECT_THROW(errors_as<DataError>([] { throw DataError("d"); }), DataError);
  EXPECT_THROW(errors_as<DataError>([] { throw std::runtime_error("bug"); }), std::runtime_error)
      << "only lockerctl errors are translated; bugs stay bugs";
  EXPECT_EQ(errors_as<ModelError>([] { return 7; }), 7);
}

}  // namespace
}  // namespace lockerctl
