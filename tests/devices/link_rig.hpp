#pragma once

// A control panel and a simulated board in one process, joined by an in-memory loopback, with a
// tap on the panel's side that records every packet, can change packets on their way (a man in
// the middle who recomputes the check bytes) and can put an attacker's bytes on the line.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "devices/loopback.hpp"
#include "devices/osdp_cp.hpp"
#include "devices/osdp_pd.hpp"

namespace lockerctl::devices::osdp {

using namespace std::chrono_literals;

class Tap final : public Channel {
 public:
  /// Changes a packet on its way; returns whether it changed it.
  using Meddle = std::function<bool(Packet&)>;

  explicit Tap(Channel& inner) : inner_(inner), commands_(std::nullopt, false), replies_(std::nullopt, true) {}

  std::size_t read(std::uint8_t* b, std::size_t n, std::chrono::milliseconds t) override {
    if (!on_reply_ && !hold_) return inner_.read(b, n, t);
    if (incoming_.empty()) {
      std::uint8_t buffer[256];
      replies_.feed(buffer, inner_.read(buffer, sizeof buffer, t));
      while (auto p = replies_.next()) {
        if (hold_ && held_.empty() && holds_left_ > 0 && hold_(*p)) {
          --holds_left_;
          pass(*p, {}, held_);
          continue;
        }
        incoming_.insert(incoming_.end(), held_.begin(), held_.end());
        held_.clear();
        pass(*p, on_reply_, incoming_);
      }
    }
    const std::size_t k = std::min(n, incoming_.size());
    std::copy(incoming_.begin(), incoming_.begin() + static_cast<std::ptrdiff_t>(k), b);
    incoming_.erase(incoming_.begin(), incoming_.begin() + static_cast<std::ptrdiff_t>(k));
    return k;
  }
  void write(const std::uint8_t* b, std::size_t n) override {
    std::vector<std::uint8_t> out;
    {
      std::lock_guard lock(mutex_);
      commands_.feed(b, n);
      while (auto p = commands_.next()) {
        sent_.push_back(*p);
        if (on_command_) pass(*p, on_command_, out);
      }
    }
    if (on_command_) {
      inner_.write(out.data(), out.size());
    } else {
      inner_.write(b, n);
    }
  }
  void flush() override { inner_.flush(); }

  /// Every packet the panel wrote, as it wrote it.
  std::vector<Packet> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  /// Set before the panel starts.
  void meddle_with_commands(Meddle m) { on_command_ = std::move(m); }
  void meddle_with_replies(Meddle m) { on_reply_ = std::move(m); }
  /// Holds back the first `count` replies that `which` picks, each until the next reply comes:
  /// a reply so late that the panel gave up waiting for it. Set before the panel starts.
  void hold_replies(std::function<bool(const Packet&)> which, int count) {
    hold_ = std::move(which);
    holds_left_ = count;
  }
  /// Puts `packet` on the line to the board, as an attacker would.
  void inject(const Packet& packet) {
    const auto bytes = encode(packet);
    inner_.write(bytes->data(), bytes->size());
  }
  /// Packets the meddling functions changed.
  std::size_t meddled() const { return meddled_; }

 private:
  void pass(Packet p, const Meddle& meddle, std::vector<std::uint8_t>& out) {
    if (meddle && meddle(p)) ++meddled_;
    const auto bytes = encode(p);
    out.insert(out.end(), bytes->begin(), bytes->end());
  }

  Channel& inner_;
  std::mutex mutex_;
  Parser commands_, replies_;
  std::vector<Packet> sent_;
  std::vector<std::uint8_t> incoming_, held_;
  Meddle on_command_, on_reply_;
  std::function<bool(const Packet&)> hold_;
  int holds_left_ = 0;
  std::atomic<std::size_t> meddled_{0};
};

/// The message of the DeviceError that `f` throws; "" when it throws none.
template <class F>
std::string device_error(F f) {
  try {
    f();
  } catch (const DeviceError& e) {
    return e.what();
  }
  return "";
}

inline ControlPanelOptions fast() {
  ControlPanelOptions o;
  o.poll_interval = 20ms;
  o.reply_timeout = 40ms;
  o.offline_after = 400ms;
  o.handshake_backoff_max = 200ms;
  return o;
}

/// A board served on one end of a loopback, a tapped panel on the other. `before_start` sets up
/// the tap or the line before the panel starts.
struct Rig {
  explicit Rig(SimulatorOptions board_options = {}, ControlPanelOptions panel_options = fast(),
               const std::function<void(Rig&)>& before_start = {})
      : board(board_options) {
    if (before_start) before_start(*this);
    panel = std::make_unique<ControlPanel>(tap, panel_options);
  }
  ~Rig() {
    panel.reset();
    stop = true;
    server.join();
  }

  /// Online, initial state read, its events consumed.
  bool ready() {
    if (!panel->wait_online(2s)) return false;
    panel->outputs();  // queued behind the state requests the panel makes on coming online
    while (panel->next_event(0ms)) {
    }
    return true;
  }
  void act(const std::string& line_text) { ASSERT_TRUE(board.perform(script_words(line_text))) << line_text; }
  /// Waits for the first event of this kind (and index), skipping others.
  std::optional<BoardEvent> await(BoardEvent::Kind kind, int index = -1, std::chrono::milliseconds within = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      auto e = panel->next_event(50ms);
      if (e && e->kind == kind && (index < 0 || e->index == index)) return e;
    }
    return std::nullopt;
  }

  Loopback line{7};
  BoardSimulator board;
  std::atomic<bool> stop{false};
  std::thread server{[this] { board.serve(line.b(), stop); }};
  Tap tap{line.a()};
  std::unique_ptr<ControlPanel> panel;
};

}  // namespace lockerctl::devices::osdp
