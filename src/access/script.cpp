#include "access/script.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

void run_script(std::istream& in, const std::string& name, ScriptTargets t, const std::atomic<bool>& stop) {
  using namespace std::chrono_literals;
  std::string line;
  std::size_t seen = 0;    // state changes a `wait` does not look at: waited for, or before the last press
  // By phone, the code typed last, at first the one there before the script (an earlier run's):
  // `otp` waits for a newer one.
  std::map<std::string, std::string> last_code;
  if (t.phone) last_code = t.phone->last_codes();
  const auto type = [&](const std::string& text) {
    if (t.keys_via_board && t.board) {
      t.board->perform({"key", text + "#"});
    } else {
      t.flow.enter(text);
    }
  };
  for (int number = 1; !stop && std::getline(in, line); ++number) {
    const auto w = devices::osdp::script_words(line);
    if (w.empty()) continue;
    try {
      const std::string& verb = w[0];
      if (verb == "show") {
        if (w.size() != 2) throw std::invalid_argument("'show' needs a folder or image, or 'none'");
        if (!t.camera) throw std::invalid_argument("'show' needs camera.source: sim or a folder");
        t.camera->show(w[1] == "none" ? std::string() : w[1]);
      } else if (verb == "press") {
        // The next `wait` looks only at states entered after this press: the idle state the flow
        // was in when it came is not the end of the attempt it starts.
        seen = t.flow.changes();
        if (t.keys_via_board && t.board) {
          t.board->perform({"key", "#"});
        } else {
          t.flow.press();
        }
      } else if (verb == "type") {
        if (w.size() != 2) throw std::invalid_argument("'type' needs the text to type");
        type(w[1]);
      } else if (verb == "otp") {
        if (!t.phone) throw std::invalid_argument("'otp' needs the simulated phone");
        if (w.size() > 2) throw std::invalid_argument("'otp' takes at most a phone number");
        const std::string phone = w.size() == 2 ? w[1] : t.owner_phone;
        // Like a person, wait for a new code to arrive (a few seconds at most).
        std::string code;
        const auto until = std::chrono::steady_clock::now() + 10s;
        std::string& last = last_code[phone];
        while (!stop && (code.empty() || code == last) && std::chrono::steady_clock::now() < until) {
          code = t.phone->last_code(phone);
          if (code.empty() || code == last) std::this_thread::sleep_for(50ms);
        }
        if (code.empty() || code == last) throw std::invalid_argument(fmt::format("no new code arrived on {} within 10 s", phone));
        last = code;
        type(code);
      } else if (verb == "wait") {
        if (w.size() < 2 || w.size() > 3) throw std::invalid_argument("'wait' needs a state and optionally seconds");
        const auto state = parse_state(w[1]);
        if (!state) throw std::invalid_argument(fmt::format("'{}' is not a state (idle, locker, human, liveness, owner, password, otp, approval, open)", w[1]));
        const double s = w.size() == 3 ? std::stod(w[2]) : 30.0;
        if (!t.flow.wait_for(*state, seen, std::chrono::milliseconds(static_cast<long long>(s * 1000)))) {
          throw std::invalid_argument(fmt::format("the flow did not reach '{}' within {} s (now '{}')", w[1], s,
                                                  state_name(t.flow.state())));
        }
      } else if (verb == "approve" || verb == "refuse") {
        if (w.size() != 3) throw std::invalid_argument(fmt::format("'{}' needs the officer's name and password", verb));
        if (!t.decide) throw std::invalid_argument(fmt::format("'{}' needs a station with dual control", verb));
        std::optional<PendingApproval> pending;
        for (const auto until = std::chrono::steady_clock::now() + 10s; !stop && !pending && std::chrono::steady_clock::now() < until;) {
          pending = t.flow.pending_approval();
          if (!pending) std::this_thread::sleep_for(20ms);
        }
        if (!pending) throw std::invalid_argument("no opening waited for an officer within 10 s");
        const std::string why = t.decide(w[1], w[2], pending->attempt, verb == "approve");
        if (!why.empty()) log::warn("{}:{}: {} not taken: {}", name, number, verb, why);
      } else if (verb == "sleep") {
        devices::osdp::script_sleep(w, stop);
      } else if (!t.board || !t.board->perform(w)) {
        throw std::invalid_argument(
            t.board ? fmt::format("unknown command '{}'", verb)
                    : fmt::format("'{}': not a script command, and there is no simulated board for board lines", verb));
      }
    } catch (const std::logic_error& e) {  // invalid_argument, and stod/stol's out_of_range
      throw DataError(fmt::format("{}:{}: {}", name, number, e.what()));
    }
  }
}

}  // namespace lockerctl::access
