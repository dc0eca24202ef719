#include "quant/dnateq.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "quant/intmath.hpp"

namespace qrtl::quant {
namespace {

constexpr std::int64_t kMaxDotLength = 65504;  // the largest count that converts to a finite FP16
constexpr int kRssBins = 64;
constexpr double kFp16Max = 65504.0;

// Shortest decimal that reads back as the same double.
std::string number(double v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

std::string hex16(fp16::Bits h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += kDigits[(h >> shift) & 0xF];
  return s;
}

std::string fp16_text(fp16::Bits h) { return hex16(h) + " (" + number(fp16::to_double(h)) + ")"; }

[[noreturn]] void reject(std::string_view what, std::string_view value, std::string_view expected) {
  throw std::invalid_argument(std::string(what) + " = " + std::string(value) + " is invalid: expected " +
                              std::string(expected));
}

void require_bits(int bits) {
  if (bits < kDnateqMinBits || bits > kDnateqMaxBits)
    reject("parameter 'bits'", std::to_string(bits), "3..7");
}

void require_base(double base) {
  if (!std::isfinite(base) || base <= 1) reject("parameter 'base'", number(base), "a finite number > 1");
}

// Magnitude statistics every fit needs, of a validated tensor with at least one nonzero value.
struct Magnitudes {
  double min = 0;
  double min_nonzero = 0;
  double max = 0;
  double mean = 0;
};

Magnitudes magnitudes_of(std::string_view name, std::span<const double> x) {
  validate_tensor(name, x);
  Magnitudes m{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), 0, 0};
  for (const double v : x) {
    const double a = std::fabs(v);
    m.min = std::min(m.min, a);
    if (a > 0) m.min_nonzero = std::min(m.min_nonzero, a);
    m.max = std::max(m.max, a);
    m.mean += a;
  }
  if (m.max == 0)
    throw std::invalid_argument("tensor '" + std::string(name) +
                                "' has no nonzero value: expected at least one (scale and RMAE need it)");
  m.mean /= static_cast<double>(x.size());
  return m;
}

// Magnitude of each interval: 0 for the zero interval, then the levels for exponents -E..E.
std::vector<double> interval_levels(const ExpQuantizer& q) {
  const int e_max = max_exponent(q.bits);
  std::vector<double> levels{0.0};
  for (int e = -e_max; e <= e_max; ++e) levels.push_back(level(q, e));
  return levels;
}

template <class T>
int interval_of(std::span<const T> sorted_boundaries, T magnitude) {
  return static_cast<int>(std::upper_bound(sorted_boundaries.begin(), sorted_boundaries.end(), magnitude) -
                          sorted_boundaries.begin());
}

// n for a boundary table of 2^n - 1 entries.
int bits_of_boundary_count(std::size_t count) {
  for (int n = kDnateqMinBits; n <= kDnateqMaxBits; ++n)
    if (count == static_cast<std::size_t>(level_count(n))) return n;
  reject("boundary count", std::to_string(count), "2^bits - 1 for bits 3..7 (7, 15, 31, 63 or 127)");
}

bool in_range(const ExpCode& c, int bits) {
  const int e_max = max_exponent(bits);
  return is_zero(c, bits) || (c.exponent >= -e_max && c.exponent <= e_max);
}

// `where` is only built on failure: the counting loop checks every code.
template <class Where>
void require_code(const ExpCode& c, int bits, Where where) {
  if (in_range(c, bits)) return;
  const int e_max = max_exponent(bits);
  reject(std::string(where()) + " exponent", std::to_string(c.exponent),
         std::to_string(-e_max) + ".." + std::to_string(e_max) + " or the zero code " +
             std::to_string(zero_exponent(bits)));
}

void validate(const SearchOptions& o) {
  if (!std::isfinite(o.weight_threshold) || o.weight_threshold <= 0)
    reject("parameter 'weight_threshold'", number(o.weight_threshold), "a finite number > 0");
  if (!(o.first_layer_factor > 0 && o.first_layer_factor <= 1))
    reject("parameter 'first_layer_factor'", number(o.first_layer_factor), "0 < factor <= 1");
  if (!(o.initial_step > 0 && o.initial_step <= 1))
    reject("parameter 'initial_step'", number(o.initial_step), "0 < step <= 1");
  if (o.refinements < 0 || o.refinements > 30)
    reject("parameter 'refinements'", std::to_string(o.refinements), "0..30");
}

void require_same_layer(const ExpQuantizer& a, const ExpQuantizer& w) {
  validate(a);
  validate(w);
  if (w.bits != a.bits)
    reject("parameter 'bits' of the weights", std::to_string(w.bits),
           "the activations' bits " + std::to_string(a.bits) + " (a layer has one bit-width)");
  if (w.base != a.base)
    reject("parameter 'base' of the weights", number(w.base),
           "the activations' base " + number(a.base) + " (a layer shares one base)");
}

// {alpha_a*alpha_w, alpha_a*beta_w, beta_a*alpha_w, beta_a*beta_w}, in double.
std::array<double, 4> exact_coefficients(const ExpQuantizer& a, const ExpQuantizer& w) {
  return {a.scale * w.scale, a.scale * w.offset, a.offset * w.scale, a.offset * w.offset};
}

// Per term j: A_j = sum |C_k| b^k (the term's absolute size) and M_j = sum |C_k| (its pair count).
struct TermSizes {
  std::array<double, 4> abs_sum{};
  std::array<double, 4> count{};
};

TermSizes term_sizes(const ExpCounters& c, double base) {
  const int e_max = max_exponent(c.bits);
  TermSizes s;
  auto add = [&](int j, std::span<const std::int64_t> counts, int lowest_power) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const double n = std::fabs(static_cast<double>(counts[i]));
      s.abs_sum[j] += n * std::pow(base, lowest_power + static_cast<int>(i));
      s.count[j] += n;
    }
  };
  add(0, c.by_sum, -2 * e_max);
  add(1, c.by_activation, -e_max);
  add(2, c.by_weight, -e_max);
  s.abs_sum[3] = s.count[3] = std::fabs(static_cast<double>(c.sign_sum));
  return s;
}

void require_counters(const ExpCounters& c, int bits) {
  if (c.bits != bits)
    reject("counters' bits", std::to_string(c.bits), "the parameters' bits " + std::to_string(bits));
  const CounterShape shape = counter_shape(bits, 1);
  if (c.by_sum.size() != static_cast<std::size_t>(shape.sum_entries) ||
      c.by_activation.size() != static_cast<std::size_t>(shape.exponent_entries) ||
      c.by_weight.size() != static_cast<std::size_t>(shape.exponent_entries))
    throw std::invalid_argument("counters: expected " + std::to_string(shape.sum_entries) + " sum and " +
                                std::to_string(shape.exponent_entries) +
                                " exponent entries for bits = " + std::to_string(bits));
}

// --- Hardware parameter checks, shared by validate() and the file reader -------------------------
// Names entry i of a table in an error message: "boundaries[3]" or "line 12".
using Where = std::function<std::string(std::size_t)>;

Where index_label(std::string table) {
  return [table = std::move(table)](std::size_t i) { return table + "[" + std::to_string(i) + "]"; };
}

[[noreturn]] void reject_entry(const Where& where, std::size_t i, std::string_view what, fp16::Bits h,
                               std::string_view expected) {
  throw std::invalid_argument("dnateq params: " + where(i) + ": " + std::string(what) + " " + fp16_text(h) +
                              " is invalid: expected " + std::string(expected));
}

void require_count(std::string_view table, std::size_t got, int want, int bits, std::string_view rule) {
  if (got != static_cast<std::size_t>(want))
    throw std::invalid_argument("dnateq params: expected " + std::to_string(want) + " " + std::string(table) +
                                " for bits = " + std::to_string(bits) + " (" + std::string(rule) + "), got " +
                                std::to_string(got));
}

// Positive, non-NaN, non-decreasing as unsigned patterns (= as values, all being positive).
void check_sorted_positive(std::span<const fp16::Bits> v, const Where& where, std::string_view what,
                           bool finite_only) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const fp16::Bits h = v[i];
    if (fp16::is_negative(h) || h == 0 || fp16::is_nan(h) || (finite_only && fp16::is_inf(h)))
      reject_entry(where, i, what, h, finite_only ? "a finite FP16 > 0" : "an FP16 > 0, not NaN");
    if (i > 0 && h < v[i - 1])
      reject_entry(where, i, what, h, "sorted values: >= the previous " + fp16_text(v[i - 1]));
  }
}

void validate_with(const DnateqHardwareParams& p, const Where& boundary_where, const Where& lut_where,
                   const Where& coefficient_where) {
  require_bits(p.bits);
  require_count("boundaries", p.boundaries.size(), level_count(p.bits), p.bits, "2^bits - 1");
  require_count("lut entries", p.lut.size(), counter_shape(p.bits, 1).sum_entries, p.bits, "2^(bits+1) - 3");
  check_sorted_positive(p.boundaries, boundary_where, "boundary", false);
  check_sorted_positive(p.lut, lut_where, "lut entry", true);
  for (std::size_t i = 0; i < p.coefficients.size(); ++i)
    if (!fp16::is_finite(p.coefficients[i]))
      reject_entry(coefficient_where, i, "coefficient", p.coefficients[i], "a finite FP16");
}

// --- Text helpers ----------------------------------------------------------------------------------
std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// Calls f(line_number, content) for every line with its '#' comment removed and trimmed, if not empty.
template <class F>
void for_each_content_line(std::string_view text, F f) {
  int line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t nl = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    line = trim(line.substr(0, line.find('#')));
    if (!line.empty()) f(line_no, line);
  }
}

template <class T>
bool parse_whole(std::string_view s, T& out, int base = 10) {
  const char* end = s.data() + s.size();
  std::from_chars_result r;
  if constexpr (std::is_floating_point_v<T>)
    r = std::from_chars(s.data(), end, out);
  else
    r = std::from_chars(s.data(), end, out, base);
  return !s.empty() && r.ec == std::errc() && r.ptr == end;
}

bool parse_hex16(std::string_view s, fp16::Bits& out) {
  if (s.size() < 3 || s.size() > 6 || (s.substr(0, 2) != "0x" && s.substr(0, 2) != "0X")) return false;
  unsigned v = 0;
  if (!parse_whole(s.substr(2), v, 16)) return false;
  out = static_cast<fp16::Bits>(v);
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "' for reading");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr std::string_view kNpyMagic = "\x93NUMPY";

std::uint64_t little_endian(std::string_view bytes, std::size_t at, int size) {
  std::uint64_t v = 0;
  for (int i = size - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

// The text of `key`'s value in a NumPy header dict: a quoted string without quotes, a tuple with
// its parentheses, or a bare word.
std::string_view npy_value(std::string_view header, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  const auto at = header.find(quoted);
  if (at == std::string_view::npos)
    throw std::invalid_argument("npy: header has no '" + std::string(key) + "'");
  std::string_view rest = trim(header.substr(at + quoted.size()));
  if (rest.empty() || rest[0] != ':')
    throw std::invalid_argument("npy: header entry '" + std::string(key) + "' has no value");
  rest = trim(rest.substr(1));
  std::size_t end = 0;
  if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"'))
    return rest.substr(1, std::min(rest.find(rest[0], 1), rest.size()) - 1);
  if (!rest.empty() && rest[0] == '(')
    end = rest.find(')') + 1;
  else
    end = rest.find_first_of(",}");
  return trim(rest.substr(0, std::min(end, rest.size())));
}

std::vector<std::size_t> npy_shape(std::string_view tuple) {
  auto bad = [&] {
    reject("npy: shape", "'" + std::string(tuple) + "'", "a tuple of integers such as (3, 4)");
  };
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')') bad();
  std::vector<std::size_t> shape;
  std::string_view inner = tuple.substr(1, tuple.size() - 2);
  while (!inner.empty()) {
    const auto comma = std::min(inner.find(','), inner.size());
    const std::string_view item = trim(inner.substr(0, comma));
    inner = comma < inner.size() ? inner.substr(comma + 1) : std::string_view{};
    if (item.empty() && inner.empty()) break;  // "(3,)"
    std::size_t extent = 0;
    if (!parse_whole(item, extent)) bad();
    shape.push_back(extent);
  }
  return shape;
}

}  // namespace

// --- Quantizer -------------------------------------------------------------------------------------

int max_exponent(int bits) {
  require_bits(bits);
  return (1 << (bits - 1)) - 1;
}

int zero_exponent(int bits) {
  require_bits(bits);
  return -(1 << (bits - 1));
}

int level_count(int bits) {
  require_bits(bits);
  return (1 << bits) - 1;
}

void validate(const ExpQuantizer& q) {
  require_bits(q.bits);
  require_base(q.base);
  if (!std::isfinite(q.scale) || q.scale <= 0)
    reject("parameter 'scale'", number(q.scale), "a finite number > 0");
  const double lowest = q.scale * std::pow(q.base, -max_exponent(q.bits));
  if (!std::isfinite(q.offset) || lowest + q.offset < 0)
    reject("parameter 'offset'", number(q.offset),
           ">= -scale * base^-E = " + number(-lowest) + " (the lowest level is a magnitude, >= 0)");
}

double level(const ExpQuantizer& q, int exponent) { return q.scale * std::pow(q.base, exponent) + q.offset; }

bool is_zero(const ExpCode& c, int bits) { return c.exponent == zero_exponent(bits); }

std::uint32_t pack(const ExpCode& c, int bits) {
  require_code(c, bits, [] { return "code"; });
  const std::uint32_t field = static_cast<std::uint32_t>(c.exponent) & ((1u << bits) - 1);
  return (c.negative ? 1u << bits : 0u) | field;
}

ExpCode unpack(std::uint32_t word, int bits) {
  require_bits(bits);
  if (word >> (bits + 1) != 0)
    reject("code word", std::to_string(word), "< 2^(bits+1) = " + std::to_string(1u << (bits + 1)));
  const int field = static_cast<int>(word & ((1u << bits) - 1));
  return {((word >> bits) & 1) != 0, field >= (1 << (bits - 1)) ? field - (1 << bits) : field};
}

ExpCode quantize_by_formula(const ExpQuantizer& q, double x) {
  validate(q);
  if (!std::isfinite(x)) reject("value", number(x), "a finite number");
  if (x == 0) return code_of_interval(0, false, q.bits);
  const int e_max = max_exponent(q.bits);
  const double t = (std::fabs(x) - q.offset) / q.scale;
  // t <= 0: log_b(t) is -infinity, which the clip takes to -E.
  const double e =
      t <= 0 ? -e_max
             : std::clamp(std::floor(std::log(t) / std::log(q.base) + 0.5), double(-e_max), double(e_max));
  return {x < 0, static_cast<int>(e)};
}

std::vector<double> boundaries(const ExpQuantizer& q) {
  validate(q);
  const int e_max = max_exponent(q.bits);
  std::vector<double> b{std::numeric_limits<double>::denorm_min()};
  for (int j = 1; j < level_count(q.bits); ++j)
    b.push_back(q.scale * std::pow(q.base, j - e_max - 0.5) + q.offset);
  return b;
}

ExpCode code_of_interval(int interval, bool negative, int bits) {
  if (interval < 0 || interval > level_count(bits))
    reject("interval", std::to_string(interval), "0..2^bits - 1 = " + std::to_string(level_count(bits)));
  if (interval == 0) return {false, zero_exponent(bits)};
  return {negative, interval - 1 - max_exponent(bits)};
}

std::vector<ExpCode> quantize(const ExpQuantizer& q, std::span<const double> x) {
  validate_tensor("tensor", x);
  const std::vector<double> b = boundaries(q);
  std::vector<ExpCode> codes;
  codes.reserve(x.size());
  for (const double v : x)
    codes.push_back(code_of_interval(interval_of<double>(b, std::fabs(v)), v < 0, q.bits));
  return codes;
}

double dequantize(const ExpQuantizer& q, const ExpCode& c) {
  require_code(c, q.bits, [] { return "code"; });
  if (is_zero(c, q.bits)) return 0;
  const double m = level(q, c.exponent);
  return c.negative ? -m : m;
}

std::vector<double> dequantize(const ExpQuantizer& q, std::span<const ExpCode> codes) {
  validate(q);
  std::vector<double> x;
  x.reserve(codes.size());
  for (const ExpCode& c : codes) x.push_back(dequantize(q, c));
  return x;
}

std::vector<fp16::Bits> boundaries_fp16(const ExpQuantizer& q) {
  std::vector<fp16::Bits> b;
  for (const double v : boundaries(q)) b.push_back(std::max(fp16::from_double(v), fp16::kMinSubnormal));
  return b;
}

ExpCode quantize_fp16(std::span<const fp16::Bits> boundaries, fp16::Bits x) {
  const int bits = bits_of_boundary_count(boundaries.size());
  return code_of_interval(interval_of(boundaries, fp16::magnitude(x)), fp16::is_negative(x), bits);
}

// --- Error metrics -------------------------------------------------------------------------------

double rmae(std::span<const double> x, std::span<const double> approx) {
  magnitudes_of("tensor", x);
  validate_tensor("approximation", approx);
  if (x.size() != approx.size())
    reject("approximation size", std::to_string(approx.size()),
           "the tensor size " + std::to_string(x.size()));
  double err = 0, total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    err += std::fabs(x[i] - approx[i]);
    total += std::fabs(x[i]);
  }
  return err / total;
}

double quantization_rmae(const ExpQuantizer& q, std::span<const double> x) {
  magnitudes_of("tensor", x);
  const std::vector<double> b = boundaries(q);
  const std::vector<double> levels = interval_levels(q);
  double err = 0, total = 0;
  for (const double v : x) {
    const double a = std::fabs(v);
    err += std::fabs(a - levels[static_cast<std::size_t>(interval_of<double>(b, a))]);
    total += a;
  }
  return err / total;
}

std::vector<double> uniform_quantize(std::span<const double> x, int bits) {
  require_bits(bits);
  validate_tensor("tensor", x);
  double max = 0;
  for (const double v : x) max = std::max(max, std::fabs(v));
  const double top = (1 << bits) - 1;
  std::vector<double> out;
  out.reserve(x.size());
  for (const double v : x)
    out.push_back(max == 0 ? 0 : std::clamp(std::round(v / max * top), -top, top) * max / top);
  return out;
}

// --- Offline search --------------------------------------------------------------------------------

ExponentialFit fit_exponential(std::span<const double> x) {
  const Magnitudes m = magnitudes_of("tensor", x);
  ExponentialFit fit{m.min / m.max, m.mean / m.max - m.min / m.max, 0};
  if (fit.scale <= 0) {
    fit.rss = std::numeric_limits<double>::infinity();
    return fit;
  }
  std::array<double, kRssBins> count{};
  for (const double v : x)
    count[static_cast<std::size_t>(std::min(std::fabs(v) / m.max * kRssBins, kRssBins - 1.0))] += 1;
  const double width = 1.0 / kRssBins;
  for (int j = 0; j < kRssBins; ++j) {
    const double centre = (j + 0.5) * width;
    const double density = count[static_cast<std::size_t>(j)] / (static_cast<double>(x.size()) * width);
    const double model =
        centre < fit.location ? 0 : std::exp(-(centre - fit.location) / fit.scale) / fit.scale;
    fit.rss += (density - model) * (density - model);
  }
  return fit;
}

double min_base(int bits) { return std::pow(2.0, 1.0 / (2 * max_exponent(bits))); }

double max_base(int bits) { return std::pow(kFp16Max, 1.0 / (2 * max_exponent(bits))); }

ExpQuantizer fit_scale_offset(std::span<const double> x, int bits, double base) {
  require_bits(bits);
  require_base(base);
  const Magnitudes m = magnitudes_of("tensor", x);
  const double lo = m.min_nonzero < m.max ? m.min_nonzero : 0;
  const int e_max = max_exponent(bits);
  const double bottom = std::pow(base, -e_max);
  const double scale = (m.max - lo) / (std::pow(base, e_max) - bottom);
  return {bits, base, scale, lo - scale * bottom};
}

double initial_base(std::span<const double> x, int bits) {
  const Magnitudes m = magnitudes_of("tensor", x);
  const double spread = m.mean - m.min;
  if (spread <= 0) return max_base(bits);
  const double b0 = std::exp((m.max - m.min) / (2 * spread) / (2 * max_exponent(bits)));
  return std::clamp(b0, min_base(bits), max_base(bits));
}

BaseSearch search_base(std::span<const double> x, int bits, const SearchOptions& options) {
  validate(options);
  const double lo = min_base(bits), hi = max_base(bits);
  BaseSearch result;
  auto error_at = [&](double b) {
    ++result.evaluations;
    return quantization_rmae(fit_scale_offset(x, bits, b), x);
  };
  double b = initial_base(x, bits);
  double err = error_at(b);
  double step = options.initial_step * (b - 1);
  auto neighbour = [&](int direction) { return std::clamp(b + direction * step, lo, hi); };
  for (int round = 0; round <= options.refinements; ++round, step /= 2) {
    // Lines 4-8 of Algorithm 1: the direction of lower error among b - step, b, b + step.
    int direction = 0;
    double best_b = b, best_err = err;
    for (const int d : {-1, 1}) {
      const double c = neighbour(d);
      if (c == b) continue;
      const double e = error_at(c);
      if (e < best_err) {
        best_b = c;
        best_err = e;
        direction = d;
      }
    }
    b = best_b;
    err = best_err;
    // Lines 9-19: keep stepping that way while the error strictly decreases.
    for (double c = neighbour(direction); direction != 0 && c != b; c = neighbour(direction)) {
      const double e = error_at(c);
      if (e >= err) break;
      b = c;
      err = e;
    }
  }
  result.quantizer = fit_scale_offset(x, bits, b);
  result.error = err;
  return result;
}

double activation_threshold(double weight_threshold, const LayerTensors& layer) {
  if (!std::isfinite(weight_threshold) || weight_threshold <= 0)
    reject("parameter 'weight_threshold'", number(weight_threshold), "a finite number > 0");
  const Magnitudes a = magnitudes_of("activations", layer.activations);
  const Magnitudes w = magnitudes_of("weights", layer.weights);
  return weight_threshold * (a.max / a.mean) / (w.max / w.mean);
}

LayerQuantization quantize_layer(const LayerTensors& layer, int bits, const SearchOptions& options) {
  require_bits(bits);
  magnitudes_of("activations", layer.activations);
  magnitudes_of("weights", layer.weights);
  LayerQuantization r;
  r.base_from_weights = fit_exponential(layer.weights).rss < fit_exponential(layer.activations).rss;
  const auto leader = r.base_from_weights ? layer.weights : layer.activations;
  const auto follower = r.base_from_weights ? layer.activations : layer.weights;
  const BaseSearch search = search_base(leader, bits, options);
  const ExpQuantizer other = fit_scale_offset(follower, bits, search.quantizer.base);
  const double other_error = quantization_rmae(other, follower);
  r.activations = r.base_from_weights ? other : search.quantizer;
  r.weights = r.base_from_weights ? search.quantizer : other;
  r.activation_error = r.base_from_weights ? other_error : search.error;
  r.weight_error = r.base_from_weights ? search.error : other_error;
  return r;
}

LayerQuantization search_layer(const LayerTensors& layer, bool first_layer, const SearchOptions& options) {
  validate(options);
  const double tw = options.weight_threshold * (first_layer ? options.first_layer_factor : 1.0);
  const double ta = activation_threshold(tw, layer);
  LayerQuantization r;
  for (int bits = kDnateqMinBits; bits <= kDnateqMaxBits; ++bits) {
    r = quantize_layer(layer, bits, options);
    r.weight_threshold = tw;
    r.activation_threshold = ta;
    r.meets_thresholds = r.weight_error <= tw && r.activation_error <= ta;
    if (r.meets_thresholds) break;
  }
  return r;
}

std::vector<LayerQuantization> search_network(std::span<const LayerTensors> layers,
                                              const SearchOptions& options) {
  if (layers.empty()) reject("parameter 'layers'", "0 layers", "at least one layer");
  std::vector<LayerQuantization> out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    try {
      out.push_back(search_layer(layers[i], i == 0, options));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("layer " + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

ThresholdSweep sweep_weight_threshold(std::span<const LayerTensors> layers, const AccuracyLoss& loss,
                                      const SearchOptions& options, const ThresholdSweepOptions& sweep) {
  if (!loss) throw std::invalid_argument("parameter 'loss' is empty: expected an accuracy-loss function");
  if (!(sweep.start > 0 && sweep.step > 0 && sweep.max_threshold >= sweep.start && sweep.max_loss > 0))
    reject("threshold sweep (start, step, max_threshold, max_loss)",
           number(sweep.start) + ", " + number(sweep.step) + ", " + number(sweep.max_threshold) + ", " +
               number(sweep.max_loss),
           "start > 0, step > 0, max_threshold >= start, max_loss > 0");
  SearchOptions o = options;
  o.weight_threshold = sweep.start;
  ThresholdSweep best{sweep.start, 0, search_network(layers, o)};
  best.loss = loss(best.layers);
  if (best.loss >= sweep.max_loss) return best;
  // The threshold is start + i * step rather than a running sum, so no rounding drift.
  for (int i = 1;; ++i) {
    o.weight_threshold = sweep.start + i * sweep.step;
    if (o.weight_threshold > sweep.max_threshold * (1 + 1e-12)) break;
    std::vector<LayerQuantization> candidate = search_network(layers, o);
    const double l = loss(candidate);
    if (l >= sweep.max_loss) break;
    best = {o.weight_threshold, l, std::move(candidate)};
  }
  return best;
}

Compression compression_vs_int8(std::span<const LayerQuantization> layers) {
  if (layers.empty()) reject("parameter 'layers'", "0 layers", "at least one layer");
  double sum = 0;
  for (const LayerQuantization& l : layers) sum += l.weights.bits;
  Compression c;
  c.average_bits = sum / static_cast<double>(layers.size());
  c.size_ratio = c.average_bits / 8;
  c.saving = 1 - c.size_ratio;
  c.size_ratio_with_sign = (c.average_bits + 1) / 8;
  return c;
}

// --- Counting stage --------------------------------------------------------------------------------

CounterShape counter_shape(int bits, std::int64_t max_length) {
  const int e_max = max_exponent(bits);
  if (max_length < 1 || max_length > kMaxDotLength)
    reject("parameter 'max_length'", std::to_string(max_length),
           "1..65504 (the largest count must convert to a finite FP16)");
  return {4 * e_max + 1, 2 * e_max + 1, ceil_log2(static_cast<std::uint64_t>(max_length) + 1) + 1};
}

ExpCounters count_exponents(int bits, std::span<const ExpCode> activations,
                            std::span<const ExpCode> weights) {
  const CounterShape shape = counter_shape(bits, 1);
  if (activations.size() != weights.size())
    reject("weights length", std::to_string(weights.size()),
           "the activations' length " + std::to_string(activations.size()));
  const int e_max = max_exponent(bits);
  ExpCounters c{bits, std::vector<std::int64_t>(static_cast<std::size_t>(shape.sum_entries)),
                std::vector<std::int64_t>(static_cast<std::size_t>(shape.exponent_entries)),
                std::vector<std::int64_t>(static_cast<std::size_t>(shape.exponent_entries)), 0};
  for (std::size_t i = 0; i < activations.size(); ++i) {
    const ExpCode& a = activations[i];
    const ExpCode& w = weights[i];
    require_code(a, bits, [i] { return "activation[" + std::to_string(i) + "]"; });
    require_code(w, bits, [i] { return "weight[" + std::to_string(i) + "]"; });
    if (is_zero(a, bits) || is_zero(w, bits)) continue;
    const int s = a.negative == w.negative ? 1 : -1;
    c.by_sum[static_cast<std::size_t>(a.exponent + w.exponent + 2 * e_max)] += s;
    c.by_activation[static_cast<std::size_t>(a.exponent + e_max)] += s;
    c.by_weight[static_cast<std::size_t>(w.exponent + e_max)] += s;
    c.sign_sum += s;
  }
  return c;
}

// --- Post-processing -------------------------------------------------------------------------------

DnateqHardwareParams make_hardware_params(const ExpQuantizer& activations, const ExpQuantizer& weights) {
  require_same_layer(activations, weights);
  const int bits = activations.bits;
  const int e_max = max_exponent(bits);
  DnateqHardwareParams p;
  p.bits = bits;
  p.boundaries = boundaries_fp16(activations);
  for (int k = -2 * e_max; k <= 2 * e_max; ++k)
    p.lut.push_back(fp16::from_double(std::pow(activations.base, k)));
  if (!fp16::is_finite(p.lut.back()))
    reject(
        "parameter 'base'", number(activations.base),
        "<= max_base(bits) = " + number(max_base(bits)) + " so that every b^k of the LUT is a finite FP16");
  const std::array<double, 4> c = exact_coefficients(activations, weights);
  for (std::size_t j = 0; j < c.size(); ++j) p.coefficients[j] = fp16::from_double(c[j]);
  validate(p);
  return p;
}

void validate(const DnateqHardwareParams& p) {
  validate_with(p, index_label("boundaries"), index_label("lut"), index_label("coefficients"));
}

Fp16Trace postprocess_fp16(const DnateqHardwareParams& p, const ExpCounters& c) {
  validate(p);
  require_counters(c, p.bits);
  const int e_max = max_exponent(p.bits);
  auto accumulate = [](std::span<const std::int64_t> counts, std::span<const fp16::Bits> lut) {
    fp16::Bits acc = fp16::kPositiveZero;
    for (std::size_t i = 0; i < counts.size(); ++i)
      acc = fp16::add(acc, fp16::mul(fp16::from_int(counts[i]), lut[i]));
    return acc;
  };
  // Exponents -E..E use the middle of the LUT, entries E..3E.
  const std::span<const fp16::Bits> middle = std::span(p.lut).subspan(static_cast<std::size_t>(e_max));
  Fp16Trace t;
  t.terms = {accumulate(c.by_sum, p.lut), accumulate(c.by_activation, middle),
             accumulate(c.by_weight, middle), fp16::from_int(c.sign_sum)};
  for (std::size_t j = 0; j < 4; ++j) t.products[j] = fp16::mul(p.coefficients[j], t.terms[j]);
  t.result = fp16::add(fp16::add(fp16::add(t.products[0], t.products[1]), t.products[2]), t.products[3]);
  return t;
}

double fp16_error_bound(const ExpCounters& c, const ExpQuantizer& activations, const ExpQuantizer& weights) {
  require_same_layer(activations, weights);
  require_counters(c, activations.bits);
  const int terms = 4 * max_exponent(c.bits) + 1;  // the longest sum
  const double u = std::ldexp(1.0, -11);
  const double gamma = (terms + 7) * u / (1 - (terms + 7) * u);
  const double underflow = std::ldexp(1.0, -25);  // half the smallest subnormal
  const std::array<double, 4> coef = exact_coefficients(activations, weights);
  const TermSizes s = term_sizes(c, activations.base);
  double relative = 0, absolute = 4;
  for (std::size_t j = 0; j < 4; ++j) {
    relative += std::fabs(coef[j]) * s.abs_sum[j];
    absolute += std::fabs(coef[j]) * (s.count[j] + terms) + s.abs_sum[j];
  }
  return gamma * relative + (1 + gamma) * underflow * absolute;
}

FixedPostParams make_fixed_params(const ExpQuantizer& activations, const ExpQuantizer& weights,
                                  const FixedPointFormat& format, std::int64_t max_length) {
  require_same_layer(activations, weights);
  counter_shape(activations.bits, max_length);
  if (format.lut_frac < 0 || format.lut_frac > 30)
    reject("parameter 'lut_frac'", std::to_string(format.lut_frac), "0..30");
  if (format.coef_frac < 0 || format.coef_frac > 30)
    reject("parameter 'coef_frac'", std::to_string(format.coef_frac), "0..30");
  if (format.out_frac < 0 || format.out_frac > format.lut_frac + format.coef_frac)
    reject("parameter 'out_frac'", std::to_string(format.out_frac), "0..lut_frac + coef_frac");
  const int e_max = max_exponent(activations.bits);
  FixedPostParams p{activations.bits, format, max_length, {}, {}};
  // 2^62: every table entry and coefficient stays far inside int64 before the width check below.
  const double limit = std::ldexp(1.0, 62);
  auto fixed = [&](std::string_view what, double v, int frac) {
    const double scaled = std::ldexp(v, frac);
    if (!(std::fabs(scaled) < limit)) reject(what, number(v), "|value| * 2^frac < 2^62");
    return static_cast<std::int64_t>(std::llround(scaled));
  };
  for (int k = -2 * e_max; k <= 2 * e_max; ++k)
    p.lut.push_back(fixed("lut entry b^k", std::pow(activations.base, k), format.lut_frac));
  const std::array<double, 4> c = exact_coefficients(activations, weights);
  for (std::size_t j = 0; j < 4; ++j) p.coefficients[j] = fixed("coefficient", c[j], format.coef_frac);
  const int acc_bits = fixed_accumulator_bits(p);
  if (acc_bits > 63)
    reject("fixed-point format (lut_frac, coef_frac)",
           std::to_string(format.lut_frac) + ", " + std::to_string(format.coef_frac),
           "a format whose accumulator fits 63 bits for max_length " + std::to_string(max_length) +
               " (needs " + std::to_string(acc_bits) + "); lower the fraction bits");
  return p;
}

int fixed_accumulator_bits(const FixedPostParams& p) {
  const int e_max = max_exponent(p.bits);
  const auto n = static_cast<long double>(p.max_length);
  const std::array<long double, 4> t_max = {
      n * static_cast<long double>(p.lut.at(static_cast<std::size_t>(4 * e_max))),
      n * static_cast<long double>(p.lut.at(static_cast<std::size_t>(3 * e_max))),
      n * static_cast<long double>(p.lut.at(static_cast<std::size_t>(3 * e_max))),
      n * std::ldexp(1.0L, p.format.lut_frac)};
  const int shift = p.format.lut_frac + p.format.coef_frac - p.format.out_frac;
  long double bound = shift > 0 ? std::ldexp(1.0L, shift - 1) : 0;  // the rounding addend
  for (std::size_t j = 0; j < 4; ++j)
    bound += std::fabs(static_cast<long double>(p.coefficients[j])) * t_max[j];
  bound = std::max({bound, t_max[0], t_max[1]});
  int magnitude_bits = 0;
  while (std::ldexp(1.0L, magnitude_bits) <= bound) ++magnitude_bits;
  return magnitude_bits + 1;
}

std::int64_t postprocess_fixed(const FixedPostParams& p, const ExpCounters& c) {
  require_counters(c, p.bits);
  std::int64_t pairs = 0;
  for (const std::int64_t v : c.by_sum) pairs += v < 0 ? -v : v;
  if (pairs > p.max_length)
    reject("counted pairs", std::to_string(pairs), "<= max_length = " + std::to_string(p.max_length));
  const int e_max = max_exponent(p.bits);
  auto accumulate = [](std::span<const std::int64_t> counts, std::span<const std::int64_t> lut) {
    std::int64_t acc = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) acc += counts[i] * lut[i];
    return acc;
  };
  const std::span<const std::int64_t> middle = std::span(p.lut).subspan(static_cast<std::size_t>(e_max));
  const std::array<std::int64_t, 4> terms = {accumulate(c.by_sum, p.lut), accumulate(c.by_activation, middle),
                                             accumulate(c.by_weight, middle),
                                             c.sign_sum * (std::int64_t{1} << p.format.lut_frac)};
  std::int64_t acc = 0;
  for (std::size_t j = 0; j < 4; ++j) acc += p.coefficients[j] * terms[j];
  const int shift = p.format.lut_frac + p.format.coef_frac - p.format.out_frac;
  return shift == 0 ? acc : (acc + (std::int64_t{1} << (shift - 1))) >> shift;
}

double fixed_error_bound(const FixedPostParams& p, const ExpCounters& c, const ExpQuantizer& activations,
                         const ExpQuantizer& weights) {
  require_same_layer(activations, weights);
  require_counters(c, p.bits);
  const double lut_err = std::ldexp(0.5, -p.format.lut_frac);
  const double coef_err = std::ldexp(0.5, -p.format.coef_frac);
  const std::array<double, 4> coef = exact_coefficients(activations, weights);
  TermSizes s = term_sizes(c, activations.base);
  s.count[3] = 0;  // T3 = sign_sum * 2^lut_frac is exact
  double bound =
      p.format.lut_frac + p.format.coef_frac > p.format.out_frac ? std::ldexp(0.5, -p.format.out_frac) : 0;
  for (std::size_t j = 0; j < 4; ++j)
    bound += std::fabs(coef[j]) * s.count[j] * lut_err + coef_err * (s.abs_sum[j] + s.count[j] * lut_err);
  return bound;
}

// --- Files -----------------------------------------------------------------------------------------

std::string format_hardware_params(const DnateqHardwareParams& p) {
  validate(p);
  const int e_max = max_exponent(p.bits);
  std::ostringstream out;
  out << "# DNA-TEQ layer parameters loaded by the hardware (qrtl golden model, docs/dnateq.md).\n"
      << "# FP16 values are IEEE binary16 bit patterns; the decimal value follows as a comment.\n"
      << "dnateq_params 1\n"
      << "bits " << p.bits << "\n"
      << "# activation interval boundaries B_0..B_" << p.boundaries.size() - 1
      << ": the interval is the number of B_j <= |x|\n";
  for (const fp16::Bits b : p.boundaries)
    out << "boundary " << hex16(b) << "  # " << number(fp16::to_double(b)) << "\n";
  out << "# base powers b^k for k = " << -2 * e_max << ".." << 2 * e_max << "\n";
  for (std::size_t i = 0; i < p.lut.size(); ++i)
    out << "lut " << hex16(p.lut[i]) << "  # k = " << static_cast<int>(i) - 2 * e_max << ": "
        << number(fp16::to_double(p.lut[i])) << "\n";
  out << "# coefficients alpha_a*alpha_w, alpha_a*beta_w, beta_a*alpha_w, beta_a*beta_w\n";
  for (const fp16::Bits c : p.coefficients)
    out << "coefficient " << hex16(c) << "  # " << number(fp16::to_double(c)) << "\n";
  return out.str();
}

DnateqHardwareParams parse_hardware_params(std::string_view text) {
  DnateqHardwareParams p;
  bool header = false;
  std::vector<fp16::Bits> coefficients;
  std::vector<int> boundary_lines, lut_lines, coefficient_lines;
  for_each_content_line(text, [&](int line_no, std::string_view line) {
    auto fail = [&](const std::string& why) {
      throw std::invalid_argument("dnateq params: line " + std::to_string(line_no) + ": " + why);
    };
    const auto space = line.find_first_of(" \t");
    const std::string_view key = line.substr(0, space);
    const std::string_view value =
        space == std::string_view::npos ? std::string_view{} : trim(line.substr(space));
    if (value.empty() || value.find_first_of(" \t") != std::string_view::npos)
      fail("expected 'key value', got '" + std::string(line) + "'");
    if (!header) {
      if (key != "dnateq_params" || value != "1") fail("expected the header 'dnateq_params 1'");
      header = true;
      return;
    }
    if (key == "bits") {
      if (p.bits != 0) fail("'bits' appears twice");
      if (!parse_whole(value, p.bits) || p.bits < kDnateqMinBits || p.bits > kDnateqMaxBits)
        fail("bits = '" + std::string(value) + "' is invalid: expected 3..7");
      return;
    }
    fp16::Bits h = 0;
    const bool is_value_key = key == "boundary" || key == "lut" || key == "coefficient";
    if (!is_value_key)
      fail("unknown key '" + std::string(key) + "': expected bits, boundary, lut or coefficient");
    if (!parse_hex16(value, h))
      fail("'" + std::string(value) + "' is not an FP16 bit pattern: expected 0x0000..0xffff");
    if (key == "boundary") {
      p.boundaries.push_back(h);
      boundary_lines.push_back(line_no);
    } else if (key == "lut") {
      p.lut.push_back(h);
      lut_lines.push_back(line_no);
    } else {
      coefficients.push_back(h);
      coefficient_lines.push_back(line_no);
    }
  });
  if (!header) throw std::invalid_argument("dnateq params: missing the header 'dnateq_params 1'");
  if (p.bits == 0) throw std::invalid_argument("dnateq params: missing 'bits'");
  require_count("coefficients", coefficients.size(), 4, p.bits, "always 4");
  std::copy(coefficients.begin(), coefficients.end(), p.coefficients.begin());
  auto lines = [](const std::vector<int>& numbers) -> Where {
    return [&numbers](std::size_t i) { return "line " + std::to_string(numbers[i]); };
  };
  validate_with(p, lines(boundary_lines), lines(lut_lines), lines(coefficient_lines));
  return p;
}

void write_hardware_params(const std::string& path, const DnateqHardwareParams& p) {
  const std::string text = format_hardware_params(p);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write '" + tmp + "'");
  }
  std::filesystem::rename(tmp, path);
}

DnateqHardwareParams read_hardware_params(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return parse_hardware_params(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

void validate_tensor(std::string_view name, std::span<const double> values) {
  if (values.empty())
    throw std::invalid_argument("tensor '" + std::string(name) + "' is empty: expected at least one value");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      reject("tensor '" + std::string(name) + "' value [" + std::to_string(i) + "]", number(values[i]),
             "a finite number");
}

Tensor parse_csv_tensor(std::string_view text) {
  Tensor t;
  for_each_content_line(text, [&](int line_no, std::string_view line) {
    std::size_t pos = 0;
    while (pos < line.size()) {
      const auto start = line.find_first_not_of(", \t\r", pos);
      if (start == std::string_view::npos) break;
      const auto end = std::min(line.find_first_of(", \t\r", start), line.size());
      std::string_view token = line.substr(start, end - start);
      pos = end;
      double v = 0;
      if (!parse_whole(token.starts_with('+') ? token.substr(1) : token, v))
        throw std::invalid_argument("tensor CSV: line " + std::to_string(line_no) + ": '" +
                                    std::string(token) + "' is not a number");
      t.values.push_back(v);
    }
  });
  if (t.values.empty())
    throw std::invalid_argument("tensor CSV: no values: expected numbers separated by commas or whitespace");
  t.shape = {t.values.size()};
  return t;
}

Tensor parse_npy(std::string_view bytes) {
  if (!bytes.starts_with(kNpyMagic) || bytes.size() < 10)
    throw std::invalid_argument("npy: missing the NumPy magic '\\x93NUMPY'");
  const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2) || minor != 0)
    reject("npy: version", std::to_string(major) + "." + std::to_string(minor), "1.0 or 2.0");
  const std::size_t len_size = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_size) throw std::invalid_argument("npy: truncated header length");
  const std::size_t header_len = little_endian(bytes, 8, static_cast<int>(len_size));
  const std::size_t data_at = 8 + len_size + header_len;
  if (data_at > bytes.size())
    reject("npy: header length", std::to_string(header_len),
           "at most the file size " + std::to_string(bytes.size()));
  const std::string_view header = bytes.substr(8 + len_size, header_len);
  const std::string_view descr = npy_value(header, "descr");
  if (descr != "<f4" && descr != "<f8")
    reject("npy: dtype", "'" + std::string(descr) + "'",
           "'<f4' (little-endian float32) or '<f8' (little-endian float64)");
  const std::string_view order = npy_value(header, "fortran_order");
  if (order != "False") reject("npy: fortran_order", std::string(order), "False (C order)");
  Tensor t;
  t.shape = npy_shape(npy_value(header, "shape"));
  const int size = descr == "<f4" ? 4 : 8;
  const std::size_t data_bytes = bytes.size() - data_at;
  std::size_t count = 1;
  for (const std::size_t extent : t.shape) {
    if (extent != 0 && count > std::numeric_limits<std::size_t>::max() / extent)
      reject("npy: shape", std::string(npy_value(header, "shape")), "fewer than 2^64 elements");
    count *= extent;
  }
  if (data_bytes % static_cast<std::size_t>(size) != 0 ||
      count != data_bytes / static_cast<std::size_t>(size))
    reject("npy: data size", std::to_string(data_bytes) + " bytes",
           "shape " + std::string(npy_value(header, "shape")) + " of '" + std::string(descr) + "' elements");
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t raw = little_endian(bytes, data_at + i * static_cast<std::size_t>(size), size);
    t.values.push_back(size == 4 ? static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)))
                                 : std::bit_cast<double>(raw));
  }
  return t;
}

Tensor read_tensor(const std::string& path) {
  const std::string bytes = read_file(path);
  try {
    return std::string_view(bytes).starts_with(kNpyMagic) ? parse_npy(bytes) : parse_csv_tensor(bytes);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace qrtl::quant
