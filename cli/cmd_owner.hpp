#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct OwnerOptions {
  std::string name;
  std::string phone;
  std::string email;
  bool password_stdin = false;  // set-password --stdin
  int count = 20;               // enroll-face --count
  std::string out;              // enroll-face --out
  std::vector<std::string> photos;  // enroll --photos
  bool camera = false;          // enroll --camera (with --count)
};

struct OwnerTrainOptions {
  std::string name;
  int epochs = 0;               // 0 = train.epochs
  std::string device;           // "" = runtime.device
};

struct OwnerVerifyOptions {
  std::string name;
  std::vector<std::string> inputs;  // images and folders
  bool json = false;
};

struct OwnerBenchmarkOptions {
  std::string dataset;          // one folder per person
  std::string impostors;        // extra folder of people who are never enrolled
  std::string descriptors;      // JSON lines {file, descriptor|null}: another pipeline's descriptors
  int enroll = 5;               // enrollment photos per person
  double target_far = 0.001;
  std::string report_dir = "reports/owner-benchmark";
};

/// Adds `lockerctl owner add|set-password|set-phone|set-email|enroll-totp|enroll|train|verify|benchmark|enroll-face|list`.
void setup_owner(CLI::App& app, const GlobalOptions& global, Action& action);

int run_owner_add(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_remove(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_set_password(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_set_phone(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_set_email(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_enroll_totp(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_enroll_face(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_list(const GlobalOptions& global);
int run_owner_enroll(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_train(const GlobalOptions& global, const OwnerTrainOptions& options);
int run_owner_verify(const GlobalOptions& global, const OwnerVerifyOptions& options);
int run_owner_benchmark(const GlobalOptions& global, const OwnerBenchmarkOptions& options);

}  // namespace lockerctl::cli
