#include "vision/face_bench.hpp"

#include <opencv2/imgproc.hpp>

namespace lockerctl::vision {

cv::Mat camera_frame(const cv::Mat& image, cv::Size size) {
  const double aspect = static_cast<double>(size.width) / size.height;
  cv::Rect cut(0, 0, image.cols, image.rows);
  if (image.cols > image.rows * aspect) {
    cut.width = static_cast<int>(image.rows * aspect);
    cut.x = (image.cols - cut.width) / 2;
  } else {
    cut.height = static_cast<int>(image.cols / aspect);
    cut.y = (image.rows - cut.height) / 2;
  }
  cv::Mat frame;
  cv::resize(image(cut), frame, size, 0, 0, cv::INTER_AREA);
  return frame;
}

std::vector<FaceBenchRow> bench_faces(FaceDetector& detector, LivenessCheck& liveness,
                                      const std::vector<cv::Mat>& frames, int calls) {
  std::vector<std::pair<cv::Mat, Face>> with_face;
  for (const cv::Mat& f : frames) {
    const auto faces = detector.detect(f);
    if (!faces.empty()) with_face.emplace_back(f, faces.front());
  }
  std::size_t i = 0, j = 0, k = 0;
  std::vector<FaceBenchRow> rows;
  rows.push_back({"detection", time_calls(calls, [&] { detector.detect(frames[i++ % frames.size()]); })});
  if (with_face.empty()) return rows;
  rows.push_back({"liveness", time_calls(calls, [&] {
                    const auto& [frame, face] = with_face[j++ % with_face.size()];
                    liveness.score(frame, face);
                  })});
  rows.push_back({"detection + liveness", time_calls(calls, [&] {
                    const cv::Mat& frame = with_face[k++ % with_face.size()].first;
                    const auto faces = detector.detect(frame);
                    if (!faces.empty()) liveness.score(frame, faces.front());
                  })});
  return rows;
}

}  // namespace lockerctl::vision
