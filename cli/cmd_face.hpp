#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace lockerctl::cli {

struct FaceCheckOptions {
  std::vector<std::string> inputs;  // images and folders
  bool json = false;                // one JSON object per image and line
  std::string annotate;             // folder for annotated PNGs; "" = none
  std::string chips;                // folder for each face's aligned chip; "" = none
};

struct FaceCalibrateOptions {
  std::string real;            // folder of live captures
  std::string spoof;           // folder of photos/screens shown to the camera
  double target_far = 0.01;    // spoofs allowed through at the suggested threshold
  std::string report_dir = "reports/liveness";
};

/// Adds `lockerctl face check|calibrate`.
void setup_face(CLI::App& app, const GlobalOptions& global, Action& action);

int run_face_check(const GlobalOptions& global, const FaceCheckOptions& options);
int run_face_calibrate(const GlobalOptions& global, const FaceCalibrateOptions& options);

}  // namespace lockerctl::cli
