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

struct FaceBenchmarkOptions {
  std::string dir;               // real/ and attack/[<type>/] below it
  double target_apcer = 0.01;    // APCER the suggested threshold keeps to
  int frames = 1;                // simulated frames per still, their mean decides
  bool json = false;             // one JSON document on stdout instead of lines
  std::string report_dir = "reports/liveness-benchmark";
};

/// Adds `lockerctl face check|calibrate|benchmark`.
void setup_face(CLI::App& app, const GlobalOptions& global, Action& action);

int run_face_check(const GlobalOptions& global, const FaceCheckOptions& options);
int run_face_calibrate(const GlobalOptions& global, const FaceCalibrateOptions& options);
int run_face_benchmark(const GlobalOptions& global, const FaceBenchmarkOptions& options);

}  // namespace lockerctl::cli
