#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/log.hpp"

namespace lockerctl::config {

/// Where lockerctl keeps its files. Relative paths are relative to the working directory.
struct PathsConfig {
  std::string datasets_dir = "datasets";  // dataset recipes: `--dataset NAME` reads NAME.yaml here
  std::string data_dir = "data";      // prepared dataset caches and split manifests
  std::string models_dir = "models";  // model files: imported weights and trained models
  std::string var_dir = "var";        // runtime state: audit database, incidents, alert outbox

  template <class V>
  void visit(V& v) {
    v.field("datasets_dir", datasets_dir);
    v.field("data_dir", data_dir);
    v.field("models_dir", models_dir);
    v.field("var_dir", var_dir);
  }
};

/// The compute device for LibTorch work.
enum class ComputeDevice { Cpu, Cuda };

/// How much of the machine lockerctl uses.
struct RuntimeConfig {
  int threads = 0;                            // CPU threads for LibTorch and OpenCV; 0 = all cores
  ComputeDevice device = ComputeDevice::Cpu;  // cpu, or cuda when LibTorch was built with CUDA

  template <class V>
  void visit(V& v) {
    v.field("threads", threads, Range<int>{0, 1024});
    v.field("device", device,
            Choices<ComputeDevice>{{{"cpu", ComputeDevice::Cpu}, {"cuda", ComputeDevice::Cuda}}});
  }
};

/// Logging defaults; --verbose, --quiet and --log-format override them.
struct LogConfig {
  log::Level level = log::Level::Info;    // debug | info | warning | error
  log::Format format = log::Format::Text;  // text for people, json for log collectors

  template <class V>
  void visit(V& v) {
    v.field("level", level,
            Choices<log::Level>{{{"debug", log::Level::Debug},
                                 {"info", log::Level::Info},
                                 {"warning", log::Level::Warn},
                                 {"error", log::Level::Error}}});
    v.field("format", format,
            Choices<log::Format>{{{"text", log::Format::Text}, {"json", log::Format::Json}}});
  }
};

/// Where recipes' relative source paths start when the configuration does not say (or says ""):
/// ../shared/data (the team's copy of the public collections) when that folder exists, else
/// data/sources (what scripts/fetch-datasets.sh fills).
std::string default_source_root();

/// How datasets are assembled and split (`lockerctl dataset prepare`).
struct DataConfig {
  std::string source_root = default_source_root();  // where recipes' relative source paths start
  int workers = 0;               // decoding threads for prepare and the loader; 0 = runtime.threads
  int seed = 1337;               // seed of the split, of per-source picks and of batch order
  double train_fraction = 0.7;   // share of each class's distinct images for training
  double val_fraction = 0.2;     // ... for validation
  double test_fraction = 0.1;    // ... for the final test; the three must add up to 1

  template <class V>
  void visit(V& v) {
    v.field("source_root", source_root);
    v.field("workers", workers, Range<int>{0, 256});
    v.field("seed", seed, Range<int>{0, 2147483647});
    v.field("train_fraction", train_fraction, Range<double>{0.0, 1.0});
    v.field("val_fraction", val_fraction, Range<double>{0.0, 1.0});
    v.field("test_fraction", test_fraction, Range<double>{0.0, 1.0});
  }
};

/// One decision layer's classes and input size.
struct LayerConfig {
  std::string positive_class;  // label of images the layer accepts (probability 1)
  std::string negative_class;  // label of images it rejects (probability 0)
  int image_size;              // square input side in pixels the images are resized to

  template <class V>
  void visit(V& v) {
    v.field("positive_class", positive_class);
    v.field("negative_class", negative_class);
    v.field("image_size", image_size, Range<int>{22, 1024});
  }
};

/// How layer 2 tells the owner: face embeddings compared with enrolled templates, or the paper's
/// owner CNN.
enum class OwnerMethod { Embedding, Cnn };

/// Layer 2: the owner CNN's classes and input size, and how layer 2 decides.
struct OwnerConfig : LayerConfig {
  OwnerMethod method = OwnerMethod::Embedding;
  std::string embedding_model = "models/face/face_recognition_model-weights_manifest.json";
  double match_threshold = 0.51;  // similarity (1 - descriptor distance) a face needs to match
  int min_face_px = 48;           // enrollment: smallest face side in pixels
  double min_sharpness = 15;      // enrollment: smallest sharpness (variance of the chip's Laplacian)
  // owner.method cnn, `lockerctl owner train`:
  std::string negatives{};         // photos of other people; empty: <data.source_root>/lfw_subset/singles
  int chip_size = 64;             // the aligned face chips are resized to this side for the CNN
  double max_far = 0.01;          // a trained model whose held-out false-accept rate is higher is not made active

  template <class V>
  void visit(V& v) {
    LayerConfig::visit(v);
    v.field("method", method, Choices<OwnerMethod>{{{"embedding", OwnerMethod::Embedding}, {"cnn", OwnerMethod::Cnn}}});
    v.field("embedding_model", embedding_model);
    v.field("match_threshold", match_threshold, Range<double>{0.0, 1.0});
    v.field("min_face_px", min_face_px, Range<int>{16, 4096});
    v.field("min_sharpness", min_sharpness, Range<double>{0.0, 100000.0});
    v.field("negatives", negatives);
    v.field("chip_size", chip_size, Range<int>{22, 150});
    v.field("max_far", max_far, Range<double>{0.0, 1.0});
  }
};

/// The validation figure that picks the best epoch and drives early stopping.
enum class Monitor { ValLoss, ValF1, ValAccuracy };

/// `lockerctl train` and `finetune`.
struct TrainConfig {
  int epochs = 30;                     // passes over the training split (the paper: 30)
  int batch_size = 32;                 // images per optimiser step
  double learning_rate = 1e-3;         // Adam step size
  Monitor monitor = Monitor::ValLoss;  // val_loss | val_f1 | val_accuracy: picks the best epoch
  int patience = 0;                    // stop after this many epochs without improvement; 0 = never
  bool augment = false;                // flip, resized crop, rotation, brightness/contrast
  bool balance = false;                // repeat the smaller class to parity each epoch
  bool feature_cache = true;           // frozen MobileNetV2: compute the backbone's features once
  int augment_copies = 0;              // with augment and the feature cache: variants cached per image
  double dropout = 0.0;                // before the dense head
  std::string pretrained = "models/mobilenet_v2_imagenet.h5";  // layer-1 backbone; "" = train all from scratch
  double alpha = 1.0;                  // MobileNetV2 width when pretrained is ""
  int finetune_blocks = 3;             // top inverted-residual blocks `finetune` unfreezes
  double finetune_learning_rate = 1e-5;  // Adam step size for `finetune`
  int finetune_epochs = 10;            // passes for `finetune`

  template <class V>
  void visit(V& v) {
    v.field("epochs", epochs, Range<int>{1, 100000});
    v.field("batch_size", batch_size, Range<int>{1, 4096});
    v.field("learning_rate", learning_rate, Range<double>{1e-8, 1.0});
    v.field("monitor", monitor,
            Choices<Monitor>{{{"val_loss", Monitor::ValLoss},
                              {"val_f1", Monitor::ValF1},
                              {"val_accuracy", Monitor::ValAccuracy}}});
    v.field("patience", patience, Range<int>{0, 100000});
    v.field("augment", augment);
    v.field("balance", balance);
    v.field("feature_cache", feature_cache);
    v.field("augment_copies", augment_copies, Range<int>{0, 32});
    v.field("dropout", dropout, Range<double>{0.0, 0.95});
    v.field("pretrained", pretrained);
    v.field("alpha", alpha, Range<double>{0.35, 1.4});
    v.field("finetune_blocks", finetune_blocks, Range<int>{0, 17});
    v.field("finetune_learning_rate", finetune_learning_rate, Range<double>{1e-9, 1.0});
    v.field("finetune_epochs", finetune_epochs, Range<int>{1, 100000});
  }
};

/// A sensor wired to a lock-board input (board.sensors).
struct SensorConfig {
  std::string name;  // named in rules, the audit log and alerts
  int input = 0;     // the board's input number (active = the sensor goes off)

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("input", input, Range<int>{0, 255});
  }
};

/// Something a lock-board output drives (board.actuators): a siren relay, a light.
struct ActuatorConfig {
  std::string name;  // named in rules' `then` and the audit log
  int output = 0;    // the board's output number

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("output", output, Range<int>{0, 255});
  }
};

/// How lockerctl talks to the lock board (board.secure).
enum class BoardSecurity { Required, Preferred, Off };

/// The serial lock board (OSDP), layer 4. docs/lock-board.md explains wiring, addresses and keys.
struct BoardConfig {
  std::string port = "sim";       // serial device (/dev/ttyUSB0, /dev/ttyS0), or sim: the built-in simulated board
  int baud = 9600;                // 9600 | 19200 | 38400 | 57600 | 115200, as set on the board
  int address = 0;                // the board's OSDP address, 0-126
  int poll_ms = 200;              // at most this long between two commands to the board
  int reply_timeout_ms = 200;     // wait this long for a reply before sending the command again
  double offline_after_s = 8.0;   // silence after which the board counts as offline
  int lock_output = 0;            // output number that drives the lock
  int door_input = 0;             // input number of the door contact (active = open)
  BoardSecurity secure = BoardSecurity::Required;  // required | preferred | off: OSDP Secure Channel (encrypted, authenticated)
  std::string key_file;           // the board's Secure Channel key (32 hex digits), owner-only; "": <var_dir>/board.key
  bool install_mode = false;      // first installation: the board's default key SCBK-D, until `lockerctl board keyset`
  // The other inputs and outputs, as the simulated board has them (a thermostat contact as the temperature sensor).
  std::vector<SensorConfig> sensors = {{"vibration", 1}, {"smoke", 2}, {"temperature", 3}};
  std::vector<ActuatorConfig> actuators = {{"siren", 1}, {"light", 2}};

  template <class V>
  void visit(V& v) {
    v.field("port", port);
    v.field("baud", baud, Range<int>{9600, 115200});
    v.field("address", address, Range<int>{0, 126});
    v.field("poll_ms", poll_ms, Range<int>{10, 200});
    v.field("reply_timeout_ms", reply_timeout_ms, Range<int>{10, 5000});
    v.field("offline_after_s", offline_after_s, Range<double>{0.1, 3600.0});
    v.field("lock_output", lock_output, Range<int>{0, 255});
    v.field("door_input", door_input, Range<int>{0, 255});
    v.field("secure", secure,
            Choices<BoardSecurity>{{{"required", BoardSecurity::Required},
                                    {"preferred", BoardSecurity::Preferred},
                                    {"off", BoardSecurity::Off}}});
    v.field("key_file", key_file);
    v.field("install_mode", install_mode);
    v.list("sensors", sensors);
    v.list("actuators", actuators);
  }
};

/// What answers an alarm (rules): which event, when, and what to do.
struct RuleConfig {
  std::string when;          // a sensor's name (board.sensors), "door forced", "tamper", "link attack" (secure channel) or "motion" (outside opening hours)
  std::string hours;         // only at these local times, as motion.opening_hours; "" = at any time
  bool only_locked = false;  // only while the lock is locked (nobody was let in)
  std::string then;          // actions, space-separated: an actuator's name (on for for_s), alert, alarm (the reader's buzzer and red LED), evidence (photo and clip)
  double for_s = 60;         // how long the actuators stay on

  template <class V>
  void visit(V& v) {
    v.field("when", when, Required{});
    v.field("hours", hours);
    v.field("only_locked", only_locked);
    v.field("then", then, Required{});
    v.field("for_s", for_s, Range<double>{0.1, 6553.5});
  }
};

/// The triggers that are not sensors: a door opened while locked, the board's tamper switch, an
/// attack on the board's secure channel, motion outside the opening hours.
inline constexpr const char* kRuleEvents[] = {"door forced", "tamper", "link attack", "motion"};
/// The actions that are not actuators: an alert to the holders, the reader's local alarm, a photo and clip.
inline constexpr const char* kRuleActions[] = {"alert", "alarm", "evidence"};

/// The file with the lock board's Secure Channel key: board.key_file, or <var_dir>/board.key.
struct Config;
std::filesystem::path board_key_file(const Config& cfg);

/// The words of a rule's `then`. Throws std::invalid_argument naming a word that is neither an
/// action nor one of `board`'s actuators.
std::vector<std::string> rule_actions(const std::string& then, const BoardConfig& board);

/// How layer 1 decides over several frames.
enum class Vote { Best, Majority };

/// The camera in front of the locker, layers 1 and 2.
struct CameraConfig {
  std::string source = "sim";  // sim (scenes shown by the run script), a device index (0), a video file, an rtsp:// or http:// URL, or a folder of images
  int frames = 5;              // frames captured per attempt
  Vote vote = Vote::Best;      // best: the highest human score decides; majority: most frames must pass
  double retry_s = 1.0;        // first wait before opening a lost camera again; doubles up to 60 s
  double watch_fps = 5;        // frames a second read between attempts, for motion detection and clips
  int timeout_ms = 5000;       // an IP camera that sends nothing for this long is lost (opening and reading)

  template <class V>
  void visit(V& v) {
    v.field("source", source);
    v.field("frames", frames, Range<int>{1, 100});
    v.field("vote", vote, Choices<Vote>{{{"best", Vote::Best}, {"majority", Vote::Majority}}});
    v.field("retry_s", retry_s, Range<double>{0.01, 60.0});
    v.field("watch_fps", watch_fps, Range<double>{0.2, 30.0});
    v.field("timeout_ms", timeout_ms, Range<int>{100, 600000});
  }
};

/// A part of the picture motion detection watches (motion.zones).
struct MotionZoneConfig {
  std::string name;     // named in the audit log and alerts
  std::string corners;  // polygon corners as fractions of the frame: "0.5,0 1,0 1,1 0.5,1"; "" = the whole frame

  template <class V>
  void visit(V& v) {
    v.field("name", name, Required{});
    v.field("corners", corners);
  }
};

/// The corners of `text` ("x,y x,y ..."), each 0..1. Throws std::invalid_argument with the reason.
std::vector<std::pair<double, double>> parse_corners(const std::string& text);

/// Motion detection on the camera between attempts (lockerctl run).
struct MotionConfig {
  bool enabled = false;
  double min_area = 0.002;       // smallest moving blob, as a fraction of the frame
  std::string opening_hours = "mon-fri 08:00-18:00";  // local time; motion outside it is an alarm ("" = always closed)
  bool trigger = false;          // motion during opening hours starts an attempt
  double quiet_s = 30;           // motion after this long without any is a new event
  std::vector<MotionZoneConfig> zones;  // none: the whole frame

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("min_area", min_area, Range<double>{0.0001, 0.5});
    v.field("opening_hours", opening_hours);
    v.field("trigger", trigger);
    v.field("quiet_s", quiet_s, Range<double>{0.0, 86400.0});
    v.list("zones", zones);
  }
};

/// Incident clips: the seconds around an alarm or a denial, as H.264 MP4 beside the photo.
struct ClipsConfig {
  bool enabled = false;
  double before_s = 5;   // seconds kept before the incident
  double after_s = 5;    // seconds recorded after it
  int max_width = 640;   // larger frames are scaled down

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("before_s", before_s, Range<double>{0.0, 60.0});
    v.field("after_s", after_s, Range<double>{0.0, 60.0});
    v.field("max_width", max_width, Range<int>{64, 4096});
  }
};

enum class FaceDetector { YuNet, Haar, WholeFrame };

/// How faces are found: layer 2's crop, the liveness check, owner training data, enrollment.
struct FaceConfig {
  FaceDetector detector = FaceDetector::YuNet;  // yunet: box + 5 landmarks | haar: OpenCV cascade | whole_frame: no detection
  std::string model = "models/face/yunet_120x160.onnx";  // YuNet ONNX (scripts/fetch-face-models.sh)
  double score_threshold = 0.7;  // YuNet: a detection scoring less is not a face
  std::string cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";  // Debian's opencv-data
  double margin = 0.2;   // layer-2 crop: extra border around the face, as a share of its side
  int min_size = 40;     // smallest face side in pixels

  template <class V>
  void visit(V& v) {
    v.field("detector", detector,
            Choices<FaceDetector>{{{"yunet", FaceDetector::YuNet},
                                   {"haar", FaceDetector::Haar},
                                   {"whole_frame", FaceDetector::WholeFrame}}});
    v.field("model", model);
    v.field("score_threshold", score_threshold, Range<double>{0.05, 1.0});
    v.field("cascade", cascade);
    v.field("margin", margin, Range<double>{0.0, 1.0});
    v.field("min_size", min_size, Range<int>{8, 4096});
  }
};

/// The liveness check between layers 1 and 2: a live face, not a photo or a screen.
struct LivenessConfig {
  bool enabled = true;        // false: no liveness step (a printed photo of the owner can pass layer 2)
  double threshold = 0.5;     // liveness score to pass; calibrate on your camera (lockerctl face calibrate)
  int frames = 3;             // layer-1-accepted frames scored; their mean decides
  std::string model_v2 = "models/face/MiniFASNetV2.onnx";      // MiniFASNetV2 ONNX (crop scale 2.7)
  std::string model_v1se = "models/face/MiniFASNetV1SE.onnx";  // MiniFASNetV1SE ONNX (crop scale 4.0)

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("threshold", threshold, Range<double>{0.0, 1.0});
    v.field("frames", frames, Range<int>{1, 100});
    v.field("model_v2", model_v2);
    v.field("model_v1se", model_v1se);
  }
};

enum class InferenceBackend { OpenCv, Torch };
enum class Trigger { Keypad, Face };
enum class InputSource { Board, Console, Web };
enum class OtpMethod { Sms, Totp };

/// The four-layer access flow (`lockerctl run`).
struct AccessConfig {
  std::string owner = "owner";                 // the owner of this locker (lockerctl owner add NAME)
  std::string locker;                          // locker number(s) served, comma-separated; "" = `owner` alone
  std::string human_model = "models/human.h5";  // layer 1 model file
  std::string owner_model = "models/owner.h5";  // layer 2 model file
  InferenceBackend backend = InferenceBackend::OpenCv;  // opencv (fast, ONNX in memory) | torch
  double human_threshold = 0.0;   // layer 1 score to pass; 0 = the model file's threshold
  double owner_threshold = 0.0;   // layer 2 likewise
  Trigger trigger = Trigger::Keypad;      // keypad: a key or Enter starts an attempt; face: a face in view does
  InputSource input = InputSource::Board;  // password and OTP keys: board keypad | console (no echo) | web (the kiosk page)
  int password_tries = 3;        // wrong passwords before the lockout
  OtpMethod otp = OtpMethod::Sms;  // sms: a code sent through the notifier | totp: authenticator app (RFC 6238)
  int otp_digits = 6;
  double otp_ttl_s = 120.0;      // an SMS code expires after this long
  int otp_tries = 3;             // wrong codes that count as a failure
  double lockout_s = 900.0;      // no attempts for this long after a failure; survives a restart
  double unlock_s = 5.0;         // the lock stays released this long
  double door_open_max_s = 60.0;  // an open door alerts after this long
  double input_timeout_s = 60.0;  // waiting for a password or code; then the attempt ends
  std::string script;             // scripted input for tests and demos; "" = real inputs

  template <class V>
  void visit(V& v) {
    v.field("owner", owner);
    v.field("locker", locker);
    v.field("human_model", human_model);
    v.field("owner_model", owner_model);
    v.field("backend", backend,
            Choices<InferenceBackend>{{{"opencv", InferenceBackend::OpenCv}, {"torch", InferenceBackend::Torch}}});
    v.field("human_threshold", human_threshold, Range<double>{0.0, 1.0});
    v.field("owner_threshold", owner_threshold, Range<double>{0.0, 1.0});
    v.field("trigger", trigger, Choices<Trigger>{{{"keypad", Trigger::Keypad}, {"face", Trigger::Face}}});
    v.field("input", input, Choices<InputSource>{{{"board", InputSource::Board}, {"console", InputSource::Console}, {"web", InputSource::Web}}});
    v.field("password_tries", password_tries, Range<int>{1, 10});
    v.field("otp", otp, Choices<OtpMethod>{{{"sms", OtpMethod::Sms}, {"totp", OtpMethod::Totp}}});
    v.field("otp_digits", otp_digits, Range<int>{6, 8});
    v.field("otp_ttl_s", otp_ttl_s, Range<double>{1.0, 3600.0});
    v.field("otp_tries", otp_tries, Range<int>{1, 10});
    v.field("lockout_s", lockout_s, Range<double>{0.0, 604800.0});
    v.field("unlock_s", unlock_s, Range<double>{0.1, 600.0});
    v.field("door_open_max_s", door_open_max_s, Range<double>{0.1, 86400.0});
    v.field("input_timeout_s", input_timeout_s, Range<double>{0.1, 3600.0});
    v.field("script", script);
  }
};

/// The tamper-evident audit log and the alert outbox, in one SQLite file under paths.var_dir.
struct AuditConfig {
  Secret key;  // key of the hash chain; empty = the key file <var_dir>/audit.key, made on first use

  template <class V>
  void visit(V& v) {
    v.field("key", key);
  }
};

/// Where incident photos go: the local incident folder, an S3-compatible bucket, Google Drive.
enum class EvidenceStore { Local, S3, GDrive };

struct EvidenceConfig {
  EvidenceStore store = EvidenceStore::Local;

  template <class V>
  void visit(V& v) {
    v.field("store", store, Choices<EvidenceStore>{{{"local", EvidenceStore::Local}, {"s3", EvidenceStore::S3}, {"gdrive", EvidenceStore::GDrive}}});
  }
};

enum class CodeChannel { Sms, Email };

/// The alert outbox: which channels alerts and one-time codes take, and how failures are retried.
struct AlertsConfig {
  std::string channels = "sms";  // comma-separated: sms, webhook, email
  bool on_access = true;         // every holder is told each time their locker opens (who, when, where)
  std::string branch;            // this branch's name in alert texts; "" = none
  CodeChannel code_channel = CodeChannel::Sms;
  int max_attempts = 12;
  double backoff_s = 2;
  double max_backoff_s = 600;

  template <class V>
  void visit(V& v) {
    v.field("channels", channels);
    v.field("on_access", on_access);
    v.field("branch", branch);
    v.field("code_channel", code_channel, Choices<CodeChannel>{{{"sms", CodeChannel::Sms}, {"email", CodeChannel::Email}}});
    v.field("max_attempts", max_attempts, Range<int>{1, 1000});
    v.field("backoff_s", backoff_s, Range<double>{0.01, 3600.0});
    v.field("max_backoff_s", max_backoff_s, Range<double>{0.01, 86400.0});
  }
};

enum class SmsProvider { Sim, Twilio };

struct SmsConfig {
  SmsProvider provider = SmsProvider::Sim;  // sim: the simulated phone under <var_dir>/phone
  std::string api_base = "https://api.twilio.com";
  std::string account_sid;
  Secret auth_token;
  std::string from;
  bool mms = false;

  template <class V>
  void visit(V& v) {
    v.field("provider", provider, Choices<SmsProvider>{{{"sim", SmsProvider::Sim}, {"twilio", SmsProvider::Twilio}}});
    v.field("api_base", api_base);
    v.field("account_sid", account_sid);
    v.field("auth_token", auth_token);
    v.field("from", from);
    v.field("mms", mms);
  }
};

struct WebhookConfig {
  std::string url;
  Secret secret;

  template <class V>
  void visit(V& v) {
    v.field("url", url);
    v.field("secret", secret);
  }
};

struct EmailConfig {
  std::string smtp_url;  // smtp://host:587 (STARTTLS) or smtps://host:465
  std::string from;
  std::string username;
  Secret password;
  bool starttls = true;  // refuse to send unless the connection is encrypted
  std::string ca_file;   // PEM certificates that the mail server's certificate must chain to ("": the system's)

  template <class V>
  void visit(V& v) {
    v.field("smtp_url", smtp_url);
    v.field("from", from);
    v.field("username", username);
    v.field("password", password);
    v.field("starttls", starttls);
    v.field("ca_file", ca_file);
  }
};

struct S3Config {
  std::string endpoint = "https://s3.amazonaws.com";
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix = "incidents/";
  std::string access_key_id;
  Secret secret_access_key;
  int link_ttl_s = 86400;
  bool virtual_host = false;

  template <class V>
  void visit(V& v) {
    v.field("endpoint", endpoint);
    v.field("region", region);
    v.field("bucket", bucket);
    v.field("prefix", prefix);
    v.field("access_key_id", access_key_id);
    v.field("secret_access_key", secret_access_key);
    v.field("link_ttl_s", link_ttl_s, Range<int>{1, 604800});
    v.field("virtual_host", virtual_host);
  }
};

enum class DriveShare { Owner, Anyone };

struct GDriveConfig {
  std::string service_account_file;
  std::string folder_id;
  std::string api_base = "https://www.googleapis.com";
  std::string token_uri;  // empty: the key file's token_uri
  DriveShare share = DriveShare::Owner;

  template <class V>
  void visit(V& v) {
    v.field("service_account_file", service_account_file);
    v.field("folder_id", folder_id);
    v.field("api_base", api_base);
    v.field("token_uri", token_uri);
    v.field("share", share, Choices<DriveShare>{{{"owner", DriveShare::Owner}, {"anyone", DriveShare::Anyone}}});
  }
};

/// The operator console and the kiosk (lockerctl web, or lockerctl run with enabled): HTTPS with
/// the certificate and key given, or plain HTTP on 127.0.0.1 only when insecure_local is set.
struct WebConfig {
  bool enabled = false;                   // lockerctl run serves the console and the kiosk too
  std::string listen = "127.0.0.1:8443";  // ADDRESS:PORT (port 0: any free port)
  std::string cert;                       // PEM certificate (chain); "": <var_dir>/web/cert.pem
  std::string key;                        // its private key, owner-only; "": <var_dir>/web/key.pem
  bool insecure_local = false;            // plain HTTP, refused unless listen is on 127.0.0.1
  double session_idle_s = 900;            // a session unused this long ends

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("listen", listen);
    v.field("cert", cert);
    v.field("key", key);
    v.field("insecure_local", insecure_local);
    v.field("session_idle_s", session_idle_s, Range<double>{0.1, 86400.0});
  }
};

struct MqttConfig {
  bool enabled = false;                           // lockerctl run publishes its events to the broker
  std::string broker = "mqtts://localhost:8883";  // mqtts://HOST[:PORT] (TLS), or mqtt://127.0.0.1[:PORT] (plain: this machine only)
  std::string ca_file;                            // PEM certificates the broker's must chain to; "" = the system's
  std::string username;                           // "" = no login
  Secret password;
  std::string site = "branch";                    // topics: lockerctl/<site>/<locker>/<kind>
  std::string locker;                             // "" = access.locker (commas as -), or access.owner without lockers
  double heartbeat_s = 30;                        // between two heartbeats
  bool discovery = true;                          // Home Assistant discovery messages (retained)
  std::string discovery_prefix = "homeassistant";
  double alarm_hold_s = 300;                      // the state's alarm flag clears after this long
  double retry_s = 1;                             // first pause before connecting again; doubles
  double max_retry_s = 60;                        // ... up to this

  template <class V>
  void visit(V& v) {
    v.field("enabled", enabled);
    v.field("broker", broker);
    v.field("ca_file", ca_file);
    v.field("username", username);
    v.field("password", password);
    v.field("site", site);
    v.field("locker", locker);
    v.field("heartbeat_s", heartbeat_s, Range<double>{0.1, 3600.0});
    v.field("discovery", discovery);
    v.field("discovery_prefix", discovery_prefix);
    v.field("alarm_hold_s", alarm_hold_s, Range<double>{1.0, 86400.0});
    v.field("retry_s", retry_s, Range<double>{0.01, 60.0});
    v.field("max_retry_s", max_retry_s, Range<double>{0.01, 3600.0});
  }
};

/// The whole configuration. configs/default.yaml documents every key with its default.
struct Config {
  PathsConfig paths;
  RuntimeConfig runtime;
  LogConfig log;
  DataConfig data;
  LayerConfig human{"human", "not_human", 224};  // layer 1: MobileNetV2 input size
  OwnerConfig owner{{"owner", "not_owner", 256}};  // layer 2; 256: the owner CNN's input size
  TrainConfig train;
  BoardConfig board;
  CameraConfig camera;
  MotionConfig motion;
  ClipsConfig clips;
  FaceConfig face;
  LivenessConfig liveness;
  AccessConfig access;
  AuditConfig audit;
  EvidenceConfig evidence;
  AlertsConfig alerts;
  SmsConfig sms;
  WebhookConfig webhook;
  EmailConfig email;
  S3Config s3;
  GDriveConfig gdrive;
  WebConfig web;
  MqttConfig mqtt;
  std::vector<RuleConfig> rules = {
      {"smoke", "", false, "siren light alert", 300},
      {"temperature", "", false, "alert", 60},
      {"vibration", "18:00-08:00", true, "alert", 60},
      {"door forced", "", false, "siren evidence", 120},
      {"tamper", "", false, "alarm evidence", 60},
      {"link attack", "", false, "evidence", 60},
  };

  template <class V>
  void visit(V& v) {
    v.section("paths", paths);
    v.section("runtime", runtime);
    v.section("log", log);
    v.section("data", data);
    v.section("human", human);
    v.section("owner", owner);
    v.section("train", train);
    v.section("board", board);
    v.section("camera", camera);
    v.section("motion", motion);
    v.section("clips", clips);
    v.section("face", face);
    v.section("liveness", liveness);
    v.section("access", access);
    v.section("audit", audit);
    v.section("evidence", evidence);
    v.section("alerts", alerts);
    v.section("sms", sms);
    v.section("webhook", webhook);
    v.section("email", email);
    v.section("s3", s3);
    v.section("gdrive", gdrive);
    v.section("web", web);
    v.section("mqtt", mqtt);
    v.list("rules", rules);
  }
};

/// Loads `file` over the built-in defaults, then applies environment overrides to secrets.
/// Without a file, returns the defaults with the overrides. Throws ConfigError listing every
/// problem (missing file, YAML syntax, unknown key, wrong type, out of range) as file:line:col.
Config load(const std::optional<std::filesystem::path>& file);

/// Parses YAML text (named `file` in messages) into a Config, collecting every problem.
Config parse(const std::string& text, const std::string& file);

/// The effective configuration as YAML, with every secret masked.
std::string to_yaml(const Config& config);

/// The yaml-cpp release this build uses.
std::string yaml_cpp_version();

/// Every key path of the schema, e.g. "runtime.threads".
std::vector<std::string> key_paths();

}  // namespace lockerctl::config
