// Small Verilog expression builders shared by the families' elaborations.
#pragma once

#include <string>

namespace qrtl::units {

// `sig` (from bits wide) extended to `to` bits by its sign bit or by zeros; `sig` as is if equal.
std::string extend(const std::string& sig, int from, int to, bool sign);

}  // namespace qrtl::units
