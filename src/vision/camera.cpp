#include "vision/camera.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "data/image.hpp"

namespace lockerctl::vision {
namespace {

std::optional<cv::Mat> bgr_frame(const data::DecodeResult& image, std::string& error) {
  if (!image.ok()) {
    error = image.error;
    return std::nullopt;
  }
  cv::Mat bgr;
  cv::cvtColor(image.image.rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

bool is_image(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".pgm" || ext == ".ppm";
}

class VideoCamera final : public Camera {
 public:
  VideoCamera(std::string source, int timeout_ms) : source_(std::move(source)), timeout_ms_(timeout_ms) {
    if (!open()) throw DeviceError(fmt::format("camera '{}': cannot open it", source_));
  }
  std::optional<cv::Mat> grab() override {
    cv::Mat frame;
    if (!capture_.isOpened() || !capture_.read(frame) || frame.empty()) return std::nullopt;
    return frame;
  }
  bool reopen() override {
    capture_.release();
    return open();
  }
  std::string name() const override { return source_; }

 private:
  bool open() {
    // Back-end chatter (GStreamer, V4L2) is not for operators; failures get our own one line.
    if (!log::enabled(log::Level::Debug)) cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    const bool index = !source_.empty() && std::all_of(source_.begin(), source_.end(), ::isdigit);
    // A stream that stalls (an IP camera gone) fails a read after the timeout instead of hanging.
    const std::vector<int> params = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms_, cv::CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms_};
    return index ? capture_.open(std::stoi(source_), cv::CAP_ANY, params) : capture_.open(source_, cv::CAP_ANY, params);
  }
  std::string source_;
  int timeout_ms_;
  cv::VideoCapture capture_;
};

}  // namespace

FolderCamera::FolderCamera(std::filesystem::path folder) { show(folder); }

void FolderCamera::show(const std::filesystem::path& folder) {
  std::lock_guard lock(mutex_);
  folder_ = folder;
  files_.clear();
  next_ = 0;
  std::error_code ec;
  if (folder.empty()) return;
  if (std::filesystem::is_regular_file(folder, ec)) {
    files_.push_back(folder);
    return;
  }
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && is_image(it->path())) files_.push_back(it->path());
  }
  std::sort(files_.begin(), files_.end());
}

std::optional<cv::Mat> FolderCamera::grab() {
  std::lock_guard lock(mutex_);
  for (std::size_t tries = 0; tries < files_.size(); ++tries) {
    const auto& file = files_[next_ % files_.size()];
    ++next_;
    cv::Mat frame = cv::imread(file.string(), cv::IMREAD_COLOR);
    if (!frame.empty()) return frame;
    ++skipped_;
    log::warn("camera {}: {} is not a readable image, skipped", folder_.string(), file.string());
  }
  return std::nullopt;
}

bool FolderCamera::reopen() {
  const auto folder = [&] {
    std::lock_guard lock(mutex_);
    return folder_;
  }();
  show(folder);
  std::lock_guard lock(mutex_);
  return !files_.empty();
}

std::string FolderCamera::name() const {
  std::lock_guard lock(mutex_);
  return folder_.empty() ? std::string("simulated camera (no scene)") : folder_.string();
}

int FolderCamera::skipped() const {
  std::lock_guard lock(mutex_);
  return skipped_;
}

void save_frame(const std::filesystem::path& file, const cv::Mat& frame) {
  std::vector<std::uint8_t> bytes;
  const std::string ext = file.extension().string();
  const bool jpeg = ext == ".jpg" || ext == ".jpeg";
  bool encoded = false;
  try {
    encoded = cv::imencode(ext, frame, bytes, jpeg ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 92} : std::vector<int>{});
  } catch (const cv::Exception&) {  // an extension OpenCV has no encoder for
  }
  if (!encoded) throw IoError(file.string() + ": cannot encode the frame as '" + ext + "'");
  write_file_atomically(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::optional<cv::Mat> load_frame(const std::filesystem::path& file, std::string& error) {
  return bgr_frame(data::load_image(file), error);
}

std::optional<cv::Mat> decode_frame(const std::vector<std::uint8_t>& bytes, std::string& error) {
  return bgr_frame(data::decode_image(bytes), error);
}

std::unique_ptr<Camera> open_camera(const std::string& source, int timeout_ms) {
  if (source == "sim") return std::make_unique<FolderCamera>();
  std::error_code ec;
  if (std::filesystem::is_directory(source, ec) || (std::filesystem::is_regular_file(source, ec) && is_image(source))) {
    return std::make_unique<FolderCamera>(source);
  }
  return std::make_unique<VideoCamera>(source, timeout_ms);
}

}  // namespace lockerctl::vision
