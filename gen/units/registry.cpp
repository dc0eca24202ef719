#include <fmt/format.h>

#include "errors.hpp"
#include "units/bitfusion.hpp"
#include "units/dnateq.hpp"
#include "units/family.hpp"
#include "units/mac.hpp"
#include "units/mmac.hpp"
#include "units/reram.hpp"

namespace qrtl::units {

const std::vector<const Family*>& all_families() {
  static const MacFamily pmac{false};
  static const MacFamily bmac{true};
  static const MmacFamily mmac;
  static const BitfusionFamily bitfusion;
  static const DnateqFamily dnateq;
  static const ReramFamily reram;
  static const std::vector<const Family*> families{&pmac, &bmac, &mmac, &bitfusion, &reram, &dnateq};
  return families;
}

const Family& find_family(std::string_view name) {
  std::string known;
  for (const auto* f : all_families()) {
    if (f->name() == name) return *f;
    known += (known.empty() ? "" : ", ") + std::string(f->name());
  }
  throw UsageError(fmt::format("unknown family '{}'; known families: {}", name, known));
}

}  // namespace qrtl::units
