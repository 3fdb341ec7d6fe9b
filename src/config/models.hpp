#pragma once
// Configuration: the two decision layers' classes and input sizes, how layer 2 decides, and
// training. Each section's struct carries its keys, defaults and checks (visit); config/config.hpp
// puts the sections together.
#include <string>

#include "config/schema.hpp"

namespace lockerctl::config {

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

}  // namespace lockerctl::config
