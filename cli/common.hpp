#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.hpp"
#include "core/csv.hpp"
#include "core/progress.hpp"
#include "access/face_match.hpp"
#include "access/owners.hpp"
#include "audit/audit_log.hpp"
#include "devices/board_link.hpp"
#include "inference/engine.hpp"
#include "evidence/store.hpp"
#include "notify/channels.hpp"
#include "notify/outbox.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace CLI {
class App;
}

namespace lockerctl::cli {

/// Options every subcommand shares; declared once, in main.cpp.
struct GlobalOptions {
  std::string config_file;  // --config: YAML file; empty = built-in defaults
  bool verbose = false;     // --verbose: debug log lines and error details
  bool quiet = false;       // --quiet: warnings and errors only
  std::string log_format;   // --log-format text|json; empty = the config's log.format
};

/// What a parsed subcommand will do. Set by the subcommand's callback, run by main after parsing,
/// so that exceptions reach main's single error boundary. Returns the process exit code.
using Action = std::function<int()>;

/// Loads the configuration named by --config (or the defaults), then applies what it says about
/// logging (flags win) and CPU threads. Throws ConfigError.
config::Config load_config(const GlobalOptions& global);

/// Threads for decoding and batch building: data.workers, else runtime.threads, else every core.
int data_workers(const config::Config& cfg);

/// The compute device to use: the --device flag when given, else runtime.device ("cpu"/"cuda").
std::string compute_device(const config::Config& cfg, const std::string& flag);

/// Where `board keyset` keeps the new key until the board has acknowledged it.
std::filesystem::path pending_key_file(const std::filesystem::path& key_file);

/// The lock board's Secure Channel keys, to try in this order, and the file they came from.
struct BoardKeys {
  enum class Source {
    InstallMode,  ///< board.install_mode: the default key SCBK-D
    Environment,  ///< LOCKERCTL_BOARD_KEY
    File,         ///< board.key_file
    Random,       ///< a random key for the simulated board, for this run only
  };
  Source source = Source::File;
  std::vector<devices::osdp::Block> keys;
  std::filesystem::path file;  ///< "" when they came from the environment or are random
};
/// SCBK-D in install mode, else LOCKERCTL_BOARD_KEY, else the key file, else for a `simulated`
/// board a random key; then a pending key that an interrupted `board keyset` left beside the key
/// file. Throws an Error with the configuration's exit code for a real board without a key,
/// IoError for a key file others may read, DataError for one that holds no key.
BoardKeys board_keys(const config::Config& cfg, bool simulated);

/// The lock board as configured (board.*), with board_keys() unless board.secure is off.
devices::BoardLinkOptions board_link_options(const config::Config& cfg);

/// What connect_board() does with a board that answers but refuses the secure channel (a wrong
/// key, a board without one under board.secure: required).
enum class OnRefusal {
  Fail,        ///< a DeviceError with the reason
  KeepLocked,  ///< the link, with the locker locked and the handshake retried; the panel's fault
               ///< event waits for the access flow, which raises it as a link-attack alarm
};

/// Opens the board and waits until it answers (inside a secure channel, when one is asked for).
/// Throws DeviceError when it does not, with the secure channel's problem when that is why.
/// After an interrupted `board keyset` it keeps, in the key file, the key the board took.
std::unique_ptr<devices::BoardLink> connect_board(const devices::BoardLinkOptions& options,
                                                  OnRefusal refusal = OnRefusal::Fail);

/// The face detector's settings as configured (face.*).
vision::FaceOptions face_options(const config::Config& cfg);

/// The face detector as configured (face.*). With `landmarks` (aligned face chips need them), it
/// must be yunet: ConfigError for another face.detector. Throws as make_face_detector.
std::unique_ptr<vision::FaceDetector> face_detector(const config::Config& cfg, bool landmarks);

/// The liveness check as configured (liveness.*), or nullptr when liveness.enabled is false.
/// Throws ModelError naming a missing or corrupt model file.
std::unique_ptr<vision::LivenessCheck> liveness_check(const config::Config& cfg);

/// Where an owner's enrolled face chips are kept: <paths.var_dir>/faces/<owner>.
std::filesystem::path face_chips_dir(const config::Config& cfg, const std::string& owner);

/// Where `lockerctl owner train` puts an owner's model for owner.method: cnn:
/// <paths.models_dir>/owners/<owner>.h5.
std::filesystem::path owner_model_file(const config::Config& cfg, const std::string& owner);

/// Where `lockerctl owner train` keeps an owner's run (checkpoints, test report): runs/owner-<owner>.
std::filesystem::path owner_run_dir(const std::string& owner);

/// Where `lockerctl owner enroll-face` puts an owner's captures: <paths.datasets_dir>/<owner>-faces.
std::filesystem::path owner_captures_dir(const config::Config& cfg, const std::string& owner);

/// The inference backend access.backend names.
inference::Backend inference_backend(const config::Config& cfg);

/// The owner CNN that decides for `owner` with owner.method: cnn, opened with access.backend: their
/// own model from `owner train`, else access.owner_model when `owner` is the station's owner
/// (access.owner) and the station serves no lockers. Throws DataError when there is none,
/// ModelError as inference::open_engine.
std::unique_ptr<inference::InferenceEngine> open_owner_model(const config::Config& cfg, const std::string& owner);

/// A model's decision threshold: `configured` (access.human_threshold, owner_threshold) when set
/// (> 0), else the one the model file carries.
double model_threshold(double configured, const inference::InferenceEngine& engine);


/// The image files that command-line inputs name: a file as it is, a folder's images (any depth,
/// by extension) in name order.
std::vector<std::filesystem::path> image_inputs(const std::vector<std::string>& inputs);

/// How a command that prints a line per image shows its progress: a bar on a terminal, a line
/// every 10 s in logs, and no closing line (stderr keeps to errors).
Progress::Options per_image_progress();

/// As vision::load_frame, with the reason logged as an error ("FILE: reason").
std::optional<cv::Mat> read_frame(const std::filesystem::path& file);

/// The outbox settings as configured (alerts.*).
notify::OutboxOptions outbox_options(const config::Config& cfg);

/// One line from stdin; with a terminal, prompted on stderr with echo off. Throws DataError at
/// the end of input.
std::string read_secret(const std::string& prompt);
/// A new password from stdin; with a terminal, typed twice (DataError when they differ).
std::string read_new_password();

/// The alert channels of alerts.channels and alerts.code_channel, and the evidence store, as
/// configured (sms.*, webhook.*, email.*, evidence.*, s3.*, gdrive.*). Throws Error with exit
/// code 2 naming the key when a setting they need is missing or a key file cannot be read.
struct Messengers {
  explicit Messengers(const config::Config& cfg);
  std::vector<std::unique_ptr<notify::Channel>> owned;
  std::map<std::string, notify::Channel*> channels;  ///< by name: sms, webhook, email
  std::unique_ptr<evidence::Store> store;
};

/// The locker station's state under paths.var_dir: the database (audit log, owners, outbox) and
/// the simulated phone of sms.provider: sim.
class Station {
 public:
  explicit Station(const config::Config& cfg);
  audit::Database db;
  audit::Key key;  ///< the audit log's, which also signs face templates
  audit::AuditLog audit;
  notify::SimulatedPhone phone;
  notify::Outbox outbox;  ///< raises jobs; a notify::Courier (or `alerts test`) delivers them
  access::OwnerStore owners;
};

/// Layer 2 by face embeddings as configured (owner.*, face.*, liveness.*), with the templates in
/// `db` signed with `key`. Throws ConfigError unless face.detector is yunet (alignment needs its landmarks), and
/// ModelError naming a missing or corrupt model file.
struct FaceRecognition {
  FaceRecognition(const config::Config& cfg, audit::Database& db, const audit::Key& key);
  std::unique_ptr<vision::FaceDetector> detector;
  std::unique_ptr<vision::LivenessCheck> liveness;  ///< null when liveness.enabled is false
  inference::FaceEmbedder embedder;
  access::FaceTemplates templates;
  access::FaceVerifier verifier;
};

/// Enrolling an owner's face for layer 2 (`owner enroll`, and the console's owners page): each
/// frame with exactly one sharp, live, large enough face gives a template and a face chip, and
/// `store` puts them in place of the owner's old ones.
class FaceEnrollment {
 public:
  explicit FaceEnrollment(FaceRecognition& faces) : faces_(faces) {}
  /// Takes the face of `frame`, or says in `why` why not.
  bool take(const cv::Mat& frame, std::string& why);
  int taken() const { return static_cast<int>(templates_.size()); }
  /// Replaces `owner`'s templates and face chips with those taken; how many old templates it
  /// replaced. Call it only when something was taken.
  int store(const config::Config& cfg, const std::string& owner);

 private:
  FaceRecognition& faces_;
  std::vector<inference::FaceDescriptor> templates_;
  std::vector<cv::Mat> chips_;
};

/// Sets up logging from the flags alone, before any configuration is read.
void configure_logging(const GlobalOptions& global, const config::LogConfig& from_config = {});

}  // namespace lockerctl::cli
