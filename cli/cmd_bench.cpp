#include "cmd_bench.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <opencv2/core/utility.hpp>

#include "access/frame_bench.hpp"
#include "core/clock.hpp"
#include "core/memory.hpp"
#include "inference/engine.hpp"
#include "models/torch_runtime.hpp"
#include "inference/bench.hpp"
#include "vision/camera.hpp"
#include "vision/face_bench.hpp"
#include "train/bench.hpp"

namespace lockerctl::cli {

void setup_bench(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks that print figures and assert nothing.");
  bench->require_subcommand(1);
  auto opts = std::make_shared<BenchTrainOptions>();
  CLI::App* train = bench->add_subcommand(
      "train",
      "Training throughput (images/s) on random data: the frozen MobileNetV2 backbone forward "
      "(the feature-cache fill; on the CPU also image by image through LibTorch and through OpenCV "
      "DNN, which fills it there), head training on cached features, head training through the frozen "
      "backbone, full fine-tuning, and owner-CNN training; on the CPU and on CUDA when usable.");
  train->add_option("--batch-size", opts->batch_size, "Images per step")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  train->add_option("--batches", opts->batches, "Timed steps per case")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  train->add_option("--human-size", opts->human_size, "MobileNetV2 input side")
      ->check(CLI::Range(32, 1024))
      ->capture_default_str();
  train->add_option("--owner-size", opts->owner_size, "Owner CNN input side")
      ->check(CLI::Range(22, 1024))
      ->capture_default_str();
  train->add_option("--device", opts->device, "cpu, cuda, or auto (cpu, plus cuda when usable)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  train->callback([&global, &action, opts] {
    action = [&global, opts] { return run_bench_train(global, *opts); };
  });

  auto infer_opts = std::make_shared<BenchInferOptions>();
  CLI::App* infer = bench->add_subcommand(
      "infer",
      "Per-frame latency (batch 1, median and p95) of each model with LibTorch (NCHW and "
      "channels-last) and OpenCV DNN on its ONNX export, and the process's peak memory. Without "
      "models: MobileNetV2 1.0 + head at 224x224 and the owner CNN at 224x224, random weights.");
  infer->add_option("models", infer_opts->models, "Model files (.h5)");
  infer->add_option("--frames", infer_opts->frames, "Timed frames per row")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  infer->callback([&global, &action, infer_opts] {
    action = [&global, infer_opts] { return run_bench_infer(global, *infer_opts); };
  });

  auto face_opts = std::make_shared<BenchFaceOptions>();
  CLI::App* face = bench->add_subcommand(
      "face",
      "Per-frame latency (median and p95) of face detection (face.*), of the liveness check on the "
      "largest face (liveness.*), and of both, on camera frames made from the given images (cut to 4:3 "
      "and resized to --width x --height). runtime.threads sets OpenCV's threads.");
  face->add_option("inputs", face_opts->inputs, "Image files or folders (searched at any depth)")->required();
  face->add_option("--frames", face_opts->frames, "Timed calls per step")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  face->add_option("--width", face_opts->width, "Frame width")->check(CLI::Range(64, 8192))->capture_default_str();
  face->add_option("--height", face_opts->height, "Frame height")->check(CLI::Range(48, 8192))->capture_default_str();
  face->callback([&global, &action, face_opts] {
    action = [&global, face_opts] { return run_bench_face(global, *face_opts); };
  });

  auto run_opts = std::make_shared<BenchRunOptions>();
  CLI::App* run = bench->add_subcommand(
      "run",
      "The frame path of `lockerctl run` as configured (access.human_model on access.backend, face.*, liveness.*, "
      "owner.method: embedding), per step and in total, median and p95, on camera frames made from the given "
      "images: layer 1, face detection, the liveness check of the largest face, layer 2 (the face aligned, embedded "
      "and matched). Prints the resident memory with every model loaded. runtime.threads sets LibTorch's and "
      "OpenCV's threads. With --soak N it then runs N more frames and prints the resident memory every 1,000.");
  run->add_option("inputs", run_opts->inputs, "Image files or folders (searched at any depth)")->required();
  run->add_option("--frames", run_opts->frames, "Timed frames")->check(CLI::Range(1, 1000000))->capture_default_str();
  run->add_option("--width", run_opts->width, "Frame width")->check(CLI::Range(64, 8192))->capture_default_str();
  run->add_option("--height", run_opts->height, "Frame height")->check(CLI::Range(48, 8192))->capture_default_str();
  run->add_option("--owner", run_opts->owner, "Match against this enrolled owner's templates (default: the embedding alone)");
  run->add_option("--soak", run_opts->soak, "Frames of the memory soak after the timing")->check(CLI::Range(0, 10000000));
  run->callback([&global, &action, run_opts] {
    action = [&global, run_opts] { return run_bench_run(global, *run_opts); };
  });
}

namespace {

/// The images of `inputs` as camera frames of `size`; DataError naming a file that does not decode.
std::vector<cv::Mat> camera_frames(const std::vector<std::string>& inputs, cv::Size size) {
  std::vector<cv::Mat> frames;
  for (const auto& file : image_inputs(inputs)) {
    std::string error;
    const auto frame = vision::load_frame(file, error);
    if (!frame) throw DataError(fmt::format("{}: {}", file.string(), error));
    frames.push_back(vision::camera_frame(*frame, size));
  }
  if (frames.empty()) throw DataError("no images in the given inputs");
  return frames;
}

}  // namespace

int run_bench_run(const GlobalOptions& global, const BenchRunOptions& options) {
  config::Config cfg = load_config(global);
  cfg.owner.method = config::OwnerMethod::Embedding;
  Station station(cfg);
  auto human = inference::open_engine(cfg.access.human_model, inference_backend(cfg));
  FaceRecognition recognition(cfg, station.db, station.key);
  std::vector<std::string> candidates;
  if (!options.owner.empty()) {
    if (recognition.templates.load(options.owner).templates.empty()) {
      throw DataError(fmt::format("owner '{}' has no face enrolled (lockerctl owner enroll {} --photos DIR)", options.owner, options.owner));
    }
    candidates = {options.owner};
  }
  const auto frames = camera_frames(options.inputs, {options.width, options.height});
  access::FramePath path{*human, *recognition.detector, recognition.liveness.get(), recognition.verifier, candidates};
  const models::TorchRuntime rt = models::torch_runtime();
  std::cout << fmt::format("{} frames of {}x{}; layer 1 {} and the face embedding on {}; {} detector; liveness {}; layer 2 {}; LibTorch {} threads, "
                           "OpenCV {} threads\n",
                           frames.size(), options.width, options.height, cfg.access.human_model,
                           cfg.access.backend == config::InferenceBackend::OpenCv ? "OpenCV DNN" : "LibTorch",
                           recognition.detector->name(), recognition.liveness ? "on" : "off",
                           candidates.empty() ? "embedding alone" : "embedding matched against " + options.owner, rt.threads,
                           cv::getNumThreads());
  std::cout << fmt::format("resident memory with every model loaded: {:.0f} MB\n", rss_mb());
  int faceless = 0;
  for (const auto& row : access::bench_frame_path(path, frames, options.frames, faceless)) {
    std::cout << fmt::format("{:<16} median {:7.2f} ms  p95 {:7.2f} ms\n", row.step, row.latency.median_ms, row.latency.p95_ms);
  }
  if (faceless > 0) std::cout << fmt::format("{} of {} frames showed no face: layer 1 and detection only\n", faceless, options.frames);
  std::cout << fmt::format("peak resident memory: {:.0f} MB\n", peak_rss_mb());
  if (options.soak > 0) {
    access::soak_frame_path(path, frames, options.soak, 1000, [](int done, double mb) {
      std::cout << fmt::format("soak: {:>8} frames  resident {:.1f} MB\n", done, mb) << std::flush;
    });
  }
  return 0;
}

int run_bench_face(const GlobalOptions& global, const BenchFaceOptions& options) {
  config::Config cfg = load_config(global);
  cfg.liveness.enabled = true;
  const auto detector = vision::make_face_detector(face_options(cfg));
  const auto liveness = liveness_check(cfg);
  const auto frames = camera_frames(options.inputs, {options.width, options.height});
  std::cout << fmt::format("{} frames of {}x{}, {} detector, OpenCV threads {}\n", frames.size(), options.width,
                           options.height, detector->name(), cv::getNumThreads());
  for (const auto& row : vision::bench_faces(*detector, *liveness, frames, options.frames)) {
    std::cout << fmt::format("{:<22} median {:7.2f} ms  p95 {:7.2f} ms\n", row.step, row.latency.median_ms,
                             row.latency.p95_ms);
  }
  return 0;
}

int run_bench_infer(const GlobalOptions& global, const BenchInferOptions& options) {
  load_config(global);
  const std::vector<std::filesystem::path> files(options.models.begin(), options.models.end());
  const models::TorchRuntime rt = models::torch_runtime();
  std::cout << fmt::format("LibTorch {} with {} threads; OpenCV {} threads; {} frames per row\n", rt.version,
                           rt.threads, cv::getNumThreads(), options.frames);
  for (const auto& r : inference::bench_inference(files, options.frames)) {
    std::cout << fmt::format("{:<34} {:<30} median {:7.2f} ms  p95 {:7.2f} ms  peak RSS {:6.0f} MB\n",
                             r.model, r.backend, r.median_ms, r.p95_ms, r.peak_rss_mb);
  }
  return 0;
}

int run_bench_train(const GlobalOptions& global, const BenchTrainOptions& options) {
  load_config(global);
  train::BenchOptions o;
  o.batch_size = options.batch_size;
  o.batches = options.batches;
  o.human_size = options.human_size;
  o.owner_size = options.owner_size;
  const models::TorchRuntime rt = models::torch_runtime();
  if (options.device == "auto") {
    o.devices = {"cpu"};
    if (rt.cuda_devices > 0) o.devices.push_back("cuda");
  } else {
    o.devices = {options.device};
  }
  std::cout << fmt::format("LibTorch {}, {} CPU threads, batch {}, MobileNetV2 1.0 at {}x{}, owner CNN at {}x{}\n",
                           rt.version, rt.threads, o.batch_size, o.human_size, o.human_size,
                           o.owner_size, o.owner_size);
  for (const auto& row : train::bench_training(o)) {
    std::cout << fmt::format("{:<5} {:<58} {:>9.1f} images/s\n", row.device, row.name,
                             row.images_per_second);
  }
  return 0;
}

}  // namespace lockerctl::cli
