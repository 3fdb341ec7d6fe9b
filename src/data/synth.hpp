#pragma once

// Synthetic labelled images for tests and for the demo on a machine without real photos. They
// prove that the pipeline runs; they say nothing about accuracy on real people.

#include <cstdint>
#include <filesystem>
#include <string>

#include "data/source.hpp"

namespace lockerctl::data {

struct SynthOptions {
  Task task = Task::Human;
  int per_class = 40;        ///< images written per class
  int size = 64;             ///< side in pixels
  std::uint64_t seed = 1;
};

/// Writes PNGs in Keras folder layout, out/<positive>/ and out/<negative>/, plus a README that
/// says they are synthetic. Human task: a stick person or a close-up face on a cluttered
/// background vs clutter alone. Owner task: one fixed synthetic face (with small variations) vs
/// other faces.
/// Returns the number of images written. Throws IoError when a file cannot be written.
int write_synthetic(const std::filesystem::path& out, const std::string& positive_class,
                    const std::string& negative_class, const SynthOptions& options);

}  // namespace lockerctl::data
