// The control panel against the simulated board, both in this process: over an in-memory
// loopback with injected faults, and over a real pseudo-terminal opened as a serial port.

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "devices/loopback.hpp"
#include "devices/osdp_cp.hpp"
#include "devices/osdp_pd.hpp"
#include "devices/serial_port.hpp"
#include "link_rig.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::devices::osdp {
namespace {

using namespace std::chrono_literals;
using Kind = BoardEvent::Kind;

TEST(ControlPanel, ComesOnlineAndReadsIdentityCapabilitiesAndState) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  const DeviceId id = rig.panel->identify();
  EXPECT_EQ(id, SimulatorOptions{}.id);
  const auto caps = rig.panel->capabilities();
  ASSERT_GE(caps.size(), 2u);
  EXPECT_EQ(caps[0], (Capability{1, 1, 4}));
  EXPECT_EQ(rig.panel->inputs(), std::vector<bool>(4, false));
  EXPECT_EQ(rig.panel->outputs(), std::vector<bool>(3, false));  // lock, siren, light
  EXPECT_FALSE(rig.panel->local_status().tamper);
}

TEST(ControlPanel, PollsWithSequenceNumbersOneTwoThreeOne) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  std::this_thread::sleep_for(300ms);
  const auto sent = rig.tap.sent();
  ASSERT_GE(sent.size(), 8u);
  EXPECT_EQ(sent[0].sequence, 0);  // the first command restarts the board's count
  for (std::size_t i = 1; i < sent.size(); ++i) {
    const int expected = sent[i - 1].sequence == 3 ? 1 : sent[i - 1].sequence + 1;
    EXPECT_EQ(sent[i].sequence, expected) << "command " << i;
  }
  // Idle, the panel polls: 300 ms at a 20 ms interval is well above 8 commands.
  EXPECT_EQ(sent.back().code, static_cast<std::uint8_t>(Command::Poll));
}

TEST(ControlPanel, ResendsTheSameCommandWithTheSameNumberWhenAReplyIsLost) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.line.set_faults(false, LineFaults{0, 0, 0, true});  // the board's replies are lost
  std::this_thread::sleep_for(150ms);
  rig.line.set_faults(false, LineFaults{});
  std::this_thread::sleep_for(100ms);
  EXPECT_GE(rig.panel->stats().resends, 2u);
  const auto sent = rig.tap.sent();
  bool repeated = false;
  for (std::size_t i = 1; i < sent.size(); ++i) {
    if (sent[i] == sent[i - 1]) repeated = true;
  }
  EXPECT_TRUE(repeated) << "a resend carries the same sequence number and payload";
  EXPECT_TRUE(rig.panel->ready()) << "150 ms of silence is below the offline time";
}

TEST(ControlPanel, UnlockPulsesTheLockOutputWhichFallsBackByItself) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.panel->unlock(300ms);
  EXPECT_TRUE(rig.board.lock_released());
  auto on = rig.await(Kind::Output, 0);
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->active);
  auto off = rig.await(Kind::Output, 0);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->active);
  EXPECT_FALSE(rig.board.lock_released());
}

TEST(ControlPanel, AnOutputOtherThanTheLockGoesOnForAWhileAndTheLockStays) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.panel->set_output(1, 300ms);  // the simulated board's siren
  EXPECT_TRUE(rig.board.output(1));
  EXPECT_FALSE(rig.board.lock_released());
  auto on = rig.await(Kind::Output, 1);
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->active);
  auto off = rig.await(Kind::Output, 1);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->active);
  EXPECT_FALSE(rig.board.output(1));
  const std::string error = device_error([&] { rig.panel->set_output(7, 1s); });  // the board has no output 7
  EXPECT_NE(error.find("OUT"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
}

TEST(ControlPanel, LockCancelsARelease) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.panel->unlock(60s);
  EXPECT_TRUE(rig.board.lock_released());
  rig.panel->lock();
  EXPECT_FALSE(rig.board.lock_released());
}

TEST(ControlPanel, AlarmBeepsTheBuzzerAndFlashesTheLedRedWithoutTouchingTheLock) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  EXPECT_FALSE(rig.board.last_buzzer());
  rig.panel->alarm();
  const auto buzzer = rig.board.last_buzzer();
  ASSERT_TRUE(buzzer);
  EXPECT_EQ(buzzer->count, 3);
  EXPECT_EQ(buzzer->tone, 2);
  const auto led = rig.board.last_led();
  ASSERT_TRUE(led);
  EXPECT_EQ(led->temp_control, 2);
  EXPECT_EQ(led->temp_on_color, kLedRed);
  EXPECT_EQ(led->temp_timer, 100);
  EXPECT_EQ(led->perm_control, 0) << "the LED's permanent state is left alone";
  EXPECT_FALSE(rig.board.lock_released());
  rig.act("power off");
  EXPECT_THROW(rig.panel->alarm(), DeviceError) << "a board that does not answer cannot sound it";
}

TEST(ControlPanel, ReportsDoorKeypadTamperAndPowerEvents) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.act("door open");
  auto door = rig.await(Kind::Input, kDoorInput);
  ASSERT_TRUE(door);
  EXPECT_TRUE(door->active);
  rig.act("key 1234#");
  auto keys = rig.await(Kind::Keypad);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->text, "1234#");
  rig.act("tamper on");
  auto tamper = rig.await(Kind::Tamper);
  ASSERT_TRUE(tamper);
  EXPECT_TRUE(tamper->active);
  rig.act("battery on");
  auto power = rig.await(Kind::Power);
  ASSERT_TRUE(power);
  EXPECT_TRUE(power->active);
  rig.act("input smoke on");
  auto smoke = rig.await(Kind::Input, 2);
  ASSERT_TRUE(smoke);
  EXPECT_TRUE(smoke->active);
}

TEST(ControlPanel, GoesOfflineWhenTheBoardFallsSilentAndOnlineWhenItAnswersAgain) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.panel->unlock(60s);
  rig.act("power off");
  EXPECT_FALSE(rig.board.lock_released()) << "without power the lock drops";
  ASSERT_TRUE(rig.await(Kind::Offline));
  EXPECT_FALSE(rig.panel->ready());
  const std::string error = device_error([&] { rig.panel->unlock(1s); });  // an unlock while offline must throw
  EXPECT_NE(error.find("offline"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
  rig.act("power on");
  ASSERT_TRUE(rig.await(Kind::Online));
  EXPECT_NO_THROW(rig.panel->unlock(100ms));
}

TEST(ControlPanel, StartsOfflineWhenNoBoardAnswers) {
  Loopback line;
  ControlPanel panel(line.a(), fast());
  const auto e = panel.next_event(2s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Kind::Offline);
  EXPECT_THROW(panel.identify(), DeviceError);
}

TEST(ControlPanel, SurvivesLineNoiseCorruptionAndDroppedBytes) {
  Rig rig;
  LineFaults bad{0.01, 0.005, 0.3, false};
  rig.line.set_faults(true, bad);
  rig.line.set_faults(false, bad);
  ASSERT_TRUE(rig.panel->wait_online(3s));
  rig.act("noise 500");
  for (int i = 0; i < 5; ++i) EXPECT_NO_THROW(rig.panel->unlock(100ms)) << "try " << i;
  rig.act("key 42#");
  auto keys = rig.await(Kind::Keypad, -1, 5s);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->text, "42#");
  const auto stats = rig.panel->stats();
  EXPECT_GT(stats.parser.garbage_bytes, 0u);
  EXPECT_GT(stats.resends, 0u);
  EXPECT_GT(stats.parser.bad_check + stats.parser.bad_length + stats.parser.garbage_bytes, 0u);
}

TEST(ControlPanel, NakIsAnErrorWithItsReasonAndAnEvent) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.act("nak 3");
  const std::string error = device_error([&] { rig.panel->unlock(1s); });  // a refused unlock must throw
  EXPECT_NE(error.find("refused OUT (unknown command)"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
  EXPECT_FALSE(rig.board.lock_released());
  auto nak = rig.await(Kind::Nak);
  ASSERT_TRUE(nak);
  EXPECT_EQ(nak->text, "OUT (unknown command)");
  EXPECT_NO_THROW(rig.panel->unlock(100ms)) << "the next command goes through";
}

TEST(ControlPanel, WaitsOutBusyAndResends) {
  Rig rig;
  ASSERT_TRUE(rig.ready());
  rig.act("busy 2");
  EXPECT_NO_THROW(rig.panel->unlock(200ms));
  EXPECT_TRUE(rig.board.lock_released());
  EXPECT_EQ(rig.panel->stats().busy, 2u);
}

TEST(BoardSimulator, AnswersAResentCommandWithoutActingTwice) {
  BoardSimulator board;
  ASSERT_TRUE(board.perform({"key", "12"}));
  Packet poll;
  poll.code = static_cast<std::uint8_t>(Command::Poll);
  const auto first = board.handle(poll);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->code, static_cast<std::uint8_t>(Reply::Keypad));
  const auto again = board.handle(poll);  // same number, same command: the reply was lost
  EXPECT_EQ(again, first);
  Packet next = poll;
  next.sequence = 1;
  EXPECT_NE(board.handle(next)->code, static_cast<std::uint8_t>(Reply::Keypad)) << "keys reported once";
  next.sequence = 3;  // 2 expected
  const auto bad = board.handle(next);
  EXPECT_EQ(bad->code, static_cast<std::uint8_t>(Reply::Nak));
  EXPECT_EQ(bad->data, std::vector<std::uint8_t>{static_cast<std::uint8_t>(NakReason::BadSequence)});
}

TEST(BoardSimulator, ScriptErrorsNameTheLine) {
  BoardSimulator board;
  std::atomic<bool> stop{false};
  std::istringstream good("# a comment\nkey 12#  # trailing\ndoor open\nsleep 1\n");
  EXPECT_NO_THROW(run_board_script(board, good, "good.txt", stop));
  EXPECT_TRUE(board.input(kDoorInput));
  std::istringstream bad("door open\ndoor ajar\n");
  try {
    run_board_script(board, bad, "bad.txt", stop);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "bad.txt:2: 'door' needs 'open' or 'close'");
  }
  std::istringstream unknown("fly away\n");
  EXPECT_THROW(run_board_script(board, unknown, "u.txt", stop), DataError);
  std::istringstream bad_key("key 12a\n");
  EXPECT_THROW(run_board_script(board, bad_key, "k.txt", stop), DataError);
}

TEST(SerialPort, TalksToTheSimulatorThroughAPseudoTerminal) {
  PseudoTerminal pty;
  BoardSimulator board;
  std::atomic<bool> stop{false};
  std::thread server([&] { board.serve(pty, stop); });
  {
    SerialPort port(pty.slave_path(), 115200);
    ControlPanel panel(port, fast());
    ASSERT_TRUE(panel.wait_online(2s));
    EXPECT_EQ(panel.identify(), SimulatorOptions{}.id);
    panel.unlock(1s);
    EXPECT_TRUE(board.lock_released());
  }
  stop = true;
  server.join();
}

TEST(SerialPort, OpensADeviceAgainAfterItVanished) {
  // A USB adapter pulled out and plugged in again: the same name comes back, maybe as another
  // terminal. Here the name is a symbolic link moved from one pseudo-terminal to the next.
  test::TempDir dir;
  const auto name = dir / "tty";
  auto first = std::make_unique<PseudoTerminal>();
  std::filesystem::create_symlink(first->slave_path(), name);
  BoardSimulator board;
  auto serve = [&](PseudoTerminal& pty, std::atomic<bool>& stop) { return std::thread([&] { board.serve(pty, stop); }); };
  std::atomic<bool> stop_first{false}, stop_second{false};
  std::thread server = serve(*first, stop_first);
  SerialPort port(name.string(), 9600, 100ms);
  ControlPanel panel(port, fast());
  ASSERT_TRUE(panel.wait_online(2s));

  stop_first = true;
  server.join();
  // The name goes before the device: the kernel hands a closed /dev/pts number to the next
  // pseudo-terminal opened, maybe another test's, which the panel must never reopen and talk to.
  std::filesystem::remove(name);
  first.reset();  // the device is gone
  std::optional<BoardEvent> e;
  do e = panel.next_event(3s); while (e && e->kind != Kind::Offline);
  ASSERT_TRUE(e) << "no offline event";

  PseudoTerminal second;
  std::filesystem::create_symlink(second.slave_path(), name);
  server = serve(second, stop_second);
  do e = panel.next_event(3s); while (e && e->kind != Kind::Online);
  ASSERT_TRUE(e) << "not online again";
  EXPECT_GE(port.reopens(), 1);
  EXPECT_NO_THROW(panel.unlock(100ms));
  stop_second = true;
  server.join();
}

TEST(SerialPort, NamesTheDeviceAndTheReasonWhenItCannotOpen) {
  try {
    SerialPort port("/dev/no-such-tty", 9600);
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_STREQ(e.what(), "serial port /dev/no-such-tty: No such file or directory");
  }
  try {
    SerialPort port("/dev/null", 9600);
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_STREQ(e.what(), "serial port /dev/null: not a serial device (a terminal was expected)");
  }
  EXPECT_THROW(SerialPort("/dev/null", 1234), DeviceError);
}

}  // namespace
}  // namespace lockerctl::devices::osdp
