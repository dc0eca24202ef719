#include "units/clock_gating.hpp"

namespace qrtl::units {

ParamSpec clock_gating_param() {
  return enum_param("clock_gating", "none", {"none", "latch"},
                    "clock gating: none, or latch (registers that hold most cycles are clocked through "
                    "a latch + AND gate enabled exactly when they load)");
}

std::string clock_gate_module(const std::string& design) { return design + "_clock_gate"; }

void add_clock_gate(Elaboration& e, const std::string& design, const std::string& parent, int count) {
  e.modules.push_back({clock_gate_module(design), "templates/common/clock_gate.v.mustache", {{"name", design}}});
  e.instances.push_back({parent, clock_gate_module(design), count});
}

}  // namespace qrtl::units
