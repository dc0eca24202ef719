#include "quant/bitfusion.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "quant/intmath.hpp"

namespace qrtl::quant {

namespace {

constexpr int kAllPrecisions[] = {2, 4, 6, 8};
constexpr int kMaxGridSide = 64;     // bricks per unit side
constexpr int kMaxArraySide = 1024;  // fusion units per array side

std::string set_text(std::span<const int> values) {
  std::string s = "{";
  for (std::size_t k = 0; k < values.size(); ++k) s += (k ? ", " : "") + std::to_string(values[k]);
  return s + "}";
}

std::string mode_text(int a_bits, int w_bits) {
  return std::to_string(a_bits) + "x" + std::to_string(w_bits);
}

std::string format_text(int bits, bool is_signed) {
  const IntFormat f{bits, is_signed};
  return std::string(is_signed ? "signed " : "unsigned ") + std::to_string(bits) + "-bit range [" +
         std::to_string(f.min()) + ", " + std::to_string(f.max()) + "]";
}

[[noreturn]] void throw_outside_format(std::int64_t value, int bits, bool is_signed,
                                       const std::string& what) {
  throw std::out_of_range(what + " = " + std::to_string(value) + " is outside the " +
                          format_text(bits, is_signed));
}

void require_in_range(const std::string& what, int value, int lo, int hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument(what + " = " + std::to_string(value) + "; allowed: " + std::to_string(lo) +
                                ".." + std::to_string(hi));
}

bool contains(std::span<const int> set, int v) { return std::find(set.begin(), set.end(), v) != set.end(); }

std::int64_t ceil_div(std::int64_t n, std::int64_t d) { return (n + d - 1) / d; }

double ratio(std::int64_t num, std::int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

void require_supported(const FusionUnit& unit, const char* param, int bits) {
  if (!contains(unit.precisions, bits))
    throw std::invalid_argument(std::string("fusion unit mode ") + param + " = " + std::to_string(bits) +
                                " is not a supported precision; allowed: " + set_text(unit.precisions));
}

// Digit i of an n-digit operand, the operand given as its two's-complement bit pattern.
// Every bit weighs +2^k except a signed operand's MSB, which weighs -2^(bits-1), so only the top
// digit of a signed operand reads its high bit as negative.
Digit extract_digit(std::uint64_t pattern, int i, int n, bool is_signed) {
  const bool top_signed = is_signed && i == n - 1;
  int d = static_cast<int>((pattern >> (2 * i)) & 3U);
  if (top_signed && d >= 2) d -= 4;
  return {d, top_signed};
}

void require_operands(std::span<const std::int64_t> values, int bits, bool is_signed, const char* what) {
  const IntFormat f{bits, is_signed};
  for (std::size_t p = 0; p < values.size(); ++p)
    if (!f.holds(values[p]))
      throw_outside_format(values[p], bits, is_signed, what + (" " + std::to_string(p)));
}

void require_layer_field(const Layer& layer, const char* field, int value) {
  if (value < 1)
    throw std::invalid_argument("layer " + layer.name + ": " + field + " = " + std::to_string(value) +
                                "; allowed: >= 1");
}

void add_run(ArrayRun& total, const ArrayRun& r) {
  total.products_per_cycle = r.products_per_cycle;
  total.cycles += r.cycles;
  total.products += r.products;
  total.useful_brick_ops += r.useful_brick_ops;
  total.active_brick_ops += r.active_brick_ops;
  total.busy_unit_cycles += r.busy_unit_cycles;
  total.brick_capacity += r.brick_capacity;
  total.unit_capacity += r.unit_capacity;
}

}  // namespace

// ---- digits and the BitBrick ------------------------------------------------------------------

int digit_count(int bits) {
  if (!contains(kAllPrecisions, bits))
    throw std::invalid_argument("operand bits = " + std::to_string(bits) +
                                "; allowed: " + set_text(kAllPrecisions));
  return bits / 2;
}

std::vector<Digit> decompose(std::int64_t value, int bits, bool is_signed) {
  const int n = digit_count(bits);
  if (!IntFormat{bits, is_signed}.holds(value))
    throw_outside_format(value, bits, is_signed, "decompose: value");
  std::vector<Digit> digits;
  for (int i = 0; i < n; ++i)
    digits.push_back(extract_digit(static_cast<std::uint64_t>(value), i, n, is_signed));
  return digits;
}

int bitbrick(int x, int y) {
  for (const int v : {x, y})
    if (v < kBrickMin || v > kBrickMax)
      throw std::out_of_range("bitbrick: input " + std::to_string(v) +
                              " is outside the 3-bit signed range [" + std::to_string(kBrickMin) + ", " +
                              std::to_string(kBrickMax) + "]");
  return x * y;
}

// ---- one fusion unit --------------------------------------------------------------------------

int lane_bits(int bits, bool pow2_only) {
  const bool three_digits = digit_count(bits) == 3;  // digit_count also rejects unsupported widths
  return pow2_only && three_digits ? 8 : bits;
}

void validate(const FusionUnit& unit) {
  require_in_range("fusion unit rows", unit.rows, 1, kMaxGridSide);
  require_in_range("fusion unit cols", unit.cols, 1, kMaxGridSide);
  if (unit.precisions.empty())
    throw std::invalid_argument("fusion unit precisions is empty; allowed: a non-empty subset of " +
                                set_text(kAllPrecisions));
  for (const int bits : unit.precisions)
    if (!contains(kAllPrecisions, bits))
      throw std::invalid_argument("fusion unit precisions contains " + std::to_string(bits) +
                                  "; allowed: a subset of " + set_text(kAllPrecisions));
  // The widest pair needs the most bricks; if one such product fits, every mode has P >= 1.
  const int widest = *std::max_element(unit.precisions.begin(), unit.precisions.end());
  const int d = digit_count(lane_bits(widest, unit.pow2_only));
  if (d * d > unit.bricks())
    throw std::invalid_argument("fusion unit grid " + mode_text(unit.rows, unit.cols) + " (" +
                                std::to_string(unit.bricks()) + " bricks) cannot hold one " +
                                mode_text(widest, widest) + " product, which needs " + std::to_string(d * d) +
                                " bricks; allowed: a grid of at least " + std::to_string(d * d) +
                                " bricks for precisions " + set_text(unit.precisions));
}

BrickMapping brick_mapping(const FusionUnit& unit, int a_bits, int w_bits) {
  validate(unit);
  require_supported(unit, "a_bits", a_bits);
  require_supported(unit, "w_bits", w_bits);
  BrickMapping m;
  m.rows = unit.rows;
  m.cols = unit.cols;
  m.a_bits = a_bits;
  m.w_bits = w_bits;
  m.a_digits = digit_count(lane_bits(a_bits, unit.pow2_only));
  m.w_digits = digit_count(lane_bits(w_bits, unit.pow2_only));
  m.products = unit.bricks() / m.digit_pairs();
  m.bricks.resize(static_cast<std::size_t>(unit.bricks()));
  auto slot = m.bricks.begin();
  for (int p = 0; p < m.products; ++p)
    for (int i = 0; i < m.a_digits; ++i)
      for (int j = 0; j < m.w_digits; ++j) *slot++ = {false, p, i, j, 2 * (i + j)};
  return m;
}

int products_per_cycle(const FusionUnit& unit, int a_bits, int w_bits) {
  return brick_mapping(unit, a_bits, w_bits).products;
}

std::vector<std::int64_t> brick_terms(const Mode& mode, const BrickMapping& mapping,
                                      std::span<const std::int64_t> a, std::span<const std::int64_t> w) {
  if (mode.a_bits != mapping.a_bits || mode.w_bits != mapping.w_bits)
    throw std::invalid_argument("fusion unit mode " + mode_text(mode.a_bits, mode.w_bits) +
                                " does not match the brick mapping; allowed: its mode " +
                                mode_text(mapping.a_bits, mapping.w_bits));
  const auto products = static_cast<std::size_t>(mapping.products);
  if (a.size() != products || w.size() != products)
    throw std::invalid_argument("fusion unit operands: " + std::to_string(a.size()) + " activations and " +
                                std::to_string(w.size()) +
                                " weights; allowed: exactly P = " + std::to_string(mapping.products) +
                                " of each in mode " + mode_text(mapping.a_bits, mapping.w_bits));
  require_operands(a, mode.a_bits, mode.a_signed, "activation");
  require_operands(w, mode.w_bits, mode.w_signed, "weight");
  // Digits are taken at the lane width: under pow2_only a 6-bit operand's bit pattern, read as
  // 8 bits, is its sign/zero extension, so the padding digits come out right.
  std::vector<std::int64_t> terms(mapping.bricks.size(), 0);
  for (std::size_t b = 0; b < terms.size(); ++b) {
    const BrickSlot& s = mapping.bricks[b];
    if (s.idle) continue;
    const auto p = static_cast<std::size_t>(s.product);
    const Digit x =
        extract_digit(static_cast<std::uint64_t>(a[p]), s.a_digit, mapping.a_digits, mode.a_signed);
    const Digit y =
        extract_digit(static_cast<std::uint64_t>(w[p]), s.w_digit, mapping.w_digits, mode.w_signed);
    terms[b] = std::int64_t{bitbrick(x.value, y.value)} * (std::int64_t{1} << s.shift);
  }
  return terms;
}

std::vector<std::int64_t> fusion_unit_products(const Mode& mode, const BrickMapping& mapping,
                                               std::span<const std::int64_t> a,
                                               std::span<const std::int64_t> w) {
  const auto terms = brick_terms(mode, mapping, a, w);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(mapping.products), 0);
  for (std::size_t b = 0; b < terms.size(); ++b)
    if (!mapping.bricks[b].idle) sums[static_cast<std::size_t>(mapping.bricks[b].product)] += terms[b];
  return sums;
}

std::int64_t fusion_unit_output(const Mode& mode, const BrickMapping& mapping,
                                std::span<const std::int64_t> a, std::span<const std::int64_t> w) {
  const auto terms = brick_terms(mode, mapping, a, w);
  return std::accumulate(terms.begin(), terms.end(), std::int64_t{0});
}

// ---- an array of fusion units running a layer -------------------------------------------------

std::int64_t Layer::dot_length() const { return std::int64_t{in_channels} * kernel * kernel; }
std::int64_t Layer::pixels() const { return std::int64_t{out_h} * out_w; }

Layer conv_layer(std::string name, int in_channels, int out_channels, int kernel, int out_hw) {
  return {std::move(name), in_channels, out_channels, kernel, out_hw, out_hw};
}

Layer fc_layer(std::string name, int in_features, int out_features) {
  return {std::move(name), in_features, out_features, 1, 1, 1};
}

std::vector<Layer> lenet5_layers() {
  return {conv_layer("conv1", 1, 6, 5, 28), conv_layer("conv2", 6, 16, 5, 10), fc_layer("fc1", 400, 120),
          fc_layer("fc2", 120, 84), fc_layer("fc3", 84, 10)};
}

void validate(const FusionArray& array) {
  require_in_range("fusion array rows", array.rows, 1, kMaxArraySide);
  require_in_range("fusion array cols", array.cols, 1, kMaxArraySide);
  validate(array.unit);
}

double ArrayRun::brick_utilization() const { return ratio(useful_brick_ops, brick_capacity); }
double ArrayRun::active_brick_fraction() const { return ratio(active_brick_ops, brick_capacity); }
double ArrayRun::unit_utilization() const { return ratio(busy_unit_cycles, unit_capacity); }

ArrayRun run_layer(const FusionArray& array, const Layer& layer, int a_bits, int w_bits) {
  validate(array);
  require_layer_field(layer, "in_channels", layer.in_channels);
  require_layer_field(layer, "out_channels", layer.out_channels);
  require_layer_field(layer, "kernel", layer.kernel);
  require_layer_field(layer, "out_h", layer.out_h);
  require_layer_field(layer, "out_w", layer.out_w);
  const BrickMapping m = brick_mapping(array.unit, a_bits, w_bits);
  const std::int64_t length = layer.dot_length();
  // One unit-cycle computes one slice of P products of one output's dot product.
  const std::int64_t slices = ceil_div(length, m.products);
  // A column takes `rows` slices of its output per cycle; columns hold different output channels.
  const std::int64_t cycles_per_output = ceil_div(slices, array.rows);
  const std::int64_t column_tiles = ceil_div(layer.out_channels, array.cols);

  ArrayRun r;
  r.products_per_cycle = m.products;
  r.cycles = layer.pixels() * column_tiles * cycles_per_output;
  r.products = layer.outputs() * length;
  r.useful_brick_ops = r.products * digit_count(a_bits) * digit_count(w_bits);
  r.active_brick_ops = r.products * m.digit_pairs();
  r.busy_unit_cycles = layer.outputs() * slices;
  r.unit_capacity = std::int64_t{array.units()} * r.cycles;
  r.brick_capacity = r.unit_capacity * array.unit.bricks();
  return r;
}

ArrayRun run_network(const FusionArray& array, std::span<const Layer> layers, int a_bits, int w_bits) {
  if (layers.empty())
    throw std::invalid_argument("run_network: layers is empty; allowed: at least one layer");
  ArrayRun total;
  for (const Layer& layer : layers) add_run(total, run_layer(array, layer, a_bits, w_bits));
  return total;
}

}  // namespace qrtl::quant
