#include "data/batches.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/errors.hpp"
#include "h5/h5.hpp"

namespace lockerctl::data {

BatchReader::BatchReader(const std::filesystem::path& cache, Split split, BatchOptions options)
    : group_(std::string("/") + split_name(split)), options_(std::move(options)) {
  errors_as<DataError>([&] {
    file_ = std::make_unique<h5::File>(h5::File::open_read(cache));
    const auto shape = file_->shape(group_ + "/images");
    if (shape.size() != 4 || shape[3] != 3 || shape[1] != shape[2]) {
      throw DataError(cache.string() + ": " + group_ + "/images is not [N, S, S, 3]");
    }
    size_ = static_cast<int>(shape[1]);
    labels_ = file_->read<std::uint8_t>(group_ + "/labels").values;
  });
  if (options_.batch_size < 1) throw DataError("batch size must be at least 1");
  start_epoch(0);
}

BatchReader::~BatchReader() {
  if (prefetch_.valid()) prefetch_.wait();
}

std::size_t BatchReader::batches_per_epoch() const {
  return (order_.size() + options_.batch_size - 1) / options_.batch_size;
}

std::vector<std::size_t> BatchReader::epoch_order(int epoch) const {
  std::vector<std::size_t> order(labels_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(options_.seed * 1000003ull + static_cast<std::uint64_t>(epoch));
  if (options_.balance && !labels_.empty()) {
    std::vector<std::size_t> by_class[2];
    for (std::size_t i = 0; i < labels_.size(); ++i) by_class[labels_[i] ? 1 : 0].push_back(i);
    const int small = by_class[0].size() < by_class[1].size() ? 0 : 1;
    const std::size_t deficit = by_class[1 - small].size() - by_class[small].size();
    for (std::size_t k = 0; k < deficit && !by_class[small].empty(); ++k) {
      order.push_back(by_class[small][rng.next() % by_class[small].size()]);
    }
  }
  if (options_.shuffle) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.next() % i]);
  }
  return order;
}

void BatchReader::start_epoch(int epoch) {
  if (prefetch_.valid()) prefetch_.wait();
  prefetch_ = {};
  epoch_ = epoch;
  order_ = epoch_order(epoch);
  next_batch_ = 0;
}

Batch BatchReader::build(std::size_t batch_index) const {
  Batch b;
  const std::size_t first = batch_index * options_.batch_size;
  const std::size_t last = std::min(order_.size(), first + options_.batch_size);
  b.count = static_cast<int>(last - first);
  b.size = size_;
  const std::size_t plane = static_cast<std::size_t>(size_) * size_;
  b.images.resize(b.count * 3 * plane);
  b.labels.resize(b.count);
  b.rows.assign(order_.begin() + first, order_.begin() + last);

  const auto fill = [&](int from, int to) {
    std::vector<std::uint8_t> pixels(plane * 3);
    for (int i = from; i < to; ++i) {
      const std::size_t row = b.rows[i];
      file_->read_rows<std::uint8_t>(group_ + "/images", row, 1, pixels.data());
      cv::Mat img(size_, size_, CV_8UC3, pixels.data());
      if (options_.augment.enabled) {
        // Seeded per (epoch, position): identical whichever thread builds it.
        Rng rng(options_.seed ^ (static_cast<std::uint64_t>(epoch_) << 32) ^ (first + i) * 0x2545F491ull);
        img = augment(img, options_.augment, rng);
      }
      float* out = b.images.data() + static_cast<std::size_t>(i) * 3 * plane;
      const std::uint8_t* px = img.data;
      const float scale = static_cast<float>(options_.scale), offset = static_cast<float>(options_.offset);
      for (std::size_t p = 0; p < plane; ++p) {  // HWC -> CHW
        out[p] = px[3 * p] * scale + offset;
        out[plane + p] = px[3 * p + 1] * scale + offset;
        out[2 * plane + p] = px[3 * p + 2] * scale + offset;
      }
      b.labels[i] = labels_[row] ? 1.0f : 0.0f;
    }
  };
  const int workers = std::max(1, std::min(options_.workers, b.count));
  std::vector<std::thread> pool;
  const int per = (b.count + workers - 1) / workers;
  for (int w = 1; w < workers; ++w) {
    pool.emplace_back(fill, std::min(b.count, w * per), std::min(b.count, (w + 1) * per));
  }
  fill(0, std::min(b.count, per));
  for (auto& t : pool) t.join();
  return b;
}

std::optional<Batch> BatchReader::next() {
  if (next_batch_ >= batches_per_epoch()) return std::nullopt;
  Batch batch = prefetch_.valid() ? prefetch_.get() : build(next_batch_);
  ++next_batch_;
  if (next_batch_ < batches_per_epoch()) {
    prefetch_ = std::async(std::launch::async, [this, i = next_batch_] { return build(i); });
  }
  return batch;
}

}  // namespace lockerctl::data
