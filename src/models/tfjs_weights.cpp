#include "models/tfjs_weights.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace lockerctl::models {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<unsigned char> read_bytes(const fs::path& file, const fs::path& manifest) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ModelError(fmt::format("{}: cannot read {}, which its manifest {} names", file.string(), file.filename().string(), manifest.string()));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

long element_count(const std::vector<long>& shape) {
  long n = 1;
  for (const long d : shape) n *= d;
  return n;
}

}  // namespace

std::vector<TfjsTensor> read_tfjs_weights(const fs::path& manifest) {
  const auto bad = [&](const std::string& why) { return ModelError(fmt::format("{}: {}", manifest.string(), why)); };
  std::ifstream in(manifest);
  if (!in) throw bad("cannot read it (scripts/fetch-face-models.sh fetches the face models)");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw bad(fmt::format("not a TF.js weights manifest: not valid JSON ({})", e.what()));
  }
  if (!doc.is_array() || doc.empty()) throw bad("not a TF.js weights manifest: expected a JSON array of weight groups");

  std::vector<TfjsTensor> tensors;
  try {
    for (const json& group : doc) {
      std::vector<unsigned char> bytes;
      for (const json& path : group.at("paths")) {
        const auto part = read_bytes(manifest.parent_path() / path.get<std::string>(), manifest);
        bytes.insert(bytes.end(), part.begin(), part.end());
      }
      std::size_t offset = 0;
      for (const json& w : group.at("weights")) {
        TfjsTensor t;
        t.name = w.at("name").get<std::string>();
        t.shape = w.at("shape").get<std::vector<long>>();
        const long n = element_count(t.shape);
        const std::string dtype = w.at("dtype").get<std::string>();
        if (dtype != "float32" && dtype != "int32") throw bad(fmt::format("{}: dtype {} is not supported", t.name, dtype));
        std::size_t width = 4;
        std::string stored = dtype;
        double scale = 1, min = 0;
        if (w.contains("quantization")) {
          const json& q = w.at("quantization");
          stored = q.at("dtype").get<std::string>();
          if (stored != "uint8" && stored != "uint16") throw bad(fmt::format("{}: quantization {} is not supported", t.name, stored));
          width = stored == "uint8" ? 1 : 2;
          scale = q.at("scale").get<double>();
          min = q.at("min").get<double>();
        }
        const std::size_t size = static_cast<std::size_t>(n) * width;
        if (offset + size > bytes.size()) {
          throw bad(fmt::format("{}: the weights end at byte {}, before this tensor does (truncated .bin?)", t.name, bytes.size()));
        }
        const unsigned char* p = bytes.data() + offset;
        t.values.resize(static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i) {
          float& v = t.values[static_cast<std::size_t>(i)];
          if (stored == "uint8") {
            v = static_cast<float>(p[i] * scale + min);
          } else if (stored == "uint16") {
            std::uint16_t q;
            std::memcpy(&q, p + 2 * i, 2);
            v = static_cast<float>(q * scale + min);
          } else if (stored == "float32") {
            std::memcpy(&v, p + 4 * i, 4);
          } else {
            std::int32_t q;
            std::memcpy(&q, p + 4 * i, 4);
            v = static_cast<float>(q);
          }
        }
        offset += size;
        tensors.push_back(std::move(t));
      }
      if (offset != bytes.size()) {
        throw bad(fmt::format("its tensors take {} bytes but the weights hold {}: not the weights this manifest describes", offset, bytes.size()));
      }
    }
  } catch (const json::exception& e) {
    throw bad(fmt::format("not a TF.js weights manifest: {}", e.what()));
  }
  return tensors;
}

}  // namespace lockerctl::models
