#include <gtest/gtest.h>

#include "h5/h5.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::h5 {
namespace {

TEST(H5, DatasetsAndAttributesRoundTrip) {
  test::TempDir dir;
  const auto path = dir / "x.h5";
  {
    File f = File::create(path);
    const std::vector<float> values{1, 2, 3, 4, 5, 6};
    f.write<float>("/a/b/weights", {2, 3}, values.data());
    const std::vector<std::int64_t> counts{7};
    f.write<std::int64_t>("/a/count", {1}, counts.data());
    f.write_attribute("/", "name", std::string("model"));
    f.write_attribute("/", "threshold", 0.25);
    f.write_attribute("/", "version", std::int64_t{3});
    f.write_attribute("/a", "classes", std::vector<std::string>{"owner", "not_owner"});
    f.close();
  }
  const File f = File::open_read(path);
  const auto w = f.read<float>("/a/b/weights");
  EXPECT_EQ(w.shape, (std::vector<hsize_t>{2, 3}));
  EXPECT_EQ(w.values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(f.read<double>("/a/b/weights").values[5], 6.0) << "HDF5 converts on read";
  EXPECT_EQ(f.read<std::int64_t>("/a/count").values[0], 7);
  EXPECT_EQ(f.read_string_attribute("/", "name"), "model");
  EXPECT_DOUBLE_EQ(f.read_double_attribute("/", "threshold"), 0.25);
  EXPECT_EQ(f.read_int_attribute("/", "version"), 3);
  EXPECT_EQ(f.read_string_list_attribute("/a", "classes"),
            (std::vector<std::string>{"owner", "not_owner"}));
  EXPECT_EQ(f.children("/a"), (std::vector<std::string>{"b", "count"}));
  EXPECT_TRUE(f.exists("/a/b/weights"));
  EXPECT_FALSE(f.exists("/a/nope/weights"));
  EXPECT_FALSE(f.has_attribute("/", "missing"));
}

TEST(H5, MissingObjectsThrowIoErrorNamingFileAndObject) {
  test::TempDir dir;
  const auto path = dir / "y.h5";
  File::create(path).close();
  const File f = File::open_read(path);
  try {
    f.read<float>("/nope");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": no dataset '/nope'");
  }
  EXPECT_THROW(f.read_string_attribute("/", "nope"), IoError);
}

TEST(H5, RejectsMissingAndNonHdf5Files) {
  test::TempDir dir;
  try {
    File::open_read(dir / "absent.h5");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos);
  }
  const auto text = dir.write("text.h5", "this is not HDF5\n");
  EXPECT_FALSE(is_hdf5(text));
  try {
    File::open_read(text);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
  }
}

}  // namespace
}  // namespace lockerctl::h5

namespace lockerctl::h5 {
namespace {

TEST(H5, RowsAreWrittenAndReadInSlices) {
  test::TempDir dir;
  const auto path = dir / "rows.h5";
  {
    File f = File::create(path);
    f.create_dataset<std::uint8_t>("/train/images", {5, 2, 3});
    std::vector<std::uint8_t> rows(3 * 6);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::uint8_t>(i);
    f.write_rows<std::uint8_t>("/train/images", 1, 3, rows.data());
    f.write_strings("/train/paths", {"a.jpg", "b/c.png", ""});
    EXPECT_THROW(f.write_rows<std::uint8_t>("/train/images", 4, 3, rows.data()), IoError);
    f.close();
  }
  const File f = File::open_read(path);
  std::vector<std::uint8_t> two(12);
  f.read_rows<std::uint8_t>("/train/images", 2, 2, two.data());
  EXPECT_EQ(two[0], 6);   // row 2 = second written row
  EXPECT_EQ(two[11], 17);
  std::vector<std::uint8_t> first(6, 99);
  f.read_rows<std::uint8_t>("/train/images", 0, 1, first.data());
  EXPECT_EQ(first, std::vector<std::uint8_t>(6, 0)) << "unwritten rows read as zero";
  EXPECT_EQ(f.read_strings("/train/paths"), (std::vector<std::string>{"a.jpg", "b/c.png", ""}));
}

}  // namespace
}  // namespace lockerctl::h5
