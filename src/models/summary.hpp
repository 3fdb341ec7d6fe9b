#pragma once

#include <string>
#include <vector>

#include "models/spec.hpp"

// Layer tables and parameter counts for `lockerctl model summary`, without LibTorch in the header.
namespace lockerctl::models {

/// The layer table of an untrained network of `spec`. Throws ModelError for an invalid spec.
std::vector<LayerRow> describe(const ModelSpec& spec);

/// The table as aligned text with a title line and totals: all weights (as Keras counts them,
/// BatchNorm statistics included), trainable ones, and the backbone alone for MobileNetV2.
std::string render_layer_table(const ModelSpec& spec, const std::vector<LayerRow>& rows);

}  // namespace lockerctl::models
