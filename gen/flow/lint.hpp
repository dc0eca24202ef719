// Cross-tool gates for emitted Verilog: Verilator -Wall (zero warnings), Icarus -g2005,
// Yosys synth + check -assert, and no latches outside the design's clock-gate module.
#pragma once

#include <string>
#include <vector>

#include "flow/design_dir.hpp"

namespace qrtl::flow {

struct LintCheck {
  std::string tool;
  bool ok = false;
  std::string detail;  // first problem line when !ok
};

struct LintResult {
  std::vector<LintCheck> checks;
  std::filesystem::path log;
  bool ok() const;
};

LintResult lint_design(const DesignDir& d);

}  // namespace qrtl::flow
