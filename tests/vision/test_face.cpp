// Face detection (YuNet, Haar, whole frame), the layer-2 crop, the model-file pins and the
// liveness check, on real photos from ../shared/data where the test needs them.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.hpp"
#include "data/image.hpp"
#include "support/temp_dir.hpp"
#include "vision/face.hpp"
#include "vision/liveness.hpp"

namespace lockerctl::vision {
namespace {

const char* kCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

FaceOptions options_for(DetectorKind kind) {
  FaceOptions o;
  o.kind = kind;
  o.model = test::shared_data("face_models/yunet_120x160.onnx").string();
  o.cascade = kCascade;
  return o;
}

#define NEED_SHARED(relative) \
  if (test::shared_data(relative).empty()) GTEST_SKIP() << "../shared/data/" << (relative) << " is absent"

/// Image files of a folder, in name order, at most `limit` (evenly spread when there are more).
std::vector<std::filesystem::path> images_in(const std::filesystem::path& dir, std::size_t limit) {
  std::vector<std::filesystem::path> all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all.push_back(e.path());
  }
  std::sort(all.begin(), all.end());
  if (all.size() <= limit) return all;
  std::vector<std::filesystem::path> picked;
  for (std::size_t i = 0; i < limit; ++i) picked.push_back(all[i * all.size() / limit]);
  return picked;
}

Face face_at(float x, float y, float w, float h) {
  Face f;
  f.box = cv::Rect2f(x, y, w, h);
  return f;
}

TEST(CropFace, IsASquareAroundTheFaceWithTheMarginAndBlackWhereTheFrameEnds) {
  cv::Mat frame(100, 100, CV_8UC3, cv::Scalar(50, 100, 150));
  const cv::Mat inside = crop_face(frame, face_at(40, 30, 20, 30), 0.25);
  EXPECT_EQ(inside.size(), cv::Size(45, 45)) << "30 px side + 2 x 25%";
  EXPECT_EQ(inside.at<cv::Vec3b>(0, 0), cv::Vec3b(50, 100, 150));

  const Face edge = face_at(80, 40, 40, 40);  // 20 px of it lie past the right border
  EXPECT_TRUE(edge.cut_off(frame.size()));
  EXPECT_FALSE(face_at(40, 30, 20, 30).cut_off(frame.size()));
  const cv::Mat cut = crop_face(frame, edge, 0.0);
  ASSERT_EQ(cut.size(), cv::Size(40, 40)) << "a cut-off face keeps its size";
  EXPECT_EQ(cut.at<cv::Vec3b>(20, 5), cv::Vec3b(50, 100, 150));
  EXPECT_EQ(cut.at<cv::Vec3b>(20, 30), cv::Vec3b(0, 0, 0)) << "beyond the frame is black";

  const cv::Mat whole = crop_face(frame, face_at(0, 0, 100, 100), 0.2);
  EXPECT_EQ(whole.data, frame.data) << "the whole-frame face is the frame itself";
}

TEST(WholeFrame, IsOneFaceTheSizeOfTheFrame) {
  auto d = make_face_detector(options_for(DetectorKind::WholeFrame));
  const auto faces = d->detect(cv::Mat(20, 30, CV_8UC3));
  ASSERT_EQ(faces.size(), 1u);
  EXPECT_EQ(cv::Rect(faces[0].box), cv::Rect(0, 0, 30, 20));
  EXPECT_TRUE(d->detect(cv::Mat()).empty());
}

TEST(Haar, NamesAMissingCascade) {
  FaceOptions o = options_for(DetectorKind::Haar);
  o.cascade = "/no/cascade.xml";
  try {
    make_face_detector(o);
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/cascade.xml: no such file"), std::string::npos) << e.what();
  }
}

TEST(Haar, FindsTheFaceInAPhotoAndNoneInAPlainWall) {
  NEED_SHARED("caltech101_subset/Faces_easy/image_0001.jpg");
  if (!std::filesystem::exists(kCascade)) GTEST_SKIP() << kCascade << " is absent (Debian package opencv-data)";
  auto d = make_face_detector(options_for(DetectorKind::Haar));
  const cv::Mat image = cv::imread(test::shared_data("caltech101_subset/Faces_easy/image_0001.jpg").string());
  const auto faces = d->detect(image);
  ASSERT_FALSE(faces.empty());
  EXPECT_LT(faces[0].box.width, image.cols);
  EXPECT_FALSE(faces[0].has_landmarks);
  EXPECT_TRUE(d->detect(cv::Mat(200, 200, CV_8UC3, cv::Scalar(120, 120, 120))).empty());
}

TEST(ModelFile, AMissingOrCorruptFileIsNamedWithItsExpectedHash) {
  test::TempDir dir;
  try {
    data::verify_model_file((dir / "yunet.onnx").string(), kYuNetSha256);
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{}: no such file; expected a file with SHA-256 {} (scripts/fetch-face-models.sh fetches it)",
                          (dir / "yunet.onnx").string(), kYuNetSha256));
  }
  const auto truncated = dir.write("yunet.onnx", "ONNX but only the first bytes");
  FaceOptions o = options_for(DetectorKind::YuNet);
  o.model = truncated.string();
  try {
    make_face_detector(o);
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("wrong SHA-256 (corrupt or another model); expected a file with SHA-256 " +
                                         std::string(kYuNetSha256)),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make_liveness_check({truncated.string(), truncated.string()}), ModelError);
}

TEST(ModelFile, ThePinsInTheCodeAreThoseOfTheFetchScript) {
  std::ifstream in(test::source_dir() / "scripts/face-models.sha256");
  ASSERT_TRUE(in) << "scripts/face-models.sha256";
  std::map<std::string, std::string> pins;
  std::string sum, name;
  while (in >> sum >> name) pins[name] = sum;
  EXPECT_EQ(pins["yunet_120x160.onnx"], kYuNetSha256);
  EXPECT_EQ(pins["MiniFASNetV2.onnx"], kMiniFasNetV2Sha256);
  EXPECT_EQ(pins["MiniFASNetV1SE.onnx"], kMiniFasNetV1SeSha256);
}

/// Share of `files` in which the detector finds at least one face.
double found_share(FaceDetector& d, const std::vector<std::filesystem::path>& files) {
  int found = 0;
  for (const auto& f : files) found += d.detect(cv::imread(f.string())).empty() ? 0 : 1;
  return static_cast<double>(found) / static_cast<double>(files.size());
}

TEST(YuNet, FindsFacesWithLandmarksInRealPhotos) {
  NEED_SHARED("face_models/yunet_120x160.onnx");
  const auto lfw = test::shared_data("lfw_subset/identities");
  const auto caltech = test::shared_data("caltech101_subset/Faces_easy");
  if (lfw.empty() || caltech.empty()) GTEST_SKIP() << "../shared/data/lfw_subset or caltech101_subset is absent";
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  const double lfw_rate = found_share(*d, images_in(lfw, 120));
  const double caltech_rate = found_share(*d, images_in(caltech, 60));
  std::cout << fmt::format("[ figures  ] YuNet found a face in {:.1f}% of 120 LFW photos and {:.1f}% of 60 Caltech "
                           "Faces_easy photos\n", 100 * lfw_rate, 100 * caltech_rate);
  EXPECT_GE(lfw_rate, 0.95);
  EXPECT_GE(caltech_rate, 0.95);

  const cv::Mat photo = cv::imread(images_in(lfw, 1).front().string());
  const auto faces = d->detect(photo);
  ASSERT_FALSE(faces.empty());
  const Face& f = faces.front();
  EXPECT_TRUE(f.has_landmarks);
  EXPECT_GT(f.score, 0.7f);
  // LFW photos are centred on the face: the eyes lie above the nose, the mouth below it, all in the box.
  EXPECT_LT(f.landmarks[0].y, f.landmarks[2].y);
  EXPECT_LT(f.landmarks[1].y, f.landmarks[2].y);
  EXPECT_GT(f.landmarks[3].y, f.landmarks[2].y);
  for (const auto& p : f.landmarks) EXPECT_TRUE(f.box.contains(p)) << p;
  EXPECT_NEAR(f.box.x + f.box.width / 2, photo.cols / 2.0, photo.cols * 0.1);
}

TEST(YuNet, FindsNoFaceInRoomsAndObjects) {
  NEED_SHARED("face_models/yunet_120x160.onnx");
  const auto rooms = test::shared_data("people/not_person/houses");
  const auto objects = test::shared_data("caltech101_subset/laptop");
  if (rooms.empty() || objects.empty()) GTEST_SKIP() << "../shared/data/people or caltech101_subset is absent";
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  std::vector<std::filesystem::path> files = images_in(rooms, 40);
  for (const auto& f : images_in(objects, 20)) files.push_back(f);
  std::vector<std::string> with_faces;
  for (const auto& f : files) {
    if (!d->detect(cv::imread(f.string())).empty()) with_faces.push_back(f.filename().string());
  }
  EXPECT_TRUE(with_faces.empty()) << with_faces.size() << " of " << files.size() << ", first " << with_faces.front();
  EXPECT_TRUE(d->detect(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 90, 90))).empty());
}

TEST(YuNet, AnyImageSizeGivesAResultAndATightFaceCropIsFound) {
  NEED_SHARED("face_models/yunet_120x160.onnx");
  const auto lfw = test::shared_data("lfw_subset/identities");
  if (lfw.empty()) GTEST_SKIP() << "../shared/data/lfw_subset is absent";
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  for (const cv::Size size : {cv::Size(1, 1), cv::Size(16, 16), cv::Size(57, 75), cv::Size(4000, 3000), cv::Size(4000, 1),
                              cv::Size(1, 4000), cv::Size(31, 33)}) {
    EXPECT_NO_THROW(EXPECT_TRUE(d->detect(cv::Mat(size, CV_8UC3, cv::Scalar(90, 120, 150))).empty())) << size;
  }
  EXPECT_NO_THROW(d->detect(cv::Mat()));
  // A 57x75 crop of a face (as anti-spoofing sets and thumbnails have them): found, and boxed
  // inside the crop.
  const cv::Mat photo = cv::imread(images_in(lfw, 1).front().string());
  const auto faces = d->detect(photo);
  ASSERT_FALSE(faces.empty());
  const cv::Rect box = cv::Rect(faces.front().box) & cv::Rect(0, 0, photo.cols, photo.rows);
  cv::Mat tight;
  cv::resize(photo(box), tight, cv::Size(57, 75), 0, 0, cv::INTER_AREA);
  std::vector<Face> found;
  ASSERT_NO_THROW(found = d->detect(tight));
  ASSERT_FALSE(found.empty()) << "no face in a tight 57x75 crop";
  EXPECT_NEAR(found.front().box.x + found.front().box.width / 2, 57 / 2.0, 12);
  EXPECT_NEAR(found.front().box.y + found.front().box.height / 2, 75 / 2.0, 15);
  // The same face in a 4000x3000 frame.
  cv::Mat big(3000, 4000, CV_8UC3, cv::Scalar(60, 60, 60));
  cv::Mat face_big;
  cv::resize(photo, face_big, cv::Size(1000, 1000));
  face_big.copyTo(big(cv::Rect(1500, 1000, 1000, 1000)));
  EXPECT_FALSE(d->detect(big).empty());
}

/// The face of `image` (box `b`) enlarged to `width` px, in a frame of `frame` px around it.
cv::Mat close_up(const cv::Mat& image, const cv::Rect2f& b, double width, cv::Size frame) {
  const double zoom = width / b.width;
  cv::Mat big;
  cv::resize(image, big, cv::Size(), zoom, zoom, cv::INTER_LINEAR);
  const cv::Point centre(static_cast<int>((b.x + b.width / 2) * zoom), static_cast<int>((b.y + b.height / 2) * zoom));
  const cv::Rect window =
      cv::Rect(centre.x - frame.width / 2, centre.y - frame.height / 2, frame.width, frame.height) &
      cv::Rect(0, 0, big.cols, big.rows);
  return big(window).clone();
}

TEST(YuNet, FindsAndBoxesFacesLargerThan300PixelsInCloseUps) {
  NEED_SHARED("face_models/yunet_120x160.onnx");
  const auto photo = test::shared_data("spoof_samples/image_T1.jpg");
  if (photo.empty()) GTEST_SKIP() << "../shared/data/spoof_samples is absent";
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  const cv::Mat image = cv::imread(photo.string());
  const auto far = d->detect(image);
  ASSERT_FALSE(far.empty());
  // A person at arm's length from a 1280x960 camera: the face is 800 px wide. Seen at 640 px only,
  // YuNet boxes it at about 620 px; the close pass boxes it whole.
  const cv::Mat hd = close_up(image, far.front().box, 800, {1280, 960});
  const auto faces = d->detect(hd);
  ASSERT_FALSE(faces.empty()) << "no face in a " << hd.cols << "x" << hd.rows << " close-up";
  EXPECT_NEAR(faces.front().box.width, 800, 80);
  EXPECT_NEAR(faces.front().box.x + faces.front().box.width / 2, hd.cols / 2.0, 80);
  // The same at 640x480, where the face fills the frame and reaches past its borders.
  const cv::Mat vga = close_up(image, far.front().box, 700, {640, 480});
  const auto vga_faces = d->detect(vga);
  ASSERT_FALSE(vga_faces.empty());
  EXPECT_GT(vga_faces.front().box.width, 400);
}

TEST(TrainingCrop, CropsTheLargestFaceOfAnRgbImageAsRunDoesAndNamesImagesWithoutOne) {
  NEED_SHARED("face_models/yunet_120x160.onnx");
  const auto lfw = test::shared_data("lfw_subset/identities");
  if (lfw.empty()) GTEST_SKIP() << "../shared/data/lfw_subset is absent";
  FaceOptions o = options_for(DetectorKind::YuNet);
  TrainingCrop crop(o);
  const cv::Mat bgr = cv::imread(images_in(lfw, 1).front().string());
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  std::string why;
  const cv::Mat out = crop(rgb, why);
  ASSERT_FALSE(out.empty()) << why;
  auto detector = make_face_detector(o);
  const auto expected = layer2_input(rgb, detector->detect(bgr), o.margin);
  ASSERT_TRUE(expected);
  EXPECT_EQ(cv::norm(out, expected->image, cv::NORM_INF), 0) << "the crop run makes, in RGB";
  EXPECT_EQ(out.cols, out.rows);
  EXPECT_LT(out.cols, rgb.cols);
  EXPECT_NE(crop.description().find("largest yunet face"), std::string::npos) << crop.description();
  EXPECT_TRUE(crop(cv::Mat(200, 200, CV_8UC3, cv::Scalar(90, 90, 90)), why).empty());
  EXPECT_EQ(why, "no face found");
}

/// The authors' test-time crop, written again from their description (CropImage._get_new_box),
/// with the box in corner form and the shifts as clamps.
cv::Mat reference_crop(const cv::Mat& img, const cv::Rect2f& box, double scale) {
  const double src_w = img.cols, src_h = img.rows;
  scale = std::min(scale, std::min((src_h - 1) / box.height, (src_w - 1) / box.width));
  const double new_w = box.width * scale, new_h = box.height * scale;
  double left = box.x + box.width / 2.0 - new_w / 2, top = box.y + box.height / 2.0 - new_h / 2;
  left = std::clamp(left, 0.0, (src_w - 1) - new_w);
  top = std::clamp(top, 0.0, (src_h - 1) - new_h);
  const int x0 = static_cast<int>(left), y0 = static_cast<int>(top);
  const int x1 = static_cast<int>(left + new_w), y1 = static_cast<int>(top + new_h);
  cv::Mat out;
  cv::resize(img(cv::Range(y0, y1 + 1), cv::Range(x0, x1 + 1)), out, cv::Size(80, 80));
  return out;
}

/// Softmax probability of class 1 ("real") of one MiniFASNet on an 80x80 BGR crop.
double reference_real(const std::filesystem::path& model, const cv::Mat& crop) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(model.string());
  cv::Mat blob({1, 3, 80, 80}, CV_32F);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 80; ++y)
      for (int x = 0; x < 80; ++x) blob.ptr<float>(0, c, y)[x] = crop.at<cv::Vec3b>(y, x)[c];
  net.setInput(blob);
  const cv::Mat logits = net.forward();
  const float* l = logits.ptr<float>();
  const double m = std::max({l[0], l[1], l[2]});
  return std::exp(l[1] - m) / (std::exp(l[0] - m) + std::exp(l[1] - m) + std::exp(l[2] - m));
}

TEST(LivenessCrop, MatchesTheAuthorsCropInsideAndAtTheBorders) {
  cv::Mat img(240, 320, CV_8UC3);
  cv::randu(img, 0, 255);
  for (const cv::Rect2f box : {cv::Rect2f(140, 100, 40, 50), cv::Rect2f(2, 3, 60, 60), cv::Rect2f(270, 190, 45, 45),
                               cv::Rect2f(10, 10, 200, 200)}) {
    for (double scale : {2.7, 4.0}) {
      const cv::Mat ours = liveness_crop(img, box, scale, 80);
      const cv::Mat theirs = reference_crop(img, box, scale);
      EXPECT_EQ(cv::norm(ours, theirs, cv::NORM_INF), 0) << box << " scale " << scale;
    }
  }
}

TEST(Liveness, ScoresMatchThePublishedPreprocessingComputedIndependently) {
  NEED_SHARED("face_models/MiniFASNetV2.onnx");
  const auto sample = test::shared_data("spoof_samples/image_F1.jpg");
  if (sample.empty()) GTEST_SKIP() << "../shared/data/spoof_samples is absent";
  const auto v2 = test::shared_data("face_models/MiniFASNetV2.onnx");
  const auto v1se = test::shared_data("face_models/MiniFASNetV1SE.onnx");
  auto check = make_liveness_check({v2.string(), v1se.string()});
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  for (const char* name : {"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"}) {
    const cv::Mat img = cv::imread(test::shared_data(std::string("spoof_samples/") + name).string());
    const auto faces = d->detect(img);
    ASSERT_FALSE(faces.empty()) << name;
    const cv::Rect2f box = faces.front().box;
    const double expected =
        (reference_real(v2, reference_crop(img, box, 2.7)) + reference_real(v1se, reference_crop(img, box, 4.0))) / 2;
    EXPECT_NEAR(check->score(img, faces.front()), expected, 1e-5) << name;
  }
}

TEST(Liveness, TellsTheRealSampleFromThePrintedAndReplayedOnes) {
  NEED_SHARED("face_models/MiniFASNetV2.onnx");
  if (test::shared_data("spoof_samples").empty()) GTEST_SKIP() << "../shared/data/spoof_samples is absent";
  auto check = make_liveness_check({test::shared_data("face_models/MiniFASNetV2.onnx").string(),
                                    test::shared_data("face_models/MiniFASNetV1SE.onnx").string()});
  auto d = make_face_detector(options_for(DetectorKind::YuNet));
  std::map<std::string, double> score;
  for (const char* name : {"image_T1.jpg", "image_T2.jpg", "image_F1.jpg", "image_F2.jpg"}) {
    const cv::Mat img = cv::imread(test::shared_data(std::string("spoof_samples/") + name).string());
    const auto faces = d->detect(img);
    ASSERT_FALSE(faces.empty()) << name;
    score[name] = check->score(img, faces.front());
  }
  std::cout << fmt::format("[ figures  ] liveness: T1 (real) {:.4f}, T2 (real) {:.4f}, F1 (spoof) {:.4f}, F2 (spoof) "
                           "{:.4f}\n", score["image_T1.jpg"], score["image_T2.jpg"], score["image_F1.jpg"],
                           score["image_F2.jpg"]);
  const double threshold = 0.5;  // liveness.threshold's default
  EXPECT_GE(score["image_T1.jpg"], threshold);
  EXPECT_LT(score["image_F1.jpg"], threshold);
  EXPECT_LT(score["image_F2.jpg"], threshold);
  // T2, a 2160x1617 real photo, scores as a spoof with these exports (SOURCES.md says so too): the
  // reason the threshold is calibrated per camera. It is printed above, not asserted.
}

}  // namespace
}  // namespace lockerctl::vision
