// Clock gating as a generation parameter (`clock_gating = none | latch`), declared once here: a
// family that honours it adds clock_gating_param() to its table and, when gated, the gate module.
// Families that cannot honour it do not declare it, so setting it there is an unknown parameter.
#pragma once

#include <string>

#include "units/family.hpp"

namespace qrtl::units {

ParamSpec clock_gating_param();

// `<design>_clock_gate`: a latch transparent while clk_i is low, holding en_i, ANDed with clk_i.
// The only module of a design allowed to hold a latch (qrtl lint).
std::string clock_gate_module(const std::string& design);

// Adds the gate module to `e`, instantiated `count` times by `parent`.
void add_clock_gate(Elaboration& e, const std::string& design, const std::string& parent, int count);

}  // namespace qrtl::units
