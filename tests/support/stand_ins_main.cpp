// lockerctl-stand-ins DIR: the stand-ins of Twilio, S3, a webhook receiver and Google Drive, each
// on a free port of 127.0.0.1, for the CLI tests that run lockerctl against them. Writes
// DIR/ports (NAME=PORT lines for a shell to source) and DIR/drive-key.json (a service-account key
// naming the Drive stand-in's token endpoint), then serves until SIGTERM or SIGINT. On SIGUSR1,
// and before it exits, it writes what each stand-in has received to DIR/received.json.

#include <signal.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "support/stand_ins.hpp"

namespace {

using namespace lockerctl::test;
using nlohmann::json;

void write(const std::filesystem::path& file, const std::string& text) {
  const std::filesystem::path part = file.string() + ".part";
  std::ofstream(part) << text;
  std::filesystem::rename(part, file);
}

json received(TwilioStandIn& twilio, S3StandIn& s3, WebhookReceiver& hook, DriveStandIn& drive) {
  json out;
  out["sms"] = json::array();
  for (const auto& m : twilio.messages()) out["sms"].push_back({{"to", m.to}, {"from", m.from}, {"body", m.body}, {"media_url", m.media_url}});
  out["s3"] = json::object();
  for (const auto& [key, bytes] : s3.objects()) out["s3"][key] = sha256_hex(bytes);
  out["webhook"] = {{"deliveries", json::array()}, {"duplicates", hook.duplicates()}, {"rejected", hook.rejected()}};
  for (const auto& d : hook.deliveries()) {
    out["webhook"]["deliveries"].push_back({{"id", d.id}, {"owner", d.owner}, {"attempt", d.attempt}, {"text", d.text}, {"photo_url", d.photo_url}});
  }
  out["drive"] = json::object();
  for (const auto& [id, f] : drive.files()) {
    out["drive"][id] = {{"name", f.name}, {"parent", f.parent}, {"sha256", sha256_hex(f.bytes)}, {"readers", f.readers}};
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: lockerctl-stand-ins DIR\n";
    return 64;
  }
  const std::filesystem::path dir = argv[1];
  // Blocked before the servers start their threads, so that only sigwait below takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  TwilioStandIn twilio;
  S3StandIn s3;
  WebhookReceiver hook;
  DriveStandIn drive;
  for (StandIn* s : std::initializer_list<StandIn*>{&twilio, &s3, &hook, &drive}) s->start();
  write(dir / "drive-key.json", drive.key_file_json());
  std::filesystem::permissions(dir / "drive-key.json", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  write(dir / "ports", "TWILIO=" + std::to_string(twilio.port()) + "\nS3=" + std::to_string(s3.port()) +
                           "\nWEBHOOK=" + std::to_string(hook.port()) + "\nDRIVE=" + std::to_string(drive.port()) + "\n");
  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    write(dir / "received.json", received(twilio, s3, hook, drive).dump(2));
    if (signal != SIGUSR1) return 0;
  }
}
