#pragma once

// Finding faces. One interface, three detectors: YuNet (OpenCV's FaceDetectorYN: box, five
// landmarks, score), the Haar cascade (box only) and "whole frame" (no detection: the frame is
// the face). Layer 2 looks at one crop of the face, made by crop_face(): owner training data
// and `lockerctl run` both go through it (enrollment keeps whole frames for training to crop), so
// the owner model sees the same kind of image everywhere.

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lockerctl::vision {

/// One face in a frame, in that frame's pixel coordinates.
struct Face {
  cv::Rect2f box;                          ///< may reach past the frame's border
  std::array<cv::Point2f, 5> landmarks{};  ///< eyes (right, left as seen), nose tip, mouth corners
  bool has_landmarks = false;              ///< YuNet gives them; Haar and whole frame do not
  float score = 1;                         ///< detector confidence, 0..1 (1 for Haar and whole frame)

  /// True when the box reaches past the frame: part of the face is not in the picture.
  bool cut_off(const cv::Size& frame) const;
};

enum class DetectorKind { YuNet, Haar, WholeFrame };

struct FaceOptions {
  DetectorKind kind = DetectorKind::YuNet;
  std::string model;           ///< YuNet ONNX file (yunet_120x160.onnx)
  std::string cascade;         ///< Haar cascade XML file
  float score_threshold = 0.7f;  ///< YuNet: faces scoring less are not faces
  int min_size = 40;           ///< smallest face side in frame pixels
  double margin = 0.2;         ///< layer-2 crop: extra border, as a share of the face side
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  /// Every face in a BGR (or gray) frame, largest first. Never throws for an image without faces.
  virtual std::vector<Face> detect(const cv::Mat& frame) = 0;
  virtual std::string name() const = 0;
};

/// The detector `options` names. Throws ModelError naming a missing or corrupt model file (YuNet:
/// with its expected SHA-256) and DeviceError for a cascade OpenCV cannot load.
std::unique_ptr<FaceDetector> make_face_detector(const FaceOptions& options);

/// The layer-2 input: a square around the face's box, grown by `margin` of its side on every
/// side. Parts outside the frame are black, so a face cut off at the border keeps its place and
/// scale in the crop. The whole-frame "face" (box = frame) comes back unchanged.
cv::Mat crop_face(const cv::Mat& frame, const Face& face, double margin);

/// What layer 2 looks at in a frame: the crop of its largest face.
struct FaceCrop {
  cv::Mat image;          ///< crop_face() of the largest face
  Face face;              ///< that face
  std::size_t faces = 0;  ///< how many faces the frame shows
};

/// The crop of the largest of `faces` (as FaceDetector::detect gives them for `frame`) by
/// crop_face; nullopt when there is none. Owner training data and `lockerctl run` go through here.
std::optional<FaceCrop> layer2_input(const cv::Mat& frame, const std::vector<Face>& faces, double margin);

/// Layer 2's training image from a whole 8-bit RGB image, as `dataset prepare --task owner` needs
/// it: the largest face (found on the BGR image) cropped by layer2_input. Detections take turns,
/// so one TrainingCrop serves every decoding thread.
class TrainingCrop {
 public:
  /// Throws as make_face_detector.
  explicit TrainingCrop(const FaceOptions& options);
  /// The RGB crop, or an empty Mat with `why` set ("no face found").
  cv::Mat operator()(const cv::Mat& rgb, std::string& why);
  /// What it does, for the dataset cache's fingerprint and attributes.
  std::string description() const;

 private:
  FaceOptions options_;
  std::unique_ptr<FaceDetector> detector_;
  std::mutex turn_;
};

/// Draws each face's box, landmarks, detector score and liveness score (nullopt: not checked) on
/// a BGR `image`, for a person to look at: live faces green, spoofs red, unchecked yellow.
void draw_faces(cv::Mat& image, const std::vector<Face>& faces, const std::vector<std::optional<double>>& liveness,
                double liveness_threshold);

/// The YuNet model file's pinned SHA-256 (the 2022mar 120x160 export; the later exports do not
/// load in OpenCV 4.6). scripts/face-models.sha256 pins the same.
inline constexpr const char* kYuNetSha256 = "50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7";

}  // namespace lockerctl::vision
