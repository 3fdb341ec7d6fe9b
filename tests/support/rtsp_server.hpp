#pragma once

// A real RTSP server for camera tests: GStreamer's RTSP server (Debian's
// gir1.2-gst-rtsp-server-1.0, driven by tests/support/rtsp_server.py under /usr/bin/python3)
// streaming a folder of JPEG frames as Motion JPEG, round and round. kill() drops the stream
// (SIGKILL); start() brings it back on the same port.

#include <filesystem>
#include <string>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::test {

class RtspServer {
 public:
  /// `frames`: a printf pattern of JPEG files, e.g. "DIR/frame%03d.jpg", numbered from 0.
  RtspServer(std::filesystem::path frames, int fps = 10);

  /// Whether this machine can run it (python3-gi and the GStreamer RTSP server library).
  static bool available();

  /// Starts the server and waits until it says it listens; throws std::runtime_error after 10 s.
  void start();
  void kill();
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }
  std::string log() const;

 private:
  std::filesystem::path frames_;
  int fps_;
  TempDir dir_;
  int port_;
  ChildProcess server_;
};

}  // namespace lockerctl::test
