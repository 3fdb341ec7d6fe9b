#include "cmd_board.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <thread>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "devices/board_link.hpp"

namespace lockerctl::cli {
namespace {

using namespace std::chrono_literals;

void add_port_options(CLI::App* cmd, BoardOptions& o) {
  cmd->add_option("--port", o.port, "Serial device of the board, or 'sim' (default: board.port)");
  cmd->add_option("--baud", o.baud, "Line speed (default: board.baud)")
      ->check(CLI::IsMember({9600, 19200, 38400, 57600, 115200}));
  cmd->add_option("--address", o.address, "OSDP address of the board (default: board.address)")
      ->check(CLI::Range(0, 126));
}

devices::BoardLinkOptions link_options(const config::Config& cfg, const BoardOptions& o) {
  config::Config c = cfg;  // the port decides whether a simulated board may use a random key
  if (!o.port.empty()) c.board.port = o.port;
  if (o.baud > 0) c.board.baud = o.baud;
  if (o.address >= 0) c.board.address = o.address;
  return board_link_options(c);
}

/// Added to a manual action's audit row while the board is addressed under the default key.
std::string install_mode_note(const config::Config& cfg) {
  return cfg.board.install_mode ? " (install mode: the default key SCBK-D)" : "";
}

std::string on_off(const std::vector<bool>& states) {
  std::string s;
  for (std::size_t i = 0; i < states.size(); ++i) s += fmt::format("{}{}={}", i ? " " : "", i, states[i] ? 1 : 0);
  return s;
}

/// Runs a manual board command whose request the audit log already holds, and records how it
/// ended: "confirmed" when the board acknowledged it, else "refused" (the board said no) or "not
/// confirmed" (no valid answer), with the reason; and before that a "link attack" row for each
/// attack on the secure channel the panel saw meanwhile, as `lockerctl run` records it. A failure
/// is thrown again after it is recorded.
void record_outcome(Station& station, devices::osdp::ControlPanel& panel, const std::string& layer, const std::string& what,
                    const std::function<void()>& command) {
  const auto naks = panel.stats().naks;
  std::exception_ptr failure;
  std::string why;
  try {
    command();
  } catch (const DeviceError& e) {
    failure = std::current_exception();
    why = e.what();
  }
  while (const auto e = panel.next_event(0ms)) {
    if (e->kind == devices::BoardEvent::Kind::Secure && e->active) {
      station.audit.append({0, {}, "-", "board", "link attack", std::nullopt, std::nullopt, "", e->text});
    }
  }
  if (!failure) {
    station.audit.append({0, {}, "-", layer, "confirmed", std::nullopt, std::nullopt, "", what});
    return;
  }
  station.audit.append({0, {}, "-", layer, panel.stats().naks > naks ? "refused" : "not confirmed", std::nullopt, std::nullopt,
                        "", fmt::format("{}: {}", what, why)});
  std::rethrow_exception(failure);
}

/// A symbolic link to the simulated board's terminal, removed when the simulation ends.
class TerminalLink {
 public:
  TerminalLink(std::string link, const std::string& target) : link_(std::move(link)) {
    if (link_.empty()) return;
    std::error_code ec;
    const std::filesystem::path path(link_);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::filesystem::remove(path, ec);
    std::filesystem::create_symlink(target, path, ec);
    if (ec) throw IoError(fmt::format("{}: cannot make the link: {}", link_, ec.message()));
  }
  ~TerminalLink() {
    std::error_code ignored;
    if (!link_.empty()) std::filesystem::remove(link_, ignored);
  }
  TerminalLink(const TerminalLink&) = delete;
  TerminalLink& operator=(const TerminalLink&) = delete;

 private:
  std::string link_;
};

}  // namespace

void setup_board(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* board = app.add_subcommand(
      "board", "The serial lock board (OSDP control panel): status, unlock, output, probe, monitor, its Secure "
               "Channel key, and a simulated board. See docs/lock-board.md.");
  board->require_subcommand(1);
  auto o = std::make_shared<BoardOptions>();

  CLI::App* status = board->add_subcommand(
      "status", "Link state, lock output, door, the sensors and actuators of board.sensors and board.actuators, every "
                "input and output by number, tamper and power.");
  add_port_options(status, *o);
  status->callback([&global, &action, o] { action = [&global, o] { return run_board_status(global, *o); }; });

  CLI::App* unlock = board->add_subcommand(
      "unlock", "Release the lock for N seconds (a timed pulse: the board re-locks by itself). "
                "This bypasses the access flow: for installers; it is written to the audit log first.");
  add_port_options(unlock, *o);
  unlock->add_option("--seconds", o->seconds, "How long the lock stays released")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  unlock->callback([&global, &action, o] { action = [&global, o] { return run_board_unlock(global, *o); }; });

  CLI::App* output = board->add_subcommand(
      "output", "Turn an actuator of board.actuators (a siren, a light) on for N seconds, to check its wiring; the "
                "board turns it off by itself. Written to the audit log first.");
  add_port_options(output, *o);
  output->add_option("name", o->actuator, "The actuator's name in board.actuators")->required();
  output->add_option("--seconds", o->seconds, "How long it stays on")->check(CLI::Range(0.1, 600.0))->capture_default_str();
  output->callback([&global, &action, o] { action = [&global, o] { return run_board_output(global, *o); }; });

  CLI::App* probe = board->add_subcommand("probe", "Identity (ID) and capabilities (CAP) of the board at the address.");
  add_port_options(probe, *o);
  probe->callback([&global, &action, o] { action = [&global, o] { return run_board_probe(global, *o); }; });

  CLI::App* monitor = board->add_subcommand(
      "monitor", "Print the board's events as they happen (inputs, outputs, keypad, tamper, power, link) "
                 "until Ctrl-C, then link statistics.");
  add_port_options(monitor, *o);
  monitor->add_option("--for", o->duration, "Stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::Range(0.0, 1e7));
  monitor->callback([&global, &action, o] { action = [&global, o] { return run_board_monitor(global, *o); }; });

  CLI::App* keyset = board->add_subcommand(
      "keyset",
      "Install a new random Secure Channel key on the board (osdp_KEYSET, inside a secure channel under the "
      "current key, or under the default key with board.install_mode: true) and write it to board.key_file "
      "(owner-only). The new key waits in KEY_FILE.new until the board has acknowledged it; then it replaces "
      "the old one, and a new session under it proves it. Audited; the key is never printed. See "
      "docs/lock-board.md#keys.");
  add_port_options(keyset, *o);
  keyset->callback([&global, &action, o] { action = [&global, o] { return run_board_keyset(global, *o); }; });

  CLI::App* simulate = board->add_subcommand(
      "simulate",
      "Act as a lock board (OSDP peripheral) on a new pseudo-terminal: lock output, door contact, "
      "vibration/smoke/temperature inputs, keypad and tamper switch, and the Secure Channel under the key "
      "of board.key_file (or LOCKERCTL_BOARD_KEY). Prints the terminal's path; point "
      "board.port (or --port) of another lockerctl at it. Script lines from --script or stdin: "
      "key DIGITS | door open|close | input N|NAME on|off | tamper on|off | battery on|off | "
      "power off|on | noise N | nak [REASON] | busy [N] | badmac | secure on|off | scbk HEX | install on|off | sleep MS.");
  simulate->add_flag("--pty", o->pty, "Serve on a pseudo-terminal (the only transport so far)")->required();
  simulate->add_flag("--install-mode", o->install_mode,
                     "A new board: it takes the default key SCBK-D (and plain commands) until a key is set");
  simulate->add_flag("--plain", o->plain, "A board without the Secure Channel (plain text only)")
      ->excludes("--install-mode");
  simulate->add_option("--address", o->address, "OSDP address to answer on (default: board.address)")
      ->check(CLI::Range(0, 126));
  simulate->add_option("--script", o->script, "Script file to run, '-' for stdin (default: stdin)");
  simulate->add_option("--link", o->link, "Also make a symbolic link with this name to the terminal");
  simulate->callback([&global, &action, o] { action = [&global, o] { return run_board_simulate(global, *o); }; });
}

int run_board_status(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  const auto link_opts = link_options(cfg, options);
  auto link = connect_board(link_opts);
  auto& panel = link->panel();
  const auto outputs = panel.outputs();
  const auto inputs = panel.inputs();
  const auto local = panel.local_status();
  const int lock = link_opts.panel.lock_output;
  const int door = cfg.board.door_input;
  std::cout << fmt::format("board 0x{:02X} on {}: online\n", link_opts.panel.address, link->device());
  if (lock < static_cast<int>(outputs.size())) {
    std::cout << "lock: " << (outputs[static_cast<std::size_t>(lock)] ? "released" : "locked") << "\n";
  }
  if (door < static_cast<int>(inputs.size())) {
    std::cout << "door: " << (inputs[static_cast<std::size_t>(door)] ? "open" : "closed") << "\n";
  }
  for (const config::SensorConfig& sensor : cfg.board.sensors) {
    if (sensor.input < static_cast<int>(inputs.size())) {
      std::cout << sensor.name << ": " << (inputs[static_cast<std::size_t>(sensor.input)] ? "ACTIVE" : "quiet") << "\n";
    }
  }
  for (const config::ActuatorConfig& actuator : cfg.board.actuators) {
    if (actuator.output < static_cast<int>(outputs.size())) {
      std::cout << actuator.name << ": " << (outputs[static_cast<std::size_t>(actuator.output)] ? "ON" : "off") << "\n";
    }
  }
  std::cout << "inputs: " << on_off(inputs) << "\noutputs: " << on_off(outputs) << "\n"
            << "tamper: " << (local.tamper ? "OPEN" : "closed") << "\n"
            << "power: " << (local.power_failure ? "FAILURE (on battery)" : "ok") << "\n";
  return 0;
}

int run_board_unlock(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  const auto link_opts = link_options(cfg, options);
  auto link = connect_board(link_opts);
  // Audited before the lock moves: an unlock that cannot be recorded does not happen.
  Station station(cfg);
  station.audit.append({0, {}, "-", "lock", "manual release",
                        std::nullopt, std::nullopt, "",
                        fmt::format("lockerctl board unlock --seconds {:.1f} on {}{}", options.seconds, link->device(),
                                    install_mode_note(cfg))});
  log::warn("board 0x{:02X}: manual unlock for {:.1f} s (outside the access flow; audited)", link_opts.panel.address,
            options.seconds);
  record_outcome(station, link->panel(), "lock", fmt::format("manual release for {:.1f} s", options.seconds), [&] {
    link->panel().unlock(std::chrono::milliseconds(static_cast<long long>(options.seconds * 1000)));
  });
  std::cout << fmt::format("lock released for {:.1f} s; the board re-locks by itself\n", options.seconds);
  return 0;
}

int run_board_output(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  const auto& actuators = cfg.board.actuators;
  const auto actuator = std::find_if(actuators.begin(), actuators.end(),
                                     [&](const config::ActuatorConfig& a) { return a.name == options.actuator; });
  if (actuator == actuators.end()) {
    std::vector<std::string> names;
    for (const auto& a : actuators) names.push_back(a.name);
    throw ConfigError({{"", 0, 0, "board.actuators",
                        fmt::format("no actuator is named '{}' (there are: {})", options.actuator,
                                    names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", ")))}});
  }
  const auto link_opts = link_options(cfg, options);
  auto link = connect_board(link_opts);
  Station station(cfg);
  station.audit.append({0, {}, "-", "actuator", "manual on", std::nullopt, std::nullopt, "",
                        fmt::format("lockerctl board output {} --seconds {:.1f} (output {}) on {}{}", actuator->name,
                                    options.seconds, actuator->output, link->device(), install_mode_note(cfg))});
  record_outcome(station, link->panel(), "actuator", fmt::format("{} on for {:.1f} s", actuator->name, options.seconds), [&] {
    link->panel().set_output(actuator->output, std::chrono::milliseconds(static_cast<long long>(options.seconds * 1000)));
  });
  std::cout << fmt::format("{} (output {}) on for {:.1f} s; the board turns it off by itself\n", actuator->name,
                           actuator->output, options.seconds);
  return 0;
}

int run_board_probe(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  const auto link_opts = link_options(cfg, options);
  auto link = connect_board(link_opts);
  const auto id = link->panel().identify();
  const auto caps = link->panel().capabilities();
  std::cout << fmt::format("board 0x{:02X} on {}\n", link_opts.panel.address, link->device())
            << fmt::format("vendor {:02X}-{:02X}-{:02X}, model {}, version {}, serial {:08X}, firmware {}.{}.{}\n",
                           (id.vendor >> 16) & 0xFF, (id.vendor >> 8) & 0xFF, id.vendor & 0xFF, id.model, id.version,
                           id.serial, id.firmware_major, id.firmware_minor, id.firmware_build)
            << "capabilities (function, compliance, items):\n";
  for (const auto& c : caps) std::cout << fmt::format("  {:3} {:3} {:3}\n", c.function, c.compliance, c.items);
  return 0;
}

int run_board_monitor(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  const auto link_opts = link_options(cfg, options);
  signals::catch_stop_signals();
  devices::BoardLink link(link_opts);
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long long>(options.duration * 1000));
  std::cout << fmt::format("monitoring board 0x{:02X} on {}\n", link_opts.panel.address, link.device())
            << std::flush;
  while (!signals::stop_flag() && (options.duration <= 0 || std::chrono::steady_clock::now() < until)) {
    if (auto e = link.panel().next_event(100ms)) {
      const bool door = e->kind == devices::BoardEvent::Kind::Input && e->index == cfg.board.door_input;
      std::cout << utc_now_iso8601() << " "
                << (door ? (e->active ? "door open" : "door closed") : devices::describe(*e)) << "\n"
                << std::flush;
    }
  }
  const auto s = link.panel().stats();
  std::cout << fmt::format("commands {}, resends {}, NAK {}, BUSY {}, replies {}, bad check {}, noise bytes {}\n",
                           s.commands, s.resends, s.naks, s.busy, s.parser.packets, s.parser.bad_check,
                           s.parser.garbage_bytes)
            << fmt::format("secure channel: {}, handshakes {}, sessions {}, faults {}\n",
                           link.panel().secure() ? "yes" : "no", s.handshakes, s.sessions, s.security_faults);
  return 0;
}

int run_board_keyset(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  if (cfg.board.secure == config::BoardSecurity::Off) {
    throw ConfigError({{"", 0, 0, "board.secure",
                        "is off: a key is only ever sent inside a secure channel (set it to required)"}});
  }
  if (std::getenv("LOCKERCTL_BOARD_KEY")) {
    throw Error("LOCKERCTL_BOARD_KEY is set: keyset writes the new key to board.key_file, which that variable "
                "would hide; unset it",
                ExitCode::Usage);
  }
  const auto link_opts = link_options(cfg, options);
  const std::filesystem::path file = config::board_key_file(cfg);
  const std::filesystem::path pending = pending_key_file(file);
  auto link = connect_board(link_opts);
  Station station(cfg);
  const auto perms = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  const auto key = devices::osdp::random_key();
  std::filesystem::create_directories(file.parent_path().empty() ? "." : file.parent_path());
  // Written before the board hears of it: a crash after the board took the key loses nothing.
  write_file_atomically(pending, devices::osdp::key_hex(key) + "\n", perms);
  station.audit.append({0, {}, "-", "board", "key change", std::nullopt, std::nullopt, "",
                        fmt::format("lockerctl board keyset on {}{}: started", link->device(), install_mode_note(cfg))});
  try {
    link->panel().set_key(key);
  } catch (const DeviceError& e) {
    // The board may have taken the key with its acknowledgement lost: the pending key stays, the
    // next connection tries it after the old one and keeps the one that opens a session.
    const std::string why = fmt::format("{}; the new key waits in {} in case the board took it", e.what(), pending.string());
    station.audit.append({0, {}, "-", "board", "key change", std::nullopt, std::nullopt, "", "failed: " + why});
    throw DeviceError(why);
  }
  write_file_atomically(file, devices::osdp::key_hex(key) + "\n", perms);
  std::error_code ec;
  std::filesystem::remove(pending, ec);
  station.audit.append({0, {}, "-", "board", "key change", std::nullopt, std::nullopt, "",
                        fmt::format("the board took the new key; it is in {}", file.string())});
  std::cout << fmt::format("board 0x{:02X}: new secure channel key installed and proven; written to {}\n",
                           link_opts.panel.address, file.string());
  if (cfg.board.install_mode) std::cout << "set board.install_mode back to false now\n";
  return 0;
}

int run_board_simulate(const GlobalOptions& global, const BoardOptions& options) {
  const config::Config cfg = load_config(global);
  signals::catch_stop_signals();
  devices::osdp::SimulatorOptions sim;
  sim.address = static_cast<std::uint8_t>(options.address >= 0 ? options.address : cfg.board.address);
  sim.secure = !options.plain;
  if (options.install_mode) {
    sim.install_mode = true;
  } else if (sim.secure) {
    sim.key = board_keys(cfg, false).keys.front();  // the panel on the other side needs the same key: no random one
    sim.install_mode = sim.key == devices::osdp::kDefaultKey;
  }
  devices::SimulatedBoard simulated(sim);
  const TerminalLink link(options.link, simulated.device());
  std::cout << simulated.device() << "\n" << std::flush;
  log::info("simulated lock board 0x{:02X} on {}", sim.address, simulated.device());
  if (options.script.empty() || options.script == "-") {
    devices::osdp::run_board_script(simulated.board(), std::cin, "<stdin>", signals::stop_flag());
  } else {
    std::ifstream in(options.script);
    if (!in) throw IoError(options.script + ": cannot read the script");
    devices::osdp::run_board_script(simulated.board(), in, options.script, signals::stop_flag());
  }
  // After the script the board keeps answering until Ctrl-C.
  while (!signals::stop_flag()) std::this_thread::sleep_for(50ms);
  return 0;
}

}  // namespace lockerctl::cli
