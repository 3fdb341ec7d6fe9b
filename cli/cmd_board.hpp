#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct BoardOptions {
  std::string port;       // --port: overrides board.port
  int baud = 0;           // --baud: overrides board.baud
  int address = -1;       // --address: overrides board.address
  double seconds = 5.0;   // unlock and output --seconds
  std::string actuator;   // output NAME
  double duration = 0.0;  // monitor --for; 0 = until Ctrl-C
  bool pty = false;       // simulate --pty
  std::string script;     // simulate --script FILE ('-' = stdin)
  std::string link;       // simulate --link PATH
  bool install_mode = false;  // simulate --install-mode: a new board, default key
  bool plain = false;         // simulate --plain: a board without the Secure Channel
};

/// Adds `lockerctl board status|unlock|output|probe|monitor|keyset|simulate`.
void setup_board(CLI::App& app, const GlobalOptions& global, Action& action);

int run_board_status(const GlobalOptions& global, const BoardOptions& options);
int run_board_unlock(const GlobalOptions& global, const BoardOptions& options);
int run_board_output(const GlobalOptions& global, const BoardOptions& options);
int run_board_probe(const GlobalOptions& global, const BoardOptions& options);
int run_board_monitor(const GlobalOptions& global, const BoardOptions& options);
int run_board_keyset(const GlobalOptions& global, const BoardOptions& options);
int run_board_simulate(const GlobalOptions& global, const BoardOptions& options);

}  // namespace lockerctl::cli
