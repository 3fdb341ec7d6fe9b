#pragma once

// PNG figures like the paper's (training curves, ROC, confusion matrix), drawn with OpenCV.

#include <filesystem>
#include <string>
#include <vector>

namespace lockerctl::report {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct ChartOptions {
  std::string title, x_label, y_label;
  double y_min = 0, y_max = 0;   ///< both 0: fit the data
  bool diagonal = false;         ///< draw y = x (ROC chance line)
};

/// A line chart with axes, ticks and a legend, written atomically as PNG. Throws IoError.
void save_line_chart(const std::filesystem::path& png, const std::vector<Series>& series,
                     const ChartOptions& options);

/// A 2x2 confusion matrix (rows: actual, columns: predicted; positive class first) as PNG.
void save_confusion_matrix(const std::filesystem::path& png, std::size_t tp, std::size_t fn,
                           std::size_t fp, std::size_t tn, const std::string& positive,
                           const std::string& negative, const std::string& title);

}  // namespace lockerctl::report
