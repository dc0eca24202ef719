#include "flow/lint.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>

#include "flow/process.hpp"
#include "units/clock_gating.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

bool LintResult::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const LintCheck& c) { return c.ok; });
}

namespace {

std::string first_line(const std::string& text) {
  std::istringstream is(text);
  std::string line;
  while (std::getline(is, line))
    if (!line.empty()) return line;
  return {};
}

// A gate passes when the tool exits 0 and prints nothing: any warning is a failure.
LintCheck gate(const std::string& tool, const std::vector<std::string>& argv, const DesignDir& d,
               const fs::path& log) {
  const auto r = run(argv, d.dir, log);
  LintCheck c{tool, r.exit_code == 0 && first_line(r.output).empty(), first_line(r.output)};
  if (!c.ok && c.detail.empty()) c.detail = fmt::format("exit {}", r.exit_code);
  return c;
}

}  // namespace

LintResult lint_design(const DesignDir& d) {
  const std::string verilator = require_tool("verilator", "qrtl lint").string();
  const std::string iverilog = require_tool("iverilog", "qrtl lint").string();
  const std::string yosys = require_tool("yosys", "qrtl lint").string();

  LintResult res;
  res.log = d.dir / "lint" / "lint.log";
  fs::remove(res.log);
  std::vector<std::string> files;
  for (const auto& f : d.rtl) files.push_back(f.string());

  res.checks.push_back(gate("verilator -Wall",
                            {verilator, "--lint-only", "-Wall", "--top-module", d.top, "-F", d.filelist().string()},
                            d, res.log));

  std::vector<std::string> iv{iverilog, "-g2005", "-Wall", "-o", "/dev/null", "-s", d.top};
  iv.insert(iv.end(), files.begin(), files.end());
  res.checks.push_back(gate("iverilog -g2005", iv, d, res.log));

  std::string script = "read_verilog";
  for (const auto& f : files) script += " " + f;
  // Checked per module: the clock gate's latch is intended (clock_gating = latch), a latch
  // anywhere else is a bug. The gate module is named after the design, so nothing else matches.
  script += fmt::format(
      "; hierarchy -check -top {0}; synth -top {0}; check -assert; "
      "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_* t:$_DLATCHSR_* %u %u %u %u {1} %d",
      d.top, units::clock_gate_module(d.name));
  auto y = run({yosys, "-q", "-p", script}, d.dir, res.log);
  res.checks.push_back({"yosys synth; check -assert; no latches", y.exit_code == 0,
                        y.exit_code == 0 ? "" : first_line(y.output)});
  return res;
}

}  // namespace qrtl::flow
