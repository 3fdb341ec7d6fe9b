#include "h5/h5.hpp"

#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>

namespace lockerctl::h5 {
namespace fs = std::filesystem;

namespace {

// HDF5 prints an error stack to stderr by default; lockerctl reports errors itself.
void silence_hdf5() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

template <class T>
hid_t native_type();
template <>
hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <>
hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <>
hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <>
hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }

hsize_t element_count(const std::vector<hsize_t>& shape) {
  hsize_t n = 1;
  for (const hsize_t d : shape) n *= d;
  return n;
}

std::vector<hsize_t> dims_of(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

bool is_hdf5(const fs::path& path) {
  silence_hdf5();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  return H5Fis_hdf5(path.c_str()) > 0;
}

File File::open_read(const fs::path& path) {
  silence_hdf5();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(path.string() + ": no such file");
  if (!fs::is_regular_file(path, ec)) throw IoError(path.string() + ": not a regular file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw IoError(path.string() + ": not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file) throw IoError(path.string() + ": cannot open as HDF5 (truncated or corrupt?)");
  return File(path, std::move(file));
}

File File::create(const fs::path& path) {
  silence_hdf5();
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file) throw IoError(path.string() + ": cannot create HDF5 file");
  return File(path, std::move(file));
}

void File::fail(const std::string& what) const { throw IoError(path_.string() + ": " + what); }

bool File::exists(const std::string& object) const {
  if (object == "/" || object.empty()) return true;
  // H5Lexists needs each parent to exist, so walk the path one link at a time.
  std::string partial;
  std::size_t start = object[0] == '/' ? 1 : 0;
  while (start <= object.size()) {
    const std::size_t slash = object.find('/', start);
    const std::size_t end = slash == std::string::npos ? object.size() : slash;
    partial += "/" + object.substr(start, end - start);
    if (H5Lexists(file_.get(), partial.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return H5Oexists_by_name(file_.get(), object.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> File::children(const std::string& group) const {
  Handle g(H5Gopen2(file_.get(), group.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g) fail("no group '" + group + "'");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  if (H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0) {
    fail("cannot list group '" + group + "'");
  }
  return names;
}

void File::create_group(const std::string& group) {
  if (exists(group)) return;
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle g(H5Gcreate2(file_.get(), group.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!g) fail("cannot create group '" + group + "'");
}

bool File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  return H5Aexists_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {

// Opens attribute `name` of `object`, or throws naming both.
Handle open_attribute(hid_t file, const std::string& object, const std::string& name,
                      const std::function<void(const std::string&)>& fail) {
  if (H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0) {
    fail("no attribute '" + name + "' on '" + object + "'");
  }
  Handle attr(H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr) fail("cannot open attribute '" + name + "' on '" + object + "'");
  return attr;
}

}  // namespace

std::vector<std::string> File::read_string_list_attribute(const std::string& object,
                                                          const std::string& name) const {
  const auto fail_here = [this](const std::string& w) { fail(w); };
  Handle attr = open_attribute(file_.get(), object, name, fail_here);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  const hsize_t count = element_count(dims_of(space.get()));
  if (count == 0) return {};  // Keras writes an empty list as an empty float64 array
  if (H5Tget_class(type.get()) != H5T_STRING) {
    fail("attribute '" + name + "' on '" + object + "' is not a string");
  }
  std::vector<std::string> out;
  out.reserve(count);
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> raw(count, nullptr);
    Handle mem = string_type();
    if (H5Aread(attr.get(), mem.get(), raw.data()) < 0) fail("cannot read attribute '" + name + "'");
    for (char* s : raw) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, raw.data());
  } else {
    const std::size_t width = H5Tget_size(type.get());
    std::vector<char> raw(width * count);
    if (H5Aread(attr.get(), type.get(), raw.data()) < 0) fail("cannot read attribute '" + name + "'");
    for (hsize_t i = 0; i < count; ++i) {
      const char* s = raw.data() + i * width;
      out.emplace_back(s, strnlen(s, width));  // fixed-length strings are NUL-padded
    }
  }
  return out;
}

std::string File::read_string_attribute(const std::string& object, const std::string& name) const {
  const auto values = read_string_list_attribute(object, name);
  if (values.size() != 1) fail("attribute '" + name + "' on '" + object + "' is not one string");
  return values.front();
}

double File::read_double_attribute(const std::string& object, const std::string& name) const {
  const auto fail_here = [this](const std::string& w) { fail(w); };
  Handle attr = open_attribute(file_.get(), object, name, fail_here);
  double value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    fail("attribute '" + name + "' on '" + object + "' is not a number");
  }
  return value;
}

std::int64_t File::read_int_attribute(const std::string& object, const std::string& name) const {
  const auto fail_here = [this](const std::string& w) { fail(w); };
  Handle attr = open_attribute(file_.get(), object, name, fail_here);
  std::int64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
    fail("attribute '" + name + "' on '" + object + "' is not an integer");
  }
  return value;
}

namespace {

void replace_attribute(hid_t file, const std::string& object, const std::string& name, hid_t type,
                       hid_t space, const void* data,
                       const std::function<void(const std::string&)>& fail) {
  if (H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0) {
    H5Adelete_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT);
  }
  Handle attr(H5Acreate_by_name(file, object.c_str(), name.c_str(), type, space, H5P_DEFAULT,
                                H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr || H5Awrite(attr.get(), type, data) < 0) {
    fail("cannot write attribute '" + name + "' on '" + object + "'");
  }
}

}  // namespace

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::string& value) {
  // A single string is stored as a scalar, which is what h5py users expect.
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const char* data = value.c_str();
  replace_attribute(file_.get(), object, name, type.get(), space.get(), &data,
                    [this](const std::string& w) { fail(w); });
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::vector<std::string>& values) {
  Handle type = string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  replace_attribute(file_.get(), object, name, type.get(), space.get(), data.data(),
                    [this](const std::string& w) { fail(w); });
}

void File::write_attribute(const std::string& object, const std::string& name, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  replace_attribute(file_.get(), object, name, H5T_NATIVE_DOUBLE, space.get(), &value,
                    [this](const std::string& w) { fail(w); });
}

void File::write_attribute(const std::string& object, const std::string& name,
                           std::int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  replace_attribute(file_.get(), object, name, H5T_NATIVE_INT64, space.get(), &value,
                    [this](const std::string& w) { fail(w); });
}

std::vector<hsize_t> File::shape(const std::string& dataset) const {
  Handle d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("no dataset '" + dataset + "'");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  return dims_of(space.get());
}

template <class T>
Array<T> File::read(const std::string& dataset) const {
  Handle d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("no dataset '" + dataset + "'");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  Array<T> out;
  out.shape = dims_of(space.get());
  out.values.resize(element_count(out.shape));
  if (!out.values.empty() &&
      H5Dread(d.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0) {
    fail("cannot read dataset '" + dataset + "' (corrupt, or not numeric)");
  }
  return out;
}

Handle File::make_dataset(const std::string& dataset, hid_t type, const std::vector<hsize_t>& shape) {
  Handle space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle d(H5Dcreate2(file_.get(), dataset.c_str(), type, space.get(), lcpl.get(), H5P_DEFAULT,
                      H5P_DEFAULT),
           H5Dclose);
  if (!d) fail("cannot create dataset '" + dataset + "'");
  return d;
}

template <class T>
void File::write(const std::string& dataset, const std::vector<hsize_t>& shape, const T* values) {
  const Handle d = make_dataset(dataset, native_type<T>(), shape);
  if (element_count(shape) > 0 &&
      H5Dwrite(d.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
    fail("cannot write dataset '" + dataset + "'");
  }
}

namespace {

// The Debian HDF5 build is not thread-safe; row reads may come from loader threads.
std::mutex& io_mutex() {
  static std::mutex m;
  return m;
}

// Selects rows [start, start + count) of `space` (all other dimensions whole).
void select_rows(hid_t space, hsize_t start, hsize_t count) {
  std::vector<hsize_t> dims = dims_of(space);
  std::vector<hsize_t> offset(dims.size(), 0);
  offset[0] = start;
  dims[0] = count;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, dims.data(), nullptr);
}

}  // namespace

template <class T>
void File::create_dataset(const std::string& dataset, const std::vector<hsize_t>& shape) {
  make_dataset(dataset, native_type<T>(), shape);
}

template <class T>
void File::write_rows(const std::string& dataset, hsize_t start, hsize_t count, const T* values) {
  std::lock_guard lock(io_mutex());
  Handle d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("no dataset '" + dataset + "'");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  std::vector<hsize_t> mem_dims = dims_of(space.get());
  if (start + count > mem_dims[0]) fail("rows past the end of '" + dataset + "'");
  select_rows(space.get(), start, count);
  mem_dims[0] = count;
  Handle mem(H5Screate_simple(static_cast<int>(mem_dims.size()), mem_dims.data(), nullptr),
             H5Sclose);
  if (H5Dwrite(d.get(), native_type<T>(), mem.get(), space.get(), H5P_DEFAULT, values) < 0) {
    fail("cannot write rows of '" + dataset + "' (disk full?)");
  }
}

template <class T>
void File::read_rows(const std::string& dataset, hsize_t start, hsize_t count, T* out) const {
  std::lock_guard lock(io_mutex());
  Handle d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("no dataset '" + dataset + "'");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  std::vector<hsize_t> mem_dims = dims_of(space.get());
  if (mem_dims.empty() || start + count > mem_dims[0]) fail("rows past the end of '" + dataset + "'");
  select_rows(space.get(), start, count);
  mem_dims[0] = count;
  Handle mem(H5Screate_simple(static_cast<int>(mem_dims.size()), mem_dims.data(), nullptr),
             H5Sclose);
  if (H5Dread(d.get(), native_type<T>(), mem.get(), space.get(), H5P_DEFAULT, out) < 0) {
    fail("cannot read rows of '" + dataset + "' (corrupt?)");
  }
}

void File::write_strings(const std::string& dataset, const std::vector<std::string>& values) {
  const Handle type = string_type();
  const hsize_t n = values.size();
  const Handle d = make_dataset(dataset, type.get(), {n});
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  if (n > 0 && H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
    fail("cannot write dataset '" + dataset + "'");
  }
}

std::vector<std::string> File::read_strings(const std::string& dataset) const {
  Handle d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("no dataset '" + dataset + "'");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  const hsize_t n = element_count(dims_of(space.get()));
  std::vector<char*> raw(n, nullptr);
  Handle mem = string_type();
  if (n > 0 && H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) {
    fail("cannot read strings of '" + dataset + "'");
  }
  std::vector<std::string> out;
  out.reserve(n);
  for (char* p : raw) out.emplace_back(p ? p : "");
  if (n > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, raw.data());
  return out;
}

void File::close() {
  if (!file_) return;
  const herr_t flushed = H5Fflush(file_.get(), H5F_SCOPE_GLOBAL);
  const herr_t closed = H5Fclose(file_.release());
  if (flushed < 0 || closed < 0) fail("cannot write to disk (disk full?)");
}

template Array<float> File::read<float>(const std::string&) const;
template Array<double> File::read<double>(const std::string&) const;
template Array<std::int64_t> File::read<std::int64_t>(const std::string&) const;
template Array<std::uint8_t> File::read<std::uint8_t>(const std::string&) const;
template void File::write<float>(const std::string&, const std::vector<hsize_t>&, const float*);
template void File::write<double>(const std::string&, const std::vector<hsize_t>&, const double*);
template void File::write<std::int64_t>(const std::string&, const std::vector<hsize_t>&,
                                        const std::int64_t*);
template void File::create_dataset<std::uint8_t>(const std::string&, const std::vector<hsize_t>&);
template void File::create_dataset<std::int64_t>(const std::string&, const std::vector<hsize_t>&);
template void File::create_dataset<float>(const std::string&, const std::vector<hsize_t>&);
template void File::write_rows<std::uint8_t>(const std::string&, hsize_t, hsize_t, const std::uint8_t*);
template void File::write_rows<std::int64_t>(const std::string&, hsize_t, hsize_t, const std::int64_t*);
template void File::write_rows<float>(const std::string&, hsize_t, hsize_t, const float*);
template void File::read_rows<std::uint8_t>(const std::string&, hsize_t, hsize_t, std::uint8_t*) const;
template void File::read_rows<std::int64_t>(const std::string&, hsize_t, hsize_t, std::int64_t*) const;
template void File::read_rows<float>(const std::string&, hsize_t, hsize_t, float*) const;
template void File::write<std::uint8_t>(const std::string&, const std::vector<hsize_t>&,
                                        const std::uint8_t*);

}  // namespace lockerctl::h5
