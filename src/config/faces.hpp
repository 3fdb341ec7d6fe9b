#pragma once
// Configuration: how faces are found, and the liveness check. Each section's struct carries its
// keys, defaults and checks (visit); config/config.hpp puts the sections together.
#include <string>

#include "config/schema.hpp"

namespace lockerctl::config {

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

}  // namespace lockerctl::config
