#pragma once

// Cameras behind one small interface: OpenCV VideoCapture (device index, video file, rtsp:// or
// http:// IP camera) and a folder of images (tests, demos, and the simulated camera the run
// script points at scenes).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lockerctl::vision {

class Camera {
 public:
  virtual ~Camera() = default;
  /// The next frame (BGR), or nullopt when the camera is lost.
  virtual std::optional<cv::Mat> grab() = 0;
  /// Tries to open a lost camera again; true when it works.
  virtual bool reopen() = 0;
  virtual std::string name() const = 0;
};

/// Images of a folder (or one image file) in name order, round and round. Unreadable files are
/// skipped and counted. `show()` points it at another folder; "" or a missing folder makes it a
/// lost camera.
class FolderCamera final : public Camera {
 public:
  explicit FolderCamera(std::filesystem::path folder = {});
  void show(const std::filesystem::path& folder);
  std::optional<cv::Mat> grab() override;
  bool reopen() override;
  std::string name() const override;
  int skipped() const;

 private:
  mutable std::mutex mutex_;
  std::filesystem::path folder_;
  std::vector<std::filesystem::path> files_;
  std::size_t next_ = 0;
  int skipped_ = 0;
};

/// Writes a frame as an image file, atomically, in the format its extension names (.jpg at
/// quality 92, .png, ...). Throws IoError naming the file when it cannot.
void save_frame(const std::filesystem::path& file, const cv::Mat& frame);

/// An image file decoded by the one image loader (data::load_image) as the BGR frame a camera
/// gives; nullopt with `error` set when it cannot be used.
std::optional<cv::Mat> load_frame(const std::filesystem::path& file, std::string& error);

/// The same for an image file's bytes (an upload), by data::decode_image.
std::optional<cv::Mat> decode_frame(const std::vector<std::uint8_t>& bytes, std::string& error);

/// Opens `source`: "sim" gives an empty FolderCamera for the run script to point; a folder or an
/// image file gives a FolderCamera; anything else goes to OpenCV VideoCapture (a number is a
/// device index). A stream that sends nothing for `timeout_ms`, opening or reading, is lost.
/// Throws DeviceError naming the source when it cannot be opened.
std::unique_ptr<Camera> open_camera(const std::string& source, int timeout_ms = 5000);

}  // namespace lockerctl::vision
