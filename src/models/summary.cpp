#include "models/summary.hpp"

#include <fmt/format.h>

#include "models/binary_net.hpp"

namespace lockerctl::models {

std::vector<LayerRow> describe(const ModelSpec& spec) { return build(spec)->layers(); }

std::string render_layer_table(const ModelSpec& spec, const std::vector<LayerRow>& rows) {
  std::string title = architecture_name(spec.architecture);
  if (spec.architecture == Architecture::MobileNetV2) title += fmt::format(" alpha {}", spec.alpha);
  title += fmt::format(", input {}x{}x3", spec.input_size, spec.input_size);

  std::size_t name_w = 5, kind_w = 4;
  for (const auto& r : rows) {
    name_w = std::max(name_w, r.name.size());
    kind_w = std::max(kind_w, r.kind.size());
  }
  std::string out = title + "\n";
  out += fmt::format("{:<{}}  {:<{}}  {:<18}  {:>10}\n", "layer", name_w, "type", kind_w,
                     "output", "weights");
  int64_t total = 0, trainable = 0, head = 0;
  for (const auto& r : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {:<18}  {:>10}\n", r.name, name_w, r.kind, kind_w,
                       fmt::format("[{}]", fmt::join(r.output, ",")), r.params);
    total += r.params;
    trainable += r.trainable;
    if (r.name == "head") head = r.params;
  }
  out += fmt::format("total weights: {} ({} trainable)\n", total, trainable);
  if (spec.architecture == Architecture::MobileNetV2) {
    out += fmt::format("backbone without the head: {}\n", total - head);
  }
  return out;
}

}  // namespace lockerctl::models
