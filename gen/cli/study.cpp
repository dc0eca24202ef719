#include "cli/study.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "flow/design_dir.hpp"
#include "flow/process.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;

nlohmann::ordered_json synth_one(const std::string& family, std::vector<std::string> sets, const fs::path& out,
                                 const flow::SynthOptions& so) {
  GenerateArgs g;
  g.family = family;
  g.sets = std::move(sets);
  g.out = out;
  g.force = true;
  generate(g);
  const auto d = flow::load_design(out);
  fmt::print("synthesizing {} ...\n", d.name);
  return flow::synth_design(d, so).report;
}

flow::SynthOptions study_synth_options() {
  flow::SynthOptions so;
  so.equiv = "off";
  return so;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void write_study(const fs::path& out, const std::string& name, const nlohmann::ordered_json& json,
                 const std::string& md) {
  flow::write_text(out / (name + ".json"), json.dump(2) + "\n");
  flow::write_text(out / (name + ".md"), md);
  fmt::print("\n{}\n{}: {}\n", md, name, (out / (name + ".md")).string());
}

}  // namespace qrtl::cli
