#pragma once

#include <string>

// LibTorch's process-wide settings, behind a header that does not include torch, so that targets
// outside the model/train/eval/export areas can ask about them without compiling LibTorch.
namespace lockerctl::models {

/// What LibTorch reports about itself and the machine.
struct TorchRuntime {
  std::string version;          ///< e.g. "1.13.0"
  bool cuda_built = false;      ///< LibTorch was compiled with CUDA support
  int cuda_devices = 0;         ///< CUDA devices LibTorch can use now
  std::string cuda_device;      ///< name of device 0 when known, else ""
  int threads = 0;              ///< intra-op CPU threads in use
  int interop_threads = 0;      ///< inter-op CPU threads in use
};

/// Queries LibTorch. Never throws.
TorchRuntime torch_runtime();

/// Sets LibTorch's intra-op thread count to `threads`, or to every core when 0 (Debian's LibTorch
/// starts with one). Returns the count in force afterwards.
int set_torch_threads(int threads);

}  // namespace lockerctl::models
