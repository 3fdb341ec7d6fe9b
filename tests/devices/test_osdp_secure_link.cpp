// The control panel and the simulated board over a Secure Channel: a whole session over the
// in-memory loopback and over a pseudo-terminal, the policies (required, preferred), the attacks a
// man on the wires can try (a flipped bit, a replayed unlock, a plain reply), the faults (a lost
// reply, a restart, noise, a wrong key), key rotation with KEYSET, install mode, and the pitfalls
// other implementations hit (libosdp #244/#287, #298, #157).

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/errors.hpp"
#include "devices/osdp_sc.hpp"
#include "devices/serial_port.hpp"
#include "link_rig.hpp"

namespace lockerctl::devices::osdp {
namespace {

using Kind = BoardEvent::Kind;

const Block kKey = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
const Block kOtherKey = {0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0x09, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00};

SimulatorOptions secure_board(const Block& key = kKey, bool install_mode = false) {
  SimulatorOptions o;
  o.secure = true;
  o.key = key;
  o.install_mode = install_mode;
  return o;
}

ControlPanelOptions panel_with(SecureMode mode, std::vector<Block> keys = {kKey}) {
  ControlPanelOptions o = fast();
  o.secure = mode;
  o.keys = std::move(keys);
  return o;
}

bool is_code(const Packet& p, Command c) { return p.code == static_cast<std::uint8_t>(c); }

/// The first sealed OUT the panel wrote.
std::optional<Packet> sealed_out(Tap& tap) {
  for (const Packet& p : tap.sent()) {
    if (is_code(p, Command::Output) && p.security) return p;
  }
  return std::nullopt;
}

std::string problem_of(ControlPanel& panel) { return panel.security_problem().value_or("(none)"); }

TEST(SecureLink, OpensTheLockInsideAnEncryptedSession) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready()) << problem_of(*rig.panel);
  EXPECT_TRUE(rig.panel->secure());
  EXPECT_TRUE(rig.panel->ready());
  rig.panel->unlock(300ms);
  EXPECT_TRUE(rig.board.lock_released());
  EXPECT_EQ(rig.panel->identify(), SimulatorOptions{}.id) << "replies are opened and decrypted";

  const auto sent = rig.tap.sent();
  ASSERT_GE(sent.size(), 3u);
  EXPECT_EQ(sent[0].security->type, Security::Challenge);
  EXPECT_EQ(sent[1].security->type, Security::ServerCrypt);
  for (std::size_t i = 2; i < sent.size(); ++i) {
    ASSERT_TRUE(sent[i].security) << "command " << i << " went in plain text";
    EXPECT_TRUE(carries_mac(sent[i].security->type)) << "command " << i;
  }
  const auto out = sealed_out(rig.tap);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->security->type, Security::CommandSealed);
  const auto plain = encode_output({{0, kOutputTemporaryOn, 3}});
  EXPECT_EQ(out->data.size(), 16u) << "padded to one block";
  EXPECT_EQ(std::search(out->data.begin(), out->data.end(), plain.begin(), plain.end()), out->data.end())
      << "the OUT record is not readable on the wire";
  const auto stats = rig.panel->stats();
  EXPECT_EQ(stats.sessions, 1u);
  EXPECT_EQ(stats.security_faults, 0u);
  EXPECT_EQ(rig.board.refused_macs(), 0u);
}

TEST(SecureLink, RequiredRefusesAPlainBoardAndNeverSendsItAnything) {
  Rig rig({}, panel_with(SecureMode::Required));
  EXPECT_FALSE(rig.panel->wait_online(2s));
  EXPECT_EQ(problem_of(*rig.panel),
            "board at address 0 does not speak the secure channel (NAK to CHLNG: security block not supported)");
  const auto fault = rig.await(Kind::Secure);
  ASSERT_TRUE(fault);
  EXPECT_TRUE(fault->active) << "a board without the secure channel is an attack under required";
  EXPECT_FALSE(rig.panel->ready());
  const std::string error = device_error([&] { rig.panel->unlock(1s); });  // no session, no unlock
  EXPECT_NE(error.find("OUT not sent"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
  EXPECT_FALSE(rig.board.lock_released());
  for (const Packet& p : rig.tap.sent()) {
    ASSERT_TRUE(p.security) << "a plain " << code_name(p.code) << " went out";
    EXPECT_EQ(p.security->type, Security::Challenge);
  }
}

TEST(SecureLink, PreferredFallsBackToPlainTextAndSaysSo) {
  Rig rig({}, panel_with(SecureMode::Preferred));
  ASSERT_TRUE(rig.panel->wait_online(2s));
  const auto e = rig.await(Kind::Secure);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->active);
  EXPECT_NE(e->text.find("falling back to plain text"), std::string::npos) << e->text;
  EXPECT_FALSE(rig.panel->secure());
  EXPECT_TRUE(rig.panel->ready()) << "commands go in plain text";
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
}

TEST(SecureLink, PreferredUsesTheSecureChannelWhenTheBoardHasOne) {
  Rig rig(secure_board(), panel_with(SecureMode::Preferred));
  ASSERT_TRUE(rig.ready());
  EXPECT_TRUE(rig.panel->secure());
  rig.panel->unlock(200ms);
  EXPECT_TRUE(sealed_out(rig.tap));
}

TEST(SecureLink, AWrongKeyIsOneClearLine) {
  Rig rig(secure_board(kOtherKey), panel_with(SecureMode::Required));
  EXPECT_FALSE(rig.panel->wait_online(2s));
  EXPECT_EQ(problem_of(*rig.panel), "board at address 0 rejected the secure channel: wrong key?");
  EXPECT_FALSE(rig.panel->ready());
  EXPECT_THROW(rig.panel->unlock(1s), DeviceError);
  EXPECT_FALSE(rig.board.lock_released());
  std::this_thread::sleep_for(300ms);
  EXPECT_GE(rig.panel->stats().handshakes, 2u) << "the panel keeps trying, with a backoff";
  std::size_t faults = 0;
  while (auto e = rig.panel->next_event(0ms)) faults += e->kind == Kind::Secure && e->active;
  EXPECT_EQ(faults, 1u) << "the same failure is reported once, not at every try";
}

TEST(SecureLink, AFlippedBitInAnEncryptedCommandIsRefusedAndTheLockStaysShut) {
  Rig rig(secure_board(), panel_with(SecureMode::Required), [](Rig& r) {
    r.tap.meddle_with_commands([](Packet& p) {
      if (!is_code(p, Command::Output) || !p.security) return false;
      p.data[3] ^= 0x01;
      return true;
    });
  });
  ASSERT_TRUE(rig.ready());
  EXPECT_THROW(rig.panel->unlock(2s), DeviceError);
  EXPECT_EQ(rig.tap.meddled(), 1u) << "the OUT went through the meddler";
  EXPECT_FALSE(rig.board.lock_released());
  EXPECT_EQ(rig.board.refused_macs(), 1u);
  const auto fault = rig.await(Kind::Secure);
  ASSERT_TRUE(fault);
  EXPECT_TRUE(fault->active);
  EXPECT_EQ(fault->text, "the board ended the secure channel over a changed or replayed command on the line");
  EXPECT_TRUE(rig.panel->wait_online(1s));
}

TEST(SecureLink, AFlippedBitInAnEncryptedReplyIsAnAttack) {
  Rig rig(secure_board(), panel_with(SecureMode::Required), [](Rig& r) {
    r.tap.meddle_with_replies([](Packet& p) {
      if (!p.security || p.security->type != Security::ReplySealed || p.code != static_cast<std::uint8_t>(Reply::PdId)) return false;
      p.data[0] ^= 0x80;
      return true;
    });
  });
  ASSERT_TRUE(rig.ready());
  const std::string error = device_error([&] { rig.panel->identify(); });  // a changed reply must not be believed
  EXPECT_NE(error.find("MAC does not verify"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
  EXPECT_EQ(rig.tap.meddled(), 1u) << "the PDID reply went through the meddler";
  const auto fault = rig.await(Kind::Secure);
  ASSERT_TRUE(fault);
  EXPECT_TRUE(fault->active);
  EXPECT_GE(rig.panel->stats().security_faults, 1u);
}

TEST(SecureLink, AReplayedUnlockIsRefused) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready());
  rig.panel->unlock(200ms);
  ASSERT_TRUE(rig.board.lock_released());
  const auto recorded = sealed_out(rig.tap);
  ASSERT_TRUE(recorded);
  std::this_thread::sleep_for(400ms);
  ASSERT_FALSE(rig.board.lock_released());
  rig.tap.inject(*recorded);  // an attacker plays the recorded unlock back
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(rig.board.lock_released());
  EXPECT_EQ(rig.board.refused_macs(), 1u);
  const auto fault = rig.await(Kind::Secure);
  ASSERT_TRUE(fault);
  EXPECT_TRUE(fault->active) << fault->text;
}

TEST(SecureLink, AResendAfterALostReplyRepeatsTheSealedBytesAndTheBoardItsReply) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready());
  rig.line.set_faults(false, LineFaults{0, 0, 0, true});  // the board's replies are lost
  std::this_thread::sleep_for(120ms);
  rig.line.set_faults(false, LineFaults{});
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
  const auto sent = rig.tap.sent();
  bool repeated = false;
  for (std::size_t i = 1; i < sent.size(); ++i) repeated |= sent[i].security && sent[i] == sent[i - 1];
  EXPECT_TRUE(repeated) << "a resend carries the same MAC";
  const auto stats = rig.panel->stats();
  EXPECT_GE(stats.resends, 1u);
  EXPECT_EQ(stats.sessions, 1u) << "a lost reply does not break the session";
  EXPECT_EQ(stats.security_faults, 0u);
}

TEST(SecureLink, ABoardThatRestartedGetsANewHandshake) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready());
  rig.act("power off");
  std::this_thread::sleep_for(150ms);  // shorter than the offline time
  rig.act("power on");
  const auto e = rig.await(Kind::Secure);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->active) << e->text;
  EXPECT_EQ(e->text, "the board restarted and lost the secure channel; new handshake");
  ASSERT_TRUE(rig.await(Kind::Secure));  // established again
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
  EXPECT_EQ(rig.panel->stats().sessions, 2u);
}

TEST(SecureLink, AHandshakeThatTimesOutIsRetriedWithSequenceZero) {
  // libosdp #244/#287: every CHLNG restarts the sequence count, also with the default key.
  Rig rig(secure_board(kDefaultKey, true), panel_with(SecureMode::Required, {kDefaultKey}),
          [](Rig& r) { r.line.set_faults(false, LineFaults{0, 0, 0, true}); });
  std::this_thread::sleep_for(150ms);
  rig.line.set_faults(false, LineFaults{});
  ASSERT_TRUE(rig.ready()) << problem_of(*rig.panel);
  // And once more after a session: a silence long enough to go offline, then a new handshake.
  rig.line.set_faults(false, LineFaults{0, 0, 0, true});
  ASSERT_TRUE(rig.await(Kind::Offline));
  rig.line.set_faults(false, LineFaults{});
  ASSERT_TRUE(rig.await(Kind::Online));
  std::size_t challenges = 0;
  for (const Packet& p : rig.tap.sent()) {
    if (p.security && p.security->type == Security::Challenge) {
      ++challenges;
      EXPECT_EQ(p.sequence, 0);
    }
  }
  EXPECT_GE(challenges, 3u);
  EXPECT_EQ(rig.panel->stats().sessions, 2u);
  EXPECT_EQ(rig.panel->stats().security_faults, 0u);
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
}

TEST(SecureLink, SurvivesLineNoiseDuringTheHandshake) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  LineFaults bad{0.01, 0.005, 0.3, false};
  rig.line.set_faults(true, bad);
  rig.line.set_faults(false, bad);
  ASSERT_TRUE(rig.panel->wait_online(5s)) << problem_of(*rig.panel);
  for (int i = 0; i < 3; ++i) EXPECT_NO_THROW(rig.panel->unlock(100ms)) << "try " << i;
  EXPECT_EQ(rig.board.refused_macs(), 0u) << "noise is caught by the check bytes, not mistaken for an attack";
}

TEST(SecureLink, ALateAnswerToAnEarlierChallengeIsNotTakenForAWrongKey) {
  // The board's CCRYPT comes after the panel gave up on it, just before the answer to the next
  // challenge: its cryptogram belongs to the earlier random number, which is no sign of a wrong key.
  const auto is_ccrypt = [](const Packet& p) { return p.security && p.security->type == Security::ClientCrypt; };
  Rig rig(secure_board(), panel_with(SecureMode::Required), [&](Rig& r) { r.tap.hold_replies(is_ccrypt, 1); });
  ASSERT_TRUE(rig.panel->wait_online(2s)) << problem_of(*rig.panel);
  EXPECT_EQ(rig.panel->stats().handshakes, 2u);
  EXPECT_EQ(rig.panel->stats().security_faults, 0u) << problem_of(*rig.panel);
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
}

/// The panel's end of the line, where the board's reply to the first sealed command is replaced
/// by a plain ACK, as a peripheral that drops out of the session would send: either whole with
/// another sequence number, or split so that its end comes after the panel's reply timeout.
class PlainReplyInTheSession final : public Channel {
 public:
  enum class How { StraddlingTheTimeout, AnotherSequence };
  PlainReplyInTheSession(Channel& inner, How how, std::chrono::milliseconds late)
      : inner_(inner), how_(how), late_(late), replies_(std::nullopt, true) {}

  std::size_t read(std::uint8_t* b, std::size_t n, std::chrono::milliseconds t) override {
    if (out_.empty()) {
      if (!tail_.empty()) {  // the rest of the plain reply, once its time has come
        std::this_thread::sleep_until(std::min(tail_at_, std::chrono::steady_clock::now() + t));
        if (std::chrono::steady_clock::now() < tail_at_) return 0;
        out_.swap(tail_);
      } else {
        std::uint8_t buffer[256];
        replies_.feed(buffer, inner_.read(buffer, sizeof buffer, t));
        while (auto p = replies_.next()) out(*p);
      }
    }
    const std::size_t k = std::min(n, out_.size());
    std::copy(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(k), b);
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(k));
    return k;
  }
  void write(const std::uint8_t* b, std::size_t n) override {
    written_at_ = std::chrono::steady_clock::now();
    inner_.write(b, n);
  }
  void flush() override { inner_.flush(); }
  bool replaced() const { return replaced_; }

 private:
  void out(Packet p) {
    const bool sealed_reply = p.security && carries_mac(p.security->type);
    if (replaced_ || !sealed_reply) {
      const auto bytes = encode(p);
      out_.insert(out_.end(), bytes->begin(), bytes->end());
      return;
    }
    replaced_ = true;
    p.security.reset();
    p.code = static_cast<std::uint8_t>(Reply::Ack);
    p.data.clear();
    if (how_ == How::AnotherSequence) p.sequence = static_cast<std::uint8_t>(p.sequence % 3 + 1);
    const auto bytes = encode(p);
    const std::size_t now = how_ == How::StraddlingTheTimeout ? 4 : bytes->size();
    out_.insert(out_.end(), bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(now));
    tail_.assign(bytes->begin() + static_cast<std::ptrdiff_t>(now), bytes->end());
    tail_at_ = written_at_ + late_;  // after the wait for this reply ends, within the wait for the resend's
  }

  Channel& inner_;
  How how_;
  std::chrono::milliseconds late_;
  Parser replies_;
  std::vector<std::uint8_t> out_, tail_;
  std::chrono::steady_clock::time_point tail_at_, written_at_;
  bool replaced_ = false;
};

TEST(SecureLink, APlainReplyInsideTheSessionIsAnAttackWhateverItsTimingOrSequence) {
  for (const auto how : {PlainReplyInTheSession::How::StraddlingTheTimeout, PlainReplyInTheSession::How::AnotherSequence}) {
    SCOPED_TRACE(how == PlainReplyInTheSession::How::StraddlingTheTimeout ? "straddling the timeout" : "another sequence");
    Loopback line{7};
    BoardSimulator board(secure_board());
    std::atomic<bool> stop{false};
    std::thread server([&] { board.serve(line.b(), stop); });
    const ControlPanelOptions options = panel_with(SecureMode::Required);
    PlainReplyInTheSession channel(line.a(), how, options.reply_timeout + 10ms);
    {
      ControlPanel panel(channel, options);
      std::optional<BoardEvent> fault;
      const auto until = std::chrono::steady_clock::now() + 3s;
      while (!fault && std::chrono::steady_clock::now() < until) {
        auto e = panel.next_event(50ms);
        if (e && e->kind == Kind::Secure && e->active) fault = e;
      }
      ASSERT_TRUE(channel.replaced());
      ASSERT_TRUE(fault) << "the plain reply was not raised";
      EXPECT_EQ(fault->text, "secure channel: a reply without a MAC inside the session");
      EXPECT_GE(panel.stats().security_faults, 1u);
      // The session was ended; the panel opens a new one.
      const auto again = std::chrono::steady_clock::now() + 3s;
      while (panel.stats().sessions < 2 && std::chrono::steady_clock::now() < again) std::this_thread::sleep_for(20ms);
      EXPECT_GE(panel.stats().sessions, 2u) << problem_of(panel);
    }
    stop = true;
    server.join();
  }
}

TEST(SecureLink, KeySetRotatesTheKeyAndTheOldKeyIsRefusedAfterwards) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready());
  rig.panel->set_key(kOtherKey);
  EXPECT_EQ(rig.board.key(), kOtherKey);
  EXPECT_TRUE(rig.panel->secure());
  EXPECT_EQ(rig.panel->stats().sessions, 2u) << "the new key is proven by a new handshake";
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
  for (const Packet& p : rig.tap.sent()) {
    if (is_code(p, Command::KeySet)) {
      ASSERT_TRUE(p.security);
      EXPECT_EQ(p.security->type, Security::CommandSealed) << "the key travels encrypted";
      EXPECT_EQ(std::search(p.data.begin(), p.data.end(), kOtherKey.begin(), kOtherKey.end()), p.data.end());
    }
  }
  rig.panel.reset();
  rig.panel = std::make_unique<ControlPanel>(rig.tap, panel_with(SecureMode::Required, {kKey}));
  EXPECT_FALSE(rig.panel->wait_online(2s));
  EXPECT_EQ(problem_of(*rig.panel), "board at address 0 rejected the secure channel: wrong key?");
}

TEST(SecureLink, AKeySetTheBoardRefusesChangesNothing) {
  Rig rig(secure_board(), panel_with(SecureMode::Required));
  ASSERT_TRUE(rig.ready());
  rig.act("nak 9");
  const std::string error = device_error([&] { rig.panel->set_key(kOtherKey); });
  EXPECT_NE(error.find("refused KEYSET (unable to process command)"), std::string::npos)
      << (error.empty() ? "nothing thrown" : error);
  EXPECT_EQ(rig.board.key(), kKey);
  EXPECT_TRUE(rig.panel->secure()) << "the session under the old key goes on";
  rig.panel->unlock(200ms);
  EXPECT_TRUE(rig.board.lock_released());
  EXPECT_EQ(rig.panel->stats().sessions, 1u);
}

TEST(SecureLink, AfterAnInterruptedKeyChangeThePanelTriesTheNewKey) {
  Rig rig(secure_board(kOtherKey), panel_with(SecureMode::Required, {kKey, kOtherKey}));
  ASSERT_TRUE(rig.ready()) << problem_of(*rig.panel);
  EXPECT_EQ(rig.panel->key_index(), 1u);
}

TEST(SecureLink, InstallModeTakesTheDefaultKeyUntilAKeyIsSet) {
  // libosdp #157: a board in install mode takes SCBK-D, then KEYSET ends install mode.
  Rig rig(secure_board(kDefaultKey, true), panel_with(SecureMode::Required, {kDefaultKey}));
  ASSERT_TRUE(rig.ready()) << problem_of(*rig.panel);
  rig.panel->set_key(kKey);
  EXPECT_FALSE(rig.board.install_mode());
  EXPECT_EQ(rig.board.key(), kKey);
  rig.panel.reset();
  rig.panel = std::make_unique<ControlPanel>(rig.tap, panel_with(SecureMode::Required, {kDefaultKey}));
  EXPECT_FALSE(rig.panel->wait_online(2s));
  EXPECT_EQ(problem_of(*rig.panel), "board at address 0 refused the default key: it is not in install mode");
}

TEST(SecureLink, AKeyIsNeverSentInPlainText) {
  Rig plain_rig(secure_board(kDefaultKey, true), fast());  // install mode: the board takes plain commands
  ASSERT_TRUE(plain_rig.ready());
  EXPECT_THROW(plain_rig.panel->set_key(kKey), DeviceError) << "no session: set_key refuses";
  // The board must refuse a plain KEYSET.
  const std::string error = device_error([&] { plain_rig.panel->request(Command::KeySet, encode_keyset(kKey)); });
  EXPECT_NE(error.find("encrypted communication required"), std::string::npos) << (error.empty() ? "nothing thrown" : error);
  EXPECT_EQ(plain_rig.board.key(), kDefaultKey);
}

TEST(SecureLink, ASecureBoardRefusesPlainCommandsOutsideInstallMode) {
  Rig rig(secure_board(), fast());
  ASSERT_TRUE(rig.panel->wait_online(2s)) << "it answers, with NAKs";
  EXPECT_THROW(rig.panel->unlock(1s), DeviceError);
  EXPECT_FALSE(rig.board.lock_released());
}

TEST(SecureLink, TheHandshakeAndSealedMessagesWorkWithTheChecksumToo) {
  // libosdp #298: the board answers in the framing the command came in, and the MACs cover the
  // checksum framing's header (LEN one byte shorter) as well.
  BoardSimulator board(secure_board());
  PanelSession panel(kKey);
  const auto over = [&](Packet p) {
    p.use_crc = false;
    const auto bytes = encode(p);
    Parser in(std::nullopt, false);
    in.feed(bytes->data(), bytes->size());
    auto reply = board.handle(*in.next());
    EXPECT_TRUE(reply);
    EXPECT_FALSE(reply->use_crc);
    const auto back = encode(*reply);
    Parser out(std::nullopt, true);
    out.feed(back->data(), back->size());
    return *out.next();
  };
  panel.confirm(over(panel.answer(over(panel.challenge(0, 0)), 1)));
  Packet unlock;
  unlock.sequence = 2;
  unlock.use_crc = false;
  unlock.code = static_cast<std::uint8_t>(Command::Output);
  unlock.data = encode_output({{0, kOutputTemporaryOn, 5}});
  const Packet reply = panel.open(over(panel.seal(unlock)));
  EXPECT_EQ(reply.code, static_cast<std::uint8_t>(Reply::Ack));
  EXPECT_TRUE(board.lock_released());
}

TEST(SecureLink, AWholeSessionThroughAPseudoTerminal) {
  PseudoTerminal pty;
  BoardSimulator board(secure_board());
  std::atomic<bool> stop{false};
  std::thread server([&] { board.serve(pty, stop); });
  {
    SerialPort port(pty.slave_path(), 115200);
    ControlPanel panel(port, panel_with(SecureMode::Required));
    ASSERT_TRUE(panel.wait_online(2s)) << problem_of(panel);
    EXPECT_TRUE(panel.secure());
    EXPECT_EQ(panel.identify(), SimulatorOptions{}.id);
    panel.unlock(1s);
    EXPECT_TRUE(board.lock_released());
  }
  stop = true;
  server.join();
}

}  // namespace
}  // namespace lockerctl::devices::osdp
