#pragma once

// What a model is, without LibTorch: the architecture and its options, the preprocessing its input
// needs, its classes and threshold, and where it came from. Saved as attributes of a model file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockerctl::models {

enum class Architecture { MobileNetV2, OwnerCnn };

/// "mobilenet_v2" / "owner_cnn".
std::string architecture_name(Architecture a);
/// Parses an architecture name; nullopt when unknown.
std::optional<Architecture> parse_architecture(const std::string& name);

/// The options that fix a network's shape.
struct ModelSpec {
  Architecture architecture = Architecture::MobileNetV2;
  double alpha = 1.0;     ///< MobileNetV2 width multiplier, 0.35–1.4 (ignored by the owner CNN)
  int input_size = 224;   ///< square input side in pixels
  double dropout = 0.0;   ///< dropout before the dense head while training, 0 = none

  /// The paper's layer 1: MobileNetV2 1.0 at 224×224.
  static ModelSpec human_default();
  /// The paper's layer 2: the owner CNN at 256×256.
  static ModelSpec owner_default();

  /// Throws ModelError when an option is out of range (alpha, input size for this architecture).
  void validate() const;
};

/// How pixels become network input: RGB channel order, value = pixel * scale + offset.
struct Preprocessing {
  double scale = 1.0 / 127.5;
  double offset = -1.0;
  std::string channel_order = "RGB";

  /// What the architecture was trained with: MobileNetV2 with TF weights maps to [-1, 1], the
  /// owner CNN to [0, 1].
  static Preprocessing for_architecture(Architecture a);
};

inline constexpr const char* kImageInput = "image";
inline constexpr const char* kFaceChipInput = "face_chip";

/// Everything a model file records besides its tensors.
struct ModelMeta {
  ModelSpec spec;
  Preprocessing preprocessing;
  std::string positive_class = "human";     ///< label of probability 1
  std::string negative_class = "not_human"; ///< label of probability 0
  double threshold = 0.5;                   ///< decision threshold on the probability
  /// What the network looks at: kImageInput (the layer's image, as `dataset prepare` stores it)
  /// or kFaceChipInput (an aligned face chip, vision::align_face; `lockerctl owner train`).
  std::string input = kImageInput;
  // Provenance.
  std::string created;              ///< UTC time the file was written, ISO 8601
  std::string source;               ///< e.g. "keras:FILE sha256=…", "train:runs/NAME"
  std::string dataset_manifest;     ///< hash of the split manifest trained on, "" when none
  std::string config_yaml;          ///< the configuration used, "" when none
  std::string metrics_json;         ///< evaluation metrics as JSON, "" when not known
};

/// One row of a model's layer table.
struct LayerRow {
  std::string name;             ///< e.g. "block_3", "conv2"
  std::string kind;             ///< e.g. "InvertedResidual(t=6, s=2)", "Conv2d 3x3"
  std::vector<int64_t> output;  ///< output shape for batch 1, NCHW or NC
  int64_t params = 0;           ///< weights + biases + BatchNorm statistics (as Keras counts)
  int64_t trainable = 0;        ///< of which trainable
};

/// Keras' `_make_divisible`: rounds channel counts to a multiple of `divisor`, never below 90%.
int make_divisible(double value, int divisor = 8);

}  // namespace lockerctl::models
