#pragma once

// Scripted input for tests and demos: the person at the locker and the world around it, one
// line at a time, against a running Flow.
//
//   show PATH             the simulated camera now sees PATH (a folder of images, or one image);
//                         "show none" takes the camera away (lost camera)
//   press                 ask for access (a key on the board's keypad, or Enter)
//   type TEXT             type a password or code and confirm it (keypad: TEXT then '#')
//   otp [PHONE]           type the next code that arrives on the simulated phone PHONE (default:
//                         the owner's; waits up to 10 s for it)
//   wait STATE [SECONDS]  wait until the flow enters STATE (idle, locker, human, liveness, owner,
//                         password, otp, approval, open), 30 s at most by default; a script error when it does not
//   approve OFFICER PASSWORD   the bank officer approves the opening waiting for one (dual
//                         control), re-entering their password; "refuse OFFICER PASSWORD" refuses
//                         it. Waits up to 10 s for an opening to wait; a refused answer is logged,
//                         not a script error (the audit log has it)
//   sleep MS
//   any board line        key, door, input, tamper, battery, power, noise, nak, busy
//                         (see `lockerctl board simulate --help`)
// '#' starts a comment (except as an argument of key/type).

#include <atomic>
#include <functional>
#include <istream>
#include <string>

#include "access/flow.hpp"
#include "devices/osdp_pd.hpp"
#include "notify/outbox.hpp"
#include "vision/camera.hpp"

namespace lockerctl::access {

struct ScriptTargets {
  Flow& flow;
  vision::FolderCamera* camera = nullptr;        ///< null: `show` is an error
  devices::osdp::BoardSimulator* board = nullptr;  ///< null: board lines are errors
  const notify::SimulatedPhone* phone = nullptr;   ///< null: `otp` is an error
  std::string owner_phone;  ///< whose phone a bare `otp` reads
  bool keys_via_board = true;  ///< type/press through the simulated keypad
  /// An officer's answer (approve/refuse lines): "" when taken, else why not. Empty: those lines are errors.
  std::function<std::string(const std::string& officer, const std::string& password, const std::string& attempt, bool approve)> decide;
};

/// Runs the script to its end (or until `stop`). Throws DataError "name:line: problem".
void run_script(std::istream& in, const std::string& name, ScriptTargets targets, const std::atomic<bool>& stop);

}  // namespace lockerctl::access
