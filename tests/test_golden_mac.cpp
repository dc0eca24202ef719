// Golden MAC models against independent references: plain integer products, double-precision
// clamping and modular reduction, and brute-force bounds for the derived accumulator width.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "quant/mac.hpp"

using namespace qrtl::quant;

namespace {

// Reference overflow rules in double arithmetic (exact below 2^53).
double ref_wrap(double v, int bits, bool is_signed) {
  const double m = std::ldexp(1.0, bits);
  double r = std::fmod(v, m);
  if (r < 0) r += m;
  if (is_signed && r >= m / 2) r -= m;
  return r;
}
double ref_sat(double v, int bits, bool is_signed) {
  const double hi = is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
  const double lo = is_signed ? -std::ldexp(1.0, bits - 1) : 0;
  return std::max(lo, std::min(hi, v));
}

std::vector<std::int64_t> all_values(const IntFormat& f) {
  std::vector<std::int64_t> v;
  for (auto x = f.min(); x <= f.max(); ++x) v.push_back(x);
  return v;
}

}  // namespace

TEST_CASE("IntFormat ranges, wrap and saturate", "[golden]") {
  CHECK(IntFormat{8, true}.min() == -128);
  CHECK(IntFormat{8, true}.max() == 127);
  CHECK(IntFormat{8, false}.max() == 255);
  CHECK(IntFormat{8, true}.wrap(128) == -128);
  CHECK(IntFormat{8, true}.wrap(-129) == 127);
  CHECK(IntFormat{8, false}.wrap(-1) == 255);
  CHECK(IntFormat{4, true}.saturate(100) == 7);
  CHECK(IntFormat{4, false}.saturate(-3) == 0);
  for (int v = -600; v <= 600; ++v)
    for (int bits : {3, 7, 9})
      for (bool s : {false, true}) {
        CHECK(IntFormat{bits, s}.wrap(v) == static_cast<std::int64_t>(ref_wrap(v, bits, s)));
        CHECK(IntFormat{bits, s}.saturate(v) == static_cast<std::int64_t>(ref_sat(v, bits, s)));
      }
  CHECK(ceil_log2(1) == 0);
  CHECK(ceil_log2(2) == 1);
  CHECK(ceil_log2(3) == 2);
  CHECK(ceil_log2(256) == 8);
  CHECK(ceil_log2(257) == 9);
}

TEST_CASE("pMAC and bMAC products equal the integer product for all small operands", "[golden]") {
  for (int ab = 2; ab <= 6; ++ab)
    for (int wb = 2; wb <= 6; ++wb)
      for (bool as : {false, true})
        for (bool ws : {false, true}) {
          MacArith m{{ab, as}, {wb, ws}, ab + wb, Overflow::Exact};
          for (auto a : all_values(m.a))
            for (auto w : all_values(m.w)) {
              REQUIRE(pmac_step(m, 0, a, w) == a * w);
              REQUIRE(bmac_product(m, a, w) == a * w);
            }
        }
}

TEST_CASE("bMAC partial products follow the MSB-first shift-add recurrence", "[golden]") {
  MacArith m{{4, true}, {4, true}, 8, Overflow::Exact};
  std::vector<std::int64_t> pp(4);
  // a = -3 = 1101b: steps -w, -2w + w, 2(-w) + 0 ... computed by hand for w = 5.
  CHECK(bmac_product(m, -3, 5, pp) == -15);
  CHECK(pp == std::vector<std::int64_t>{-5, -10 + 5, -10, -20 + 5});
}

TEST_CASE("wide operands: random products against the integer product", "[golden]") {
  std::mt19937_64 rng(11);
  for (int ab : {8, 12, 16, 24})
    for (int wb : {8, 16, 24})
      for (bool as : {false, true})
        for (bool ws : {false, true}) {
          MacArith m{{ab, as}, {wb, ws}, 62, Overflow::Exact};
          std::uniform_int_distribution<std::int64_t> da(m.a.min(), m.a.max()), dw(m.w.min(), m.w.max());
          for (int k = 0; k < 200; ++k) {
            const auto a = da(rng), w = dw(rng);
            REQUIRE(bmac_product(m, a, w) == a * w);
            REQUIRE(pmac_step(m, 17, a, w) == 17 + a * w);
          }
        }
}

TEST_CASE("wrap and saturate accumulation match the double-precision references", "[golden]") {
  std::mt19937_64 rng(5);
  for (bool s : {false, true})
    for (int acc_bits : {8, 9, 13}) {
      for (auto ovf : {Overflow::Wrap, Overflow::Saturate}) {
        MacArith m{{4, s}, {4, s}, acc_bits, ovf};
        std::uniform_int_distribution<std::int64_t> d(m.a.min(), m.a.max());
        std::vector<std::int64_t> a(40), w(40);
        for (int trial = 0; trial < 200; ++trial) {
          for (auto& x : a) x = d(rng);
          for (auto& x : w) x = d(rng);
          double ref = 0;
          for (std::size_t k = 0; k < a.size(); ++k) {
            ref += static_cast<double>(a[k] * w[k]);
            ref = ovf == Overflow::Wrap ? ref_wrap(ref, acc_bits, s) : ref_sat(ref, acc_bits, s);
          }
          REQUIRE(dot(m, false, a, w) == static_cast<std::int64_t>(ref));
          REQUIRE(dot(m, true, a, w) == static_cast<std::int64_t>(ref));
        }
      }
    }
}

TEST_CASE("the derived accumulator width holds every dot product and is tight", "[golden]") {
  for (int ab = 2; ab <= 5; ++ab)
    for (int wb = 2; wb <= 5; ++wb)
      for (bool as : {false, true})
        for (bool ws : {false, true})
          for (std::uint64_t len : {1U, 2U, 3U, 4U, 7U, 8U, 16U}) {
            const int bits = exact_acc_bits(ab, wb, len);
            const IntFormat acc{bits, as || ws};
            const IntFormat fa{ab, as}, fw{wb, ws};
            // The extreme dot products are len copies of the extreme products.
            std::int64_t lo = 0, hi = 0;
            for (auto a : {fa.min(), fa.max()})
              for (auto w : {fw.min(), fw.max()}) {
                lo = std::min(lo, a * w * static_cast<std::int64_t>(len));
                hi = std::max(hi, a * w * static_cast<std::int64_t>(len));
              }
            REQUIRE(acc.holds(lo));
            REQUIRE(acc.holds(hi));
            // Tight for equal signedness at power-of-two lengths: one bit less overflows.
            if (as == ws && (len & (len - 1)) == 0) {
              const IntFormat smaller{bits - 1, as || ws};
              REQUIRE_FALSE((smaller.holds(lo) && smaller.holds(hi)));
            }
          }
}

TEST_CASE("exact dot products equal the plain integer dot product", "[golden]") {
  std::mt19937_64 rng(3);
  MacArith m{{8, true}, {8, true}, exact_acc_bits(8, 8, 256), Overflow::Exact};
  std::uniform_int_distribution<std::int64_t> d(-128, 127);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::int64_t> a(256), w(256);
    std::int64_t ref = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      a[k] = d(rng);
      w[k] = d(rng);
      ref += a[k] * w[k];
    }
    REQUIRE(dot(m, false, a, w) == ref);
    REQUIRE(dot(m, true, a, w) == ref);
  }
  CHECK_THROWS(dot(m, false, std::vector<std::int64_t>{1}, std::vector<std::int64_t>{}));
  CHECK_THROWS(pmac_step(m, 0, 128, 0));
}
