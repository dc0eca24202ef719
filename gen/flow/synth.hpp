// `qrtl synth`: Yosys synthesis onto a Liberty library (area, per-module area), OpenSTA timing,
// energy per operation from toggles measured in a gate-level Verilator run of the family bench
// (which also checks the netlist against the golden model), and a Yosys equivalence proof of
// RTL vs netlist for small designs. Report: JSON first, Markdown and CSV rendered from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/design_dir.hpp"

namespace qrtl::flow {

struct SynthOptions {
  std::string liberty = "osu018";
  std::optional<double> clock_ns;       // default: the critical path rounded up to 0.01 ns
  bool power = true;                     // gate-level simulation + OpenSTA power
  std::uint64_t power_vectors = 2000;    // beats of the power workload
  double activity_scale = 1.0;           // multiplies the data nets' measured toggles (what-if); not the clock
  std::string equiv = "auto";
  // Uniform activities (toggles per cycle) at which the energy model is compared with OpenSTA's
  // set_power_activity -global (report["power_crosscheck"]).
  std::vector<double> crosscheck;            // auto | on | off
  // Settings of the power workload, KEY=VALUE (the family's workload keys, e.g. valid_fraction=0.1):
  // the default operating point.
  std::vector<std::string> workload;
  // Energy at several operating points of one netlist: each entry is a comma-separated list of
  // KEY=VALUE settings on top of `workload` (e.g. "k=8,ka=2" for mmac budgets). Empty: `workload`
  // alone. report["power"] is the first point; all are in "power_sweep".
  std::vector<std::string> power_points;
};

// Designs up to this many mapped cells get the formal equivalence check under equiv = auto: an
// 8x8-bit MAC (~800 cells) proves in about 35 s on one core; a 4x4 array of them had not finished after 8 min.
inline constexpr std::int64_t kEquivAutoCells = 1500;

struct SynthResult {
  nlohmann::ordered_json report;   // also written to DIR/synth/report.json
  std::filesystem::path dir;       // DIR/synth
};

SynthResult synth_design(const DesignDir& d, const SynthOptions& o);

// report.md and the CSV row (with header) rendered from a report.
std::string synth_markdown(const nlohmann::ordered_json& report);
std::string synth_csv(const nlohmann::ordered_json& report, bool header);

// Rewrites Yosys' concatenation assigns of a netlist as one assign per bit (OpenSTA reads no
// concatenations); throws ToolError on a form it does not understand.
std::string split_concat_assigns(const std::string& netlist);

}  // namespace qrtl::flow
