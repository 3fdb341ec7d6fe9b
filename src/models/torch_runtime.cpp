#include "models/torch_runtime.hpp"

#include <torch/torch.h>

#include <thread>

#if defined(LOCKERCTL_TORCH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#endif

namespace lockerctl::models {

TorchRuntime torch_runtime() {
  TorchRuntime rt;
  rt.version = TORCH_VERSION;
  rt.cuda_built = at::hasCUDA();
  rt.cuda_devices = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
#if defined(LOCKERCTL_TORCH_CUDA)
  if (rt.cuda_devices > 0) rt.cuda_device = at::cuda::getDeviceProperties(0)->name;
#endif
  rt.threads = at::get_num_threads();
  rt.interop_threads = at::get_num_interop_threads();
  return rt;
}

int set_torch_threads(int threads) {
  const int wanted = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  if (wanted > 0) at::set_num_threads(wanted);
  return at::get_num_threads();
}

}  // namespace lockerctl::models
