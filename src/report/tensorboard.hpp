#pragma once

// Writes TensorBoard event files (events.out.tfevents.*) with scalar summaries, without
// TensorFlow or protobuf: each record is a TFRecord (length, masked CRC-32C of the length, an
// Event protocol buffer, masked CRC-32C of the data) and the Event is encoded by hand. Only the
// fields TensorBoard's scalar dashboard reads are written: Event.wall_time (1, double),
// Event.step (2, int64), Event.file_version (3, "brain.Event:2"), Event.summary (5) holding
// Summary.value (1) = {tag (1, string), simple_value (2, float)}.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace lockerctl::report {

/// CRC-32C (Castagnoli), as TFRecord uses it.
std::uint32_t crc32c(const std::uint8_t* data, std::size_t size);
/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
std::uint32_t masked_crc32c(const std::uint8_t* data, std::size_t size);

/// Encodes one Event with a scalar summary value (exposed for tests).
std::string encode_scalar_event(double wall_time, std::int64_t step, const std::string& tag,
                                float value);

class EventWriter {
 public:
  /// Creates `dir`/events.out.tfevents.<time>.<host>.<pid> and writes the file_version event.
  /// Throws IoError.
  explicit EventWriter(const std::filesystem::path& dir);

  /// Appends one scalar (flushed to disk at once, so a killed run keeps every logged epoch).
  void scalar(const std::string& tag, std::int64_t step, float value);

  const std::filesystem::path& path() const { return path_; }

 private:
  void write_record(const std::string& data);

  std::filesystem::path path_;
  std::ofstream out_;
};

/// Reads back every (tag, step, value) of an event file, checking both CRCs of each record.
/// Throws IoError on a corrupt record. For tests and for `lockerctl` to summarise runs.
struct ScalarEvent {
  std::string tag;
  std::int64_t step;
  float value;
};
std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& file);

}  // namespace lockerctl::report
