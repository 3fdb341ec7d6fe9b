#include "data/source.hpp"

#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "data/hash.hpp"
#include "data/image.hpp"

namespace lockerctl::data {
namespace fs = std::filesystem;

std::string task_name(Task t) { return t == Task::Human ? "human" : "owner"; }

const config::LayerConfig& layer_config(const config::Config& config, Task task) {
  return task == Task::Human ? config.human : config.owner;
}

Recipe load_recipe(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({{file.string(), 0, 0, "", "no such file"}});
  std::stringstream text;
  text << in.rdbuf();
  std::vector<ConfigProblem> problems;
  Recipe recipe;
  try {
    config::YamlReader reader(file.string(), problems);
    reader.read_root(YAML::Load(text.str()), recipe);
  } catch (const YAML::Exception& e) {
    problems.push_back({file.string(), e.mark.line + 1, e.mark.column + 1, "",
                        "YAML syntax error: " + e.msg});
  }
  if (problems.empty() && recipe.folder.empty() == recipe.sources.empty()) {
    problems.push_back({file.string(), 0, 0, "", "give either `folder` or `sources`, not both"});
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return recipe;
}

namespace {

bool is_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Image files under `dir`, recursively, following Keras: any depth, by extension.
void list_images(const fs::path& dir, std::vector<fs::path>& out) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec),
       end;
       it != end; it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec) && has_image_extension(it->path())) out.push_back(it->path());
  }
}

// The files a source path names: a folder, a single file or a glob over either.
std::vector<fs::path> expand(const fs::path& resolved) {
  std::vector<fs::path> found;
  std::vector<fs::path> roots;
  if (is_glob(resolved.string())) {
    glob_t g{};
    if (::glob(resolved.c_str(), 0, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) roots.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
  } else {
    roots.push_back(resolved);
  }
  for (const auto& r : roots) {
    std::error_code ec;
    if (fs::is_directory(r, ec)) {
      list_images(r, found);
    } else if (fs::is_regular_file(r, ec) && has_image_extension(r)) {
      found.push_back(r);
    }
  }
  return found;
}

// How a file is named in the manifest: relative to the source root, else to the working
// directory, else absolute; so manifests stay valid when the collections move together.
std::string manifest_name(const fs::path& file, const fs::path& root) {
  std::error_code ec;
  for (const fs::path& base : {root, fs::current_path(ec)}) {
    const fs::path rel = fs::relative(file, base, ec);
    if (!ec && !rel.empty() && *rel.begin() != "..") return rel.generic_string();
  }
  return fs::absolute(file, ec).lexically_normal().generic_string();
}

fs::path under_root(const std::string& path, const fs::path& root) {
  const fs::path p(path);
  return p.is_absolute() ? p : root / p;
}

void add_folder_dataset(const fs::path& folder, const fs::path& root, DatasetSource& ds) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw DataError(fmt::format("dataset '{}': folder {} does not exist", ds.name, folder.string()));
  }
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_directory()) continue;
    const std::string cls = entry.path().filename().string();
    if (cls != ds.positive_class && cls != ds.negative_class) {
      ds.notes.push_back(fmt::format("ignored folder {}: not a {} class ({} / {})",
                                     entry.path().string(), task_name(ds.task), ds.positive_class,
                                     ds.negative_class));
    }
  }
  for (const auto& [cls, label] : {std::pair{ds.positive_class, 1}, {ds.negative_class, 0}}) {
    std::vector<fs::path> files;
    list_images(folder / cls, files);
    for (const auto& f : files) ds.files.push_back({f, manifest_name(f, root), label, false, cls});
  }
}

}  // namespace

DatasetSource resolve_dataset(const std::string& spec, const config::Config& config, Task task) {
  DatasetSource ds;
  const fs::path root = config.data.source_root;
  std::error_code ec;
  const fs::path as_path(spec);
  std::optional<Recipe> recipe;
  fs::path recipe_file;
  if (fs::is_directory(as_path, ec)) {
    ds.name = fs::absolute(as_path).lexically_normal().filename().string();
    if (ds.name.empty()) ds.name = fs::absolute(as_path).parent_path().filename().string();
    ds.definition = "folder " + as_path.string();
  } else {
    recipe_file = as_path.extension() == ".yaml" ? as_path
                                                 : fs::path(config.paths.datasets_dir) / (spec + ".yaml");
    if (!fs::exists(recipe_file, ec)) {
      throw DataError(fmt::format("dataset '{}': no folder of that name and no recipe {}", spec,
                                  recipe_file.string()));
    }
    recipe = load_recipe(recipe_file);
    task = recipe->task;
    ds.name = recipe_file.stem().string();
    std::ifstream in(recipe_file);
    ds.definition.assign(std::istreambuf_iterator<char>(in), {});
  }
  ds.task = task;
  const config::LayerConfig& layer = layer_config(config, task);
  ds.positive_class = layer.positive_class;
  ds.negative_class = layer.negative_class;
  ds.image_size = recipe && recipe->image_size > 0 ? recipe->image_size : layer.image_size;

  if (!recipe) {
    add_folder_dataset(as_path, root, ds);
  } else if (!recipe->folder.empty()) {
    add_folder_dataset(under_root(recipe->folder, root), root, ds);
  } else {
    for (std::size_t i = 0; i < recipe->sources.size(); ++i) {
      const RecipeSource& s = recipe->sources[i];
      int label;
      if (s.label == ds.positive_class) {
        label = 1;
      } else if (s.label == ds.negative_class) {
        label = 0;
      } else {
        throw DataError(fmt::format("{}: sources[{}]: class '{}' is neither {} nor {}",
                                    recipe_file.string(), i, s.label, ds.positive_class,
                                    ds.negative_class));
      }
      const fs::path resolved = under_root(s.path, root);
      // A glob's folder (before its first wildcard) must exist too: an empty match is a note, an
      // absent collection is not.
      const fs::path needed =
          is_glob(s.path) ? under_root(s.path.substr(0, s.path.find_first_of("*?[")), root).parent_path() : resolved;
      if (!fs::exists(needed, ec)) {
        throw DataError(fmt::format("{}: sources[{}]: {} does not exist (data.source_root is {}; "
                                    "scripts/fetch-datasets.sh {} fetches a shipped recipe's sources)",
                                    recipe_file.string(), i, resolved.string(), root.string(), ds.name));
      }
      std::vector<fs::path> files = expand(resolved);
      // A reproducible pick: order by a seeded hash of the name, not by the file system.
      std::vector<std::pair<std::uint64_t, fs::path>> keyed;
      for (auto& f : files) {
        keyed.emplace_back(keyed_order(config.data.seed, manifest_name(f, root)), std::move(f));
      }
      std::sort(keyed.begin(), keyed.end());
      const std::size_t first = std::min<std::size_t>(s.offset, keyed.size());
      const std::size_t last =
          s.limit > 0 ? std::min<std::size_t>(first + s.limit, keyed.size()) : keyed.size();
      if (first == last) {
        ds.notes.push_back(fmt::format("sources[{}] ({}) matched no image files", i, s.path));
      } else if (s.limit > 0 && last - first < static_cast<std::size_t>(s.limit)) {
        ds.notes.push_back(fmt::format("sources[{}] ({}) has {} files, fewer than its limit {}", i,
                                       s.path, last - first, s.limit));
      }
      for (std::size_t k = first; k < last; ++k) {
        const fs::path& f = keyed[k].second;
        ds.files.push_back({f, manifest_name(f, root), label, s.gray, s.name.empty() ? s.path : s.name});
      }
    }
  }
  std::sort(ds.files.begin(), ds.files.end(), [](const SourceFile& a, const SourceFile& b) {
    return std::tie(a.name, a.label) < std::tie(b.name, b.label);
  });
  // A file named by two sources of the same class counts once.
  ds.files.erase(std::unique(ds.files.begin(), ds.files.end(),
                             [](const SourceFile& a, const SourceFile& b) {
                               return a.name == b.name && a.label == b.label;
                             }),
                 ds.files.end());
  return ds;
}

}  // namespace lockerctl::data
