#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace lockerctl::cli {

struct BenchTrainOptions {
  int batch_size = 32;   // images per step
  int batches = 5;       // timed steps per case
  int human_size = 224;  // MobileNetV2 input side
  int owner_size = 256;  // owner CNN input side
  std::string device = "auto";  // cpu | cuda | auto (cpu, and cuda when usable)
};

struct BenchInferOptions {
  std::vector<std::string> models;  // model files; default: the paper's two architectures, random weights
  int frames = 200;                 // timed frames per row
};

struct BenchFaceOptions {
  std::vector<std::string> inputs;  // images or folders: the faces the frames show
  int frames = 200;                 // timed calls per step
  int width = 640;                  // camera frame size the images are cut and resized to
  int height = 480;
};

struct BenchRunOptions {
  std::vector<std::string> inputs;  // images or folders: what the camera sees
  int frames = 200;                 // timed frames
  int width = 640;                  // camera frame size
  int height = 480;
  std::string owner;                // layer 2 matches this enrolled owner's templates; "" = the embedding alone
  int soak = 0;                     // frames of the soak (resident memory every 1,000); 0 = none
};

/// Adds `lockerctl bench train`, `bench infer`, `bench face` and `bench run`.
void setup_bench(CLI::App& app, const GlobalOptions& global, Action& action);

int run_bench_train(const GlobalOptions& global, const BenchTrainOptions& options);
int run_bench_infer(const GlobalOptions& global, const BenchInferOptions& options);
int run_bench_face(const GlobalOptions& global, const BenchFaceOptions& options);
int run_bench_run(const GlobalOptions& global, const BenchRunOptions& options);

}  // namespace lockerctl::cli
