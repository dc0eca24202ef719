// Golden models of the baseline MACs (pMAC: bit-parallel, bMAC: bit-serial).
// Pure integer arithmetic: no hardware notions beyond operand/accumulator formats.
#pragma once

#include <cstdint>
#include <span>

#include "quant/intmath.hpp"

namespace qrtl::quant {

enum class Overflow { Exact, Wrap, Saturate };

struct MacArith {
  IntFormat a{8, true};      // activation
  IntFormat w{8, true};      // weight
  int acc_bits = 32;         // accumulator width (<= 63); signed iff a or w is signed
  Overflow overflow = Overflow::Exact;

  bool acc_signed() const { return a.is_signed || w.is_signed; }
  IntFormat acc() const { return {acc_bits, acc_signed()}; }
  // Product width: a*w always fits in a.bits + w.bits bits of the accumulator's signedness.
  int product_bits() const { return a.bits + w.bits; }
};

// Accumulator width that cannot overflow for any dot product of up to max_len terms.
int exact_acc_bits(int a_bits, int w_bits, std::uint64_t max_len);

// Adds one product to the accumulator with the configured overflow rule
// (Exact and Wrap both reduce modulo 2^acc_bits; Exact is only used where that never happens).
std::int64_t accumulate(const MacArith& m, std::int64_t acc, std::int64_t product);

// One bit-parallel MAC step: acc + a*w.
std::int64_t pmac_step(const MacArith& m, std::int64_t acc, std::int64_t a, std::int64_t w);

// a*w computed the way the bit-serial MAC does it: MSB-first shift-add over the activation bits
// in a (a.bits + w.bits)-bit register, the MSB of a signed activation weighing -2^(bits-1).
// `partials`, if given, receives the register value after each of the a.bits cycles.
std::int64_t bmac_product(const MacArith& m, std::int64_t a, std::int64_t w,
                          std::span<std::int64_t> partials = {});

// One bit-serial MAC step (a.bits cycles in hardware): acc + bmac_product(a, w).
std::int64_t bmac_step(const MacArith& m, std::int64_t acc, std::int64_t a, std::int64_t w);

// Dot product from a cleared accumulator: the first product loads, the rest accumulate.
std::int64_t dot(const MacArith& m, bool serial, std::span<const std::int64_t> a,
                 std::span<const std::int64_t> w);

}  // namespace qrtl::quant
