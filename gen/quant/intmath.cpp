#include "quant/intmath.hpp"

#include <algorithm>

namespace qrtl::quant {

std::int64_t IntFormat::min() const {
  if (!is_signed) return 0;
  return bits >= 64 ? INT64_MIN : -(std::int64_t{1} << (bits - 1));
}

std::int64_t IntFormat::max() const {
  if (bits >= 64) return INT64_MAX;
  if (is_signed) return (std::int64_t{1} << (bits - 1)) - 1;
  return (std::int64_t{1} << bits) - 1;
}

std::int64_t IntFormat::wrap(std::int64_t v) const {
  if (bits >= 64) return v;
  const auto mask = (std::uint64_t{1} << bits) - 1;
  const auto u = static_cast<std::uint64_t>(v) & mask;
  if (is_signed && (u >> (bits - 1)) != 0) return static_cast<std::int64_t>(u | ~mask);
  return static_cast<std::int64_t>(u);
}

std::int64_t IntFormat::saturate(std::int64_t v) const { return std::clamp(v, min(), max()); }

int ceil_log2(std::uint64_t n) {
  int l = 0;
  while ((std::uint64_t{1} << l) < n) ++l;
  return l;
}

}  // namespace qrtl::quant
