// ReRAM golden model against independent references: a plain integer dot product, long-double
// rounding and clamping for the accumulator conversion, a linear search for the ADC code, brute
// force for the per-conversion error and the level maxima, bit reconstruction of the documented
// slicing, and hand-computed examples (docs/reram.md) for the error bound, cost and cycles.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "quant/reram.hpp"

using namespace qrtl::quant;

namespace {

const WeightEncoding kEncodings[] = {WeightEncoding::Offset, WeightEncoding::Differential};

ReramParams small_params(int rows, int cols, int wb, int ib, int cb, int db, WeightEncoding e) {
  ReramParams p;
  p.rows = rows;
  p.cols = cols;
  p.adcs = 1;
  p.weight_bits = wb;
  p.weight_frac = wb / 2;
  p.input_bits = ib;
  p.input_frac = ib - 1;
  p.acc_bits = 6;  // narrow enough that some results saturate
  p.acc_frac = 2;
  p.cell_bits = cb;
  p.dac_bits = db;
  p.weight_encoding = e;
  p.adc_bits = 1;
  p.adc_shift = 0;
  return p;
}

std::vector<std::int64_t> ref_dot(const ReramParams& p, const std::vector<std::int64_t>& w,
                                  const std::vector<std::int64_t>& x) {
  std::vector<std::int64_t> y(static_cast<std::size_t>(p.cols), 0);
  for (int c = 0; c < p.cols; ++c)
    for (int r = 0; r < p.rows; ++r)
      y[static_cast<std::size_t>(c)] +=
          w[static_cast<std::size_t>(r * p.cols + c)] * x[static_cast<std::size_t>(r)];
  return y;
}

// Product fraction -> accumulator: scale by 2^(acc_frac - product_frac), round half up, clamp.
std::int64_t ref_to_acc(const ReramParams& p, std::int64_t raw) {
  const long double v = std::ldexp(static_cast<long double>(raw), p.acc_frac - p.weight_frac - p.input_frac);
  const long double hi = std::ldexp(1.0L, p.acc_bits - 1) - 1;
  return static_cast<std::int64_t>(std::clamp(std::floor(v + 0.5L), -hi - 1, hi));
}

// The largest code whose level lsb * code does not exceed the sum; 0 below the first level.
std::int64_t ref_adc(std::int64_t s, int bits, std::int64_t lsb) {
  std::int64_t code = 0;
  for (std::int64_t c = 1; c < (std::int64_t{1} << bits); ++c)
    if (c * lsb <= s) code = c;
  return code;
}

std::vector<std::int64_t> random_values(std::mt19937_64& rng, std::size_t n, std::int64_t lo,
                                        std::int64_t hi) {
  std::uniform_int_distribution<std::int64_t> d(lo, hi);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}
std::vector<std::int64_t> random_weights(std::mt19937_64& rng, const ReramParams& p) {
  return random_values(rng, static_cast<std::size_t>(p.rows * p.cols), min_weight(p), max_weight(p));
}
std::vector<std::int64_t> random_inputs(std::mt19937_64& rng, const ReramParams& p) {
  return random_values(rng, static_cast<std::size_t>(p.rows), input_format(p).min(), input_format(p).max());
}

std::vector<std::int64_t> filled(std::size_t n, std::int64_t v) { return std::vector<std::int64_t>(n, v); }

std::size_t matrix_size(const ReramParams& p) { return static_cast<std::size_t>(p.rows * p.cols); }

// The documented digital weight of a step: 2^(t*dac_bits) for magnitude steps, -2^(ib-1) last.
std::int64_t doc_step_weight(const ReramParams& p, int t) {
  if (t == input_steps(p) - 1) return -(std::int64_t{1} << (p.input_bits - 1));
  return std::int64_t{1} << (t * p.dac_bits);
}

std::int64_t doc_conversion_weight(const ReramParams& p, int a, int k, int t) {
  return (a == 1 ? -1 : 1) * (std::int64_t{1} << (k * p.cell_bits)) * doc_step_weight(p, t);
}

std::vector<std::int64_t> sub(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  std::vector<std::int64_t> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

}  // namespace

TEST_CASE("reram weight encodings parse and print", "[reram]") {
  CHECK(parse_weight_encoding("offset") == WeightEncoding::Offset);
  CHECK(parse_weight_encoding("differential") == WeightEncoding::Differential);
  for (auto e : kEncodings) CHECK(parse_weight_encoding(weight_encoding_name(e)) == e);
  CHECK_THROWS_WITH(parse_weight_encoding("diff"), Catch::Contains("weight_encoding"));
}

TEST_CASE("reram SAR conversion equals the closed form ADC code for every level and adc_bits 1..9",
          "[reram]") {
  for (int bits = 1; bits <= 9; ++bits)
    for (std::int64_t lsb : {1, 2, 3, 8}) {
      const std::int64_t top = (std::int64_t{1} << bits) - 1;
      std::vector<SarTrial> trials(static_cast<std::size_t>(bits));
      for (std::int64_t s = -3; s <= (top + 3) * lsb; ++s) {
        const std::int64_t want = ref_adc(s, bits, lsb);
        REQUIRE(adc_code(s, bits, lsb) == want);
        REQUIRE(sar_convert(s, bits, lsb, trials) == want);
        // One trial per bit, MSB first: the code under test is the kept bits plus the trial bit.
        std::int64_t kept = 0;
        for (int i = 0; i < bits; ++i) {
          const auto& tr = trials[static_cast<std::size_t>(i)];
          REQUIRE(tr.dac_code == (kept | (std::int64_t{1} << (bits - 1 - i))));
          REQUIRE(tr.comparator == (s >= tr.dac_code * lsb));
          if (tr.comparator) kept = tr.dac_code;
        }
        REQUIRE(kept == want);
      }
    }
  CHECK(sar_convert(1000, 3, 1) == 7);  // clips at the top code
  CHECK(sar_convert(-5, 3, 1) == 0);
}

TEST_CASE("reram ADC max error equals brute force over every column sum", "[reram]") {
  for (int bits = 1; bits <= 6; ++bits)
    for (std::int64_t lsb : {1, 2, 4, 5})
      for (std::int64_t max_sum = 0; max_sum <= 300; ++max_sum) {
        std::int64_t worst = 0;
        for (std::int64_t s = 0; s <= max_sum; ++s) worst = std::max(worst, s - lsb * ref_adc(s, bits, lsb));
        REQUIRE(adc_max_error(max_sum, bits, lsb) == worst);
      }
}

TEST_CASE("reram DAC levels reconstruct every input with the sign step weighted negatively", "[reram]") {
  for (int ib = 1; ib <= 8; ++ib)
    for (int db = 1; db <= ib; ++db) {
      ReramParams p = small_params(1, 1, 4, ib, 1, db, WeightEncoding::Offset);
      REQUIRE(input_steps(p) == 1 + (ib - 1 + db - 1) / db);
      std::vector<std::int64_t> seen_max(static_cast<std::size_t>(input_steps(p)), 0);
      for (auto x = input_format(p).min(); x <= input_format(p).max(); ++x) {
        std::int64_t back = 0;
        for (int t = 0; t < input_steps(p); ++t) {
          const std::int64_t level = dac_level(p, t, x);
          REQUIRE(level >= 0);
          REQUIRE(level <= max_dac_level(p, t));
          REQUIRE(level < (std::int64_t{1} << db));
          seen_max[static_cast<std::size_t>(t)] = std::max(seen_max[static_cast<std::size_t>(t)], level);
          back += doc_step_weight(p, t) * level;
        }
        REQUIRE(back == x);
      }
      for (int t = 0; t < input_steps(p); ++t)
        REQUIRE(seen_max[static_cast<std::size_t>(t)] == max_dac_level(p, t));
    }
}

TEST_CASE("reram cell levels reconstruct every weight in both encodings", "[reram]") {
  for (auto e : kEncodings) {
    const bool offset = e == WeightEncoding::Offset;
    for (int wb = offset ? 1 : 2; wb <= 8; ++wb) {
      const int stored_bits = offset ? wb : wb - 1;  // offset code, or sign-magnitude magnitude
      for (int cb = 1; cb <= stored_bits; ++cb) {
        ReramParams p = small_params(1, 1, wb, 4, cb, 1, e);
        REQUIRE(weight_slices(p) == (stored_bits + cb - 1) / cb);
        REQUIRE(weight_arrays(p) == (offset ? 1 : 2));
        REQUIRE(max_weight(p) == (std::int64_t{1} << (wb - 1)) - 1);
        REQUIRE(min_weight(p) == (offset ? -max_weight(p) - 1 : -max_weight(p)));
        const auto slices = static_cast<std::size_t>(weight_slices(p));
        std::vector<std::vector<std::int64_t>> seen_max(2, std::vector<std::int64_t>(slices, 0));
        for (auto w = min_weight(p); w <= max_weight(p); ++w) {
          std::int64_t stored[2] = {0, 0};
          for (int a = 0; a < weight_arrays(p); ++a)
            for (int k = 0; k < weight_slices(p); ++k) {
              const std::int64_t level = cell_level(p, a, k, w);
              REQUIRE(level >= 0);
              REQUIRE(level < (std::int64_t{1} << cb));
              auto& m = seen_max[static_cast<std::size_t>(a)][static_cast<std::size_t>(k)];
              m = std::max(m, level);
              stored[a] += level << (k * cb);
            }
          if (offset) {
            REQUIRE(stored[0] == w + (std::int64_t{1} << (wb - 1)));
          } else {
            REQUIRE(stored[0] - stored[1] == w);
            REQUIRE((stored[0] == 0 || stored[1] == 0));
          }
        }
        // Every array reaches the closed-form maximum of every slice over the weight range.
        for (int a = 0; a < weight_arrays(p); ++a)
          for (int k = 0; k < weight_slices(p); ++k)
            REQUIRE(seen_max[static_cast<std::size_t>(a)][static_cast<std::size_t>(k)] ==
                    max_cell_level(p, k));
      }
    }
  }
}

TEST_CASE("reram column sums recombine to the exact MVM and stay within their maxima", "[reram]") {
  std::mt19937_64 rng(3);
  for (auto e : kEncodings)
    for (int cb : {1, 2, 4})
      for (int db : {1, 3}) {
        ReramParams p = small_params(6, 3, 5, 4, cb, db, e);
        for (int rep = 0; rep < 20; ++rep) {
          const auto w = random_weights(rng, p);
          const auto x = random_inputs(rng, p);
          const StepSums s = column_sums(p, w, x);
          std::int64_t x_sum = 0;
          for (auto v : x) x_sum += v;
          const std::int64_t offset =
              e == WeightEncoding::Offset ? std::int64_t{1} << (p.weight_bits - 1) : 0;
          const auto exact = ref_dot(p, w, x);
          for (int c = 0; c < p.cols; ++c) {
            std::int64_t back = -offset * x_sum;
            for (int a = 0; a < s.arrays; ++a)
              for (int k = 0; k < s.slices; ++k)
                for (int t = 0; t < s.steps; ++t) {
                  const std::int64_t v = s.at(a, k, t, c);
                  REQUIRE(v >= 0);
                  REQUIRE(v <= max_column_sum(p, k, t));
                  REQUIRE(conversion_weight(p, a, k, t) == doc_conversion_weight(p, a, k, t));
                  back += doc_conversion_weight(p, a, k, t) * v;
                }
            REQUIRE(back == exact[static_cast<std::size_t>(c)]);
          }
        }
      }
}

TEST_CASE("reram column sums of a hand computed example", "[reram]") {
  // 2 x 2, 3-bit weights in 2-bit cells (offset 4), 3-bit inputs in 2-bit DAC steps.
  ReramParams p = small_params(2, 2, 3, 3, 2, 2, WeightEncoding::Offset);
  const std::vector<std::int64_t> w = {3, -4,   // stored 7 = 0b1'11, 0 = 0b0'00
                                       -1, 1};  // stored 3 = 0b0'11, 5 = 0b1'01
  const std::vector<std::int64_t> x = {3, -2};  // 0b011: levels 3, 0; 0b110: levels 2, 1
  const StepSums s = column_sums(p, w, x);
  CHECK(s.at(0, 0, 0, 0) == 3 * 3 + 2 * 3);  // slice 0 (low 2 bits) x step 0
  CHECK(s.at(0, 1, 0, 0) == 3 * 1 + 2 * 0);  // slice 1 (bit 2) x step 0
  CHECK(s.at(0, 0, 1, 0) == 0 * 3 + 1 * 3);  // sign step
  CHECK(s.at(0, 1, 1, 0) == 0 * 1 + 1 * 0);
  CHECK(s.at(0, 0, 0, 1) == 3 * 0 + 2 * 1);
  CHECK(s.at(0, 1, 1, 1) == 0 * 0 + 1 * 1);
  CHECK(mvm_exact(p, w, x) == std::vector<std::int64_t>{3 * 3 + 2, -4 * 3 - 2});
}

TEST_CASE("reram golden equals the exact MVM when the ADC is lossless", "[reram]") {
  std::mt19937_64 rng(1);
  int configs = 0;
  for (auto e : kEncodings)
    for (int rows : {3, 5})
      for (int wb : {4, 6})
        for (int ib : {3, 5})
          for (int cb : {1, 2, 3, wb - 1})
            for (int db : {1, 2, ib}) {
              ReramParams p = small_params(rows, 4, wb, ib, cb, db, e);
              if (lossless_adc_bits(p) > 9) continue;
              p.adc_bits = lossless_adc_bits(p);
              CHECK(mvm_error_bound(p) == 0);
              ++configs;
              for (int rep = 0; rep < 20; ++rep) {
                const auto w = random_weights(rng, p);
                const auto x = random_inputs(rng, p);
                const auto exact = ref_dot(p, w, x);
                REQUIRE(mvm_exact(p, w, x) == exact);
                REQUIRE(mvm_adc(p, w, x) == exact);
                const auto golden = mvm(p, w, x);
                for (std::size_t c = 0; c < exact.size(); ++c) REQUIRE(golden[c] == ref_to_acc(p, exact[c]));
              }
            }
  CHECK(configs >= 40);
}

TEST_CASE("reram ADC error stays within the derived bound on random cases", "[reram]") {
  std::mt19937_64 rng(2);
  for (auto e : kEncodings)
    for (int cb : {1, 2, 4})
      for (int db : {1, 2, 5})
        for (int bits : {1, 2, 3, 5}) {
          ReramParams p = small_params(7, 3, 6, 5, cb, db, e);
          p.adc_bits = bits;
          for (int shift = 0; shift <= full_range_adc_shift(p); ++shift) {
            p.adc_shift = shift;
            const ErrorRange r = mvm_error_range(p);
            REQUIRE(r.lo <= 0);
            REQUIRE(r.hi >= 0);
            REQUIRE(mvm_error_bound(p) == std::max(-r.lo, r.hi));
            for (int rep = 0; rep < 15; ++rep) {
              const auto w = random_weights(rng, p);
              const auto x = random_inputs(rng, p);
              const auto exact = ref_dot(p, w, x);
              const auto err = sub(mvm_adc(p, w, x), exact);
              const auto golden = mvm(p, w, x);
              for (std::size_t c = 0; c < err.size(); ++c) {
                REQUIRE(err[c] >= r.lo);
                REQUIRE(err[c] <= r.hi);
                // The accumulator conversion is monotone, so the range carries over.
                REQUIRE(golden[c] >= ref_to_acc(p, exact[c] + r.lo));
                REQUIRE(golden[c] <= ref_to_acc(p, exact[c] + r.hi));
              }
            }
          }
        }
}

TEST_CASE("reram error bound of the hand computed example is attained at both ends", "[reram]") {
  // docs/reram.md: 2 rows, 2-bit weights in 1-bit cells (offset 2), 2-bit inputs, 1-bit ADC.
  ReramParams p = small_params(2, 1, 2, 2, 1, 1, WeightEncoding::Offset);
  p.weight_frac = 0;
  p.input_frac = 0;
  p.acc_frac = 0;
  const ErrorRange r = mvm_error_range(p);
  CHECK(r.lo == -3);
  CHECK(r.hi == 6);
  CHECK(mvm_error_bound(p) == 6);
  const std::vector<std::int64_t> w = {1, 1};
  CHECK(mvm_adc(p, w, std::vector<std::int64_t>{1, 1}) == std::vector<std::int64_t>{-1});   // exact 2
  CHECK(mvm_adc(p, w, std::vector<std::int64_t>{-2, -2}) == std::vector<std::int64_t>{2});  // exact -4
}

TEST_CASE("reram constructed worst case attains the error bound", "[reram]") {
  // adc_shift = 0: a conversion's error max(0, S - top) is largest at its largest sum, reached by
  // all-max weights with inputs whose magnitude bits are all ones (lo) or that are only a sign bit (hi).
  for (int wb : {3, 6})
    for (int ib : {2, 5})
      for (int cb : {1, 2, 3})
        for (int db : {1, 2}) {
          ReramParams p = small_params(9, 2, wb, ib, cb, db, WeightEncoding::Offset);
          p.adc_bits = 2;
          const ErrorRange r = mvm_error_range(p);
          const auto w = filled(matrix_size(p), max_weight(p));
          const auto x_lo = filled(static_cast<std::size_t>(p.rows), input_format(p).max());
          const auto x_hi = filled(static_cast<std::size_t>(p.rows), input_format(p).min());
          CHECK(sub(mvm_adc(p, w, x_lo), ref_dot(p, w, x_lo)) == filled(2, r.lo));
          CHECK(sub(mvm_adc(p, w, x_hi), ref_dot(p, w, x_hi)) == filled(2, r.hi));
        }
  // Differential: each end also counts the other array's sign step, which no input reaching the
  // magnitude steps' worst case drives. With an ADC range covering the sign steps (sums up to
  // rows * 1 * 1 = 4 <= 7) but not the magnitude steps (4 * 3 * 1 = 12) both ends are attained.
  ReramParams p = small_params(4, 2, 4, 5, 1, 2, WeightEncoding::Differential);
  p.adc_bits = 3;
  const ErrorRange r = mvm_error_range(p);
  CHECK(r.lo == -(12 - 7) * (1 + 2 + 4) * (1 + 4));  // 3 slices x 2 magnitude steps, each off by 5
  CHECK(r.hi == -r.lo);
  const auto x = filled(static_cast<std::size_t>(p.rows), input_format(p).max());
  const auto w_pos = filled(matrix_size(p), max_weight(p));
  const auto w_neg = filled(matrix_size(p), min_weight(p));
  CHECK(sub(mvm_adc(p, w_pos, x), ref_dot(p, w_pos, x)) == filled(2, r.lo));
  CHECK(sub(mvm_adc(p, w_neg, x), ref_dot(p, w_neg, x)) == filled(2, r.hi));
}

TEST_CASE("reram corner cases: all-max operands and all-zero inputs", "[reram]") {
  for (auto e : kEncodings) {
    ReramParams p = small_params(4, 3, 4, 4, 2, 1, e);
    p.acc_bits = 16;
    p.acc_frac = 6;
    p.adc_bits = lossless_adc_bits(p);
    const std::int64_t wmax = max_weight(p), xmax = input_format(p).max();
    const std::int64_t wmin = min_weight(p), xmin = input_format(p).min();
    CHECK(mvm_adc(p, filled(12, wmax), filled(4, xmax)) == filled(3, 4 * wmax * xmax));
    CHECK(mvm_adc(p, filled(12, wmin), filled(4, xmin)) == filled(3, 4 * wmin * xmin));
    CHECK(mvm_adc(p, filled(12, wmin), filled(4, xmax)) == filled(3, 4 * wmin * xmax));
    CHECK(mvm(p, filled(12, wmin), filled(4, xmin)) == filled(3, ref_to_acc(p, 4 * wmin * xmin)));
    // Zero inputs drive no DAC level, so even a 1-bit ADC at its coarsest returns exactly 0.
    p.adc_bits = 1;
    for (int shift : {0, full_range_adc_shift(p)}) {
      p.adc_shift = shift;
      const auto s = column_sums(p, filled(12, wmax), filled(4, 0));
      CHECK(std::all_of(s.sums.begin(), s.sums.end(), [](std::int64_t v) { return v == 0; }));
      CHECK(mvm(p, filled(12, wmin), filled(4, 0)) == filled(3, 0));
    }
  }
}

TEST_CASE("reram clipping column loses only what its ADC clips", "[reram]") {
  // Differential, 1-bit cells, 1-bit DAC, 4 rows: column 0 holds 1, 1, 1, 0 (sums <= 3), column 1
  // holds 7 = 0b111 (every slice 1). Inputs 1: only step 0 drives. A 2-bit ADC (top code 3)
  // passes column 0 and clips column 1 from 4 to 3 in each of its 3 slices: 7 * (4 - 3) lost.
  ReramParams p = small_params(4, 2, 4, 4, 1, 1, WeightEncoding::Differential);
  p.adc_bits = 2;
  const std::vector<std::int64_t> w = {1, 7, 1, 7, 1, 7, 0, 7};
  const auto x = filled(4, 1);
  const StepSums s = column_sums(p, w, x);
  CHECK(s.at(0, 0, 0, 0) == 3);
  CHECK(s.at(0, 1, 0, 0) == 0);
  for (int k = 0; k < 3; ++k) {
    CHECK(s.at(0, k, 0, 1) == 4);
    CHECK(adc_code(s.at(0, k, 0, 1), p.adc_bits, adc_lsb(p)) == 3);
  }
  CHECK(mvm_adc(p, w, x) == std::vector<std::int64_t>{3, 28 - 7});
  p.adc_bits = 3;
  CHECK(mvm_adc(p, w, x) == std::vector<std::int64_t>{3, 28});
}

TEST_CASE("reram accumulator conversion rounds half up and saturates", "[reram]") {
  ReramParams p = small_params(1, 1, 4, 4, 1, 1, WeightEncoding::Offset);
  p.weight_frac = 2;
  p.input_frac = 2;  // product fraction 4
  p.acc_bits = 6;
  p.acc_frac = 3;                      // drop 1 bit
  CHECK(to_accumulator(p, 5) == 3);    // 2.5 -> 3
  CHECK(to_accumulator(p, -5) == -2);  // -2.5 -> -2
  CHECK(to_accumulator(p, -7) == -3);  // -3.5 -> -3
  CHECK(to_accumulator(p, 7) == 4);
  CHECK(to_accumulator(p, 62) == 31);
  CHECK(to_accumulator(p, 63) == 31);  // 32 saturates
  CHECK(to_accumulator(p, -64) == -32);
  CHECK(to_accumulator(p, -200) == -32);
  p.acc_bits = 8;
  p.acc_frac = 6;  // gain 2 bits
  CHECK(to_accumulator(p, 31) == 124);
  CHECK(to_accumulator(p, 32) == 127);
  CHECK(to_accumulator(p, -32) == -128);
  CHECK(to_accumulator(p, -33) == -128);
  for (int af : {0, 2, 4, 6})
    for (std::int64_t raw = -300; raw <= 300; ++raw) {
      p.acc_frac = af;
      REQUIRE(to_accumulator(p, raw) == ref_to_acc(p, raw));
    }
}

TEST_CASE("reram hardware cost of a hand computed two layer example", "[reram]") {
  const std::vector<LayerPrecision> layers = {{8, 16, 8, 0.5, 0.5}, {4, 4, 8, 0.25, 0.75}};
  // 2^8 * (0.5 * 16/16 + 0.5 * 8/16) + 2^4 * (0.25 * 4/16 + 0.75 * 8/16) = 192 + 7
  CHECK(hardware_cost(layers) == Approx(199.0));
  const std::vector<LayerPrecision> other = {{2, 8, 4, 1.0, 0.0}, {3, 16, 16, 0.25, 0.75}};
  // 1.5^2 * 8/16 + 1.5^3 * (0.25 + 0.75) = 1.125 + 3.375
  CHECK(hardware_cost(other, {1.5, 16}) == Approx(4.5));
  CHECK(hardware_cost({}) == 0.0);
  CHECK_THROWS_WITH(hardware_cost(layers, {1.0, 16}), Catch::Contains("alpha"));
  CHECK_THROWS_WITH(hardware_cost(layers, {2.0, 0}), Catch::Contains("full_bits"));
  const std::vector<LayerPrecision> bad_adc = {{10, 8, 8, 0.5, 0.5}};
  CHECK_THROWS_WITH(hardware_cost(bad_adc), Catch::Contains("layer 0") && Catch::Contains("adc_bits"));
  const std::vector<LayerPrecision> bad_f = {{4, 8, 8, -0.5, 0.5}};
  CHECK_THROWS_WITH(hardware_cost(bad_f), Catch::Contains("f_input"));
}

TEST_CASE("reram cycles per MVM and ADC count", "[reram]") {
  ReramParams p;
  p.rows = 128;
  p.cols = 128;
  p.adcs = 4;
  p.input_bits = 8;
  p.weight_bits = 8;
  p.cell_bits = 2;
  p.adc_bits = 8;
  p.dac_bits = 1;
  CHECK(input_steps(p) == 8);
  CHECK(mvm_cycles(p) == 8 * 32 * 9);
  p.dac_bits = 2;  // 7 magnitude bits in 4 steps, then the sign step
  CHECK(input_steps(p) == 5);
  CHECK(mvm_cycles(p) == 5 * 32 * 9);
  p.dac_bits = 8;
  CHECK(input_steps(p) == 2);
  CHECK(mvm_cycles(p) == 2 * 32 * 9);
  p.adc_bits = 1;
  CHECK(mvm_cycles(p) == 2 * 32 * 2);
  CHECK(weight_slices(p) == 4);
  CHECK(adc_count(p) == 4 * 4);
  p.weight_encoding = WeightEncoding::Differential;
  CHECK(weight_slices(p) == 4);  // 7 magnitude bits
  CHECK(adc_count(p) == 2 * 4 * 4);
  CHECK(mvm_cycles(p) == 2 * 32 * 2);  // the second array converts in parallel
  p.cell_bits = 1;
  CHECK(weight_slices(p) == 7);
  p.input_bits = 1;
  p.dac_bits = 1;
  CHECK(input_steps(p) == 1);  // a 1-bit signed input is its sign bit
}

TEST_CASE("reram lossless ADC bits and full range shift", "[reram]") {
  ReramParams p = small_params(16, 2, 8, 8, 2, 1, WeightEncoding::Offset);
  CHECK(max_column_sum(p) == 16 * 1 * 3);
  CHECK(lossless_adc_bits(p) == 6);  // 48 < 64
  p.adc_bits = 4;
  CHECK(full_range_adc_shift(p) == 2);  // 15 * 4 + 3 = 63 >= 48
  p.adc_bits = 6;
  CHECK(full_range_adc_shift(p) == 0);
  p.rows = 21;  // 63
  CHECK(lossless_adc_bits(p) == 6);
  p.rows = 22;  // 66
  CHECK(lossless_adc_bits(p) == 7);
}

TEST_CASE("reram invalid parameters throw naming the parameter", "[reram]") {
  struct Bad {
    const char* name;
    std::function<void(ReramParams&)> set;
  };
  const std::vector<Bad> cases = {
      {"adc_bits", [](ReramParams& p) { p.adc_bits = 0; }},
      {"adc_bits", [](ReramParams& p) { p.adc_bits = 10; }},
      {"cols", [](ReramParams& p) { p.adcs = 3; }},  // 8 columns on 3 ADCs
      {"adcs", [](ReramParams& p) { p.adcs = 3; }},
      {"adcs", [](ReramParams& p) { p.adcs = 0; }},
      {"weight_frac", [](ReramParams& p) { p.weight_frac = 8; }},
      {"input_frac", [](ReramParams& p) { p.input_frac = 8; }},
      {"acc_frac", [](ReramParams& p) { p.acc_frac = 16; }},
      {"weight_frac", [](ReramParams& p) { p.weight_frac = -1; }},
      {"cell_bits", [](ReramParams& p) { p.cell_bits = 9; }},
      {"cell_bits", [](ReramParams& p) { p.cell_bits = 0; }},
      {"dac_bits", [](ReramParams& p) { p.dac_bits = 9; }},
      {"dac_bits", [](ReramParams& p) { p.dac_bits = 0; }},
      {"rows", [](ReramParams& p) { p.rows = 0; }},
      {"cols", [](ReramParams& p) { p.cols = 0; }},
      {"weight_bits", [](ReramParams& p) { p.weight_bits = 33; }},
      {"input_bits", [](ReramParams& p) { p.input_bits = 0; }},
      {"acc_bits", [](ReramParams& p) { p.acc_bits = 63; }},
      {"adc_shift", [](ReramParams& p) { p.adc_shift = -1; }},
      {"adc_shift", [](ReramParams& p) { p.adc_shift = 1; }},  // the default ADC already covers every sum
      {"rows",
       [](ReramParams& p) {
         p.weight_bits = 32;
         p.input_bits = 28;
         p.rows = 2;
       }},
      {"weight_bits",
       [](ReramParams& p) {
         p.weight_encoding = WeightEncoding::Differential;
         p.weight_bits = 1;
         p.weight_frac = 0;
         p.cell_bits = 1;
       }},
      {"cell_bits",
       [](ReramParams& p) {
         p.weight_encoding = WeightEncoding::Differential;
         p.cell_bits = 8;  // 7 magnitude bits
       }},
  };
  REQUIRE_NOTHROW(validate(ReramParams{}));
  for (const auto& c : cases) {
    ReramParams p;
    c.set(p);
    INFO("expected an error naming " << c.name);
    CHECK_THROWS_AS(validate(p), std::invalid_argument);
    CHECK_THROWS_WITH(validate(p), Catch::Contains(std::string("'") + c.name + "'"));
    CHECK_THROWS_AS(mvm_cycles(p), std::invalid_argument);
  }
  CHECK_THROWS_WITH(validate([] {
                      ReramParams p;
                      p.adc_bits = 12;
                      return p;
                    }()),
                    Catch::Contains("'adc_bits' = 12") && Catch::Contains("1..9"));
  CHECK_THROWS_WITH(adc_code(3, 10, 1), Catch::Contains("adc_bits"));
  CHECK_THROWS_WITH(sar_convert(3, 0, 1), Catch::Contains("adc_bits"));
  CHECK_THROWS_WITH(sar_convert(3, 4, 0), Catch::Contains("lsb"));
  std::vector<SarTrial> too_few(2);
  CHECK_THROWS_AS(sar_convert(3, 4, 1, too_few), std::invalid_argument);
}

TEST_CASE("reram operands must match the shape and formats", "[reram]") {
  ReramParams p = small_params(2, 2, 4, 4, 2, 1, WeightEncoding::Offset);
  const auto w = filled(4, 1);
  const auto x = filled(2, 1);
  CHECK_THROWS_WITH(mvm(p, filled(3, 1), x), Catch::Contains("weights"));
  CHECK_THROWS_WITH(mvm(p, w, filled(3, 1)), Catch::Contains("inputs"));
  CHECK_THROWS_WITH(mvm(p, std::vector<std::int64_t>{1, 8, 1, 1}, x), Catch::Contains("weights[1] = 8"));
  CHECK_THROWS_WITH(mvm_exact(p, w, std::vector<std::int64_t>{-9, 0}), Catch::Contains("inputs[0] = -9"));
  CHECK_NOTHROW(mvm(p, std::vector<std::int64_t>{1, -8, 1, 1}, x));
  p.weight_encoding = WeightEncoding::Differential;  // symmetric: -7..7
  CHECK_THROWS_WITH(mvm(p, std::vector<std::int64_t>{1, -8, 1, 1}, x),
                    Catch::Contains("weights[1] = -8") && Catch::Contains("-7..7"));
  StepSums s = column_sums(p, w, x);
  CHECK(mvm_from_sums(p, s, x) == mvm_adc(p, w, x));
  s.cols = 1;
  CHECK_THROWS_AS(mvm_from_sums(p, s, x), std::invalid_argument);
}

TEST_CASE("reram weight matrix file parses and reports bad lines", "[reram]") {
  ReramParams p = small_params(3, 3, 4, 4, 2, 1, WeightEncoding::Offset);  // weights -8..7
  const std::string good = "# 3 x 3\n1, 2,3\n\n  -8\t+7 ,0\r\n-1 -2 -3\n";
  CHECK(parse_weight_matrix(good, p) == std::vector<std::int64_t>{1, 2, 3, -8, 7, 0, -1, -2, -3});
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 3\n4 x 6\n7 0 0\n", p),
                    Catch::Contains("line 2: bad token 'x'"));
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 3\n\n4 5\n7 0 0\n", p),
                    Catch::Contains("line 3: expected 3 values (cols), got 2"));
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 8\n4 5 6\n7 0 0\n", p),
                    Catch::Contains("line 1: value 8 does not fit") && Catch::Contains("-8..7"));
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 3\n4 5 6\n", p),
                    Catch::Contains("expected 3 rows (rows), got 2"));
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 3\n4 5 6\n7 0 0\n1 1 1\n", p),
                    Catch::Contains("line 4: more than 3 rows"));
  CHECK_THROWS_WITH(parse_weight_matrix("1 2 99999999999999999999 \n", p),
                    Catch::Contains("line 1: bad token"));
  p.weight_encoding = WeightEncoding::Differential;
  CHECK_THROWS_WITH(parse_weight_matrix(good, p), Catch::Contains("line 4: value -8 does not fit"));
}
