#pragma once

// A thin RAII layer over the HDF5 C API: the one place lockerctl talks to HDF5. Every failure
// throws lockerctl::IoError naming the file and the object; HDF5's own error printing is off.

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace lockerctl::h5 {

/// An owned HDF5 identifier, closed with the matching H5*close on destruction.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  void reset();
  /// Gives up ownership: the caller closes the identifier.
  hid_t release() {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// A dataset's values and shape, row-major.
template <class T>
struct Array {
  std::vector<hsize_t> shape;
  std::vector<T> values;
};

/// True when `path` exists and starts with the HDF5 signature.
bool is_hdf5(const std::filesystem::path& path);

/// An open HDF5 file. Object paths are absolute ("/group/name") or relative to the root.
class File {
 public:
  /// Opens an existing file read-only. Throws IoError when it is missing or not HDF5.
  static File open_read(const std::filesystem::path& path);
  /// Creates (truncates) a file for writing.
  static File create(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }

  bool exists(const std::string& object) const;
  /// Names of the links directly under `group`, in creation or name order.
  std::vector<std::string> children(const std::string& group) const;
  /// Creates `group` and any missing parents.
  void create_group(const std::string& group);

  /// Attributes on `object` ("/" for the root). Strings may be fixed or variable length.
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  /// A 1-D array of strings (Keras' `layer_names`, `weight_names`); empty for an empty array.
  std::vector<std::string> read_string_list_attribute(const std::string& object,
                                                      const std::string& name) const;
  double read_double_attribute(const std::string& object, const std::string& name) const;
  std::int64_t read_int_attribute(const std::string& object, const std::string& name) const;
  void write_attribute(const std::string& object, const std::string& name, const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void write_attribute(const std::string& object, const std::string& name,
                       const std::vector<std::string>& values);

  /// Shape of a dataset.
  std::vector<hsize_t> shape(const std::string& dataset) const;
  /// Reads a whole dataset, converting to T (float, double, int64, uint8).
  template <class T>
  Array<T> read(const std::string& dataset) const;
  /// Writes a whole dataset of the given shape, creating its parent groups.
  template <class T>
  void write(const std::string& dataset, const std::vector<hsize_t>& shape, const T* values);

  /// Creates a dataset of `shape` to be filled by `write_rows`, one slice of the first dimension at
  /// a time (images are written as they are decoded, never all held in memory).
  template <class T>
  void create_dataset(const std::string& dataset, const std::vector<hsize_t>& shape);
  /// Writes rows [start, start + count) of the first dimension; `values` holds count whole rows.
  template <class T>
  void write_rows(const std::string& dataset, hsize_t start, hsize_t count, const T* values);
  /// Reads rows [start, start + count) into `out`, which must hold count whole rows. Thread-safe.
  template <class T>
  void read_rows(const std::string& dataset, hsize_t start, hsize_t count, T* out) const;

  /// A 1-D dataset of variable-length UTF-8 strings (file paths, hashes).
  void write_strings(const std::string& dataset, const std::vector<std::string>& values);
  std::vector<std::string> read_strings(const std::string& dataset) const;

  /// Closes the file; further use throws. Errors on close (e.g. disk full) throw IoError.
  void close();

 private:
  File(std::filesystem::path path, Handle file) : path_(std::move(path)), file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& what) const;
  Handle make_dataset(const std::string& dataset, hid_t type, const std::vector<hsize_t>& shape);

  std::filesystem::path path_;
  Handle file_;
};

}  // namespace lockerctl::h5
