#pragma once

// SIGINT and SIGTERM as a flag that long-running commands check (`board monitor`, `run`), so
// they stop at a safe point: the lock stays locked, the audit log is complete.

#include <atomic>

namespace lockerctl::signals {

/// Installs handlers for SIGINT and SIGTERM that set the stop flag. A second signal while the
/// flag is set ends the process at once.
void catch_stop_signals();

/// Set by SIGINT/SIGTERM (or by request_stop()).
const std::atomic<bool>& stop_flag();
void request_stop();

}  // namespace lockerctl::signals
