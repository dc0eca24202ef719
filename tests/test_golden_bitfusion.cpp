// Bit Fusion golden model against independent references: digit sums recomputed with powers of
// four, the plain integer dot product (exhaustive where the operand space is at most 2^20, seeded
// random otherwise), hand-written products-per-cycle tables and hand-computed array costs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "quant/bitfusion.hpp"

using namespace qrtl::quant;
using Catch::Matchers::Contains;

namespace {

constexpr int kWidths[] = {2, 4, 6, 8};
constexpr int kExhaustiveBits = 20;   // operand space up to 2^20 vectors is swept completely
constexpr int kRandomVectors = 3000;  // per mode and signedness otherwise

std::int64_t lowest(int bits, bool is_signed) { return is_signed ? -(std::int64_t{1} << (bits - 1)) : 0; }
std::int64_t highest(int bits, bool is_signed) {
  return is_signed ? (std::int64_t{1} << (bits - 1)) - 1 : (std::int64_t{1} << bits) - 1;
}

// The message of the E that f throws; fails the test if f throws nothing or something else.
template <class E, class F>
std::string thrown(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (...) {
    FAIL("threw an exception of another type");
  }
  FAIL("threw nothing");
  return {};
}

std::int64_t reference_dot(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& w) {
  std::int64_t sum = 0;
  for (std::size_t p = 0; p < a.size(); ++p) sum += a[p] * w[p];
  return sum;
}

// One operand of an exhaustive sweep: `bits` bits of `index` starting at `offset`, read as a
// two's-complement or plain binary field.
std::int64_t field(std::uint64_t index, int offset, int bits, bool is_signed) {
  const auto raw = static_cast<std::int64_t>((index >> offset) & ((std::uint64_t{1} << bits) - 1));
  return is_signed && raw > highest(bits, true) ? raw - (std::int64_t{1} << bits) : raw;
}

// Calls check(a, w) for the operand vectors of one mode: every combination, or corners plus
// seeded random ones.
template <class F>
void for_each_operand_set(const Mode& m, int products, F check) {
  const auto n = static_cast<std::size_t>(products);
  std::vector<std::int64_t> a(n), w(n);
  const int space = products * (m.a_bits + m.w_bits);
  if (space <= kExhaustiveBits) {
    for (std::uint64_t index = 0; index < (std::uint64_t{1} << space); ++index) {
      for (std::size_t p = 0; p < n; ++p) {
        const int base = static_cast<int>(p) * (m.a_bits + m.w_bits);
        a[p] = field(index, base, m.a_bits, m.a_signed);
        w[p] = field(index, base + m.a_bits, m.w_bits, m.w_signed);
      }
      check(a, w);
    }
    return;
  }
  for (const bool a_high : {false, true})
    for (const bool w_high : {false, true}) {
      std::fill(a.begin(), a.end(), a_high ? highest(m.a_bits, m.a_signed) : lowest(m.a_bits, m.a_signed));
      std::fill(w.begin(), w.end(), w_high ? highest(m.w_bits, m.w_signed) : lowest(m.w_bits, m.w_signed));
      check(a, w);
    }
  std::mt19937_64 rng(0xB17F05E);
  std::uniform_int_distribution<std::int64_t> da(lowest(m.a_bits, m.a_signed), highest(m.a_bits, m.a_signed));
  std::uniform_int_distribution<std::int64_t> dw(lowest(m.w_bits, m.w_signed), highest(m.w_bits, m.w_signed));
  for (int v = 0; v < kRandomVectors; ++v) {
    for (std::size_t p = 0; p < n; ++p) {
      a[p] = da(rng);
      w[p] = dw(rng);
    }
    check(a, w);
  }
}

FusionUnit unit_of(int rows, int cols, std::vector<int> precisions, bool pow2_only = false) {
  return {rows, cols, std::move(precisions), pow2_only};
}

// Grids used for the structural and arithmetic checks, each with precisions it can hold.
std::vector<FusionUnit> sample_units() {
  std::vector<FusionUnit> units;
  for (const bool pow2 : {false, true}) {
    units.push_back(unit_of(4, 4, {2, 4, 6, 8}, pow2));
    units.push_back(unit_of(4, 8, {2, 4, 6, 8}, pow2));
    units.push_back(unit_of(5, 5, {2, 4, 6, 8}, pow2));
  }
  units.push_back(unit_of(3, 3, {2, 4, 6}));
  units.push_back(unit_of(1, 4, {2, 4}));
  return units;
}

}  // namespace

TEST_CASE("Digit decomposition reconstructs every operand of every width and signedness", "[bitfusion]") {
  for (const int bits : kWidths)
    for (const bool s : {false, true})
      for (auto v = lowest(bits, s); v <= highest(bits, s); ++v) {
        INFO("bits " << bits << " signed " << s << " value " << v);
        const auto digits = decompose(v, bits, s);
        REQUIRE(digits.size() == static_cast<std::size_t>(bits / 2));
        std::int64_t sum = 0, weight = 1;
        for (std::size_t i = 0; i < digits.size(); ++i, weight *= 4) {
          const bool top = i + 1 == digits.size();
          const Digit d = digits[i];
          sum += d.value * weight;
          CHECK(d.is_signed == (s && top));
          CHECK(d.value >= (d.is_signed ? -2 : 0));
          CHECK(d.value <= (d.is_signed ? 1 : 3));
          CHECK(d.value >= kBrickMin);
          CHECK(d.value <= kBrickMax);
        }
        CHECK(sum == v);
      }
  CHECK(decompose(-1, 6, true) == std::vector<Digit>{{3, false}, {3, false}, {-1, true}});
  CHECK(decompose(45, 6, false) == std::vector<Digit>{{1, false}, {3, false}, {2, false}});
  CHECK(decompose(-128, 8, true) == std::vector<Digit>{{0, false}, {0, false}, {0, false}, {-2, true}});
}

TEST_CASE("Digit decomposition rejects unsupported widths and out-of-range values", "[bitfusion]") {
  for (const int bits : {0, 3, 10}) {
    const auto msg = thrown<std::invalid_argument>([&] { decompose(1, bits, false); });
    CHECK_THAT(msg, Contains("bits = " + std::to_string(bits)) && Contains("{2, 4, 6, 8}"));
  }
  CHECK_THAT(thrown<std::out_of_range>([] { decompose(32, 6, true); }),
             Contains("32") && Contains("signed 6-bit range [-32, 31]"));
  CHECK_THROWS_AS(decompose(-1, 4, false), std::out_of_range);
  CHECK_THROWS_AS(decompose(256, 8, false), std::out_of_range);
}

TEST_CASE("BitBrick multiplies every pair of 3-bit signed inputs", "[bitfusion]") {
  for (int x = -4; x <= 3; ++x)
    for (int y = -4; y <= 3; ++y) CHECK(bitbrick(x, y) == x * y);
  CHECK_THAT(thrown<std::out_of_range>([] { bitbrick(4, 0); }), Contains("4") && Contains("[-4, 3]"));
  CHECK_THROWS_AS(bitbrick(0, -5), std::out_of_range);
}

TEST_CASE("Products per cycle of a 4x4 unit follow the Bit Fusion table with 6-bit modes", "[bitfusion]") {
  // {a_bits, w_bits} -> P with 16 bricks (DESIGN.md and the issue).
  const std::map<std::pair<int, int>, int> table = {{{8, 8}, 1}, {{8, 6}, 1}, {{6, 6}, 1}, {{8, 4}, 2},
                                                    {{6, 4}, 2}, {{4, 4}, 4}, {{8, 2}, 4}, {{6, 2}, 5},
                                                    {{4, 2}, 8}, {{2, 2}, 16}};
  const FusionUnit unit;
  for (const auto& [mode, p] : table) {
    INFO(mode.first << "x" << mode.second);
    CHECK(products_per_cycle(unit, mode.first, mode.second) == p);
    CHECK(products_per_cycle(unit, mode.second, mode.first) == p);
  }
  const auto m66 = brick_mapping(unit, 6, 6);
  CHECK(m66.active_bricks() == 9);
  CHECK(std::count_if(m66.bricks.begin(), m66.bricks.end(), [](const BrickSlot& s) { return s.idle; }) == 7);
}

TEST_CASE("pow2_only pads 6-bit operands to 8 bits as the original Bit Fusion does", "[bitfusion]") {
  const FusionUnit unit = unit_of(4, 4, {2, 4, 6, 8}, true);
  CHECK(lane_bits(6, true) == 8);
  CHECK(lane_bits(6, false) == 6);
  CHECK(lane_bits(4, true) == 4);
  const auto m66 = brick_mapping(unit, 6, 6);
  CHECK(m66.products == 1);
  CHECK(m66.a_digits == 4);
  CHECK(m66.active_bricks() == 16);
  CHECK(products_per_cycle(unit, 6, 2) == 4);
  CHECK(products_per_cycle(unit, 2, 6) == 4);
  CHECK(products_per_cycle(unit, 6, 4) == 2);
  CHECK(products_per_cycle(unit, 6, 8) == 1);
  CHECK(products_per_cycle(unit, 4, 4) == 4);
  CHECK(products_per_cycle(unit, 2, 2) == 16);
}

TEST_CASE("Other brick grids hold as many products as fit and reject grids that are too small",
          "[bitfusion]") {
  const FusionUnit g33 = unit_of(3, 3, {2, 4, 6});
  CHECK(products_per_cycle(g33, 6, 6) == 1);
  CHECK(products_per_cycle(g33, 6, 4) == 1);
  CHECK(products_per_cycle(g33, 4, 4) == 2);
  CHECK(products_per_cycle(g33, 6, 2) == 3);
  CHECK(products_per_cycle(g33, 4, 2) == 4);
  CHECK(products_per_cycle(g33, 2, 2) == 9);
  const FusionUnit g48 = unit_of(4, 8, {2, 4, 6, 8});
  CHECK(products_per_cycle(g48, 8, 8) == 2);
  CHECK(products_per_cycle(g48, 8, 6) == 2);
  CHECK(products_per_cycle(g48, 6, 6) == 3);
  CHECK(products_per_cycle(g48, 6, 2) == 10);
  CHECK(products_per_cycle(g48, 2, 2) == 32);
  const FusionUnit g14 = unit_of(1, 4, {2, 4});
  CHECK(products_per_cycle(g14, 4, 4) == 1);
  CHECK(products_per_cycle(g14, 2, 4) == 2);
  CHECK(products_per_cycle(g14, 2, 2) == 4);

  CHECK_THAT(thrown<std::invalid_argument>([] {
               brick_mapping(unit_of(2, 2, {2, 4, 6, 8}), 2, 2);
             }),
             Contains("grid 2x2") && Contains("8x8") && Contains("16 bricks"));
  CHECK_THAT(thrown<std::invalid_argument>([] {
               validate(unit_of(3, 3, {2, 4, 6}, true));
             }),
             Contains("grid 3x3") && Contains("6x6") && Contains("16 bricks"));
}

TEST_CASE("Brick mapping gives every digit pair of every product exactly one brick", "[bitfusion]") {
  for (const FusionUnit& unit : sample_units())
    for (const int a_bits : unit.precisions)
      for (const int w_bits : unit.precisions) {
        INFO("grid " << unit.rows << "x" << unit.cols << " pow2_only " << unit.pow2_only << " mode " << a_bits
                     << "x" << w_bits);
        const auto m = brick_mapping(unit, a_bits, w_bits);
        const int da = unit.pow2_only && a_bits == 6 ? 4 : a_bits / 2;
        const int dw = unit.pow2_only && w_bits == 6 ? 4 : w_bits / 2;
        REQUIRE(m.a_digits == da);
        REQUIRE(m.w_digits == dw);
        REQUIRE(m.bricks.size() == static_cast<std::size_t>(unit.rows * unit.cols));
        CHECK(m.products == unit.rows * unit.cols / (da * dw));
        std::set<std::tuple<int, int, int>> seen;
        int idle = 0;
        for (std::size_t b = 0; b < m.bricks.size(); ++b) {
          const BrickSlot& s = m.bricks[b];
          if (s.idle) {
            ++idle;
            CHECK(s == BrickSlot{});
            continue;
          }
          CHECK(seen.insert({s.product, s.a_digit, s.w_digit}).second);
          CHECK(s.product < m.products);
          CHECK(s.a_digit < da);
          CHECK(s.w_digit < dw);
          CHECK(s.shift == 2 * (s.a_digit + s.w_digit));
          CHECK(static_cast<int>(b) == (s.product * da + s.a_digit) * dw + s.w_digit);  // documented order
        }
        CHECK(seen.size() == static_cast<std::size_t>(m.products * da * dw));
        CHECK(idle == unit.rows * unit.cols - m.products * da * dw);
      }
}

TEST_CASE("Fusion unit output equals the integer dot product in every mode and signedness", "[bitfusion]") {
  for (const FusionUnit& unit : {unit_of(4, 4, {2, 4, 6, 8}), unit_of(4, 4, {2, 4, 6, 8}, true)})
    for (const int a_bits : kWidths)
      for (const int w_bits : kWidths)
        for (const bool as : {false, true})
          for (const bool ws : {false, true}) {
            const Mode mode{a_bits, w_bits, as, ws};
            const auto m = brick_mapping(unit, a_bits, w_bits);
            INFO("pow2_only " << unit.pow2_only << " mode " << a_bits << "x" << w_bits << " signed " << as
                              << ws);
            // One CHECK per mode: a million CHECKs per exhaustive mode would dominate the run time.
            int mismatches = 0;
            for_each_operand_set(mode, m.products, [&](const auto& a, const auto& w) {
              const auto products = fusion_unit_products(mode, m, a, w);
              bool ok = fusion_unit_output(mode, m, a, w) == reference_dot(a, w);
              for (std::size_t p = 0; p < a.size(); ++p) ok = ok && products[p] == a[p] * w[p];
              if (!ok && mismatches++ == 0)
                UNSCOPED_INFO("first mismatch: a[0] " << a[0] << " w[0] " << w[0] << " expected "
                                                      << reference_dot(a, w) << " got "
                                                      << fusion_unit_output(mode, m, a, w));
            });
            CHECK(mismatches == 0);
          }
}

TEST_CASE("Fusion unit rejects operands that do not fit the mode", "[bitfusion]") {
  const FusionUnit unit;
  const auto m44 = brick_mapping(unit, 4, 4);
  const Mode mode44{4, 4, true, false};
  const std::vector<std::int64_t> three{1, 2, 3}, four{1, 2, 3, 4}, a_too_big{8, 0, 0, 0},
      w_too_big{0, 0, 0, 16};
  CHECK_THAT(thrown<std::invalid_argument>([&] { fusion_unit_output(mode44, m44, three, three); }),
             Contains("3 activations") && Contains("P = 4"));
  CHECK_THAT(thrown<std::out_of_range>([&] { fusion_unit_output(mode44, m44, a_too_big, four); }),
             Contains("activation 0 = 8") && Contains("signed 4-bit"));
  CHECK_THROWS_AS(fusion_unit_output(mode44, m44, four, w_too_big), std::out_of_range);
  CHECK_THAT(thrown<std::invalid_argument>([&] {
               fusion_unit_output({8, 4, true, true}, m44, four, four);
             }),
             Contains("8x4") && Contains("4x4"));
  // Under pow2_only a 6-bit operand travels in an 8-bit lane but must still fit 6 bits.
  const auto m66 = brick_mapping(unit_of(4, 4, {6}, true), 6, 6);
  const std::vector<std::int64_t> one{1}, too_wide{100};
  CHECK_THROWS_AS(fusion_unit_output({6, 6, true, true}, m66, too_wide, one), std::out_of_range);
}

TEST_CASE("Invalid fusion unit parameters name the parameter and what is allowed", "[bitfusion]") {
  CHECK_THAT(thrown<std::invalid_argument>([] {
               validate(unit_of(4, 4, {2, 3}));
             }),
             Contains("precisions contains 3") && Contains("{2, 4, 6, 8}"));
  CHECK_THAT(thrown<std::invalid_argument>([] { validate(unit_of(4, 4, {10})); }),
             Contains("precisions contains 10") && Contains("{2, 4, 6, 8}"));
  CHECK_THAT(thrown<std::invalid_argument>([] { validate(unit_of(4, 4, {})); }),
             Contains("precisions is empty"));
  CHECK_THAT(thrown<std::invalid_argument>([] { validate(unit_of(0, 4, {2})); }),
             Contains("rows = 0") && Contains("1..64"));
  CHECK_THAT(thrown<std::invalid_argument>([] { validate(unit_of(4, 65, {2})); }),
             Contains("cols = 65") && Contains("1..64"));
  const FusionUnit no_six = unit_of(4, 4, {2, 4, 8});
  CHECK_THAT(thrown<std::invalid_argument>([&] { brick_mapping(no_six, 6, 4); }),
             Contains("a_bits = 6") && Contains("{2, 4, 8}"));
  CHECK_THAT(thrown<std::invalid_argument>([&] { products_per_cycle(no_six, 4, 10); }),
             Contains("w_bits = 10") && Contains("{2, 4, 8}"));
  CHECK_THAT(thrown<std::invalid_argument>([] { digit_count(3); }), Contains("bits = 3"));
  CHECK_THAT(thrown<std::invalid_argument>([] {
               validate(FusionArray{0, 16, {}});
             }),
             Contains("array rows = 0"));
  CHECK_THAT(thrown<std::invalid_argument>([] { run_layer({}, conv_layer("bad", 0, 4, 3, 8), 8, 8); }),
             Contains("layer bad") && Contains("in_channels = 0"));
  CHECK_THROWS_AS(run_network({}, {}, 8, 8), std::invalid_argument);
}

TEST_CASE("LeNet-5 layer shapes give the expected dot products", "[bitfusion]") {
  const auto layers = lenet5_layers();
  REQUIRE(layers.size() == 5);
  const std::int64_t lengths[] = {25, 150, 400, 120, 84};
  const std::int64_t outputs[] = {6 * 28 * 28, 16 * 10 * 10, 120, 84, 10};
  for (std::size_t k = 0; k < layers.size(); ++k) {
    CHECK(layers[k].dot_length() == lengths[k]);
    CHECK(layers[k].outputs() == outputs[k]);
  }
}

TEST_CASE("Array model matches hand-computed cycles and utilization", "[bitfusion]") {
  SECTION("fc 10 to 3 on a 2x2 array in mode 6x2") {
    // 6-bit capable: P = 5, D = 3. Each output is 2 slices of 5 products, one cycle on the 2 rows;
    // 3 outputs over 2 columns take 2 column tiles -> 2 cycles. 30 products x 3 bricks = 90
    // useful brick-multiplies of 2 cycles x 4 units x 16 bricks; 6 busy unit-cycles of 8.
    FusionArray array{2, 2, {}};
    const auto native = run_layer(array, fc_layer("fc", 10, 3), 6, 2);
    CHECK(native.products_per_cycle == 5);
    CHECK(native.cycles == 2);
    CHECK(native.brick_utilization() == Approx(90.0 / 128.0));
    CHECK(native.active_brick_fraction() == Approx(90.0 / 128.0));
    CHECK(native.unit_utilization() == Approx(6.0 / 8.0));
    // pow2_only: P = 4, D = 4. 3 slices per output -> 2 cycles per tile -> 4 cycles; 120 bricks
    // switched on of 256, 90 of them useful; 9 busy unit-cycles of 16.
    array.unit.pow2_only = true;
    const auto padded = run_layer(array, fc_layer("fc", 10, 3), 6, 2);
    CHECK(padded.products_per_cycle == 4);
    CHECK(padded.cycles == 4);
    CHECK(padded.brick_utilization() == Approx(90.0 / 256.0));
    CHECK(padded.active_brick_fraction() == Approx(120.0 / 256.0));
    CHECK(padded.unit_utilization() == Approx(9.0 / 16.0));
  }
  SECTION("LeNet-5 conv2 on the paper's 16x16 array in mode 8x8") {
    // 100 pixels x 1 tile of 16 channels x ceil(150 / 16) = 10 cycles; 150 of 160 slots busy.
    const auto r = run_layer(FusionArray{}, lenet5_layers()[1], 8, 8);
    CHECK(r.cycles == 1000);
    CHECK(r.products == 240000);
    CHECK(r.brick_utilization() == Approx(0.9375));
    CHECK(r.unit_utilization() == Approx(0.9375));
  }
}

TEST_CASE("Table II modes on LeNet-5 keep utilization between 0 and 1 and 6-bit support never loses",
          "[bitfusion]") {
  const auto layers = lenet5_layers();
  FusionArray native, padded;
  padded.unit.pow2_only = true;
  for (const int a_bits : {6, 8})
    for (const int w_bits : kWidths) {
      INFO("mode " << a_bits << "x" << w_bits);
      const auto n = run_network(native, layers, a_bits, w_bits);
      const auto p = run_network(padded, layers, a_bits, w_bits);
      std::int64_t layer_cycles = 0;
      for (const Layer& layer : layers) layer_cycles += run_layer(native, layer, a_bits, w_bits).cycles;
      CHECK(n.cycles == layer_cycles);
      for (const ArrayRun& r : {n, p}) {
        CHECK(r.brick_utilization() > 0.0);
        CHECK(r.brick_utilization() <= r.active_brick_fraction());
        CHECK(r.active_brick_fraction() <= 1.0);
        CHECK(r.unit_utilization() > 0.0);
        CHECK(r.unit_utilization() <= 1.0);
      }
      CHECK(n.cycles <= p.cycles);
      CHECK(n.brick_utilization() >= p.brick_utilization());
      if (a_bits != 6 && w_bits != 6) {  // no 6-bit operand: the two units are the same
        CHECK(n.cycles == p.cycles);
        CHECK(n.brick_utilization() == p.brick_utilization());
      }
    }
  // The one mode where the 16-brick unit's 6-bit support buys throughput: 5 products instead of 4.
  CHECK(run_network(native, layers, 6, 2).cycles < run_network(padded, layers, 6, 2).cycles);
}
