#include "devices/loopback.hpp"

namespace lockerctl::devices {

struct Loopback::Pipe {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::uint8_t> bytes;
  LineFaults faults;
  std::mt19937_64 rng;
  explicit Pipe(std::uint64_t seed) : rng(seed) {}

  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  void push(const std::uint8_t* data, std::size_t size) {
    {
      std::lock_guard lock(mutex);
      if (faults.cut) return;
      if (chance(faults.noise)) {
        const int n = 1 + static_cast<int>(rng() % 16);
        for (int i = 0; i < n; ++i) bytes.push_back(static_cast<std::uint8_t>(rng()));
      }
      for (std::size_t i = 0; i < size; ++i) {
        if (chance(faults.drop)) continue;
        std::uint8_t byte = data[i];
        if (chance(faults.corrupt)) byte ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        bytes.push_back(byte);
      }
    }
    ready.notify_all();
  }

  std::size_t pop(std::uint8_t* out, std::size_t size, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    ready.wait_for(lock, timeout, [&] { return !bytes.empty(); });
    std::size_t n = 0;
    while (n < size && !bytes.empty()) {
      out[n++] = bytes.front();
      bytes.pop_front();
    }
    return n;
  }

  void clear() {
    std::lock_guard lock(mutex);
    bytes.clear();
  }
};

class Loopback::End final : public Channel {
 public:
  End(std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out) : in_(std::move(in)), out_(std::move(out)) {}
  std::size_t read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) override {
    return in_->pop(buffer, size, timeout);
  }
  void write(const std::uint8_t* bytes, std::size_t size) override { out_->push(bytes, size); }
  void flush() override { in_->clear(); }

 private:
  std::shared_ptr<Pipe> in_, out_;
};

Loopback::Loopback(std::uint64_t seed)
    : a_to_b_(std::make_shared<Pipe>(seed)),
      b_to_a_(std::make_shared<Pipe>(seed ^ 0x9E3779B97F4A7C15ull)),
      a_(std::make_unique<End>(b_to_a_, a_to_b_)),
      b_(std::make_unique<End>(a_to_b_, b_to_a_)) {}

Loopback::~Loopback() = default;

Channel& Loopback::a() { return *a_; }
Channel& Loopback::b() { return *b_; }

void Loopback::set_faults(bool to_b, const LineFaults& faults) {
  Pipe& pipe = to_b ? *a_to_b_ : *b_to_a_;
  std::lock_guard lock(pipe.mutex);
  pipe.faults = faults;
}

}  // namespace lockerctl::devices
