#pragma once

// The prepared form of a dataset: every image decoded once, resized, and stored in one HDF5 file
// beside a split manifest. Training reads batches from it and never decodes an image file again.
//
//   <data_dir>/<name>/cache.h5     /<split>/images   uint8 [N, S, S, 3], RGB, NHWC
//                                  /<split>/labels   uint8 [N], 1 = positive class
//                                  /<split>/paths    strings [N], as in the manifest
//                                  /<split>/sha256   strings [N], content hashes
//                                  /<split>/original_hw  int64 [N, 2], decoded size before resizing
//                                  /<split>/sources  strings [N], the recipe source of each image
//                                  root attributes: format, format_version, name, task,
//                                  positive_class, negative_class, image_size, channel_order,
//                                  resize, fingerprint, seed, fractions, created, skipped
//   <data_dir>/<name>/split.csv    path,class,split,sha256,source for every image used
//   <data_dir>/<name>/skipped.csv  path,reason for every file left out

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "data/source.hpp"
#include "data/split.hpp"

namespace lockerctl::data {

inline constexpr const char* kCacheFormat = "lockerctl-dataset";
inline constexpr int kCacheFormatVersion = 1;

/// Files of a prepared dataset.
struct CachePaths {
  std::filesystem::path dir, cache, manifest, skipped;
  static CachePaths in(const std::filesystem::path& data_dir, const std::string& name);
};

struct PrepareOptions {
  int workers = 2;      ///< decoding threads
  bool force = false;   ///< rebuild even when the source is unchanged
  /// What is stored of each decoded 8-bit RGB image before resizing (layer 2: the face crop that
  /// `lockerctl run` makes too). Returns an empty Mat and sets `why` to skip the file. Called from
  /// several threads at once. Unset: the whole image.
  std::function<cv::Mat(const cv::Mat& rgb, std::string& why)> crop;
  std::string crop_name;  ///< describes `crop`: part of the fingerprint and the cache's `resize` attribute
};

/// Images per split and class: counts[split][label].
using SplitCounts = std::array<std::array<std::size_t, 2>, 3>;

struct PrepareReport {
  bool rebuilt = false;        ///< false: the cache already matched the source (nothing done)
  std::size_t files = 0;       ///< files the source named
  std::size_t skipped = 0;     ///< files left out (listed in skipped.csv)
  SplitCounts counts{};        ///< images stored
  double seconds = 0;          ///< wall time of decoding and writing
  CachePaths paths;
};

/// Builds (or confirms) the cache for `source`. A source whose files, sizes, times, recipe,
/// classes, image size and split settings are unchanged is not rebuilt. Unusable files are
/// skipped, counted and listed; a class left empty, or too small for the split, is a DataError.
/// The cache and both CSV files are written atomically.
PrepareReport prepare_dataset(const DatasetSource& source, const std::filesystem::path& data_dir,
                              const SplitFractions& fractions, const PrepareOptions& options);

/// What `lockerctl dataset inspect` shows.
struct DatasetSummary {
  std::string name, task, positive_class, negative_class, fingerprint, created;
  int image_size = 0;
  SplitCounts counts{};
  int min_height = 0, max_height = 0, min_width = 0, max_width = 0;  ///< original sizes
  std::size_t duplicate_groups = 0;    ///< contents stored more than once (kept in one split)
  std::size_t duplicate_images = 0;    ///< images in those groups beyond the first
  std::vector<std::pair<std::string, std::string>> skipped;  ///< path, reason
  /// Images per source, split and class (empty for a cache made before sources were recorded).
  std::map<std::string, SplitCounts> by_source;
};

/// The source of every image of `split`, in the cache's order; empty for a cache made before
/// sources were recorded. Throws DataError for an unreadable cache.
std::vector<std::string> split_sources(const std::filesystem::path& cache, Split split);

/// Reads a prepared dataset. Throws DataError when it is missing or not a dataset cache.
DatasetSummary inspect_dataset(const std::filesystem::path& data_dir, const std::string& name);

}  // namespace lockerctl::data
