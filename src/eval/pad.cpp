#include "eval/pad.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"
#include "core/fs.hpp"
#include "eval/metrics.hpp"
#include "report/plot.hpp"

namespace lockerctl::eval {
namespace {

/// Real faces are the positive class: an accepted attack is a false accept, a refused face a false reject.
PadRates rates_of(const Confusion& c) { return {c.fp + c.tn, c.fp, c.tp + c.fn, c.fn}; }

double share(std::size_t part, std::size_t whole) { return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0; }

nlohmann::json rates_json(const PadRates& r) {
  return {{"attacks", r.attacks}, {"attacks_accepted", r.attacks_accepted}, {"apcer", r.apcer()},
          {"reals", r.reals},     {"reals_refused", r.reals_refused},       {"bpcer", r.bpcer()}};
}

}  // namespace

double PadRates::apcer() const { return share(attacks_accepted, attacks); }
double PadRates::bpcer() const { return share(reals_refused, reals); }

std::string rate_text(std::size_t part, std::size_t whole) {
  return whole ? fmt::format("{:.2f}% ({} of {})", 100 * share(part, whole), part, whole) : std::string("-");
}

PadFigures pad_figures(const std::vector<PadSample>& samples, double threshold, double target_apcer, std::size_t worst) {
  PadFigures f;
  f.threshold = threshold;
  f.target_apcer = target_apcer;
  std::vector<float> scores, labels, attack_scores, attack_labels;
  std::vector<std::string> sources, types;
  for (const PadSample& s : samples) {
    scores.push_back(static_cast<float>(s.score));
    labels.push_back(s.real ? 1.f : 0.f);
    sources.push_back(s.source);
    if (!s.real) {
      attack_scores.push_back(static_cast<float>(s.score));
      attack_labels.push_back(0.f);
      types.push_back(s.type);
    }
  }
  f.overall = rates_of(confusion_at(scores, labels, threshold));
  if (f.overall.reals == 0 || f.overall.attacks == 0) {
    throw DataError(fmt::format("need real and attack presentations with a face; have {} real and {} attack",
                                f.overall.reals, f.overall.attacks));
  }
  for (const SourceMetrics& m : metrics_by_source(scores, labels, sources, threshold)) f.by_source[m.source] = rates_of(m.confusion);
  for (const SourceMetrics& m : metrics_by_source(attack_scores, attack_labels, types, threshold)) {
    f.by_type[m.source] = rates_of(m.confusion);
  }
  f.roc_auc = roc_auc(scores, labels);
  for (const RocPoint& p : roc_curve(scores, labels)) {
    f.curve_apcer.push_back(p.far);
    f.curve_live.push_back(p.tpr);
  }
  f.threshold_for_target = threshold_for_far(scores, labels, target_apcer);
  f.at_target = rates_of(confusion_at(scores, labels, f.threshold_for_target));
  for (const PadSample& s : samples) (s.real ? f.worst_reals : f.worst_attacks).push_back(s);
  const auto keep = [&](std::vector<PadSample>& v, bool highest_first) {
    std::stable_sort(v.begin(), v.end(), [&](const PadSample& a, const PadSample& b) {
      return highest_first ? a.score > b.score : a.score < b.score;
    });
    if (v.size() > worst) v.resize(worst);
  };
  keep(f.worst_attacks, true);
  keep(f.worst_reals, false);
  return f;
}

nlohmann::json pad_json(const PadFigures& f) {
  nlohmann::json j{{"threshold", f.threshold}, {"overall", rates_json(f.overall)}, {"roc_auc", f.roc_auc},
                   {"target_apcer", f.target_apcer}, {"threshold_for_target", f.threshold_for_target},
                   {"at_target", rates_json(f.at_target)}};
  for (const auto& [type, r] : f.by_type) j["by_type"][type] = rates_json(r);
  for (const auto& [source, r] : f.by_source) j["by_source"][source] = rates_json(r);
  for (const auto& [key, list] : {std::pair{"worst_attacks", &f.worst_attacks}, std::pair{"worst_reals", &f.worst_reals}}) {
    j[key] = nlohmann::json::array();
    for (const PadSample& s : *list) j[key].push_back({{"image", s.image}, {"score", s.score}, {"source", s.source}});
  }
  return j;
}

void write_pad_report(const std::filesystem::path& dir, const PadFigures& f, const std::string& title, nlohmann::json fields) {
  std::filesystem::create_directories(dir);
  fields.update(pad_json(f));
  write_file_atomically(dir / "pad.json", fields.dump(2) + "\n");

  std::string md = fmt::format("# {}\n\nISO/IEC 30107-3: APCER = attacks accepted as live, BPCER = real faces refused.\n\n", title);
  md += "| | APCER | BPCER |\n| --- | --- | --- |\n";
  md += fmt::format("| at the threshold {:.3f} | {} | {} |\n", f.threshold, rate_text(f.overall.attacks_accepted, f.overall.attacks),
                    rate_text(f.overall.reals_refused, f.overall.reals));
  md += fmt::format("| at {:.4f}, for APCER <= {:g}% | {} | {} |\n\nROC AUC {:.4f}.\n\n", f.threshold_for_target,
                    100 * f.target_apcer, rate_text(f.at_target.attacks_accepted, f.at_target.attacks),
                    rate_text(f.at_target.reals_refused, f.at_target.reals), f.roc_auc);
  md += fmt::format("By attack type, at {:.3f}:\n\n| type | APCER |\n| --- | --- |\n", f.threshold);
  for (const auto& [type, r] : f.by_type) md += fmt::format("| {} | {} |\n", type, rate_text(r.attacks_accepted, r.attacks));
  md += fmt::format("\nBy source, at {:.3f}:\n\n| source | APCER | BPCER |\n| --- | --- | --- |\n", f.threshold);
  for (const auto& [source, r] : f.by_source) {
    md += fmt::format("| {} | {} | {} |\n", source, rate_text(r.attacks_accepted, r.attacks), rate_text(r.reals_refused, r.reals));
  }
  md += "\nThe attacks scored most live:\n\n";
  for (const PadSample& s : f.worst_attacks) md += fmt::format("- {:.4f} {}\n", s.score, s.image);
  md += "\nThe real faces scored least live:\n\n";
  for (const PadSample& s : f.worst_reals) md += fmt::format("- {:.4f} {}\n", s.score, s.image);
  write_file_atomically(dir / "pad.md", md);

  // ROC in ISO terms: attacks accepted along x, real faces accepted (1 - BPCER) up y.
  const report::Series roc{fmt::format("AUC {:.3f}", f.roc_auc), f.curve_apcer, f.curve_live};
  report::save_line_chart(dir / "roc.png", {roc}, {title, "APCER (attacks accepted)", "1 - BPCER (real faces accepted)", 0, 1, true});
}

}  // namespace lockerctl::eval
