#include "core/signals.hpp"

#include <csignal>
#include <unistd.h>

namespace lockerctl::signals {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int signal_number) {
  if (g_stop.exchange(true)) _exit(128 + signal_number);
}

}  // namespace

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

const std::atomic<bool>& stop_flag() { return g_stop; }
void request_stop() { g_stop = true; }

}  // namespace lockerctl::signals
