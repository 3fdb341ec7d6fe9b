#include "models/spec.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"

namespace lockerctl::models {

std::string architecture_name(Architecture a) {
  return a == Architecture::MobileNetV2 ? "mobilenet_v2" : "owner_cnn";
}

std::optional<Architecture> parse_architecture(const std::string& name) {
  if (name == "mobilenet_v2") return Architecture::MobileNetV2;
  if (name == "owner_cnn") return Architecture::OwnerCnn;
  return std::nullopt;
}

ModelSpec ModelSpec::human_default() { return {Architecture::MobileNetV2, 1.0, 224, 0.0}; }
ModelSpec ModelSpec::owner_default() { return {Architecture::OwnerCnn, 1.0, 256, 0.0}; }

void ModelSpec::validate() const {
  if (architecture == Architecture::MobileNetV2) {
    if (alpha < 0.35 || alpha > 1.4) {
      throw ModelError(fmt::format("mobilenet_v2: width multiplier {} is outside [0.35, 1.4]", alpha));
    }
    if (input_size < 32 || input_size > 1024) {
      throw ModelError(fmt::format("mobilenet_v2: input size {} is outside [32, 1024]", input_size));
    }
  } else if (input_size < 22 || input_size > 1024) {
    // Three valid 3x3 convolutions and three 2x2 pools need at least 22 pixels.
    throw ModelError(fmt::format("owner_cnn: input size {} is outside [22, 1024]", input_size));
  }
  if (dropout < 0.0 || dropout >= 1.0) {
    throw ModelError(fmt::format("{}: dropout {} is outside [0, 1)", architecture_name(architecture),
                                 dropout));
  }
}

Preprocessing Preprocessing::for_architecture(Architecture a) {
  if (a == Architecture::MobileNetV2) return {1.0 / 127.5, -1.0, "RGB"};
  return {1.0 / 255.0, 0.0, "RGB"};
}

int make_divisible(double value, int divisor) {
  int rounded = std::max(divisor, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

}  // namespace lockerctl::models
