#include "train/owner_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace lockerctl::train {
namespace fs = std::filesystem;

std::string owner_dataset_name(const std::string& owner) { return "owner-" + owner; }

OwnerModelResult train_owner_model(const OwnerModelOptions& options) {
  if (options.owner_chips.size() < 3) {
    throw DataError(fmt::format("owner '{}': {} enrolled face chip(s); the owner CNN needs at least 3, one each for "
                                "training, validation and the test (lockerctl owner enroll {} --photos DIR)",
                                options.owner, options.owner_chips.size(), options.owner));
  }
  if (options.other_chips.size() < 3) {
    throw DataError(fmt::format("owner '{}': {} face chip(s) of other people; the owner CNN needs many "
                                "(owner.negatives; scripts/fetch-datasets.sh lfw_subset/singles)", options.owner, options.other_chips.size()));
  }
  data::DatasetSource source;
  source.name = owner_dataset_name(options.owner);
  source.task = data::Task::Owner;
  source.positive_class = options.positive_class;
  source.negative_class = options.negative_class;
  source.image_size = options.image_size;
  for (const auto& f : options.owner_chips) source.files.push_back({f, f.string(), 1, false, "owner chips"});
  for (const auto& f : options.other_chips) source.files.push_back({f, f.string(), 0, false, "other chips"});
  std::sort(source.files.begin(), source.files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  source.definition = fmt::format("owner train {}: aligned face chips, {} of the owner, {} of others", options.owner,
                                  options.owner_chips.size(), options.other_chips.size());

  OwnerModelResult r;
  data::PrepareOptions prepare;
  prepare.workers = options.train.workers;
  r.prepared = data::prepare_dataset(source, options.train.data_dir, options.fractions, prepare);

  TrainOptions t = options.train;
  // Each training starts afresh: the run folder holds the last candidate only (an active model
  // is a copy elsewhere).
  std::error_code ec;
  fs::remove_all(t.run_dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot clear the run folder: {}", t.run_dir.string(), ec.message()));
  t.mode = Mode::Train;
  t.task = data::Task::Owner;
  t.dataset = source.name;
  t.out.clear();  // the gate below decides where the model goes
  t.face_chips = true;
  r.trained = train_model(t);

  eval::EvaluateOptions e;
  e.model = r.trained.model;
  e.dataset = source.name;
  e.data_dir = t.data_dir;
  e.split = data::Split::Test;
  e.target_far = options.max_far;
  e.report_dir = t.run_dir / "test";
  e.device = t.device;
  e.workers = t.workers;
  e.batch_size = t.train.batch_size;
  r.tested = eval::evaluate_model(e);

  r.activated = r.tested.metrics.far <= options.max_far && r.tested.metrics.confusion.tp > 0;
  if (r.activated) {
    fs::create_directories(options.active.parent_path(), ec);
    if (ec) throw IoError(fmt::format("{}: cannot create the folder: {}", options.active.parent_path().string(), ec.message()));
    AtomicFile out(options.active);
    fs::copy_file(r.trained.model, out.temp(), fs::copy_options::overwrite_existing, ec);
    if (ec) throw IoError(fmt::format("{}: cannot copy the model: {}", options.active.string(), ec.message()));
    out.commit();
  }
  return r;
}

}  // namespace lockerctl::train
