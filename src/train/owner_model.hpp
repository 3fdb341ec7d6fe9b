#pragma once

// `lockerctl owner train NAME`: the paper's owner CNN for one owner (owner.method: cnn), trained
// on aligned face chips: the owner's enrolled chips as the positive class, chips of other people
// as the negative class. It becomes the owner's active model only when its false-accept rate on
// held-out strangers is at most `max_far`. This header does not include LibTorch.

#include <filesystem>
#include <string>
#include <vector>

#include "data/cache.hpp"
#include "eval/evaluate.hpp"
#include "train/trainer.hpp"

namespace lockerctl::train {

struct OwnerModelOptions {
  std::string owner;
  std::vector<std::filesystem::path> owner_chips;  ///< the owner's enrolled chips (at least 3)
  std::vector<std::filesystem::path> other_chips;  ///< chips of other people, one photo each
  std::string positive_class = "owner", negative_class = "not_owner";  ///< owner.positive_class, ...
  int image_size = 64;                  ///< the chips are resized to this side
  data::SplitFractions fractions;       ///< per class; strangers in the test split measure the FAR
  double max_far = 0.01;                ///< the most false accepts on held-out strangers allowed
  std::filesystem::path active;         ///< where the model goes when it passes
  /// How to train: data_dir, run_dir (emptied first; best.h5 and the test report stay there),
  /// device, workers, seed, the training settings. Its task, dataset, out and face_chips are set here.
  TrainOptions train;
};

struct OwnerModelResult {
  data::PrepareReport prepared;
  TrainResult trained;
  eval::EvaluateResult tested;  ///< the test split at the model's threshold (far: strangers accepted)
  /// Copied to `active`: tested.metrics.far <= max_far, and it accepted at least one of the owner's
  /// held-out photos (a model that rejects them all would never open for its owner).
  bool activated = false;
};

/// Prepares the chip dataset (<data_dir>/owner-<owner>), trains, tests on the held-out split, and
/// copies the model to `active` atomically when it passes (see `activated`); a model that does not pass leaves the
/// active one as it was. Throws DataError (too few chips), and as prepare_dataset, train_model
/// and evaluate_model.
OwnerModelResult train_owner_model(const OwnerModelOptions& options);

/// The name of an owner's chip dataset under data_dir (what `owner remove` erases with it).
std::string owner_dataset_name(const std::string& owner);

}  // namespace lockerctl::train
