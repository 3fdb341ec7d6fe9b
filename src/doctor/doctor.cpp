#include "doctor/doctor.hpp"

#include <H5public.h>
#include <sodium.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/core/version.hpp>
#include <thread>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/version.hpp"
#include "data/image.hpp"
#include "inference/face_embedder.hpp"
#include "models/torch_runtime.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace lockerctl::doctor {
namespace {

std::string hdf5_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return fmt::format("{}.{}.{}", major, minor, release);
}

Item cuda_item(const models::TorchRuntime& rt, config::ComputeDevice wanted) {
  Item item{"CUDA", "", true};
  if (rt.cuda_devices > 0) {
    item.value = fmt::format("usable, {} device(s){}", rt.cuda_devices,
                             rt.cuda_device.empty() ? "" : ", cuda:0 = " + rt.cuda_device);
  } else if (rt.cuda_built) {
    item.value = "LibTorch has CUDA support, but no CUDA device is usable";
  } else {
    item.value = "not usable: this LibTorch was built without CUDA";
  }
  if (wanted == config::ComputeDevice::Cuda && rt.cuda_devices == 0) {
    item.ok = false;
    item.value += " (runtime.device is cuda)";
  }
  return item;
}

Item folder_item(const std::string& key, const std::string& dir) {
  const FolderCheck check = check_folder_writable(dir);
  switch (check.state) {
    case FolderCheck::State::Writable: return {key, dir + " (writable)", true};
    case FolderCheck::State::Creatable: return {key, dir + " (absent; will be created)", true};
    case FolderCheck::State::NotAFolder: return {key, dir + " is not a folder", false};
    case FolderCheck::State::NotWritable: break;
  }
  return {key, dir + " is not writable: " + check.reason, false};
}

}  // namespace

bool Report::ok() const {
  return std::all_of(items.begin(), items.end(), [](const Item& i) { return i.ok; });
}

std::string Report::failures() const {
  std::string out;
  for (const auto& item : items)
    if (!item.ok) out += (out.empty() ? "" : ", ") + item.name;
  return out;
}

/// The models `lockerctl run` will load: missing ones are reported, not failed (they come from
/// `lockerctl train`).
Item access_items(const config::Config& config) {
  std::string value;
  std::vector<std::string> models{config.access.human_model};
  if (config.owner.method == config::OwnerMethod::Cnn) models.push_back(config.access.owner_model);
  for (const auto& model : models) {
    value += fmt::format("{}{} ({})", value.empty() ? "" : ", ", model,
                         std::filesystem::exists(model) ? "present" : "not trained yet");
  }
  return {"access models", value, true};
}

/// A model file the face step needs: fine when it matches its pin, a problem when it is there but
/// corrupt; not fetched yet is said, as untrained layer models are.
Item model_file_item(const std::string& name, const std::string& file, const char* sha256) {
  if (!std::filesystem::exists(file)) return {name, file + " (not fetched yet: scripts/fetch-face-models.sh)", true};
  try {
    data::verify_model_file(file, sha256);
    return {name, file + " (SHA-256 matches its pin)", true};
  } catch (const Error& e) {
    return {name, e.what(), false};
  }
}

Item face_item(const config::Config& config) {
  switch (config.face.detector) {
    case config::FaceDetector::YuNet: return model_file_item("face.model", config.face.model, vision::kYuNetSha256);
    case config::FaceDetector::Haar: {
      const bool cascade = std::filesystem::exists(config.face.cascade);
      return {"face.cascade", cascade ? config.face.cascade : config.face.cascade + " is missing (Debian package opencv-data)",
              cascade};
    }
    case config::FaceDetector::WholeFrame: break;
  }
  return {"face.detector", "whole_frame (no detection: the frame is the face)", true};
}

Item liveness_item(const config::Config& config) {
  if (!config.liveness.enabled) return {"liveness", "off (liveness.enabled: false)", true};
  const Item v2 = model_file_item("liveness", config.liveness.model_v2, vision::kMiniFasNetV2Sha256);
  const Item v1se = model_file_item("liveness", config.liveness.model_v1se, vision::kMiniFasNetV1SeSha256);
  return {"liveness", v2.value + ", " + v1se.value, v2.ok && v1se.ok};
}

Item owner_item(const config::Config& config) {
  if (config.owner.method == config::OwnerMethod::Cnn) return {"owner.method", "cnn (the owner CNN, access.owner_model)", true};
  const std::filesystem::path manifest = config.owner.embedding_model;
  const Item m = model_file_item("owner.embedding_model", manifest.string(), inference::kFaceRecognitionManifestSha256);
  const Item bin = model_file_item("owner.embedding_model", inference::face_embedder_weights(manifest).string(),
                                   inference::kFaceRecognitionBinSha256);
  return {"owner.embedding_model", m.value + ", " + bin.value, m.ok && bin.ok};
}

Report examine(const config::Config& config) {
  Report report;
  const models::TorchRuntime rt = models::torch_runtime();
  report.items.push_back({"lockerctl", kVersion, true});
  report.items.push_back({"LibTorch", rt.version, true});
  report.items.push_back({"OpenCV", CV_VERSION, true});
  report.items.push_back({"HDF5", hdf5_version(), true});
  report.items.push_back({"yaml-cpp", config::yaml_cpp_version(), true});
  report.items.push_back(cuda_item(rt, config.runtime.device));
  report.items.push_back(
      {"CPU threads",
       fmt::format("LibTorch {} intra-op / {} inter-op, OpenCV {}, {} cores on this machine",
                   rt.threads, rt.interop_threads, cv::getNumThreads(),
                   std::thread::hardware_concurrency()),
       true});
  report.items.push_back(folder_item("paths.data_dir", config.paths.data_dir));
  report.items.push_back(folder_item("paths.models_dir", config.paths.models_dir));
  report.items.push_back(folder_item("paths.var_dir", config.paths.var_dir));
  report.items.push_back({"SQLite", sqlite3_libversion(), true});
  report.items.push_back({"libsodium", sodium_version_string(), true});
  report.items.push_back(access_items(config));
  report.items.push_back(face_item(config));
  report.items.push_back(liveness_item(config));
  report.items.push_back(owner_item(config));
  const bool sim = config.board.port == "sim";
  const bool port = sim || std::filesystem::exists(config.board.port);
  report.items.push_back({"board.port",
                          sim ? "sim (the built-in simulated board)"
                              : port ? config.board.port + " (lockerctl board probe talks to it)"
                                     : config.board.port + " does not exist (is the adapter plugged in?)",
                          port});
  return report;
}

std::string render(const Report& report) {
  std::size_t width = 0;
  for (const auto& item : report.items) width = std::max(width, item.name.size());
  std::string out;
  for (const auto& item : report.items) {
    out += fmt::format("{:<{}}  {}{}\n", item.name, width, item.ok ? "" : "PROBLEM: ", item.value);
  }
  return out;
}

}  // namespace lockerctl::doctor
