#include "train/trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>

#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "data/batches.hpp"
#include "data/cache.hpp"
#include "data/hash.hpp"
#include "eval/metrics.hpp"
#include "eval/scoring.hpp"
#include "h5/h5.hpp"
#include "inference/backbone_features.hpp"
#include "models/mobilenet_v2.hpp"
#include "models/model_file.hpp"
#include "models/owner_cnn.hpp"
#include "report/plot.hpp"
#include "report/tensorboard.hpp"

namespace lockerctl::train {
namespace fs = std::filesystem;
using models::BinaryNet;

std::string metrics_csv_header() {
  return "epoch,train_loss,train_accuracy,train_precision,train_recall,train_f1,"
         "val_loss,val_accuracy,val_precision,val_recall,val_f1,seconds";
}

std::string metrics_csv_line(const EpochRecord& r) {
  return fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.2f}",
                     r.epoch, r.train_loss, r.train_accuracy, r.train_precision, r.train_recall,
                     r.train_f1, r.val_loss, r.val_accuracy, r.val_precision, r.val_recall,
                     r.val_f1, r.seconds);
}

namespace {

constexpr int kRecordFields = 12;
// Images per OpenCV DNN call in the CPU feature pass (bench train times 1 and a whole batch).
constexpr int kCpuFeatureBatch = 1;

torch::Device pick_device(const std::string& name) {
  if (name != "cuda") return torch::kCPU;
  if (!torch::cuda::is_available()) {
    throw DeviceError("--device cuda: CUDA is not usable here (this LibTorch has no CUDA support "
                      "or no GPU is visible); use --device cpu or build against a CUDA LibTorch");
  }
  return torch::kCUDA;
}

// Copies tensors that exist in both modules under the same name and shape.
void copy_state(torch::nn::Module& from, torch::nn::Module& to, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  auto src = from.named_parameters();
  for (const auto& b : from.named_buffers()) src.insert(b.key(), b.value());
  auto dst = to.named_parameters();
  for (const auto& b : to.named_buffers()) dst.insert(b.key(), b.value());
  for (auto& d : dst) {
    if (d.key().rfind(prefix, 0) != 0) continue;
    const torch::Tensor* s = src.find(d.key());
    if (!s || s->sizes() != d.value().sizes()) {
      throw ModelError("tensor " + d.key() + " is missing or of another shape in the start model");
    }
    d.value().copy_(*s);
  }
}

struct Network {
  std::shared_ptr<BinaryNet> net;
  std::shared_ptr<models::MobileNetV2Impl> mobilenet;  // null for the owner CNN
  models::ModelMeta meta;
};

Network build_network(const TrainOptions& o, const data::DatasetSummary& ds) {
  Network n;
  n.meta.positive_class = ds.positive_class;
  n.meta.negative_class = ds.negative_class;
  n.meta.dataset_manifest = ds.fingerprint;
  n.meta.config_yaml = o.config_yaml;
  n.meta.input = o.face_chips ? models::kFaceChipInput : models::kImageInput;
  if (o.task == data::Task::Owner) {
    if (o.mode == Mode::Finetune) throw ModelError("finetune applies to the human layer (MobileNetV2) only");
    n.meta.spec = {models::Architecture::OwnerCnn, 1.0, ds.image_size, o.train.dropout};
    n.net = models::build(n.meta.spec);
    n.meta.source = "train owner_cnn on " + o.dataset;
  } else {
    const fs::path start = o.mode == Mode::Finetune ? o.start_from : fs::path(o.train.pretrained);
    std::optional<models::LoadedModel> loaded;
    if (!start.empty()) loaded = models::load_model(start, models::Architecture::MobileNetV2);
    const double alpha = loaded ? loaded->meta.spec.alpha : o.train.alpha;
    n.meta.spec = {models::Architecture::MobileNetV2, alpha, ds.image_size, o.train.dropout};
    n.mobilenet = std::make_shared<models::MobileNetV2Impl>(n.meta.spec);
    n.net = n.mobilenet;
    if (loaded) {
      // Training takes the backbone only; fine-tuning continues from the whole trained model.
      copy_state(*loaded->net, *n.mobilenet, o.mode == Mode::Finetune ? "" : "backbone.");
      n.meta.threshold = o.mode == Mode::Finetune ? loaded->meta.threshold : 0.5;
      n.mobilenet->freeze_backbone(o.mode == Mode::Finetune ? o.train.finetune_blocks : 0);
    } else {
      // A frozen random backbone would feed the head noise: without pretrained weights every
      // layer learns, from scratch.
      log::warn("train.pretrained is empty: MobileNetV2 starts from RANDOM weights and every layer "
                "trains from scratch (no ImageNet transfer, no feature cache)");
      // Keras' BatchNorm momentum (0.999) suits long runs from pretrained statistics; from
      // scratch, the running statistics would hardly leave their initial values in a short run
      // and inference would see unnormalised activations. PyTorch's usual 0.1 it is.
      for (auto& module : n.mobilenet->modules()) {
        if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(module)) bn->options.momentum(0.1);
      }
    }
    n.meta.source = fmt::format("{} mobilenet_v2 (alpha {}) on {} from {}",
                                o.mode == Mode::Finetune ? "finetune" : "train", alpha, o.dataset,
                                start.empty() ? std::string("random init") : start.string());
  }
  n.meta.preprocessing = models::Preprocessing::for_architecture(n.meta.spec.architecture);
  return n;
}

// --- Feature cache: frozen backbone outputs, computed once. ---

std::string backbone_key(models::MobileNetV2Impl& m, const data::DatasetSummary& ds) {
  data::Sha256 h;
  h.add(ds.fingerprint).add(std::to_string(ds.image_size));
  for (const auto& t : m.backbone->named_parameters()) {
    const torch::Tensor c = t.value().detach().to(torch::kCPU).contiguous();
    h.add(t.key()).add(std::string_view(static_cast<const char*>(c.data_ptr()), c.nbytes()));
  }
  for (const auto& t : m.backbone->named_buffers()) {
    const torch::Tensor c = t.value().detach().to(torch::kCPU).contiguous();
    h.add(t.key()).add(std::string_view(static_cast<const char*>(c.data_ptr()), c.nbytes()));
  }
  return h.hex().substr(0, 16);
}

torch::Tensor read_features(const h5::File& f, const std::string& dataset) {
  auto a = f.read<float>(dataset);
  const std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  return torch::from_blob(a.values.data(), shape, torch::kFloat).clone();
}

// Backbone features of the train and val splits, from `dir`/features-<key>.h5 or computed now.
// With `copies` > 0 the train features hold the images as they are, then `copies` blocks of
// augmented variants of them, in the same order.
std::pair<torch::Tensor, torch::Tensor> backbone_features(models::MobileNetV2Impl& m,
                                                           const data::DatasetSummary& ds,
                                                           const data::CachePaths& paths,
                                                           const TrainOptions& o,
                                                           const models::Preprocessing& pre,
                                                           int copies,
                                                           torch::Device device) {
  std::string key = backbone_key(m, ds);
  if (copies > 0) key += fmt::format("-aug{}-seed{}", copies, o.seed);
  const fs::path file = paths.dir / ("features-" + key + ".h5");
  if (!h5::is_hdf5(file)) {
    torch::NoGradGuard no_grad;
    m.backbone->eval();
    AtomicFile out(file);
    h5::File f = h5::File::create(out.temp());
    // On a CPU the pass runs through OpenCV DNN on the exported backbone, 3.5 times as fast as
    // LibTorch image by image (bench train). A GPU keeps LibTorch and wants the training batch.
    std::optional<inference::BackboneFeatures> opencv;
    if (!device.is_cuda()) opencv.emplace(*m.backbone, ds.image_size);
    const int batch = device.is_cuda() ? o.train.batch_size : kCpuFeatureBatch;
    std::vector<float> feats;
    for (const data::Split split : {data::Split::Train, data::Split::Val}) {
      const int variants = split == data::Split::Train ? 1 + copies : 1;
      data::BatchOptions bo;
      bo.batch_size = batch;
      bo.shuffle = false;
      bo.workers = o.workers;
      bo.scale = pre.scale;
      bo.offset = pre.offset;
      const std::string name = std::string("/") + data::split_name(split) + "/features";
      const hsize_t images = data::BatchReader(paths.cache, split, bo).images();
      f.create_dataset<float>(name, {images * variants, hsize_t(m.backbone->feature_dim())});
      Progress progress(fmt::format("backbone features ({})", data::split_name(split)), images * variants);
      for (int variant = 0; variant < variants; ++variant) {
        bo.augment.enabled = variant > 0;
        bo.seed = o.seed + variant;
        data::BatchReader reader(paths.cache, split, bo);
        while (auto b = reader.next()) {
          const hsize_t row = variant * images + b->rows.front();
          if (opencv) {
            feats.resize(static_cast<std::size_t>(b->count) * opencv->feature_dim());
            opencv->run(b->images.data(), b->count, feats.data());
            f.write_rows<float>(name, row, b->count, feats.data());
          } else {
            const auto x = torch::from_blob(b->images.data(), {b->count, 3, b->size, b->size}).to(device);
            const torch::Tensor t = m.backbone->forward(x).to(torch::kCPU).contiguous();
            f.write_rows<float>(name, row, b->count, t.data_ptr<float>());
          }
          progress.advance(b->count);
        }
      }
    }
    f.close();
    out.commit();
    log::info("feature cache written: {}", file.string());
  } else {
    log::info("feature cache reused: {}", file.string());
  }
  const h5::File f = h5::File::open_read(file);
  return {read_features(f, "/train/features").to(device), read_features(f, "/val/features").to(device)};
}

// --- Checkpoints ---

// What a checkpoint records besides the model and the optimiser.
struct RunState {
  int epoch = 0;            // epochs completed
  int best_epoch = 0;
  double best_value = 0;
  int bad_epochs = 0;
  std::vector<EpochRecord> history;
};

std::string settings_key(const TrainOptions& o, const data::DatasetSummary& ds) {
  const auto& t = o.train;
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", static_cast<int>(o.mode),
                     data::task_name(o.task), ds.fingerprint, t.batch_size,
                     o.mode == Mode::Finetune ? t.finetune_learning_rate : t.learning_rate,
                     t.augment, t.balance, t.feature_cache, t.dropout, o.seed,
                     o.mode == Mode::Finetune ? o.start_from.string() : t.pretrained,
                     static_cast<int>(t.monitor), t.finetune_blocks, t.augment_copies);
}

void save_checkpoint(const fs::path& path, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     const RunState& p, const std::string& settings) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive, optim_archive;
  net.save(model_archive);
  opt.save(optim_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optim_archive);
  archive.write("epoch", torch::tensor(static_cast<int64_t>(p.epoch)));
  archive.write("best_epoch", torch::tensor(static_cast<int64_t>(p.best_epoch)));
  archive.write("best_value", torch::tensor(p.best_value, torch::kDouble));
  archive.write("bad_epochs", torch::tensor(static_cast<int64_t>(p.bad_epochs)));
  std::vector<double> rows;
  for (const auto& r : p.history) {
    rows.insert(rows.end(), {double(r.epoch), r.train_loss, r.train_accuracy, r.train_precision,
                             r.train_recall, r.train_f1, r.val_loss, r.val_accuracy,
                             r.val_precision, r.val_recall, r.val_f1, r.seconds});
  }
  archive.write("history", torch::tensor(rows, torch::kDouble).reshape({-1, kRecordFields}));
  archive.write("settings", c10::IValue(settings));
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  AtomicFile out(path);
  archive.save_to(out.temp().string());
  out.commit();
}

void load_checkpoint(const fs::path& path, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     RunState& p, const std::string& settings) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw ModelError(path.string() + ": cannot read checkpoint (" + e.what_without_backtrace() + ")");
  }
  c10::IValue saved;
  archive.read("settings", saved);
  if (saved.toStringRef() != settings) {
    throw ModelError(path.string() + ": this checkpoint was made with other settings (dataset, "
                     "learning rate, batch size, augmentation, seed, ...); resume with the same "
                     "ones, or start a new run directory");
  }
  torch::serialize::InputArchive model_archive, optim_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optim_archive);
  net.load(model_archive);
  opt.load(optim_archive);
  // Each read gets a fresh tensor: reading into a defined one keeps that one's type.
  const auto read = [&archive](const char* key) {
    torch::Tensor t;
    archive.read(key, t);
    return t;
  };
  p.epoch = static_cast<int>(read("epoch").item<int64_t>());
  p.best_epoch = static_cast<int>(read("best_epoch").item<int64_t>());
  p.best_value = read("best_value").item<double>();
  p.bad_epochs = static_cast<int>(read("bad_epochs").item<int64_t>());
  const torch::Tensor history = read("history").contiguous();
  const double* h = history.data_ptr<double>();
  p.history.clear();
  for (int64_t i = 0; i < history.size(0); ++i, h += kRecordFields) {
    p.history.push_back({static_cast<int>(h[0]), h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8],
                         h[9], h[10], h[11]});
  }
  const torch::Tensor rng = read("rng");
  at::Generator generator = at::detail::getDefaultCPUGenerator();  // shares the default state
  generator.set_state(rng);
}

double monitored(const EpochRecord& r, config::Monitor m) {
  switch (m) {
    case config::Monitor::ValLoss: return -r.val_loss;  // higher is better throughout
    case config::Monitor::ValF1: return r.val_f1;
    case config::Monitor::ValAccuracy: return r.val_accuracy;
  }
  return 0;
}

void write_logs(const fs::path& run_dir, const std::vector<EpochRecord>& history) {
  std::string csv = metrics_csv_header() + "\n";
  for (const auto& r : history) csv += metrics_csv_line(r) + "\n";
  write_file_atomically(run_dir / "metrics.csv", csv);
  report::Series tl{"train", {}, {}}, vl{"validation", {}, {}}, ta{"train", {}, {}}, va{"validation", {}, {}};
  for (const auto& r : history) {
    tl.x.push_back(r.epoch), tl.y.push_back(r.train_loss);
    vl.x.push_back(r.epoch), vl.y.push_back(r.val_loss);
    ta.x.push_back(r.epoch), ta.y.push_back(r.train_accuracy);
    va.x.push_back(r.epoch), va.y.push_back(r.val_accuracy);
  }
  report::save_line_chart(run_dir / "loss.png", {tl, vl}, {"Training and validation loss", "epoch", "loss", 0, 0, false});
  report::save_line_chart(run_dir / "accuracy.png", {ta, va},
                          {"Training and validation accuracy", "epoch", "accuracy", 0, 1, false});
}

void log_scalars(report::EventWriter& events, const EpochRecord& r) {
  const std::pair<const char*, double> scalars[] = {
      {"loss/train", r.train_loss},         {"loss/validation", r.val_loss},
      {"accuracy/train", r.train_accuracy}, {"accuracy/validation", r.val_accuracy},
      {"precision/train", r.train_precision}, {"precision/validation", r.val_precision},
      {"recall/train", r.train_recall},     {"recall/validation", r.val_recall},
      {"f1/train", r.train_f1},             {"f1/validation", r.val_f1}};
  for (const auto& [tag, value] : scalars) events.scalar(tag, r.epoch, static_cast<float>(value));
}

}  // namespace

TrainResult train_model(const TrainOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const torch::Device device = pick_device(o.device);
  const data::DatasetSummary ds = data::inspect_dataset(o.data_dir, o.dataset);
  const data::CachePaths paths = data::CachePaths::in(o.data_dir, o.dataset);
  torch::manual_seed(o.seed);
  Network n = build_network(o, ds);
  n.net->to(device);

  const bool finetune = o.mode == Mode::Finetune;
  const int epochs = finetune ? o.train.finetune_epochs : o.train.epochs;
  const double lr = finetune ? o.train.finetune_learning_rate : o.train.learning_rate;
  const bool frozen_backbone = n.mobilenet && !finetune && !o.train.pretrained.empty();
  // With augmentation, the cache holds augment_copies variants of every training image; without
  // copies, augmentation runs the backbone on every batch.
  const int copies = o.train.augment ? o.train.augment_copies : 0;
  const bool use_features = frozen_backbone && o.train.feature_cache && (!o.train.augment || copies > 0);

  data::BatchOptions train_opts;
  train_opts.batch_size = o.train.batch_size;
  train_opts.seed = o.seed;
  train_opts.workers = o.workers;
  train_opts.scale = n.meta.preprocessing.scale;
  train_opts.offset = n.meta.preprocessing.offset;
  train_opts.augment.enabled = o.train.augment;
  train_opts.balance = o.train.balance;
  data::BatchReader train_reader(paths.cache, data::Split::Train, train_opts);
  data::BatchOptions val_opts = train_opts;
  val_opts.shuffle = false;
  val_opts.augment.enabled = false;
  val_opts.balance = false;
  data::BatchReader val_reader(paths.cache, data::Split::Val, val_opts);
  if (train_reader.images() == 0) throw DataError("dataset '" + o.dataset + "' has no training images");

  torch::Tensor train_features, val_features;
  if (use_features) {
    std::tie(train_features, val_features) =
        backbone_features(*n.mobilenet, ds, paths, o, n.meta.preprocessing, copies, device);
  }

  std::vector<torch::Tensor> trainable;
  for (auto& p : n.net->parameters())
    if (p.requires_grad()) trainable.push_back(p);
  torch::optim::Adam optimizer(trainable, torch::optim::AdamOptions(lr));

  fs::create_directories(o.run_dir);
  const fs::path checkpoint = o.run_dir / "checkpoint.pt";
  const fs::path best_model = o.run_dir / "best.h5";
  const std::string settings = settings_key(o, ds);
  RunState p;
  if (o.resume) {
    if (!fs::exists(checkpoint)) {
      throw IoError(checkpoint.string() + ": no checkpoint to resume from");
    }
    load_checkpoint(checkpoint, *n.net, optimizer, p, settings);
    log::info("resuming {} after epoch {} of {}", o.run_dir.string(), p.epoch, epochs);
  } else if (fs::exists(checkpoint)) {
    throw IoError(o.run_dir.string() + ": holds a run already (checkpoint.pt); use --resume to "
                  "continue it or choose another --run-dir");
  }
  report::EventWriter events(o.run_dir);
  std::string cached;
  if (use_features) cached = ", frozen backbone on cached features";
  if (use_features && copies > 0) cached += fmt::format(" ({} augmented copies of each image)", copies);
  log::info("{} {} on {}: {} train / {} val images, {} epochs, batch {}, lr {}, {}{}",
            finetune ? "fine-tuning" : "training", models::architecture_name(n.meta.spec.architecture),
            o.dataset, train_reader.images(), val_reader.images(), epochs, o.train.batch_size, lr,
            o.device, cached);

  TrainResult result;
  result.used_feature_cache = use_features;
  for (int epoch = p.epoch; epoch < epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    n.net->train();
    train_reader.start_epoch(epoch);
    std::vector<float> scores, labels;
    double loss_sum = 0;
    Progress::Options bar = Progress::default_options();
    bar.closing_line = false;  // the epoch's log line follows
    Progress progress(fmt::format("epoch {}/{}", epoch + 1, epochs), train_reader.batches_per_epoch(), bar);
    const auto step = [&](const torch::Tensor& logits, const torch::Tensor& y) {
      const auto loss = torch::binary_cross_entropy_with_logits(logits, y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const auto prob = torch::sigmoid(logits.detach()).to(torch::kCPU).contiguous();
      scores.insert(scores.end(), prob.data_ptr<float>(), prob.data_ptr<float>() + prob.numel());
      loss_sum += loss.item<double>() * y.size(0);
      progress.advance();
    };
    if (use_features) {
      const auto order = train_reader.epoch_order(epoch);
      const auto& all_labels = train_reader.labels();
      data::Rng pick(o.seed ^ (static_cast<std::uint64_t>(epoch) << 20));  // which cached variant
      for (std::size_t first = 0; first < order.size(); first += o.train.batch_size) {
        const std::size_t last = std::min(order.size(), first + o.train.batch_size);
        std::vector<int64_t> rows;
        std::vector<float> y;
        for (std::size_t i = first; i < last; ++i) {
          const std::size_t variant = copies > 0 ? pick.next() % (copies + 1) : 0;
          rows.push_back(static_cast<int64_t>(variant * all_labels.size() + order[i]));
          y.push_back(all_labels[order[i]] ? 1.0f : 0.0f);
        }
        labels.insert(labels.end(), y.begin(), y.end());
        const auto x = train_features.index_select(0, torch::tensor(rows).to(device));
        const auto logits = n.mobilenet->head->forward(n.mobilenet->dropout->forward(x)).squeeze(1);
        step(logits, torch::tensor(y).to(device));
      }
    } else {
      while (auto b = train_reader.next()) {
        const auto x = torch::from_blob(b->images.data(), {b->count, 3, b->size, b->size}).to(device);
        labels.insert(labels.end(), b->labels.begin(), b->labels.end());
        step(n.net->forward(x).squeeze(1), torch::from_blob(b->labels.data(), {b->count}).to(device));
      }
    }
    progress.finish();

    eval::Scores val;
    if (use_features) {
      torch::NoGradGuard no_grad;
      n.net->eval();
      const auto logits = n.mobilenet->head->forward(val_features).squeeze(1);
      std::vector<float> y;
      for (const auto l : val_reader.labels()) y.push_back(l ? 1.0f : 0.0f);
      const auto yt = torch::tensor(y).to(device);
      val.loss = val_features.size(0) ? torch::binary_cross_entropy_with_logits(logits, yt).item<double>() : 0.0;
      const auto prob = torch::sigmoid(logits).to(torch::kCPU).contiguous();
      val.scores.assign(prob.data_ptr<float>(), prob.data_ptr<float>() + prob.numel());
      val.labels = y;
    } else {
      val = eval::score_split(*n.net, val_reader, o.device);
    }
    const eval::Metrics tm = eval::compute_metrics(scores, labels, 0.5);
    const eval::Metrics vm = eval::compute_metrics(val.scores, val.labels, 0.5);
    EpochRecord r{epoch + 1, loss_sum / std::max<std::size_t>(1, labels.size()), tm.accuracy,
                  tm.precision, tm.recall, tm.f1, val.loss, vm.accuracy, vm.precision,
                  vm.recall, vm.f1,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count()};
    p.history.push_back(r);
    p.epoch = epoch + 1;
    log::info("epoch {}/{}: loss {:.4f} acc {:.4f} f1 {:.4f} | val loss {:.4f} acc {:.4f} "
              "precision {:.4f} recall {:.4f} f1 {:.4f} ({:.1f} s)",
              r.epoch, epochs, r.train_loss, r.train_accuracy, r.train_f1, r.val_loss,
              r.val_accuracy, r.val_precision, r.val_recall, r.val_f1, r.seconds);

    const double value = monitored(r, o.train.monitor);
    if (p.best_epoch == 0 || value > p.best_value) {
      p.best_value = value;
      p.best_epoch = r.epoch;
      p.bad_epochs = 0;
      models::ModelMeta meta = n.meta;
      meta.created.clear();
      meta.metrics_json = fmt::format(
          R"({{"epoch":{},"split":"val","loss":{:.6f},"accuracy":{:.6f},"precision":{:.6f},"recall":{:.6f},"f1":{:.6f}}})",
          r.epoch, r.val_loss, r.val_accuracy, r.val_precision, r.val_recall, r.val_f1);
      n.net->to(torch::kCPU);
      models::save_model(best_model, *n.net, meta);
      n.net->to(device);
    } else {
      ++p.bad_epochs;
    }
    log_scalars(events, r);
    write_logs(o.run_dir, p.history);
    save_checkpoint(checkpoint, *n.net, optimizer, p, settings);
    if (o.train.patience > 0 && p.bad_epochs >= o.train.patience) {
      log::info("early stop: no improvement for {} epochs; best epoch {}", p.bad_epochs, p.best_epoch);
      result.stopped_early = true;
      break;
    }
  }
  result.history = p.history;
  result.best_epoch = p.best_epoch;
  result.model = best_model;
  if (!o.out.empty()) {
    AtomicFile out(o.out);
    fs::copy_file(best_model, out.temp(), fs::copy_options::overwrite_existing);
    out.commit();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace lockerctl::train
