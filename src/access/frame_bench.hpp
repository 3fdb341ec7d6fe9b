#pragma once

// `lockerctl bench run`: what one camera frame costs on the path `lockerctl run` takes, step by
// step and in total: layer 1 on the frame, face detection, the liveness check of the largest
// face, and layer 2 (the largest face aligned, embedded and matched). Prints figures; asserts
// nothing.

#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "access/face_match.hpp"
#include "core/clock.hpp"
#include "inference/engine.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace lockerctl::access {

struct FramePath {
  inference::InferenceEngine& human;
  vision::FaceDetector& faces;
  vision::LivenessCheck* liveness;  ///< null: no liveness step
  FaceVerifier& verifier;
  std::vector<std::string> candidates;  ///< whose templates layer 2 matches; empty: the embedding alone
};

struct FramePathRow {
  std::string step;  ///< "layer 1", "face detection", "liveness", "layer 2", "total"
  Latency latency;
};

/// Runs `path` on `frames` round and round, `calls` timed frames after a few untimed ones; each
/// step's time and the total per frame. A frame without a face costs layer 1 and detection only
/// (as in the flow, where it ends there); `faceless` counts them.
std::vector<FramePathRow> bench_frame_path(FramePath& path, const std::vector<cv::Mat>& frames, int calls, int& faceless);

/// The soak: `calls` frames on `path`, calling `report(done, rss_mb)` after every `every`.
void soak_frame_path(FramePath& path, const std::vector<cv::Mat>& frames, int calls, int every,
                     const std::function<void(int, double)>& report);

}  // namespace lockerctl::access
