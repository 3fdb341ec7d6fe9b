#pragma once

// Where a dataset's images come from: a Keras-style folder (ROOT/<class>/**/*.jpg, as
// image_dataset_from_directory reads it) or a recipe (datasets/<name>.yaml) that maps several
// source folders or globs to the two classes without copying an image.

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace lockerctl::data {

/// Which decision layer a dataset trains: fixes the class names and image size (config sections
/// `human` and `owner`).
enum class Task { Human, Owner };
std::string task_name(Task t);

/// The config section of a task's layer (`human` or `owner`).
const config::LayerConfig& layer_config(const config::Config& config, Task task);

/// One entry of a recipe's `sources` list.
struct RecipeSource {
  std::string name;           // what `dataset inspect` and `evaluate --by-source` call it; "" = the path
  std::string path;           // folder (searched recursively) or glob, relative to data.source_root
  std::string label;          // the class these images belong to (key `class`)
  int limit = 0;              // at most this many files, a seeded reproducible pick; 0 = all
  int offset = 0;             // skip this many files of the same pick first (disjoint picks)
  bool gray = false;          // convert to gray (3 equal channels), to balance colour cues

  template <class V>
  void visit(V& v) {
    v.field("name", name);
    v.field("path", path, config::Required{});
    v.field("class", label, config::Required{});
    v.field("limit", limit, config::Range<int>{0, 10'000'000});
    v.field("offset", offset, config::Range<int>{0, 10'000'000});
    v.field("gray", gray);
  }
};

/// A recipe file, datasets/<name>.yaml.
struct Recipe {
  std::string description;          // one line for people
  Task task = Task::Human;          // human | owner
  int image_size = 0;               // 0 = the task's image_size from the config
  std::string folder;               // a Keras-style folder instead of `sources`
  std::vector<RecipeSource> sources;

  template <class V>
  void visit(V& v) {
    v.field("description", description);
    v.field("task", task, config::Choices<Task>{{{"human", Task::Human}, {"owner", Task::Owner}}});
    v.field("image_size", image_size, config::Range<int>{0, 1024});
    v.field("folder", folder);
    v.list("sources", sources);
  }
};

/// Reads a recipe strictly (unknown keys, wrong types, a source without path or class: each
/// reported as file:line:col). Throws ConfigError.
Recipe load_recipe(const std::filesystem::path& file);

/// One image file to include, with its label (1 = positive class).
struct SourceFile {
  std::filesystem::path path;  ///< where to read it
  std::string name;            ///< as recorded in the manifest: relative to data.source_root when under it
  int label = 0;
  bool gray = false;
  std::string source;          ///< the recipe source it came from (its name), or its class folder
};

/// A dataset ready to prepare: its files, classes and image size.
struct DatasetSource {
  std::string name;
  Task task = Task::Human;
  std::string positive_class;
  std::string negative_class;
  int image_size = 224;
  std::vector<SourceFile> files;    ///< sorted by name
  std::vector<std::string> notes;   ///< e.g. a source that matched nothing, an ignored folder
  std::string definition;           ///< the recipe text, or the folder path
};

/// Resolves `spec`: an existing folder (Keras layout; `task` picks the classes), a recipe file
/// path, or a recipe name in paths.datasets_dir. Throws DataError (nothing found, a source path
/// that does not exist, a recipe class that is neither configured class), ConfigError (recipe).
DatasetSource resolve_dataset(const std::string& spec, const config::Config& config, Task task);

}  // namespace lockerctl::data
