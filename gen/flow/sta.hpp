// OpenSTA on a mapped netlist: critical path, slack, fmax and (with activities) power, which qrtl
// uses only to cross-check its own energy model (flow/power.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "flow/liberty.hpp"

namespace qrtl::flow {

struct Timing {
  double period_ns = 0;
  double slack_ns = 0;
  double arrival_ns = 0;       // data arrival at the critical endpoint
  double critical_ns = 0;      // period - slack: the shortest period that meets setup
  std::string startpoint, endpoint;
  double fmax_mhz() const { return 1000.0 / critical_ns; }
};

struct Power {
  double internal_w = 0, switching_w = 0, leakage_w = 0, total_w = 0;
};

struct StaResult {
  Timing timing;
  std::optional<Power> power;
};

// Runs sta in `dir` (which holds netlist.v) on `top`; with `activity_tcl` (a file in `dir`) also
// reports power. `tag` names the script and log files.
StaResult run_sta(const std::filesystem::path& dir, const std::string& tag, const Liberty& lib,
                  const std::string& top, const std::string& clock, double period_ns,
                  const std::optional<std::string>& activity_tcl);

// Parsers of OpenSTA's report_checks / report_power text (exposed for tests).
Timing parse_timing(const std::string& report);
Power parse_power(const std::string& report);

}  // namespace qrtl::flow
