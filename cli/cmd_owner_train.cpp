// lockerctl owner train: the owner's own CNN on the enrolled face chips against other people's faces.
#include "cmd_owner.hpp"

#include <fmt/format.h>

#include <iostream>

#include "data/hash.hpp"
#include "train/owner_model.hpp"
#include "eval/score_report.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "vision/face_chip.hpp"

namespace lockerctl::cli {
int run_owner_train(const GlobalOptions& global, const OwnerTrainOptions& o) {
  namespace fs = std::filesystem;
  const config::Config cfg = load_config(global);
  Station station(cfg);
  station.owners.get(o.name);
  train::OwnerModelOptions m;
  m.owner = o.name;
  m.owner_chips = vision::face_chip_files(face_chips_dir(cfg, o.name));
  if (m.owner_chips.empty()) {
    throw DataError(fmt::format("owner '{}' has no enrolled face chips (lockerctl owner enroll {} --photos DIR)", o.name, o.name));
  }
  const fs::path negatives = cfg.owner.negatives.empty()
                                 ? fs::path(cfg.data.source_root) / "lfw_subset" / "singles"
                                 : fs::path(cfg.owner.negatives);
  if (!fs::is_directory(negatives)) {
    throw DataError(fmt::format("owner.negatives: {}: no such folder (scripts/fetch-datasets.sh lfw_subset/singles "
                                "fetches photos of other people, or name a folder of them)", negatives.string()));
  }
  // Other people's chips are aligned once per folder and kept under data_dir.
  const std::string folder_id = data::sha256_hex(fs::absolute(negatives).lexically_normal().string()).substr(0, 12);
  const fs::path chips = fs::path(cfg.paths.data_dir) / "face_chips" / (negatives.filename().string() + "-" + folder_id);
  const auto detector = face_detector(cfg, true);
  const vision::ChipFolderReport made = vision::make_face_chips(image_inputs({negatives.string()}), chips, *detector);
  log::info("owner.negatives {}: {} face chips made, {} kept from before, {} photos without a face, {} unreadable",
            negatives.string(), made.made, made.kept, made.no_face, made.unreadable);
  m.other_chips = vision::face_chip_files(chips);
  m.positive_class = cfg.owner.positive_class;
  m.negative_class = cfg.owner.negative_class;
  m.image_size = cfg.owner.chip_size;
  m.fractions = {0.6, 0.15, 0.25, static_cast<std::uint64_t>(cfg.data.seed)};
  m.max_far = cfg.owner.max_far;
  m.active = owner_model_file(cfg, o.name);
  train::TrainOptions& t = m.train;
  t.data_dir = cfg.paths.data_dir;
  t.run_dir = owner_run_dir(o.name);
  t.device = compute_device(cfg, o.device);
  t.workers = data_workers(cfg);
  t.seed = static_cast<std::uint64_t>(cfg.data.seed);
  t.train = cfg.train;
  t.train.augment = true;  // a handful of owner photos: every epoch shows them changed
  t.train.balance = true;
  if (o.epochs > 0) t.train.epochs = o.epochs;
  t.config_yaml = config::to_yaml(cfg);

  const train::OwnerModelResult r = train::train_owner_model(m);
  const eval::Metrics& test = r.tested.metrics;
  const auto& c = test.confusion;
  const std::string figures = fmt::format(
      "FAR {:.4f} ({} of {} held-out strangers accepted), FRR {:.4f} ({} of {} held-out owner photos rejected) at "
      "threshold {:.3f}", test.far, c.fp, c.fp + c.tn, test.frr, c.fn, c.fn + c.tp, test.threshold);
  station.audit.append({0, {}, "-", "owner", r.activated ? "cnn trained" : "cnn refused", test.far, cfg.owner.max_far, "",
                        fmt::format("{}: {}", o.name, figures)});
  std::cout << fmt::format("owner CNN of '{}' on {} face chips of the owner and {} of other people, {} epoch(s) in {:.1f} s: {}\n"
                           "  test report {}/metrics.md\n",
                           o.name, m.owner_chips.size(), m.other_chips.size(), r.trained.history.size(), r.trained.seconds,
                           figures, r.tested.report_dir.string());
  if (!r.activated) {
    const std::string why = test.far > cfg.owner.max_far
                                ? fmt::format("FAR {:.4f} is above owner.max_far {}", test.far, cfg.owner.max_far)
                                : std::string("it rejected every held-out photo of the owner (enroll more photos)");
    throw ModelError(fmt::format("owner train {}: {}; not made active ({} stays as it was; the model is in {})", o.name,
                                 why, m.active.string(), r.trained.model.string()));
  }
  std::cout << fmt::format("  active: {} (owner.method: cnn)\n", m.active.string());
  return 0;
}

}  // namespace lockerctl::cli
