#include "report/tensorboard.hpp"

#include <unistd.h>

#include <array>
#include <cstring>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::report {
namespace {

const std::array<std::uint32_t, 256>& crc_table() {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void tag_byte(std::string& out, int field, int wire_type) { varint(out, (field << 3) | wire_type); }

void length_delimited(std::string& out, int field, const std::string& bytes) {
  tag_byte(out, field, 2);
  varint(out, bytes.size());
  out += bytes;
}

template <class T>
void fixed(std::string& out, int field, int wire_type, T value) {
  tag_byte(out, field, wire_type);
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));  // little-endian on the platforms we build for
  out.append(raw, sizeof(T));
}

std::string event_header(double wall_time, std::int64_t step) {
  std::string e;
  fixed(e, 1, 1, wall_time);
  tag_byte(e, 2, 0);
  varint(e, static_cast<std::uint64_t>(step));
  return e;
}

// Minimal protobuf reading for read_scalar_events.
struct Reader {
  const std::uint8_t* p;
  const std::uint8_t* end;
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      const std::uint8_t b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    throw IoError("event file: bad varint");
  }
  void skip(int wire) {
    if (wire == 0) varint();
    else if (wire == 1) p += 8;
    else if (wire == 5) p += 4;
    else if (wire == 2) p += varint();
    else throw IoError("event file: unknown wire type");
    if (p > end) throw IoError("event file: field runs past the record");
  }
};

}  // namespace

std::uint32_t crc32c(const std::uint8_t* data, std::size_t size) {
  std::uint32_t c = 0xFFFFFFFFu;
  const auto& t = crc_table();
  for (std::size_t i = 0; i < size; ++i) c = t[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t masked_crc32c(const std::uint8_t* data, std::size_t size) {
  const std::uint32_t c = crc32c(data, size);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string encode_scalar_event(double wall_time, std::int64_t step, const std::string& tag,
                                float value) {
  std::string v;
  length_delimited(v, 1, tag);
  fixed(v, 2, 5, value);
  std::string summary;
  length_delimited(summary, 1, v);
  std::string e = event_header(wall_time, step);
  length_delimited(e, 5, summary);
  return e;
}

EventWriter::EventWriter(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  path_ = dir / ("events.out.tfevents." + std::to_string(static_cast<long long>(unix_now())) +
                 "." + host + "." + std::to_string(::getpid()));
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw IoError(path_.string() + ": cannot create event file");
  std::string e = event_header(unix_now(), 0);
  length_delimited(e, 3, "brain.Event:2");
  write_record(e);
}

void EventWriter::scalar(const std::string& tag, std::int64_t step, float value) {
  write_record(encode_scalar_event(unix_now(), step, tag, value));
}

void EventWriter::write_record(const std::string& data) {
  std::uint8_t header[12];
  const std::uint64_t length = data.size();
  std::memcpy(header, &length, 8);
  const std::uint32_t length_crc = masked_crc32c(header, 8);
  std::memcpy(header + 8, &length_crc, 4);
  const std::uint32_t data_crc =
      masked_crc32c(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  out_.write(reinterpret_cast<const char*>(header), 12);
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  out_.write(reinterpret_cast<const char*>(&data_crc), 4);
  out_.flush();
  if (!out_) throw IoError(path_.string() + ": cannot write (disk full?)");
}

std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(file.string() + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* end = p + bytes.size();
  std::vector<ScalarEvent> out;
  while (p < end) {
    if (end - p < 12) throw IoError(file.string() + ": truncated record header");
    std::uint64_t length;
    std::uint32_t length_crc, data_crc;
    std::memcpy(&length, p, 8);
    std::memcpy(&length_crc, p + 8, 4);
    if (masked_crc32c(p, 8) != length_crc) throw IoError(file.string() + ": bad length CRC");
    if (static_cast<std::uint64_t>(end - p - 12) < length + 4) throw IoError(file.string() + ": truncated record");
    const std::uint8_t* data = p + 12;
    std::memcpy(&data_crc, data + length, 4);
    if (masked_crc32c(data, length) != data_crc) throw IoError(file.string() + ": bad data CRC");
    Reader event{data, data + length};
    std::int64_t step = 0;
    while (event.p < event.end) {
      const auto key = event.varint();
      const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
      if (field == 2 && wire == 0) {
        step = static_cast<std::int64_t>(event.varint());
      } else if (field == 5 && wire == 2) {
        const auto n = event.varint();
        Reader summary{event.p, event.p + n};
        event.p += n;
        while (summary.p < summary.end) {
          const auto skey = summary.varint();
          if ((skey >> 3) != 1 || (skey & 7) != 2) {
            summary.skip(static_cast<int>(skey & 7));
            continue;
          }
          const auto vn = summary.varint();
          Reader value{summary.p, summary.p + vn};
          summary.p += vn;
          ScalarEvent s{"", step, 0};
          while (value.p < value.end) {
            const auto vkey = value.varint();
            if ((vkey >> 3) == 1 && (vkey & 7) == 2) {
              const auto tn = value.varint();
              s.tag.assign(reinterpret_cast<const char*>(value.p), tn);
              value.p += tn;
            } else if ((vkey >> 3) == 2 && (vkey & 7) == 5) {
              std::memcpy(&s.value, value.p, 4);
              value.p += 4;
            } else {
              value.skip(static_cast<int>(vkey & 7));
            }
          }
          out.push_back(s);
        }
      } else {
        event.skip(wire);
      }
    }
    p = data + length + 4;
  }
  return out;
}

}  // namespace lockerctl::report
