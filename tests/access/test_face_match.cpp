// Layer 2 by face embeddings on real photos (LFW, the spoof samples): what enrollment refuses,
// 1:N over the candidates only, and damaged templates. Skips without ../shared/data or the
// fetched face model.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "access/face_match.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::access {
namespace {
namespace fs = std::filesystem;

fs::path manifest() { return test::source_dir() / "models/face/face_recognition_model-weights_manifest.json"; }

cv::Mat lfw(const std::string& person, int n) {
  return cv::imread(test::shared_data(fmt::format("lfw_subset/identities/{}/{}_{:04}.jpg", person, person, n)).string());
}

struct Faces : ::testing::Test {
  void SetUp() override {
    if (test::shared_data("lfw_subset").empty() || test::shared_data("face_models/yunet_120x160.onnx").empty()) {
      GTEST_SKIP() << "../shared/data (lfw_subset, face_models) is absent";
    }
    if (!fs::exists(manifest())) GTEST_SKIP() << manifest().string() << " is not fetched (scripts/fetch-face-models.sh)";
    vision::FaceOptions o;
    o.model = test::shared_data("face_models/yunet_120x160.onnx").string();
    detector = vision::make_face_detector(o);
    embedder = std::make_unique<inference::FaceEmbedder>(manifest());
    db = std::make_unique<audit::Database>(dir / "db");
    templates = std::make_unique<FaceTemplates>(*db, key);
    verifier = std::make_unique<FaceVerifier>(*detector, *embedder, nullptr, *templates, FaceMatchOptions{});
  }
  FaceMatch match(const cv::Mat& frame, const std::vector<std::string>& candidates) {
    return verifier->match(frame, detector->detect(frame), candidates);
  }
  std::vector<inference::FaceDescriptor> enroll(const std::string& person, const std::string& as) {
    std::vector<inference::FaceDescriptor> t;
    for (int n = 1; t.size() < 5; ++n) {
      std::string why;
      if (auto e = verifier->enrollment_face(lfw(person, n), why)) t.push_back(e->descriptor);
    }
    templates->replace(as, t);
    return t;
  }
  test::TempDir dir;
  audit::Key key{1, 2, 3};
  std::unique_ptr<vision::FaceDetector> detector;
  std::unique_ptr<inference::FaceEmbedder> embedder;
  std::unique_ptr<audit::Database> db;
  std::unique_ptr<FaceTemplates> templates;
  std::unique_ptr<FaceVerifier> verifier;
};

std::string refusal(FaceVerifier& v, const cv::Mat& frame) {
  std::string why;
  return v.enrollment_face(frame, why) ? "accepted" : why;
}

TEST_F(Faces, EnrollmentRefusesNoFaceTwoFacesATinyFaceABlurredFaceAndASpoof) {
  const cv::Mat photo = lfw("Abdullah_Gul", 1);
  EXPECT_EQ(refusal(*verifier, photo), "accepted");
  EXPECT_EQ(refusal(*verifier, cv::Mat(200, 200, CV_8UC3, cv::Scalar(90, 120, 150))), "no face found");
  cv::Mat two;
  cv::hconcat(photo, lfw("Amelie_Mauresmo", 1), two);
  EXPECT_EQ(refusal(*verifier, two), "2 faces; an enrollment photo shows exactly one");
  // The face at 3/4 size (a box of about 45 px; owner.min_face_px is 48) in a larger frame.
  cv::Mat small(300, 300, CV_8UC3, cv::Scalar::all(128)), shrunk;
  cv::resize(photo, shrunk, {}, 0.75, 0.75, cv::INTER_AREA);
  shrunk.copyTo(small(cv::Rect(80, 80, shrunk.cols, shrunk.rows)));
  EXPECT_EQ(refusal(*verifier, small).rfind("face too small: ", 0), 0u) << refusal(*verifier, small);
  cv::Mat blurred;
  cv::GaussianBlur(photo, blurred, {0, 0}, 2.5);
  EXPECT_EQ(refusal(*verifier, blurred).rfind("face too blurred: sharpness ", 0), 0u) << refusal(*verifier, blurred);

  if (test::shared_data("face_models/MiniFASNetV2.onnx").empty()) GTEST_SKIP() << "the liveness models are absent";
  const auto liveness = vision::make_liveness_check({test::shared_data("face_models/MiniFASNetV2.onnx").string(),
                                                     test::shared_data("face_models/MiniFASNetV1SE.onnx").string()});
  FaceVerifier strict(*detector, *embedder, liveness.get(), *templates, FaceMatchOptions{});
  const cv::Mat printed = cv::imread(test::shared_data("spoof_samples/image_F1.jpg").string());
  EXPECT_EQ(refusal(strict, printed).rfind("not a live face: liveness ", 0), 0u) << refusal(strict, printed);
  EXPECT_EQ(refusal(strict, cv::imread(test::shared_data("spoof_samples/image_T1.jpg").string())), "accepted");
}

TEST_F(Faces, MatchesOnlyAmongTheCandidates) {
  enroll("Abdullah_Gul", "alice");
  enroll("Amelie_Mauresmo", "bob");
  const cv::Mat alice_later = lfw("Abdullah_Gul", 12);
  const FaceMatch m = match(alice_later, {"bob", "alice"});
  EXPECT_TRUE(m.face);
  EXPECT_TRUE(m.matched) << m.score;
  EXPECT_EQ(m.closest, "alice");
  const FaceMatch only_bob = match(alice_later, {"bob"});
  EXPECT_FALSE(only_bob.matched) << "alice is not among the candidates; score " << only_bob.score;
  EXPECT_EQ(only_bob.closest, "bob");
  const FaceMatch nobody = match(alice_later, {"carol"});
  EXPECT_FALSE(nobody.matched);
  EXPECT_EQ(nobody.without_templates, std::vector<std::string>{"carol"});
  EXPECT_FALSE(match(cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(128)), {"alice"}).face);
}

TEST_F(Faces, ADamagedOrForgedTemplateNeverMatches) {
  enroll("Abdullah_Gul", "bob");
  enroll("Abdullah_Gul", "alice");
  // Someone who can write the database but has no key: bob's rows, MACs and all, moved to carol.
  db->exec("UPDATE face_templates SET owner = 'carol' WHERE owner = 'bob'");
  EXPECT_EQ(templates->load("carol").damaged, 5);
  EXPECT_TRUE(templates->load("carol").templates.empty());
  // Under another key nothing of alice's is trusted.
  FaceTemplates other_key(*db, audit::Key{9});
  EXPECT_EQ(other_key.load("alice").damaged, 5);
  // Every row edited: one value changed (checksum no longer fits), one cut short.
  db->exec("UPDATE face_templates SET descriptor = '00' || substr(descriptor, 3) WHERE position = 0");
  db->exec("UPDATE face_templates SET descriptor = substr(descriptor, 1, 100) WHERE position > 0");
  const OwnerTemplates t = templates->load("alice");
  EXPECT_TRUE(t.templates.empty());
  EXPECT_EQ(t.damaged, 5);
  const FaceMatch m = match(lfw("Abdullah_Gul", 12), {"alice"});
  EXPECT_FALSE(m.matched);
  EXPECT_EQ(m.damaged, 5);
}

}  // namespace
}  // namespace lockerctl::access
