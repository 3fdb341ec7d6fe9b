#pragma once

// The 128-d face embedding network of face-api (@vladmandic/face-api 1.7.15, a TF.js port of
// dlib's face recognition ResNet), rebuilt in LibTorch from face-api's own weights. Same layers,
// same order (face-api src/faceRecognitionNet):
//
//   input    150x150 RGB 0..255, minus the mean (122.782, 117.001, 104.298), divided by 255
//   conv32_down   7x7/2 'valid' conv + scale + ReLU, then 3x3/2 'valid' max-pool
//   conv32_1..3   residual blocks: 3x3 conv + scale + ReLU, 3x3 conv + scale, + input, ReLU
//   conv64_down, conv64_1..3, conv128_down, conv128_1..2, conv256_down, conv256_1..2,
//   conv256_down_out   "down" blocks: the first conv is 3x3/2 'valid'; the shortcut is a 2x2
//                      average pool, zero-padded to the block's channels; the block's output gets
//                      a zero row and column when the pool's is larger
//   global average, then fc: [256] x [256, 128] -> the 128-d descriptor
//
// "scale" is a per-channel multiply-add (folded into the conv here: same values, one op less).

#include <filesystem>

#include <torch/torch.h>

namespace lockerctl::models {

class FaceRecognitionNetImpl : public torch::nn::Module {
 public:
  /// Reads face-api's weights manifest (and the .bin beside it). Throws ModelError naming a
  /// missing, extra or wrongly shaped tensor.
  explicit FaceRecognitionNetImpl(const std::filesystem::path& manifest);
  /// [N, 3, 150, 150] float RGB 0..255 -> [N, 128] descriptors.
  torch::Tensor forward(torch::Tensor x);

  static constexpr int kInputSize = 150;
  static constexpr int kDescriptorSize = 128;
  static constexpr float kMean[3] = {122.782f, 117.001f, 104.298f};  ///< RGB, subtracted before / 255

  struct Block {
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    bool down = false;
  };
  /// The layers, for the ONNX export (export/onnx_export.hpp).
  torch::nn::Conv2d& stem() { return stem_; }
  std::vector<Block>& blocks() { return blocks_; }
  const torch::Tensor& fc() const { return fc_; }

 private:
  torch::Tensor block(Block& b, const torch::Tensor& x);

  torch::nn::Conv2d stem_{nullptr};
  std::vector<Block> blocks_;
  torch::Tensor fc_;
};
TORCH_MODULE(FaceRecognitionNet);

}  // namespace lockerctl::models
