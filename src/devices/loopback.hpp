#pragma once

// Two Channels joined in memory, with faults to inject: what the protocol tests run on.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>

#include "devices/channel.hpp"

namespace lockerctl::devices {

/// What the line does to bytes in one direction.
struct LineFaults {
  double drop = 0.0;     ///< chance that a byte is lost
  double corrupt = 0.0;  ///< chance that a byte has one bit flipped
  double noise = 0.0;    ///< chance that a write is preceded by 1-16 random bytes
  bool cut = false;      ///< every byte is lost (unplugged cable, board without power)
};

class Loopback {
 public:
  explicit Loopback(std::uint64_t seed = 1);
  ~Loopback();

  /// The two ends: what `a()` writes, `b()` reads, and the other way round.
  Channel& a();
  Channel& b();
  /// Faults on bytes written by a() (to_b = true) or by b().
  void set_faults(bool to_b, const LineFaults& faults);

 private:
  struct Pipe;
  class End;
  std::shared_ptr<Pipe> a_to_b_, b_to_a_;
  std::unique_ptr<End> a_, b_;
};

}  // namespace lockerctl::devices
