#include <gtest/gtest.h>

#include <fstream>

#include "core/errors.hpp"
#include "report/tensorboard.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::report {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32c(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), 0xE3069283u);
}

TEST(EventWriter, WritesRecordsTensorBoardCanRead) {
  test::TempDir dir;
  std::filesystem::path file;
  {
    EventWriter w(dir / "run");
    w.scalar("loss/train", 1, 0.5f);
    w.scalar("f1/validation", 2, 0.875f);
    file = w.path();
  }
  EXPECT_EQ(file.filename().string().rfind("events.out.tfevents.", 0), 0u);
  const auto events = read_scalar_events(file);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].tag, "loss/train");
  EXPECT_EQ(events[0].step, 1);
  EXPECT_FLOAT_EQ(events[0].value, 0.5f);
  EXPECT_EQ(events[1].tag, "f1/validation");
  EXPECT_EQ(events[1].step, 2);

  // The first record is the file_version event TensorBoard looks for.
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(bytes.find("brain.Event:2"), std::string::npos);
}

TEST(EventWriter, ScalarEventEncodingIsCanonicalProtobuf) {
  // wall_time 1.0, step 3, tag "a", value 2.0, encoded by hand from event.proto/summary.proto.
  const std::string e = encode_scalar_event(1.0, 3, "a", 2.0f);
  const std::string expected =
      std::string("\x09\x00\x00\x00\x00\x00\x00\xf0\x3f", 9) +   // 1: double 1.0
      std::string("\x10\x03", 2) +                                // 2: varint 3
      std::string("\x2a\x0a\x0a\x08\x0a\x01" "a" "\x15\x00\x00\x00\x40", 12);  // 5: summary
  EXPECT_EQ(e, expected);
}

TEST(ReadScalarEvents, DetectsCorruption) {
  test::TempDir dir;
  std::filesystem::path file;
  {
    EventWriter w(dir.path());
    w.scalar("x", 1, 1.0f);
    file = w.path();
  }
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-6, std::ios::end);
  f.put('\x7f');
  f.close();
  EXPECT_THROW(read_scalar_events(file), IoError);
}

}  // namespace
}  // namespace lockerctl::report
