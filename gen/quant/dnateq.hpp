// Golden model of DNA-TEQ (seed 004): adaptive exponential quantization of tensors, the offline
// parameter search (Algorithm 1), and the dot product in the exponent domain with FP16 (or
// fixed-point) post-processing, exactly as the hardware computes it.
//
// docs/dnateq.md states every equation, including the ones whose symbols the seed's text lost.
// In short, with n exponent bits, E = 2^(n-1) - 1 and exponents e in [-E, E]:
//   x^ = s * (alpha * b^e + beta)                      s = sign(x), zero only for x = 0
//   e  = clip(floor(log_b((|x| - beta) / alpha) + 1/2), -E, E)
// and the exponent field value -2^(n-1) is the zero code.
//
// Standard library only: this file is compiled into the Verilator benches. Every invalid input
// throws std::invalid_argument naming the parameter, its value and what is allowed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quant/fp16.hpp"

namespace qrtl::quant {

// --- Exponential quantizer -----------------------------------------------------------------------
inline constexpr int kDnateqMinBits = 3;
inline constexpr int kDnateqMaxBits = 7;

struct ExpQuantizer {
  int bits = 4;         // n: exponent bits, 3..7 (a value is stored in n + 1 bits with its sign)
  double base = 1.5;    // b > 1, shared by a layer's activations and weights
  double scale = 1.0;   // alpha > 0
  double offset = 0.0;  // beta; the lowest level alpha * b^-E + beta must be >= 0
};
void validate(const ExpQuantizer& q);

int max_exponent(int bits);   // E = 2^(n-1) - 1
int zero_exponent(int bits);  // -2^(n-1): the exponent field value that encodes zero
int level_count(int bits);    // 2^n - 1 nonzero magnitudes (intervals above the zero interval)
double level(const ExpQuantizer& q, int exponent);  // alpha * b^e + beta

// A quantized value: sign and exponent field. Zero is exponent == zero_exponent(bits); its sign is
// ignored (the quantizers produce it positive).
struct ExpCode {
  bool negative = false;
  int exponent = 0;
};
bool is_zero(const ExpCode& c, int bits);
// Memory word of n + 1 bits: bit n = sign, bits n-1..0 = exponent in two's complement.
std::uint32_t pack(const ExpCode& c, int bits);
ExpCode unpack(std::uint32_t word, int bits);

// Eq. 2-3 evaluated directly (log and round): the reference for the interval form below.
ExpCode quantize_by_formula(const ExpQuantizer& q, double x);

// The 2^n - 1 sorted interval boundaries the hardware compares |x| against. B_0 is the smallest
// positive double (|x| >= B_0 iff x != 0); B_j = alpha * b^(j - E - 1/2) + beta for j >= 1 is the
// magnitude where the rounded exponent steps from j - E - 1 to j - E.
std::vector<double> boundaries(const ExpQuantizer& q);
// Interval index i = #{j : B_j <= |x|}: 0 is the zero code, i >= 1 is exponent i - 1 - E.
ExpCode code_of_interval(int interval, bool negative, int bits);
// Quantization as interval search (the specification of the hardware); same codes as Eq. 2-3.
std::vector<ExpCode> quantize(const ExpQuantizer& q, std::span<const double> x);
double dequantize(const ExpQuantizer& q, const ExpCode& c);
std::vector<double> dequantize(const ExpQuantizer& q, std::span<const ExpCode> codes);

// Hardware quantization stage: boundaries rounded to FP16 (RNE, raised to at least the smallest
// subnormal so that 0 stays in the zero interval), compared with |x| as unsigned bit patterns.
// NaN and infinite activations therefore land in the top interval.
std::vector<fp16::Bits> boundaries_fp16(const ExpQuantizer& q);
// boundaries.size() must be 2^n - 1 for n in 3..7 and sorted.
ExpCode quantize_fp16(std::span<const fp16::Bits> boundaries, fp16::Bits x);

// --- Error metrics and the uniform baseline ------------------------------------------------------
// Eq. 6, relative mean absolute error: sum |x - x^| / sum |x|.
double rmae(std::span<const double> x, std::span<const double> approx);
// rmae(x, dequantize(q, quantize(q, x))) without the intermediate vectors.
double quantization_rmae(const ExpQuantizer& q, std::span<const double> x);
// The comparison point of seed 004's Table III at the same number of levels: symmetric uniform
// quantization scaled by max|x|, codes -(2^n - 1)..2^n - 1 (2^(n+1) - 1 levels, as many as the
// exponential quantizer's zero plus 2^n - 1 magnitudes of either sign), round half away from zero.
std::vector<double> uniform_quantize(std::span<const double> x, int bits);

// --- Offline search (Algorithm 1) ----------------------------------------------------------------
// Eq. 1 on u = |x| / max|x|: 64 equal bins on [0, 1], density y_j = count_j / (N / 64), against a
// shifted exponential fitted by maximum likelihood (location = min u, scale = mean u - min u).
// rss = +inf when all |x| are equal (no exponential fits a point mass).
struct ExponentialFit {
  double location = 0;  // in units of max|x|
  double scale = 0;
  double rss = 0;
};
ExponentialFit fit_exponential(std::span<const double> x);

// The base search domain for n bits: b^(2E) in [2, 65504]. The upper end keeps every base-power
// LUT entry b^k (|k| <= 2E) a finite FP16; the lower end keeps |beta| below the largest level so
// the four-term expansion of the dot product does not cancel catastrophically.
double min_base(int bits);
double max_base(int bits);
// Eq. 4-5: the levels span the tensor's nonzero magnitudes, alpha*b^E + beta = max|x| and
// alpha*b^-E + beta = lo, lo = min nonzero |x| (0 if all nonzero magnitudes are equal).
ExpQuantizer fit_scale_offset(std::span<const double> x, int bits, double base);
// Start of the search: b0^(2E) = exp((max|x| - min|x|) / (2 * (mean|x| - min|x|))), the spread of
// the gaps of a mean-absolute-error-optimal quantizer for the fitted exponential, clamped to
// [min_base, max_base].
double initial_base(std::span<const double> x, int bits);

struct SearchOptions {
  double weight_threshold = 0.04;   // T_w: largest RMAE of a layer's weights
  double first_layer_factor = 0.1;  // the first layer's thresholds are this times stricter
  double initial_step = 0.25;       // delta0 = initial_step * (b0 - 1)
  int refinements = 3;              // further rounds of the search, each with half the step
};
struct BaseSearch {
  ExpQuantizer quantizer;
  double error = 0;     // RMAE at the chosen base
  int evaluations = 0;  // quantizations tried
};
// Algorithm 1 on one tensor: start at initial_base, pick the direction of lowest error among
// b - delta, b, b + delta, step while the error strictly decreases, then repeat with delta / 2.
BaseSearch search_base(std::span<const double> x, int bits, const SearchOptions& options = {});

// One layer's traces. The spans must outlive the call.
struct LayerTensors {
  std::span<const double> activations;
  std::span<const double> weights;
};
struct LayerQuantization {
  ExpQuantizer activations;
  ExpQuantizer weights;
  double activation_error = 0;  // RMAE
  double weight_error = 0;
  bool base_from_weights = false;  // the weights had the lower RSS and ran the base search
  double activation_threshold = 0;
  double weight_threshold = 0;
  bool meets_thresholds = false;
};
// Eq. 7: T_a = T_w * crest(activations) / crest(weights), crest = max|x| / mean|x|.
double activation_threshold(double weight_threshold, const LayerTensors& layer);
// Steps 2-3 at a fixed bit-width: the tensor with the lower RSS runs search_base; the other
// tensor gets fit_scale_offset at the same base. Thresholds are left at 0.
LayerQuantization quantize_layer(const LayerTensors& layer, int bits, const SearchOptions& options = {});
// Step 4: the smallest bit-width in 3..7 whose errors meet both thresholds (7 if none does).
LayerQuantization search_layer(const LayerTensors& layer, bool first_layer,
                               const SearchOptions& options = {});
// search_layer for every layer; layer 0 is the first layer.
std::vector<LayerQuantization> search_network(std::span<const LayerTensors> layers,
                                              const SearchOptions& options = {});

// The outer loop of step 4: raise T_w from `start` in steps of `step` while the accuracy loss the
// caller measures (a fraction, e.g. 0.004) stays below max_loss.
struct ThresholdSweepOptions {
  double start = 0.01;
  double step = 0.01;
  double max_threshold = 0.5;
  double max_loss = 0.01;
};
struct ThresholdSweep {
  double weight_threshold = 0;
  double loss = 0;  // loss of `layers`; >= max_loss only if the start threshold already failed
  std::vector<LayerQuantization> layers;
};
using AccuracyLoss = std::function<double(const std::vector<LayerQuantization>&)>;
ThresholdSweep sweep_weight_threshold(std::span<const LayerTensors> layers, const AccuracyLoss& loss,
                                      const SearchOptions& options = {},
                                      const ThresholdSweepOptions& sweep = {});

// Storage against the INT8 baseline, per-layer average as in seed 004's Table IV.
struct Compression {
  double average_bits = 0;          // mean exponent bits n over layers
  double size_ratio = 0;            // average_bits / 8
  double saving = 0;                // 1 - size_ratio: the seed's "compression ratio"
  double size_ratio_with_sign = 0;  // (average_bits + 1) / 8: the sign bit stored as well
};
Compression compression_vs_int8(std::span<const LayerQuantization> layers);

// --- Exponent-domain dot product: counting stage -------------------------------------------------
struct CounterShape {
  int sum_entries = 0;       // 4E + 1 counters indexed by e_a + e_w in [-2E, 2E]
  int exponent_entries = 0;  // 2E + 1 counters indexed by e_a (or e_w) in [-E, E]
  int counter_bits = 0;      // signed width holding [-N, N]; also the sign-sum accumulator
};
// max_length N = the longest dot product, 1..65504 (the largest count must convert to finite FP16).
CounterShape counter_shape(int bits, std::int64_t max_length);

// Over the pairs where neither code is zero, with s = +1 if the signs agree and -1 otherwise:
// by_sum[e_a + e_w + 2E] += s, by_activation[e_a + E] += s, by_weight[e_w + E] += s, sign_sum += s.
struct ExpCounters {
  int bits = 0;
  std::vector<std::int64_t> by_sum;
  std::vector<std::int64_t> by_activation;
  std::vector<std::int64_t> by_weight;
  std::int64_t sign_sum = 0;
};
ExpCounters count_exponents(int bits, std::span<const ExpCode> activations, std::span<const ExpCode> weights);

// --- Post-processing: what the hardware loads per layer ------------------------------------------
// coefficients = {alpha_a*alpha_w, alpha_a*beta_w, beta_a*alpha_w, beta_a*beta_w}, each product
// computed in double and rounded once to FP16; they multiply the terms
//   T0 = sum s*b^(e_a+e_w),  T1 = sum s*b^(e_a),  T2 = sum s*b^(e_w),  T3 = sum s.
struct DnateqHardwareParams {
  int bits = 0;
  std::vector<fp16::Bits> boundaries;  // activation boundaries, 2^n - 1, sorted
  std::vector<fp16::Bits> lut;         // b^k for k = -2E..2E (4E + 1 = 2^(n+1) - 3 entries)
  std::array<fp16::Bits, 4> coefficients{};
};
// Both quantizers must have the same bits and base, and b^(2E) must be a finite FP16.
DnateqHardwareParams make_hardware_params(const ExpQuantizer& activations, const ExpQuantizer& weights);
// Counts for the bit-width, boundaries positive, non-NaN and sorted, LUT finite, positive and
// sorted, coefficients finite.
void validate(const DnateqHardwareParams& p);

// Every FP16 value of the post-processing, in the order the hardware produces them:
//   T_j = (((+0 + C[k0]*L[k0]) + C[k0+1]*L[k0+1]) + ...)  ascending k, every entry, j = 0, 1, 2
//   (a product is fp16::mul(from_int(C[k]), L[k]), a sum fp16::add), T3 = from_int(sign_sum),
//   P_j = mul(coefficient_j, T_j),  result = ((P0 + P1) + P2) + P3.
struct Fp16Trace {
  std::array<fp16::Bits, 4> terms{};
  std::array<fp16::Bits, 4> products{};
  fp16::Bits result = 0;
};
Fp16Trace postprocess_fp16(const DnateqHardwareParams& p, const ExpCounters& c);

// Worst-case |FP16 result - exact sum of dequantized products| when no FP16 value overflows
// (standard error analysis with u = 2^-11, see docs/dnateq.md):
//   gamma(4E + 8) * S + (1 + gamma(4E + 8)) * 2^-25 * (sum_j |c_j| (M_j + 4E + 1) + sum_j A_j + 4)
// with A_j = sum_k |C_k| b^k, M_j = sum_k |C_k|, S = sum_j |c_j| A_j, gamma(m) = m u / (1 - m u).
double fp16_error_bound(const ExpCounters& c, const ExpQuantizer& activations, const ExpQuantizer& weights);

// Fixed-point post-processing: LUT[k] = llround(b^k 2^lut_frac), c_j = llround(coefficient_j
// 2^coef_frac), T_j = sum C[k] LUT[k] (T3 = sign_sum 2^lut_frac), and the exact sum of c_j T_j
// (fraction lut_frac + coef_frac) shifted right to out_frac, rounding half up.
struct FixedPointFormat {
  int lut_frac = 14;   // 0..30
  int coef_frac = 16;  // 0..30
  int out_frac = 12;   // 0..lut_frac + coef_frac
};
struct FixedPostParams {
  int bits = 0;
  FixedPointFormat format;
  std::int64_t max_length = 0;
  std::vector<std::int64_t> lut;
  std::array<std::int64_t, 4> coefficients{};
};
// Throws if the worst case over max_length pairs needs more than a 63-bit accumulator.
FixedPostParams make_fixed_params(const ExpQuantizer& activations, const ExpQuantizer& weights,
                                  const FixedPointFormat& format, std::int64_t max_length);
// Signed bits of sum_j |c_j| * max|T_j| over max_length pairs: the accumulator width.
int fixed_accumulator_bits(const FixedPostParams& p);
// The result at out_frac fraction bits (value = result * 2^-out_frac).
std::int64_t postprocess_fixed(const FixedPostParams& p, const ExpCounters& c);
// Worst-case |result * 2^-out_frac - exact|: LUT, coefficient and output rounding (docs/dnateq.md).
double fixed_error_bound(const FixedPostParams& p, const ExpCounters& c, const ExpQuantizer& activations,
                         const ExpQuantizer& weights);

// --- Files ---------------------------------------------------------------------------------------
// Hardware parameter text file, one "key value" per line, '#' comments, FP16 as 0xHHHH:
//   dnateq_params 1 / bits N / boundary 0x.... (2^n - 1) / lut 0x.... (4E + 1) / coefficient (4)
std::string format_hardware_params(const DnateqHardwareParams& p);
// Errors: std::invalid_argument "dnateq params: line N: ..." or "dnateq params: expected ...".
DnateqHardwareParams parse_hardware_params(std::string_view text);
// Writes PATH.tmp and renames it over PATH, so a failure never leaves half a file. File-system
// failures (here and in the readers below) throw std::runtime_error.
void write_hardware_params(const std::string& path, const DnateqHardwareParams& p);
DnateqHardwareParams read_hardware_params(const std::string& path);

// A tensor trace: values in C order. CSV gives shape {count}.
struct Tensor {
  std::vector<std::size_t> shape;
  std::vector<double> values;
};
// Numbers separated by commas and/or whitespace; blank lines and '#' comments are skipped.
Tensor parse_csv_tensor(std::string_view text);
// NumPy .npy version 1.0 or 2.0, little-endian float32 ('<f4') or float64 ('<f8'), C order.
Tensor parse_npy(std::string_view bytes);
// .npy if the file starts with the NumPy magic, CSV otherwise; errors are prefixed with the path.
Tensor read_tensor(const std::string& path);
// Throws unless `values` is non-empty and finite (naming the first bad index).
void validate_tensor(std::string_view name, std::span<const double> values);

}  // namespace qrtl::quant
