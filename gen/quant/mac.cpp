#include "quant/mac.hpp"

#include <stdexcept>

namespace qrtl::quant {

int exact_acc_bits(int a_bits, int w_bits, std::uint64_t max_len) {
  // |a*w| < 2^(a+w-1) for any signedness mix except signed*signed = 2^(a+w-2) at most,
  // so a+w bits hold one product and each doubling of the length adds one bit.
  return a_bits + w_bits + ceil_log2(max_len);
}

std::int64_t accumulate(const MacArith& m, std::int64_t acc, std::int64_t product) {
  const IntFormat f = m.acc();
  // acc_bits <= 63, so the true sum of two in-range values always fits int64_t.
  const std::int64_t sum = acc + product;
  return m.overflow == Overflow::Saturate ? f.saturate(sum) : f.wrap(sum);
}

static void check_operands(const MacArith& m, std::int64_t a, std::int64_t w) {
  if (!m.a.holds(a) || !m.w.holds(w)) throw std::out_of_range("MAC operand outside its format");
}

std::int64_t pmac_step(const MacArith& m, std::int64_t acc, std::int64_t a, std::int64_t w) {
  check_operands(m, a, w);
  return accumulate(m, acc, a * w);
}

std::int64_t bmac_product(const MacArith& m, std::int64_t a, std::int64_t w,
                          std::span<std::int64_t> partials) {
  check_operands(m, a, w);
  const IntFormat reg{m.product_bits(), m.acc_signed()};
  const auto ubits = static_cast<std::uint64_t>(a);
  std::int64_t pp = 0;
  for (int j = m.a.bits - 1; j >= 0; --j) {
    const bool bit = ((ubits >> j) & 1U) != 0;
    const bool negative_weight = m.a.is_signed && j == m.a.bits - 1;
    const std::int64_t addend = bit ? (negative_weight ? -w : w) : 0;
    pp = reg.wrap(2 * pp + addend);
    const auto step = static_cast<std::size_t>(m.a.bits - 1 - j);
    if (step < partials.size()) partials[step] = pp;
  }
  return pp;
}

std::int64_t bmac_step(const MacArith& m, std::int64_t acc, std::int64_t a, std::int64_t w) {
  return accumulate(m, acc, bmac_product(m, a, w));
}

std::int64_t dot(const MacArith& m, bool serial, std::span<const std::int64_t> a,
                 std::span<const std::int64_t> w) {
  if (a.size() != w.size() || a.empty()) throw std::invalid_argument("dot: lengths differ or are zero");
  std::int64_t acc = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    acc = serial ? bmac_step(m, acc, a[k], w[k]) : pmac_step(m, acc, a[k], w[k]);
  return acc;
}

}  // namespace qrtl::quant
