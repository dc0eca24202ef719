#include "units/vexpr.hpp"

#include <fmt/format.h>

namespace qrtl::units {

std::string extend(const std::string& sig, int from, int to, bool sign) {
  if (to == from) return sig;
  const std::string fill = sign ? fmt::format("{}[{}]", sig, from - 1) : "1'b0";
  return fmt::format("{{{{{}{{{}}}}}, {}}}", to - from, fill, sig);
}

}  // namespace qrtl::units
