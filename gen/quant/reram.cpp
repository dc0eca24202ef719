#include "quant/reram.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace qrtl::quant {

namespace {

constexpr int kMaxOperandBits = 32;
constexpr int kMaxAccBits = 62;
constexpr int kMinAdcBits = 1;
constexpr int kMaxAdcBits = 9;
// weight_bits + input_bits + ceil_log2(rows) <= 60 keeps every column sum, shift-and-add partial
// and rounding constant below 2^62, so int64_t never overflows.
constexpr int kHeadroomBits = 60;

std::int64_t pow2(int e) { return std::int64_t{1} << e; }
int ceil_div(int a, int b) { return (a + b - 1) / b; }

std::string range_text(std::int64_t lo, std::int64_t hi) {
  return std::to_string(lo) + ".." + std::to_string(hi);
}

[[noreturn]] void bad_param(std::string_view name, long long value, const std::string& expected) {
  throw std::invalid_argument("parameter '" + std::string(name) + "' = " + std::to_string(value) +
                              " is invalid: expected " + expected);
}

// `limit`, if given, names where hi comes from ("weight_bits - 1").
void require_in(std::string_view name, int value, int lo, int hi, std::string_view limit = {}) {
  if (value >= lo && value <= hi) return;
  std::string expected = range_text(lo, hi);
  if (!limit.empty()) expected += " (" + std::string(limit) + ")";
  bad_param(name, value, expected);
}

void require_positive(std::string_view name, int value) {
  if (value < 1) bad_param(name, value, ">= 1");
}

void require_adc(int adc_bits, std::int64_t lsb) {
  require_in("adc_bits", adc_bits, kMinAdcBits, kMaxAdcBits);
  if (lsb < 1 || lsb > INT64_MAX / (pow2(adc_bits) - 1))
    throw std::invalid_argument("ADC lsb " + std::to_string(lsb) +
                                " is invalid: expected >= 1 with (2^adc_bits - 1) * lsb in int64_t");
}

// Number of input bits below the sign bit, streamed in the magnitude steps.
int magnitude_bits(const ReramParams& p) { return p.input_bits - 1; }
int magnitude_steps(const ReramParams& p) { return ceil_div(magnitude_bits(p), p.dac_bits); }

// Bits of the unsigned value a cell array stores: w + offset, or a magnitude below 2^(weight_bits-1).
int stored_bits(const ReramParams& p) {
  return p.weight_encoding == WeightEncoding::Offset ? p.weight_bits : p.weight_bits - 1;
}

int slice_width(const ReramParams& p, int slice) {
  return std::min(p.cell_bits, stored_bits(p) - slice * p.cell_bits);
}
int step_width(const ReramParams& p, int step) {
  return std::min(p.dac_bits, magnitude_bits(p) - step * p.dac_bits);
}

std::int64_t weight_offset(const ReramParams& p) {
  return p.weight_encoding == WeightEncoding::Offset ? pow2(p.weight_bits - 1) : 0;
}

// The allowed range of a weight or an input, for messages.
std::string weight_range_text(const ReramParams& p) {
  return std::to_string(p.weight_bits) + "-bit signed weight format" +
         (p.weight_encoding == WeightEncoding::Differential ? " with differential encoding" : "") + " (" +
         range_text(min_weight(p), max_weight(p)) + ")";
}
std::string input_range_text(const ReramParams& p) {
  return std::to_string(p.input_bits) + "-bit signed input format (" +
         range_text(input_format(p).min(), input_format(p).max()) + ")";
}

bool weight_fits(const ReramParams& p, std::int64_t w) { return w >= min_weight(p) && w <= max_weight(p); }

[[noreturn]] void bad_operand(std::string_view what, std::size_t i, std::int64_t v,
                              const std::string& range) {
  throw std::invalid_argument(std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(v) +
                              " does not fit the " + range);
}

void require_size(std::string_view what, std::size_t got, std::size_t want) {
  if (got == want) return;
  throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(want) + " values, got " +
                              std::to_string(got));
}

void require_operands(const ReramParams& p, std::span<const std::int64_t> weights,
                      std::span<const std::int64_t> inputs) {
  validate(p);
  const auto rows = static_cast<std::size_t>(p.rows), cols = static_cast<std::size_t>(p.cols);
  require_size("weights (rows * cols)", weights.size(), rows * cols);
  require_size("inputs (rows)", inputs.size(), rows);
  for (std::size_t i = 0; i < weights.size(); ++i)
    if (!weight_fits(p, weights[i])) bad_operand("weights", i, weights[i], weight_range_text(p));
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!input_format(p).holds(inputs[i])) bad_operand("inputs", i, inputs[i], input_range_text(p));
}

// floor(raw / 2^d + 1/2): one adder and an arithmetic shift in hardware.
std::int64_t round_half_up_shift(std::int64_t raw, int d) { return (raw + pow2(d - 1)) >> d; }

// raw * 2^s saturated to f, comparing before shifting so the shift cannot overflow.
std::int64_t shift_left_saturate(std::int64_t raw, int s, const IntFormat& f) {
  if (raw > (f.max() >> s)) return f.max();
  if (raw < -((-f.min()) >> s)) return f.min();  // -floor(-min / 2^s) = ceil(min / 2^s)
  return raw * pow2(s);
}

std::int64_t input_sum(std::span<const std::int64_t> inputs) {
  std::int64_t s = 0;
  for (auto x : inputs) s += x;
  return s;
}

// Calls f(array, slice, step) for every conversion of one column.
template <class F>
void for_each_conversion(const ReramParams& p, F&& f) {
  for (int a = 0; a < weight_arrays(p); ++a)
    for (int k = 0; k < weight_slices(p); ++k)
      for (int t = 0; t < input_steps(p); ++t) f(a, k, t);
}

constexpr std::string_view kSeparators = ", \t\r\f\v";  // within a line

bool is_separator(char c) { return kSeparators.find(c) != std::string_view::npos; }

// Splits one line at runs of separators.
std::vector<std::string_view> tokens_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (is_separator(line[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && !is_separator(line[j])) ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_int(std::string_view tok, std::int64_t& v) {
  // from_chars takes no '+', so strip one that precedes a digit.
  if (tok.size() > 1 && tok[0] == '+' && tok[1] != '-') tok.remove_prefix(1);
  const auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  return ec == std::errc{} && end == tok.data() + tok.size();
}

[[noreturn]] void bad_line(int line, const std::string& what) {
  throw std::invalid_argument("weights: line " + std::to_string(line) + ": " + what);
}

// One matrix row: exactly `cols` integers of the weight format.
std::vector<std::int64_t> parse_matrix_row(std::string_view line, int line_no, const ReramParams& p) {
  std::vector<std::int64_t> row;
  for (auto tok : tokens_of(line)) {
    std::int64_t v = 0;
    if (!parse_int(tok, v)) bad_line(line_no, "bad token '" + std::string(tok) + "'");
    if (!weight_fits(p, v))
      bad_line(line_no, "value " + std::to_string(v) + " does not fit the " + weight_range_text(p));
    row.push_back(v);
  }
  if (row.size() != static_cast<std::size_t>(p.cols))
    bad_line(line_no,
             "expected " + std::to_string(p.cols) + " values (cols), got " + std::to_string(row.size()));
  return row;
}

bool is_skipped_line(std::string_view line) {
  const auto first = line.find_first_not_of(kSeparators);
  return first == std::string_view::npos || line[first] == '#';
}

// Default stream rendering for messages ("0.5", not "0.500000").
std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

[[noreturn]] void bad_layer(std::size_t layer, std::string_view name, double value,
                            std::string_view expected) {
  throw std::invalid_argument("layer " + std::to_string(layer) + ": '" + std::string(name) +
                              "' = " + number(value) + " is invalid: expected " + std::string(expected));
}

void require_layer(std::size_t i, const LayerPrecision& l) {
  if (l.adc_bits < kMinAdcBits || l.adc_bits > kMaxAdcBits) bad_layer(i, "adc_bits", l.adc_bits, "1..9");
  if (l.input_bits < 1) bad_layer(i, "input_bits", l.input_bits, ">= 1");
  if (l.weight_bits < 1) bad_layer(i, "weight_bits", l.weight_bits, ">= 1");
  if (!std::isfinite(l.f_input) || l.f_input < 0) bad_layer(i, "f_input", l.f_input, "a finite value >= 0");
  if (!std::isfinite(l.f_weight) || l.f_weight < 0)
    bad_layer(i, "f_weight", l.f_weight, "a finite value >= 0");
}

}  // namespace

WeightEncoding parse_weight_encoding(std::string_view name) {
  if (name == "offset") return WeightEncoding::Offset;
  if (name == "differential") return WeightEncoding::Differential;
  throw std::invalid_argument("parameter 'weight_encoding' = '" + std::string(name) +
                              "' is invalid: expected one of: offset, differential");
}

std::string_view weight_encoding_name(WeightEncoding e) {
  return e == WeightEncoding::Offset ? "offset" : "differential";
}

void validate(const ReramParams& p) {
  require_positive("rows", p.rows);
  require_positive("cols", p.cols);
  require_positive("adcs", p.adcs);
  require_in("weight_bits", p.weight_bits, 1, kMaxOperandBits);
  require_in("input_bits", p.input_bits, 1, kMaxOperandBits);
  require_in("acc_bits", p.acc_bits, 1, kMaxAccBits);
  require_in("weight_frac", p.weight_frac, 0, p.weight_bits - 1, "weight_bits - 1");
  require_in("input_frac", p.input_frac, 0, p.input_bits - 1, "input_bits - 1");
  require_in("acc_frac", p.acc_frac, 0, p.acc_bits - 1, "acc_bits - 1");
  if (p.weight_encoding == WeightEncoding::Differential && p.weight_bits < 2)
    bad_param("weight_bits", p.weight_bits,
              "2..32 with weight_encoding = differential (a sign and a magnitude bit)");
  require_in("cell_bits", p.cell_bits, 1, stored_bits(p),
             p.weight_encoding == WeightEncoding::Offset ? "weight_bits" : "weight_bits - 1 magnitude bits");
  require_in("dac_bits", p.dac_bits, 1, p.input_bits, "input_bits");
  require_in("adc_bits", p.adc_bits, kMinAdcBits, kMaxAdcBits);
  if (p.cols % p.adcs != 0) bad_param("adcs", p.adcs, "a divisor of 'cols' = " + std::to_string(p.cols));
  const int headroom = p.weight_bits + p.input_bits + ceil_log2(static_cast<std::uint64_t>(p.rows));
  if (headroom > kHeadroomBits)
    throw std::invalid_argument(
        "parameters 'weight_bits' + 'input_bits' + ceil_log2('rows') = " + std::to_string(headroom) +
        " are invalid: expected at most " + std::to_string(kHeadroomBits) + " (64-bit golden model)");
  // A larger shift only coarsens the ADC without extending its range.
  require_in("adc_shift", p.adc_shift, 0, full_range_adc_shift(p),
             "full_range_adc_shift: there the ADC range covers every column sum");
}

IntFormat weight_format(const ReramParams& p) { return {p.weight_bits, true}; }
IntFormat input_format(const ReramParams& p) { return {p.input_bits, true}; }
IntFormat acc_format(const ReramParams& p) { return {p.acc_bits, true}; }
int product_frac(const ReramParams& p) { return p.weight_frac + p.input_frac; }
int weight_arrays(const ReramParams& p) { return p.weight_encoding == WeightEncoding::Offset ? 1 : 2; }
int weight_slices(const ReramParams& p) { return ceil_div(stored_bits(p), p.cell_bits); }
std::int64_t min_weight(const ReramParams& p) {
  return p.weight_encoding == WeightEncoding::Offset ? weight_format(p).min() : -max_weight(p);
}
std::int64_t max_weight(const ReramParams& p) { return pow2(p.weight_bits - 1) - 1; }
int input_steps(const ReramParams& p) { return magnitude_steps(p) + 1; }
std::int64_t adc_lsb(const ReramParams& p) { return pow2(p.adc_shift); }
int adc_count(const ReramParams& p) { return p.adcs * weight_slices(p) * weight_arrays(p); }

std::int64_t mvm_cycles(const ReramParams& p) {
  validate(p);
  return std::int64_t{input_steps(p)} * (p.cols / p.adcs) * (p.adc_bits + 1);
}

std::int64_t stored_weight(const ReramParams& p, int array, std::int64_t w) {
  if (p.weight_encoding == WeightEncoding::Offset) return w + weight_offset(p);
  return std::max<std::int64_t>(array == 0 ? w : -w, 0);
}

std::int64_t cell_level(const ReramParams& p, int array, int slice, std::int64_t w) {
  return (stored_weight(p, array, w) >> (slice * p.cell_bits)) & (pow2(slice_width(p, slice)) - 1);
}

std::int64_t dac_level(const ReramParams& p, int step, std::int64_t x) {
  if (step == magnitude_steps(p)) return x < 0 ? 1 : 0;
  // Two's complement: the bits below the sign bit are those of x mod 2^input_bits.
  return (x >> (step * p.dac_bits)) & (pow2(step_width(p, step)) - 1);
}

std::int64_t max_cell_level(const ReramParams& p, int slice) { return pow2(slice_width(p, slice)) - 1; }

std::int64_t max_dac_level(const ReramParams& p, int step) {
  return step == magnitude_steps(p) ? 1 : pow2(step_width(p, step)) - 1;
}

std::int64_t conversion_weight(const ReramParams& p, int array, int slice, int step) {
  const std::int64_t step_weight =
      step == magnitude_steps(p) ? -pow2(p.input_bits - 1) : pow2(step * p.dac_bits);
  return (array == 1 ? -1 : 1) * pow2(slice * p.cell_bits) * step_weight;
}

std::int64_t max_column_sum(const ReramParams& p, int slice, int step) {
  return p.rows * max_dac_level(p, step) * max_cell_level(p, slice);
}

std::int64_t max_column_sum(const ReramParams& p) {
  // The widest slice and the widest step are both the first.
  return max_column_sum(p, 0, 0);
}

int lossless_adc_bits(const ReramParams& p) {
  return ceil_log2(static_cast<std::uint64_t>(max_column_sum(p)) + 1);
}

int full_range_adc_shift(const ReramParams& p) { return std::max(0, lossless_adc_bits(p) - p.adc_bits); }

std::int64_t adc_code(std::int64_t sum, int adc_bits, std::int64_t lsb) {
  require_adc(adc_bits, lsb);
  if (sum < 0) return 0;
  return std::min(sum / lsb, pow2(adc_bits) - 1);
}

std::int64_t sar_convert(std::int64_t sum, int adc_bits, std::int64_t lsb, std::span<SarTrial> trials) {
  require_adc(adc_bits, lsb);
  if (!trials.empty() && trials.size() != static_cast<std::size_t>(adc_bits))
    throw std::invalid_argument("sar_convert: trials must hold adc_bits entries");
  std::int64_t code = 0;
  for (int bit = adc_bits - 1; bit >= 0; --bit) {
    const std::int64_t dac_code = code | pow2(bit);
    const bool keep = sum >= dac_code * lsb;
    if (keep) code = dac_code;
    if (!trials.empty()) trials[static_cast<std::size_t>(adc_bits - 1 - bit)] = {dac_code, keep};
  }
  return code;
}

std::int64_t adc_max_error(std::int64_t max_sum, int adc_bits, std::int64_t lsb) {
  require_adc(adc_bits, lsb);
  // Below the top code the error is S mod lsb (at most lsb - 1, reached once S >= lsb - 1);
  // above it the clipping error S - top * lsb grows with S.
  const std::int64_t rounding = std::min(lsb - 1, max_sum);
  const std::int64_t clipping = max_sum - (pow2(adc_bits) - 1) * lsb;
  return std::max(rounding, clipping);
}

std::size_t StepSums::index(int array, int slice, int step, int col) const {
  return ((static_cast<std::size_t>(array) * static_cast<std::size_t>(slices) +
           static_cast<std::size_t>(slice)) *
              static_cast<std::size_t>(steps) +
          static_cast<std::size_t>(step)) *
             static_cast<std::size_t>(cols) +
         static_cast<std::size_t>(col);
}

StepSums column_sums(const ReramParams& p, std::span<const std::int64_t> weights,
                     std::span<const std::int64_t> inputs) {
  require_operands(p, weights, inputs);
  StepSums s{weight_arrays(p), weight_slices(p), input_steps(p), p.cols, {}};
  s.sums.resize(static_cast<std::size_t>(s.arrays * s.slices * s.steps) * static_cast<std::size_t>(s.cols));
  const auto cols = static_cast<std::size_t>(p.cols);
  for_each_conversion(p, [&](int a, int k, int t) {
    for (std::size_t r = 0; r < inputs.size(); ++r) {
      const std::int64_t level = dac_level(p, t, inputs[r]);
      for (std::size_t c = 0; c < cols; ++c)
        s.sums[s.index(a, k, t, static_cast<int>(c))] += level * cell_level(p, a, k, weights[r * cols + c]);
    }
  });
  return s;
}

std::vector<std::int64_t> mvm_from_sums(const ReramParams& p, const StepSums& sums,
                                        std::span<const std::int64_t> inputs) {
  validate(p);
  if (sums.arrays != weight_arrays(p) || sums.slices != weight_slices(p) || sums.steps != input_steps(p) ||
      sums.cols != p.cols)
    throw std::invalid_argument(
        "mvm_from_sums: step sums do not have the arrays x slices x steps x cols of p");
  require_size(
      "step sums", sums.sums.size(),
      static_cast<std::size_t>(sums.arrays * sums.slices * sums.steps) * static_cast<std::size_t>(sums.cols));
  require_size("inputs (rows)", inputs.size(), static_cast<std::size_t>(p.rows));
  const std::int64_t lsb = adc_lsb(p);
  // Offset encoding adds offset * x to every product; the digital side knows the inputs exactly.
  const std::int64_t correction = weight_offset(p) * input_sum(inputs);
  std::vector<std::int64_t> out(static_cast<std::size_t>(p.cols), -correction);
  for (int c = 0; c < p.cols; ++c)
    for_each_conversion(p, [&](int a, int k, int t) {
      out[static_cast<std::size_t>(c)] +=
          conversion_weight(p, a, k, t) * adc_code(sums.at(a, k, t, c), p.adc_bits, lsb) * lsb;
    });
  return out;
}

std::vector<std::int64_t> mvm_adc(const ReramParams& p, std::span<const std::int64_t> weights,
                                  std::span<const std::int64_t> inputs) {
  return mvm_from_sums(p, column_sums(p, weights, inputs), inputs);
}

std::vector<std::int64_t> mvm_exact(const ReramParams& p, std::span<const std::int64_t> weights,
                                    std::span<const std::int64_t> inputs) {
  require_operands(p, weights, inputs);
  const auto cols = static_cast<std::size_t>(p.cols);
  std::vector<std::int64_t> out(cols, 0);
  for (std::size_t r = 0; r < inputs.size(); ++r)
    for (std::size_t c = 0; c < cols; ++c) out[c] += weights[r * cols + c] * inputs[r];
  return out;
}

std::int64_t to_accumulator(const ReramParams& p, std::int64_t raw) {
  const IntFormat acc = acc_format(p);
  const int drop = product_frac(p) - p.acc_frac;
  if (drop > 0) return acc.saturate(round_half_up_shift(raw, drop));
  return shift_left_saturate(raw, -drop, acc);
}

std::vector<std::int64_t> mvm(const ReramParams& p, std::span<const std::int64_t> weights,
                              std::span<const std::int64_t> inputs) {
  auto out = mvm_adc(p, weights, inputs);
  for (auto& v : out) v = to_accumulator(p, v);
  return out;
}

ErrorRange mvm_error_range(const ReramParams& p) {
  validate(p);
  const std::int64_t lsb = adc_lsb(p);
  ErrorRange r;
  for_each_conversion(p, [&](int a, int k, int t) {
    const std::int64_t c = conversion_weight(p, a, k, t);
    const std::int64_t e = adc_max_error(max_column_sum(p, k, t), p.adc_bits, lsb);
    // The ADC only underestimates, so a positively weighted conversion can only lower the result.
    if (c > 0)
      r.lo -= c * e;
    else
      r.hi -= c * e;
  });
  return r;
}

std::int64_t mvm_error_bound(const ReramParams& p) {
  const ErrorRange r = mvm_error_range(p);
  return std::max(-r.lo, r.hi);
}

std::vector<std::int64_t> parse_weight_matrix(std::string_view text, const ReramParams& p) {
  validate(p);
  std::vector<std::int64_t> m;
  int rows_read = 0;
  int line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t nl = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (is_skipped_line(line)) continue;
    if (rows_read == p.rows) bad_line(line_no, "more than " + std::to_string(p.rows) + " rows (rows)");
    const auto row = parse_matrix_row(line, line_no, p);
    m.insert(m.end(), row.begin(), row.end());
    ++rows_read;
  }
  if (rows_read != p.rows)
    throw std::invalid_argument("weights: expected " + std::to_string(p.rows) + " rows (rows), got " +
                                std::to_string(rows_read));
  return m;
}

double hardware_cost(std::span<const LayerPrecision> layers, const CostConstants& k) {
  if (!std::isfinite(k.alpha) || k.alpha <= 1)
    throw std::invalid_argument("cost constant 'alpha' = " + number(k.alpha) + " is invalid: expected > 1");
  if (k.full_bits < 1)
    throw std::invalid_argument("cost constant 'full_bits' = " + std::to_string(k.full_bits) +
                                " is invalid: expected >= 1");
  const double full = k.full_bits;
  double cost = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerPrecision& l = layers[i];
    require_layer(i, l);
    cost +=
        std::pow(k.alpha, l.adc_bits) * (l.f_input * l.input_bits / full + l.f_weight * l.weight_bits / full);
  }
  return cost;
}

}  // namespace qrtl::quant
