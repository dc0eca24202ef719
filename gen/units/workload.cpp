#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include "errors.hpp"
#include "units/family.hpp"

namespace qrtl::units {

std::vector<WorkloadKey> common_workload_keys() {
  using K = WorkloadKey::Kind;
  return {
      {"valid_fraction", K::Fraction, 0, 1, "share of the unit's full-throughput beat slots that carry a beat (0: idle, no beats)"},
      {"zero_fraction", K::Fraction, 0, 1, "share of zero operands, activations and weights alike"},
      {"a_zero_fraction", K::Fraction, 0, 1, "share of zero activations (overrides zero_fraction)"},
      {"w_zero_fraction", K::Fraction, 0, 1, "share of zero weights (overrides zero_fraction)"},
  };
}

void check_workload_setting(std::string_view family, const std::vector<WorkloadKey>& keys,
                            const std::string& key, const std::string& value) {
  std::string known;
  for (const auto& k : keys) {
    known += (known.empty() ? "" : ", ") + k.name;
    if (k.name != key) continue;
    if (k.kind == WorkloadKey::Kind::Path) {
      if (value.empty()) throw UsageError(fmt::format("workload {}: expected a file path, got ''", key));
      return;
    }
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    const bool number = !value.empty() && end == value.c_str() + value.size() && std::isfinite(v);
    const bool whole = k.kind != WorkloadKey::Kind::Integer || (number && v == std::floor(v));
    if (!number || !whole || v < k.min || v > k.max)
      throw UsageError(fmt::format("workload {}={} is invalid: expected {} in [{}, {}]", key, value,
                                   k.kind == WorkloadKey::Kind::Integer ? "an integer" : "a number", k.min,
                                   k.max));
    return;
  }
  throw UsageError(fmt::format("unknown workload key '{}' for family {}; allowed: {}", key, family, known));
}

}  // namespace qrtl::units
