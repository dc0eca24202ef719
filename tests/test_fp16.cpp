// The FP16 helpers against GCC's _Float16 (an independent IEEE binary16 implementation): every bit
// pattern for the conversions, every rounding midpoint, and millions of random operand pairs plus
// all special-value combinations for add and mul. NaN results are compared as "is NaN" for add and
// mul (qrtl returns one canonical NaN) and bit for bit for conversions (payload kept).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <compare>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "quant/fp16.hpp"

namespace fp16 = qrtl::quant::fp16;
using fp16::Bits;

namespace {

_Float16 as_half(Bits h) {
  _Float16 x;
  std::memcpy(&x, &h, sizeof x);
  return x;
}

Bits bits_of(_Float16 x) {
  Bits h;
  std::memcpy(&h, &x, sizeof h);
  return h;
}

std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// Zeros, subnormal and normal extremes, ones, infinities and NaNs of both signs.
std::vector<Bits> special_values() {
  const Bits positive[] = {0x0000, 0x0001, 0x0002, 0x03FF, 0x0400, 0x0401, 0x3BFF, 0x3C00, 0x3C01,
                           0x7BFE, 0x7BFF, 0x7C00, 0x7C01, 0x7E00, 0x7FFF, 0x4000, 0x5640};
  std::vector<Bits> v;
  for (const Bits h : positive) {
    v.push_back(h);
    v.push_back(static_cast<Bits>(h | fp16::kSignBit));
  }
  return v;
}

template <class Op, class Ref>
void check_binary(Bits a, Bits b, Op op, Ref ref) {
  const Bits want = ref(as_half(a), as_half(b));
  const Bits got = op(a, b);
  INFO("a = " << a << " b = " << b << " want = " << want << " got = " << got);
  if (fp16::is_nan(want))
    REQUIRE(got == fp16::kQuietNaN);
  else
    REQUIRE(got == want);
}

// Uniform random bit patterns, then pairs whose exponents differ by at most 2 (the cancellation
// and carry cases of add that uniform patterns rarely reach), then every special pair.
template <class Op, class Ref>
void check_binary_op(Op op, Ref ref) {
  std::mt19937_64 rng(16);
  std::uniform_int_distribution<int> pattern(0, 0xFFFF);
  for (int i = 0; i < 1'500'000; ++i)
    check_binary(static_cast<Bits>(pattern(rng)), static_cast<Bits>(pattern(rng)), op, ref);
  std::uniform_int_distribution<int> near(-2, 2);
  for (int i = 0; i < 1'000'000; ++i) {
    const auto a = static_cast<Bits>(pattern(rng));
    const int b_field = std::clamp(((a >> 10) & 0x1F) + near(rng), 0, 30);
    const auto b = static_cast<Bits>((pattern(rng) & 0x83FF) | (b_field << 10));
    check_binary(a, b, op, ref);
  }
  const auto specials = special_values();
  for (const Bits a : specials)
    for (const Bits b : specials) check_binary(a, b, op, ref);
}

}  // namespace

TEST_CASE("fp16 to_float and to_double are exact for every bit pattern", "[fp16]") {
  for (int i = 0; i <= 0xFFFF; ++i) {
    const auto h = static_cast<Bits>(i);
    const float want = static_cast<float>(as_half(h));
    INFO("h = " << i);
    REQUIRE(float_bits(fp16::to_float(h)) == float_bits(want));
    if (!fp16::is_nan(h)) REQUIRE(fp16::to_double(h) == static_cast<double>(want));
  }
}

TEST_CASE("fp16 from_float and from_double round trip every bit pattern", "[fp16]") {
  for (int i = 0; i <= 0xFFFF; ++i) {
    const auto h = static_cast<Bits>(i);
    const Bits want = bits_of(static_cast<_Float16>(fp16::to_float(h)));
    INFO("h = " << i);
    REQUIRE(fp16::from_float(fp16::to_float(h)) == want);
    if (!fp16::is_nan(h)) {
      REQUIRE(want == h);
      REQUIRE(fp16::from_double(fp16::to_double(h)) == h);
    } else {
      REQUIRE(want == (h | 0x0200));  // quieted, payload kept
    }
  }
}

TEST_CASE("fp16 conversions round every midpoint to nearest even", "[fp16]") {
  // Midpoints between neighbours (and one step of float / a tiny double step either side) are the
  // only inputs where rounding direction is decided; the last finite gap includes 65520 -> inf.
  for (int i = 0; i < 0x7C00; ++i) {
    for (const Bits sign : {Bits{0}, fp16::kSignBit}) {
      const double lo = fp16::to_double(static_cast<Bits>(i));
      const double hi = i == 0x7BFF ? 65536.0 : fp16::to_double(static_cast<Bits>(i + 1));
      const double mid = (sign != 0 ? -1 : 1) * (lo + hi) / 2;
      const auto mid_f = static_cast<float>(mid);
      INFO("between " << i << " and " << i + 1 << " sign " << sign);
      for (const float f : {mid_f, std::nextafter(mid_f, 0.0f), std::nextafter(mid_f, 1e9f * mid_f)})
        REQUIRE(fp16::from_float(f) == bits_of(static_cast<_Float16>(f)));
      for (const double d : {mid, mid * (1 - 1e-13), mid * (1 + 1e-13)})
        REQUIRE(fp16::from_double(d) == bits_of(static_cast<_Float16>(d)));
    }
  }
}

TEST_CASE("fp16 from_float and from_double match _Float16 on random inputs", "[fp16]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint32_t> any_float;
  std::uniform_real_distribution<double> log_mag(-30, 17);
  for (int i = 0; i < 1'000'000; ++i) {
    float f;
    const std::uint32_t u = any_float(rng);
    std::memcpy(&f, &u, sizeof f);
    INFO("float bits = " << u);
    REQUIRE(fp16::from_float(f) == bits_of(static_cast<_Float16>(f)));
    const double d = (i % 2 != 0 ? -1 : 1) * std::exp2(log_mag(rng));
    INFO("double = " << d);
    REQUIRE(fp16::from_double(d) == bits_of(static_cast<_Float16>(d)));
  }
  REQUIRE(fp16::from_double(std::numeric_limits<double>::denorm_min()) == 0x0000);
  REQUIRE(fp16::from_double(-1e300) == 0xFC00);
  REQUIRE(fp16::from_double(std::nan("")) == bits_of(static_cast<_Float16>(std::nan(""))));
}

TEST_CASE("fp16 from_int matches _Float16 for counts of either sign", "[fp16]") {
  for (int v = -70'000; v <= 70'000; ++v) {
    INFO("v = " << v);
    REQUIRE(fp16::from_int(v) == bits_of(static_cast<_Float16>(v)));
  }
  REQUIRE(fp16::from_int(std::numeric_limits<std::int64_t>::min()) == 0xFC00);
}

TEST_CASE("fp16 add matches _Float16 bit for bit", "[fp16]") {
  check_binary_op(fp16::add, [](_Float16 a, _Float16 b) { return bits_of(static_cast<_Float16>(a + b)); });
}

TEST_CASE("fp16 mul matches _Float16 bit for bit", "[fp16]") {
  check_binary_op(fp16::mul, [](_Float16 a, _Float16 b) { return bits_of(static_cast<_Float16>(a * b)); });
}

TEST_CASE("fp16 compare matches _Float16 relational operators", "[fp16]") {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> pattern(0, 0xFFFF);
  auto check = [](Bits a, Bits b) {
    const _Float16 x = as_half(a), y = as_half(b);
    const std::partial_ordering got = fp16::compare(a, b);
    INFO("a = " << a << " b = " << b);
    REQUIRE((got < 0) == (x < y));
    REQUIRE((got == 0) == (x == y));
    REQUIRE((got > 0) == (x > y));
    REQUIRE((got == std::partial_ordering::unordered) == (x != x || y != y));
  };
  for (int i = 0; i < 200'000; ++i) check(static_cast<Bits>(pattern(rng)), static_cast<Bits>(pattern(rng)));
  const auto specials = special_values();
  for (const Bits a : specials)
    for (const Bits b : specials) check(a, b);
}
