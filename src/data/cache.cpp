#include "data/cache.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/clock.hpp"
#include "core/csv.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/version.hpp"
#include "data/hash.hpp"
#include "data/image.hpp"
#include "h5/h5.hpp"

namespace lockerctl::data {
namespace fs = std::filesystem;

CachePaths CachePaths::in(const fs::path& data_dir, const std::string& name) {
  CachePaths p;
  p.dir = data_dir / name;
  p.cache = p.dir / "cache.h5";
  p.manifest = p.dir / "split.csv";
  p.skipped = p.dir / "skipped.csv";
  return p;
}

namespace {

// One decoded, resized image and what is known about it.
struct Prepared {
  std::vector<std::uint8_t> pixels;  // S*S*3, RGB
  std::string sha256;
  std::string error;                 // "" when usable
  int height = 0, width = 0;         // before resizing
};

// Changes whenever anything that shapes the cache changes, without decoding an image.
std::string fingerprint(const DatasetSource& src, const SplitFractions& f, const std::string& crop) {
  Sha256 h;
  h.add(kCacheFormat).add(std::to_string(kCacheFormatVersion)).add(src.definition);
  if (!crop.empty()) h.add(crop);  // caches made before crops existed stay valid
  h.add(src.positive_class).add(src.negative_class).add(std::to_string(src.image_size));
  h.add(fmt::format("{}/{}/{}/{}", f.train, f.val, f.test, f.seed));
  for (const auto& file : src.files) {
    struct stat st {};
    const bool ok = ::stat(file.path.c_str(), &st) == 0;
    h.add(file.name).add(std::to_string(file.label)).add(file.gray ? "gray" : "as_is").add(file.source);
    h.add(ok ? fmt::format("{}:{}.{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec) : "missing");
  }
  return h.hex();
}

Prepared prepare_one(const SourceFile& file, int size, const PrepareOptions& options) {
  Prepared p;
  std::vector<std::uint8_t> bytes;
  if (!read_file(file.path, bytes, p.error)) return p;
  DecodeResult decoded = decode_image(bytes);
  if (!decoded.ok()) {
    p.error = decoded.error;
    return p;
  }
  p.sha256 = sha256_hex(bytes.data(), bytes.size());
  p.height = decoded.image.original_height;
  p.width = decoded.image.original_width;
  cv::Mat rgb = file.gray ? to_gray_rgb(decoded.image.rgb) : decoded.image.rgb;
  if (options.crop) {
    rgb = options.crop(rgb, p.error);
    if (rgb.empty()) {
      if (p.error.empty()) p.error = "nothing left after " + options.crop_name;
      return p;
    }
  }
  const cv::Mat resized = resize_square(rgb, size);
  p.pixels.assign(resized.data, resized.data + resized.total() * resized.elemSize());
  return p;
}

bool cache_matches(const fs::path& cache, const std::string& fp) {
  if (!h5::is_hdf5(cache)) return false;
  try {
    const h5::File f = h5::File::open_read(cache);
    return f.has_attribute("/", "fingerprint") &&
           f.read_string_attribute("/", "fingerprint") == fp;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

PrepareReport prepare_dataset(const DatasetSource& source, const fs::path& data_dir,
                              const SplitFractions& fractions, const PrepareOptions& options) {
  PrepareReport report;
  report.paths = CachePaths::in(data_dir, source.name);
  report.files = source.files.size();
  const std::string fp = fingerprint(source, fractions, options.crop_name);
  if (!options.force && cache_matches(report.paths.cache, fp) && fs::exists(report.paths.manifest)) {
    const DatasetSummary summary = inspect_dataset(data_dir, source.name);
    report.counts = summary.counts;
    report.skipped = summary.skipped.size();
    return report;
  }
  report.rebuilt = true;
  const auto start = std::chrono::steady_clock::now();

  // Decode every file once, on several threads.
  std::vector<Prepared> prepared(source.files.size());
  {
    Progress progress("decode " + source.name, source.files.size());
    std::atomic<std::size_t> next{0};
    const int workers = std::max(1, options.workers);
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        for (std::size_t i = next++; i < source.files.size(); i = next++) {
          prepared[i] = prepare_one(source.files[i], source.image_size, options);
          progress.advance();
        }
      });
    }
    for (auto& t : pool) t.join();
  }

  // Skip unusable files and contents claimed by both classes.
  std::vector<std::pair<std::string, std::string>> skipped;
  std::map<std::string, std::set<int>> labels_of;
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (prepared[i].error.empty()) labels_of[prepared[i].sha256].insert(source.files[i].label);
  }
  std::vector<std::size_t> used;
  std::vector<SplitItem> items;
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    Prepared& p = prepared[i];
    if (p.error.empty() && labels_of[p.sha256].size() > 1) {
      p.error = "same content appears in both classes";
    }
    if (!p.error.empty()) {
      skipped.emplace_back(source.files[i].name, p.error);
      continue;
    }
    used.push_back(i);
    items.push_back({p.sha256, source.files[i].label, Split::Train});
  }
  report.skipped = skipped.size();
  for (const auto& [cls, label] : {std::pair{source.positive_class, 1}, {source.negative_class, 0}}) {
    const bool any = std::any_of(items.begin(), items.end(),
                                 [label = label](const SplitItem& it) { return it.label == label; });
    if (!any) {
      throw DataError(fmt::format("dataset '{}': class '{}' has no usable image ({} file(s) skipped)",
                                  source.name, cls, skipped.size()));
    }
  }
  assign_splits(items, fractions, source.positive_class, source.negative_class);

  // Order within each split by the same seeded key, so the cache does not depend on file order.
  std::array<std::vector<std::size_t>, 3> members;  // indexes into `items`
  for (std::size_t k = 0; k < items.size(); ++k) {
    members[static_cast<int>(items[k].split)].push_back(k);
  }
  std::vector<std::uint64_t> order_key(items.size());
  for (std::size_t k = 0; k < items.size(); ++k) {
    order_key[k] = keyed_order(fractions.seed, source.files[used[k]].name);
  }
  for (auto& m : members) {
    std::sort(m.begin(), m.end(), [&](std::size_t a, std::size_t b) {
      return order_key[a] != order_key[b] ? order_key[a] < order_key[b]
                                          : source.files[used[a]].name < source.files[used[b]].name;
    });
  }

  fs::create_directories(report.paths.dir);
  const hsize_t S = source.image_size;
  std::string manifest = "path,class,split,sha256,source\n";
  {
    AtomicFile out(report.paths.cache);
    h5::File f = h5::File::create(out.temp());
    f.write_attribute("/", "format", std::string(kCacheFormat));
    f.write_attribute("/", "format_version", static_cast<std::int64_t>(kCacheFormatVersion));
    f.write_attribute("/", "lockerctl_version", std::string(kVersion));
    f.write_attribute("/", "name", source.name);
    f.write_attribute("/", "task", task_name(source.task));
    f.write_attribute("/", "positive_class", source.positive_class);
    f.write_attribute("/", "negative_class", source.negative_class);
    f.write_attribute("/", "image_size", static_cast<std::int64_t>(source.image_size));
    f.write_attribute("/", "channel_order", std::string("RGB"));
    f.write_attribute("/", "resize", (options.crop ? options.crop_name + ", then " : std::string("no crop; ")) +
                                         "cv::resize INTER_LINEAR on 8-bit; gray replicated to RGB");
    f.write_attribute("/", "fingerprint", fp);
    f.write_attribute("/", "seed", static_cast<std::int64_t>(fractions.seed));
    f.write_attribute("/", "fractions",
                      fmt::format("{}/{}/{}", fractions.train, fractions.val, fractions.test));
    f.write_attribute("/", "created", utc_now_iso8601());
    f.write_attribute("/", "skipped", static_cast<std::int64_t>(skipped.size()));
    for (const Split split : kSplits) {
      const auto& m = members[static_cast<int>(split)];
      const std::string g = std::string("/") + split_name(split);
      const hsize_t n = m.size();
      f.create_dataset<std::uint8_t>(g + "/images", {n, S, S, 3});
      std::vector<std::uint8_t> labels;
      std::vector<std::int64_t> hw;
      std::vector<std::string> paths, hashes, sources;
      for (hsize_t r = 0; r < n; ++r) {
        const std::size_t file_index = used[m[r]];
        Prepared& p = prepared[file_index];
        f.write_rows<std::uint8_t>(g + "/images", r, 1, p.pixels.data());
        std::vector<std::uint8_t>().swap(p.pixels);  // release as we go
        const SourceFile& file = source.files[file_index];
        labels.push_back(static_cast<std::uint8_t>(file.label));
        hw.push_back(p.height);
        hw.push_back(p.width);
        paths.push_back(file.name);
        hashes.push_back(p.sha256);
        sources.push_back(file.source);
        ++report.counts[static_cast<int>(split)][file.label];
        manifest += fmt::format("{},{},{},{},{}\n", csv_field(file.name),
                                file.label ? source.positive_class : source.negative_class,
                                split_name(split), p.sha256, csv_field(file.source));
      }
      f.write<std::uint8_t>(g + "/labels", {n}, labels.data());
      f.write<std::int64_t>(g + "/original_hw", {n, 2}, hw.data());
      f.write_strings(g + "/paths", paths);
      f.write_strings(g + "/sha256", hashes);
      f.write_strings(g + "/sources", sources);
    }
    f.close();
    out.commit();
  }
  write_file_atomically(report.paths.manifest, manifest);
  std::string skipped_csv = "path,reason\n";
  for (const auto& [path, reason] : skipped) {
    skipped_csv += csv_field(path) + "," + csv_field(reason) + "\n";
  }
  write_file_atomically(report.paths.skipped, skipped_csv);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::vector<std::string> split_sources(const fs::path& cache, Split split) {
  std::vector<std::string> sources;
  errors_as<DataError>([&] {
    const h5::File f = h5::File::open_read(cache);
    const std::string d = std::string("/") + split_name(split) + "/sources";
    if (f.exists(d)) sources = f.read_strings(d);
  });
  return sources;
}

DatasetSummary inspect_dataset(const fs::path& data_dir, const std::string& name) {
  const CachePaths paths = CachePaths::in(data_dir, name);
  if (!fs::exists(paths.cache)) {
    throw DataError(fmt::format("dataset '{}' is not prepared: {} does not exist (run lockerctl "
                                "dataset prepare --dataset {})",
                                name, paths.cache.string(), name));
  }
  DatasetSummary s;
  errors_as<DataError>([&] {
    const h5::File f = h5::File::open_read(paths.cache);
    if (!f.has_attribute("/", "format") || f.read_string_attribute("/", "format") != kCacheFormat) {
      throw DataError(paths.cache.string() + ": not a lockerctl dataset cache");
    }
    s.name = f.read_string_attribute("/", "name");
    s.task = f.read_string_attribute("/", "task");
    s.positive_class = f.read_string_attribute("/", "positive_class");
    s.negative_class = f.read_string_attribute("/", "negative_class");
    s.fingerprint = f.read_string_attribute("/", "fingerprint");
    s.created = f.read_string_attribute("/", "created");
    s.image_size = static_cast<int>(f.read_int_attribute("/", "image_size"));
    std::map<std::string, std::size_t> copies;
    bool first = true;
    for (const Split split : kSplits) {
      const std::string g = std::string("/") + split_name(split);
      const auto labels = f.read<std::uint8_t>(g + "/labels").values;
      for (const auto label : labels) ++s.counts[static_cast<int>(split)][label ? 1 : 0];
      const auto hw = f.read<std::int64_t>(g + "/original_hw").values;
      for (std::size_t i = 0; i + 1 < hw.size(); i += 2) {
        const int h = static_cast<int>(hw[i]), w = static_cast<int>(hw[i + 1]);
        s.min_height = first ? h : std::min(s.min_height, h);
        s.max_height = first ? h : std::max(s.max_height, h);
        s.min_width = first ? w : std::min(s.min_width, w);
        s.max_width = first ? w : std::max(s.max_width, w);
        first = false;
      }
      for (const auto& h : f.read_strings(g + "/sha256")) ++copies[h];
      if (f.exists(g + "/sources")) {
        const auto sources = f.read_strings(g + "/sources");
        for (std::size_t i = 0; i < sources.size() && i < labels.size(); ++i) {
          ++s.by_source[sources[i]][static_cast<int>(split)][labels[i] ? 1 : 0];
        }
      }
    }
    for (const auto& [hash, n] : copies) {
      if (n > 1) {
        ++s.duplicate_groups;
        s.duplicate_images += n - 1;
      }
    }
  });
  std::ifstream skipped(paths.skipped);
  std::string line;
  std::getline(skipped, line);  // header
  while (std::getline(skipped, line)) {
    // path,reason with CSV quoting; split on the first comma outside quotes.
    bool quoted = false;
    std::size_t cut = std::string::npos;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '"') quoted = !quoted;
      if (line[i] == ',' && !quoted) {
        cut = i;
        break;
      }
    }
    if (cut == std::string::npos) continue;
    auto unquote = [](std::string t) {
      if (t.size() >= 2 && t.front() == '"' && t.back() == '"') {
        t = t.substr(1, t.size() - 2);
        std::string out;
        for (std::size_t i = 0; i < t.size(); ++i) {
          out += t[i];
          if (t[i] == '"' && i + 1 < t.size() && t[i + 1] == '"') ++i;
        }
        return out;
      }
      return t;
    };
    s.skipped.emplace_back(unquote(line.substr(0, cut)), unquote(line.substr(cut + 1)));
  }
  return s;
}

}  // namespace lockerctl::data
