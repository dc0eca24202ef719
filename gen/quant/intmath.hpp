// Fixed-width two's-complement helpers shared by every golden model.
// Values are carried in int64_t; a "field" is `bits` wide and either signed or unsigned.
#pragma once

#include <cstdint>

namespace qrtl::quant {

struct IntFormat {
  int bits = 8;         // 1..64
  bool is_signed = true;

  std::int64_t min() const;
  std::int64_t max() const;
  bool holds(std::int64_t v) const { return v >= min() && v <= max(); }
  // Reduces v modulo 2^bits into this format (what a register of this width stores).
  std::int64_t wrap(std::int64_t v) const;
  // Clamps v into [min, max].
  std::int64_t saturate(std::int64_t v) const;
};

// Smallest L with 2^L >= n (n >= 1).
int ceil_log2(std::uint64_t n);

}  // namespace qrtl::quant
