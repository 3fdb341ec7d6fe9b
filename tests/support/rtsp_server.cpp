#include "support/rtsp_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/mosquitto.hpp"  // free_port

namespace lockerctl::test {

RtspServer::RtspServer(std::filesystem::path frames, int fps) : frames_(std::move(frames)), fps_(fps), port_(free_port()) {
  start();
}

RtspServer::~RtspServer() { kill(); }

bool RtspServer::available() {
  return std::system("/usr/bin/python3 -c \"import gi; gi.require_version('GstRtspServer', '1.0'); "
                     "from gi.repository import GstRtspServer\" >/dev/null 2>&1") == 0;
}

void RtspServer::start() {
  if (pid_ > 0) return;
  const std::string script = (source_dir() / "tests/support/rtsp_server.py").string();
  const std::string log_file = (dir_ / "server.log").string();
  const std::string port = std::to_string(port_), fps = std::to_string(fps_), frames = frames_.string();
  std::ofstream(log_file, std::ios::trunc).flush();
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = ::open(log_file.c_str(), O_WRONLY | O_APPEND);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execl("/usr/bin/python3", "python3", script.c_str(), port.c_str(), frames.c_str(), fps.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log().find("ready") == std::string::npos) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the RTSP server exited at start: " + log());
    }
    if (std::chrono::steady_clock::now() > until) throw std::runtime_error("the RTSP server did not start in 10 s: " + log());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RtspServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string RtspServer::log() const {
  std::ifstream in(dir_ / "server.log");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace lockerctl::test
