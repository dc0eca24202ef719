#include "quant/fp16.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace qrtl::quant::fp16 {
namespace {

constexpr int kFracBits = 10;
constexpr int kMinNormalExp = -14;  // exponent of the smallest normal, 2^-14
constexpr int kMaxExp = 15;         // exponent of the largest finite binade
constexpr int kQuantumExp = -24;    // value of the last significand bit of a subnormal

// A finite nonzero magnitude as sig * 2^exp (sig > 0, any width).
struct Exact {
  std::uint64_t sig = 0;
  int exp = 0;
};

// v / 2^s rounded to nearest, ties to even; s <= 0 shifts left (exact for the callers' ranges).
std::uint64_t shift_right_rne(std::uint64_t v, int s) {
  if (s <= 0) return v << -s;
  if (s > 64) return 0;  // v < 2^64 <= 2^(s-1): below half of one unit
  if (s == 64) return v > (std::uint64_t{1} << 63) ? 1 : 0;
  const std::uint64_t q = v >> s;
  const std::uint64_t rest = v & ((std::uint64_t{1} << s) - 1);
  const std::uint64_t half = std::uint64_t{1} << (s - 1);
  return (rest > half || (rest == half && (q & 1) != 0)) ? q + 1 : q;
}

// The one rounding step every operation ends in: sign and the exact magnitude sig * 2^exp to the
// nearest FP16. The result's last significand bit has weight 2^q, q = max(E, -14) - 10 where E is
// the binade of the exact value; a carry out of the significand moves into the exponent field
// because the fields are added, not or-ed (which also turns the largest subnormal into 2^-14 and
// the largest finite value into infinity).
Bits round_pack(bool negative, Exact x) {
  const Bits sign = negative ? kSignBit : 0;
  const int binade = static_cast<int>(std::bit_width(x.sig)) - 1 + x.exp;
  if (binade > kMaxExp) return static_cast<Bits>(sign | kInfinity);
  const int field_binade = std::max(binade, kMinNormalExp);
  const std::uint64_t sig = shift_right_rne(x.sig, field_binade - kFracBits - x.exp);
  const std::uint64_t bits = (static_cast<std::uint64_t>(field_binade - kMinNormalExp) << kFracBits) + sig;
  return static_cast<Bits>(sign | std::min<std::uint64_t>(bits, kInfinity));
}

// Finite h (zero included, then sig = 0) as sig * 2^exp.
Exact exact_value(Bits h) {
  const int field = (h >> kFracBits) & 0x1F;
  const std::uint64_t frac = h & 0x3FF;
  if (field == 0) return {frac, kQuantumExp};
  return {frac | (std::uint64_t{1} << kFracBits), field + kQuantumExp - 1};
}

// Any IEEE binary format with frac_bits fraction and exp_bits exponent bits, given as raw bits.
Bits from_ieee(std::uint64_t bits, int frac_bits, int exp_bits) {
  const bool negative = ((bits >> (frac_bits + exp_bits)) & 1) != 0;
  const Bits sign = negative ? kSignBit : 0;
  const int field = static_cast<int>((bits >> frac_bits) & ((std::uint64_t{1} << exp_bits) - 1));
  const std::uint64_t frac = bits & ((std::uint64_t{1} << frac_bits) - 1);
  const int bias = (1 << (exp_bits - 1)) - 1;
  if (field == (1 << exp_bits) - 1) {
    if (frac == 0) return static_cast<Bits>(sign | kInfinity);
    return static_cast<Bits>(sign | kQuietNaN | (frac >> (frac_bits - kFracBits)));
  }
  if (field == 0 && frac == 0) return sign;
  if (field == 0) return round_pack(negative, {frac, 1 - bias - frac_bits});
  return round_pack(negative, {frac | (std::uint64_t{1} << frac_bits), field - bias - frac_bits});
}

bool is_zero(Bits h) { return magnitude(h) == 0; }

}  // namespace

Bits from_float(float x) { return from_ieee(std::bit_cast<std::uint32_t>(x), 23, 8); }

Bits from_double(double x) { return from_ieee(std::bit_cast<std::uint64_t>(x), 52, 11); }

Bits from_int(std::int64_t v) {
  if (v == 0) return kPositiveZero;
  // Unsigned negation keeps INT64_MIN representable.
  const std::uint64_t mag = v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
  return round_pack(v < 0, {mag, 0});
}

double to_double(Bits h) {
  if (is_nan(h)) return static_cast<double>(to_float(h));
  const double mag =
      is_inf(h) ? HUGE_VAL : std::ldexp(static_cast<double>(exact_value(h).sig), exact_value(h).exp);
  return is_negative(h) ? -mag : mag;
}

float to_float(Bits h) {
  if (!is_nan(h)) return static_cast<float>(to_double(h));
  const std::uint32_t sign = is_negative(h) ? 0x80000000u : 0;
  return std::bit_cast<float>(sign | 0x7FC00000u | (static_cast<std::uint32_t>(h & 0x3FF) << 13));
}

Bits mul(Bits a, Bits b) {
  const bool negative = is_negative(a) != is_negative(b);
  const Bits sign = negative ? kSignBit : 0;
  if (is_nan(a) || is_nan(b)) return kQuietNaN;
  if (is_inf(a) || is_inf(b)) {
    if (is_zero(a) || is_zero(b)) return kQuietNaN;
    return static_cast<Bits>(sign | kInfinity);
  }
  if (is_zero(a) || is_zero(b)) return sign;
  const Exact x = exact_value(a), y = exact_value(b);
  return round_pack(negative, {x.sig * y.sig, x.exp + y.exp});
}

Bits add(Bits a, Bits b) {
  if (is_nan(a) || is_nan(b)) return kQuietNaN;
  if (is_inf(a) && is_inf(b) && a != b) return kQuietNaN;
  if (is_inf(a)) return a;
  if (is_inf(b)) return b;
  // Exact sum on the grid of the smaller exponent: at most 11 + 39 bits, well inside int64.
  const Exact x = exact_value(a), y = exact_value(b);
  const int exp = std::min(x.exp, y.exp);
  const auto sx = static_cast<std::int64_t>(x.sig << (x.exp - exp));
  const auto sy = static_cast<std::int64_t>(y.sig << (y.exp - exp));
  const std::int64_t sum = (is_negative(a) ? -sx : sx) + (is_negative(b) ? -sy : sy);
  if (sum == 0) return (is_negative(a) && is_negative(b)) ? kSignBit : kPositiveZero;
  return round_pack(sum < 0, {static_cast<std::uint64_t>(sum < 0 ? -sum : sum), exp});
}

std::partial_ordering compare(Bits a, Bits b) { return to_double(a) <=> to_double(b); }

}  // namespace qrtl::quant::fp16
