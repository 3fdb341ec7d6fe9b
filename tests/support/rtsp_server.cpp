#include "support/rtsp_server.hpp"

#include <cstdlib>
#include <fstream>

#include "support/mosquitto.hpp"  // free_port

namespace lockerctl::test {

RtspServer::RtspServer(std::filesystem::path frames, int fps)
    : frames_(std::move(frames)), fps_(fps), port_(free_port()), server_("the RTSP server", dir_ / "server.log") {
  start();
}

bool RtspServer::available() {
  return std::system("/usr/bin/python3 -c \"import gi; gi.require_version('GstRtspServer', '1.0'); "
                     "from gi.repository import GstRtspServer\" >/dev/null 2>&1") == 0;
}

void RtspServer::start() {
  if (server_.running()) return;
  std::ofstream(dir_ / "server.log", std::ios::trunc).flush();  // the "ready" waited for must be this start's
  server_.start({"/usr/bin/python3", (source_dir() / "tests/support/rtsp_server.py").string(), std::to_string(port_),
                 frames_.string(), std::to_string(fps_)},
                [this] { return log().find("ready") != std::string::npos; });
}

void RtspServer::kill() { server_.kill(); }

std::string RtspServer::log() const { return server_.log(); }

}  // namespace lockerctl::test
