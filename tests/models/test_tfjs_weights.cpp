#include <gtest/gtest.h>

#include <fstream>

#include "core/errors.hpp"
#include "models/tfjs_weights.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::models {
namespace {

void write_bin(const test::TempDir& dir, const std::string& name, const std::vector<unsigned char>& bytes) {
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string expect_refused(const std::filesystem::path& manifest) {
  try {
    read_tfjs_weights(manifest);
  } catch (const ModelError& e) {
    return e.what();
  }
  ADD_FAILURE() << manifest << " was accepted";
  return {};
}

TEST(TfjsWeights, ReadsFloatAndDequantizesUint8InManifestOrder) {
  test::TempDir dir;
  const float f[2] = {1.5f, -2.25f};
  std::vector<unsigned char> bytes(reinterpret_cast<const unsigned char*>(f), reinterpret_cast<const unsigned char*>(f) + 8);
  for (unsigned char q : {0, 1, 255}) bytes.push_back(q);
  write_bin(dir, "w.bin", bytes);
  const auto m = dir.write("m.json", R"([{"paths": ["w.bin"], "weights": [
      {"name": "a", "shape": [2], "dtype": "float32"},
      {"name": "b/q", "shape": [1, 3], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}}]}])");
  const auto t = read_tfjs_weights(m);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name, "a");
  EXPECT_EQ(t[0].values, (std::vector<float>{1.5f, -2.25f}));
  EXPECT_EQ(t[1].shape, (std::vector<long>{1, 3}));
  EXPECT_EQ(t[1].values, (std::vector<float>{-1.f, -0.5f, 126.5f}));  // q * 0.5 - 1
}

TEST(TfjsWeights, RefusesTruncatedExtraOrUnknownData) {
  test::TempDir dir;
  write_bin(dir, "w.bin", {1, 2, 3});
  const std::string weights = R"("weights": [{"name": "a", "shape": [4], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 1, "min": 0}}])";
  EXPECT_NE(expect_refused(dir.write("short.json", R"([{"paths": ["w.bin"], )" + weights + "}]")).find("a: the weights end at byte 3"),
            std::string::npos);
  write_bin(dir, "long.bin", {1, 2, 3, 4, 5});
  EXPECT_NE(expect_refused(dir.write("long.json", R"([{"paths": ["long.bin"], )" + weights + "}]")).find("take 4 bytes but the weights hold 5"),
            std::string::npos);
  EXPECT_NE(expect_refused(dir.write("missing.json", R"([{"paths": ["gone.bin"], )" + weights + "}]")).find("cannot read gone.bin"),
            std::string::npos);
  EXPECT_NE(expect_refused(dir.write("f16.json", R"([{"paths": ["w.bin"], "weights": [{"name": "h", "shape": [1], "dtype": "float16"}]}])"))
                .find("h: dtype float16 is not supported"),
            std::string::npos);
  EXPECT_NE(expect_refused(dir.write("cut.json", R"([{"paths": ["w.bin"], "weigh)")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(expect_refused(dir.write("obj.json", R"({"paths": []})")).find("expected a JSON array"), std::string::npos);
  EXPECT_NE(expect_refused(dir / "none.json").find("cannot read it"), std::string::npos);
}

}  // namespace
}  // namespace lockerctl::models
