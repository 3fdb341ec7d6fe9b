#pragma once

// Presentation-attack detection figures as ISO/IEC 30107-3 names them: APCER, the share of attack
// presentations accepted as live, and BPCER, the share of bona fide (real) presentations refused;
// overall, per attack type and per source, at a threshold and at the threshold that meets a target
// APCER; ROC AUC; and the images the check got most wrong. `lockerctl face benchmark` computes them
// on scored images. This header does not include LibTorch.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lockerctl::eval {

/// One scored presentation.
struct PadSample {
  std::string image;   ///< a name for the lists of the worst-scored
  bool real = false;   ///< bona fide; else an attack
  std::string type;    ///< the attack's type ("print", "replay", ...); "" for a real one
  std::string source;  ///< where the image comes from
  double score = 0;    ///< liveness, higher = more live; live at the threshold or above
};

struct PadRates {
  std::size_t attacks = 0, attacks_accepted = 0, reals = 0, reals_refused = 0;
  /// Attacks accepted / attacks; 0 without attacks.
  double apcer() const;
  /// Reals refused / reals; 0 without reals.
  double bpcer() const;
};

/// "12.50% (3 of 24)", or "-" when `whole` is 0.
std::string rate_text(std::size_t part, std::size_t whole);

struct PadFigures {
  double threshold = 0.5;
  PadRates overall;
  std::map<std::string, PadRates> by_type;    ///< attacks only
  std::map<std::string, PadRates> by_source;  ///< both classes
  double roc_auc = 0.5;
  double target_apcer = 0.01;
  double threshold_for_target = 1;  ///< the lowest threshold whose APCER is at most target_apcer
  PadRates at_target;               ///< overall, at that threshold
  std::vector<PadSample> worst_attacks;  ///< the highest-scored attacks, worst first
  std::vector<PadSample> worst_reals;    ///< the lowest-scored reals, worst first
  std::vector<double> curve_apcer, curve_live;  ///< the ROC: APCER and 1 - BPCER, from the strictest threshold
};

/// The figures of `samples` at `threshold` and at the threshold for `target_apcer`, with the
/// `worst` worst-scored images of each class. Throws DataError when a class is missing.
PadFigures pad_figures(const std::vector<PadSample>& samples, double threshold, double target_apcer, std::size_t worst = 5);

nlohmann::json pad_json(const PadFigures& f);

/// Writes dir/pad.json (`fields` plus the figures), dir/pad.md and dir/roc.png (1 - BPCER against
/// APCER) atomically. Throws IoError.
void write_pad_report(const std::filesystem::path& dir, const PadFigures& f, const std::string& title, nlohmann::json fields);

}  // namespace lockerctl::eval
