#pragma once

// Batches from a prepared dataset's HDF5 cache, for training and evaluation: shuffled per epoch,
// optionally augmented and class-balanced, normalised for the model, built on several threads.
// The same seed gives the same batches, whatever the thread count.

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/augment.hpp"
#include "data/split.hpp"

namespace lockerctl::h5 {
class File;
}

namespace lockerctl::data {

struct BatchOptions {
  int batch_size = 32;
  bool shuffle = true;          ///< a new seeded order each epoch
  std::uint64_t seed = 1337;
  int workers = 2;              ///< threads that build one batch
  double scale = 1.0 / 127.5;   ///< value = pixel * scale + offset (MobileNetV2: [-1, 1])
  double offset = -1.0;
  AugmentOptions augment;
  /// Repeat the smaller class (seeded) until both classes are equally frequent in an epoch; with
  /// augmentation on, each repeat is a different variant. For a small owner class.
  bool balance = false;
};

/// One batch: float NCHW images and float labels (1 = positive class).
struct Batch {
  int count = 0;
  int size = 0;                     ///< image side
  std::vector<float> images;        ///< count × 3 × size × size
  std::vector<float> labels;        ///< count
  std::vector<std::size_t> rows;    ///< the cache rows used, in batch order
};

class BatchReader {
 public:
  /// Opens `split` of the cache at `cache`. Throws DataError when the file or split is unusable.
  BatchReader(const std::filesystem::path& cache, Split split, BatchOptions options);
  ~BatchReader();

  std::size_t images() const { return labels_.size(); }
  int image_size() const { return size_; }
  const std::vector<std::uint8_t>& labels() const { return labels_; }
  std::size_t batches_per_epoch() const;

  /// Starts epoch `epoch` (0-based): fixes its order. Call before next().
  void start_epoch(int epoch);
  /// The next batch of the epoch, or nullopt when the epoch is done.
  std::optional<Batch> next();

  /// The row order of epoch `epoch` (what next() walks through, batch by batch).
  std::vector<std::size_t> epoch_order(int epoch) const;

 private:
  Batch build(std::size_t batch_index) const;

  std::unique_ptr<h5::File> file_;
  std::string group_;
  BatchOptions options_;
  int size_ = 0;
  int epoch_ = 0;
  std::vector<std::uint8_t> labels_;
  std::vector<std::size_t> order_;
  std::size_t next_batch_ = 0;
  std::future<Batch> prefetch_;
};

}  // namespace lockerctl::data
