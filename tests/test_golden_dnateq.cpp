// DNA-TEQ golden model against independent references: Eq. 2-3 evaluated with log and round for
// the interval form of the quantizer, a brute-force recount for the exponent counters, the
// long-double product of dequantized values (within the derived bounds) for the FP16 and
// fixed-point post-processing, and hand-computed values from docs/dnateq.md. Synthetic tensors
// come from std::mt19937_64 with fixed seeds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "npy_bytes.hpp"
#include "quant/dnateq.hpp"
#include "quant/synthetic.hpp"
#include "scratch.hpp"

using namespace qrtl::quant;
using Catch::Matchers::Contains;

namespace {

using Shape = Distribution;

// Quantizers of every bit-width from the search, plus hand-set ones with a positive offset and
// with the lowest level at exactly zero.
std::vector<ExpQuantizer> sample_quantizers() {
  const auto x = synthetic_tensor(Shape::Normal, 11, 2000);
  std::vector<ExpQuantizer> qs;
  for (int n = kDnateqMinBits; n <= kDnateqMaxBits; ++n) {
    qs.push_back(search_base(x, n).quantizer);
    qs.push_back({n, 1.3, 0.02, 0.5});
    qs.push_back({n, 1.1, 0.7, -0.7 * std::pow(1.1, -max_exponent(n))});
  }
  return qs;
}

std::vector<ExpCode> random_codes(std::mt19937_64& rng, int bits, std::size_t n, double zero_share) {
  const int e_max = max_exponent(bits);
  std::uniform_int_distribution<int> exponent(-e_max, e_max);
  std::bernoulli_distribution zero(zero_share), negative(0.5);
  std::vector<ExpCode> codes(n);
  for (ExpCode& c : codes)
    c = zero(rng) ? ExpCode{false, zero_exponent(bits)} : ExpCode{negative(rng), exponent(rng)};
  return codes;
}

long double exact_dot(const ExpQuantizer& qa, std::span<const ExpCode> a, const ExpQuantizer& qw,
                      std::span<const ExpCode> w) {
  long double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    sum += static_cast<long double>(dequantize(qa, a[i])) * static_cast<long double>(dequantize(qw, w[i]));
  return sum;
}

// A layer's quantizers from the search on synthetic traces, and fresh quantized vectors.
struct DotCase {
  LayerQuantization layer;
  std::vector<ExpCode> a, w;
};

DotCase dot_case(int bits, std::size_t length, std::uint64_t seed) {
  const auto acts = synthetic_tensor(Shape::Relu, seed, 3000);
  const auto wgts = synthetic_tensor(Shape::Normal, seed + 1, 3000, 0.05);
  DotCase d{quantize_layer({acts, wgts}, bits), {}, {}};
  d.a = quantize(d.layer.activations, synthetic_tensor(Shape::Relu, seed + 2, length));
  d.w = quantize(d.layer.weights, synthetic_tensor(Shape::Normal, seed + 3, length, 0.05));
  return d;
}

std::string replace_line(const std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.substr(0, at) + to + text.substr(at + from.size());
}

}  // namespace

TEST_CASE("dnateq exponent ranges and code words", "[dnateq]") {
  const int e_max[] = {3, 7, 15, 31, 63};
  for (int n = 3; n <= 7; ++n) {
    REQUIRE(max_exponent(n) == e_max[n - 3]);
    REQUIRE(zero_exponent(n) == -e_max[n - 3] - 1);
    REQUIRE(level_count(n) == 2 * e_max[n - 3] + 1);
    for (std::uint32_t word = 0; word < (2u << n); ++word) {
      const ExpCode c = unpack(word, n);
      REQUIRE(pack(c, n) == word);
    }
  }
  REQUIRE(pack({true, -3}, 3) == 0b1101);  // sign bit, then -3 in 3-bit two's complement
  REQUIRE(is_zero(unpack(0b0100, 3), 3));
}

TEST_CASE("dnateq interval boundaries give the codes of Eq. 2-3", "[dnateq]") {
  std::mt19937_64 rng(5);
  for (const ExpQuantizer& q : sample_quantizers()) {
    INFO("bits " << q.bits << " base " << q.base << " scale " << q.scale << " offset " << q.offset);
    const std::vector<double> b = boundaries(q);
    REQUIRE(b.size() == static_cast<std::size_t>(level_count(q.bits)));
    REQUIRE(std::is_sorted(b.begin(), b.end()));
    // Random magnitudes from far below the lowest level to far above the top one, both signs.
    std::uniform_real_distribution<double> log_mag(std::log(b[1] / 100), std::log(b.back() * 100));
    std::vector<double> x{0.0, -0.0, q.offset, -q.offset};
    for (int i = 0; i < 20'000; ++i) x.push_back((i % 2 != 0 ? -1 : 1) * std::exp(log_mag(rng)));
    // Either side of every boundary, where rounding decides.
    for (std::size_t j = 1; j < b.size(); ++j)
      for (const double f : {1 - 1e-9, 1 + 1e-9}) x.push_back(b[j] * f);
    const std::vector<ExpCode> codes = quantize(q, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const ExpCode want = quantize_by_formula(q, x[i]);
      INFO("x = " << x[i]);
      REQUIRE(codes[i].exponent == want.exponent);
      REQUIRE(codes[i].negative == want.negative);
    }
    REQUIRE(is_zero(quantize(q, std::vector<double>{0.0})[0], q.bits));
    REQUIRE(quantization_rmae(q, x) == Approx(rmae(x, dequantize(q, codes))).epsilon(1e-12));
  }
}

TEST_CASE("dnateq FP16 quantization stage matches the double quantizer up to boundary rounding", "[dnateq]") {
  for (const ExpQuantizer& q : sample_quantizers()) {
    const std::vector<double> b = boundaries(q);
    const std::vector<fp16::Bits> b16 = boundaries_fp16(q);
    REQUIRE(b16.front() == fp16::kMinSubnormal);
    REQUIRE(std::is_sorted(b16.begin(), b16.end()));
    std::vector<fp16::Bits> finite;
    std::vector<double> values;
    for (int i = 0; i < 0x10000; ++i) {  // every FP16 activation
      const auto h = static_cast<fp16::Bits>(i);
      if (fp16::is_finite(h)) {
        finite.push_back(h);
        values.push_back(fp16::to_double(h));
      } else {
        REQUIRE(quantize_fp16(b16, h).exponent == max_exponent(q.bits));
      }
    }
    const std::vector<ExpCode> want_codes = quantize(q, values);
    for (std::size_t i = 0; i < finite.size(); ++i) {
      const ExpCode got = quantize_fp16(b16, finite[i]);
      const ExpCode& want = want_codes[i];
      REQUIRE(got.negative == want.negative);
      if (got.exponent == want.exponent) continue;
      const double x = values[i];
      // They may only differ when |x| lies between some B_j and its FP16 rounding.
      INFO("x = " << x << " bits " << q.bits << " got " << got.exponent << " want " << want.exponent);
      const double m = std::fabs(x);
      REQUIRE(std::any_of(b.begin(), b.end(), [&](double bj) {
        const double r = fp16::to_double(std::max(fp16::from_double(bj), fp16::kMinSubnormal));
        return (m >= std::min(bj, r) && m <= std::max(bj, r));
      }));
    }
    REQUIRE(is_zero(quantize_fp16(b16, 0x8000), q.bits));
  }
}

TEST_CASE("dnateq RSS of the exponential fit ranks the synthetic tensors", "[dnateq]") {
  const double rss_exp = fit_exponential(synthetic_tensor(Shape::Exponential, 1)).rss;
  const double rss_normal = fit_exponential(synthetic_tensor(Shape::Normal, 2)).rss;
  const double rss_uniform = fit_exponential(synthetic_tensor(Shape::Uniform, 3)).rss;
  REQUIRE(rss_exp < rss_normal);
  REQUIRE(rss_normal < rss_uniform);
  REQUIRE(std::isinf(fit_exponential(std::vector<double>{2.0, -2.0}).rss));
  // Scale-free: the same shape at another magnitude has the same RSS.
  REQUIRE(fit_exponential(synthetic_tensor(Shape::Normal, 2, 10'000, 1e-3)).rss == Approx(rss_normal));

  const auto exp_tensor = synthetic_tensor(Shape::Exponential, 4);
  const auto uni_tensor = synthetic_tensor(Shape::Uniform, 5);
  REQUIRE(quantize_layer({uni_tensor, exp_tensor}, 4).base_from_weights);
  REQUIRE_FALSE(quantize_layer({exp_tensor, uni_tensor}, 4).base_from_weights);
}

TEST_CASE("dnateq scale and offset put the levels on the nonzero range (Eq. 4-5)", "[dnateq]") {
  std::vector<double> x = synthetic_tensor(Shape::Exponential, 6, 1000);
  x.push_back(0.0);  // zeros are the zero code and do not set the range
  double lo = 1e300, hi = 0;
  for (const double v : x)
    if (v != 0) lo = std::min(lo, std::fabs(v)), hi = std::max(hi, std::fabs(v));
  for (int n = 3; n <= 7; ++n) {
    const ExpQuantizer q = fit_scale_offset(x, n, 1.05);
    REQUIRE(level(q, max_exponent(n)) == Approx(hi).epsilon(1e-12));
    REQUIRE(level(q, -max_exponent(n)) == Approx(lo).epsilon(1e-9));
  }
  // All nonzero magnitudes equal: the range floor is 0 and every value is the top level.
  const std::vector<double> flat{0.5, -0.5, 0.0, 0.5};
  const ExpQuantizer q = fit_scale_offset(flat, 3, 2.0);
  REQUIRE(level(q, -3) == Approx(0).margin(1e-15));
  REQUIRE(quantization_rmae(q, flat) == Approx(0).margin(1e-12));
}

TEST_CASE("dnateq base search is deterministic and locally optimal at its last step", "[dnateq]") {
  const SearchOptions options;
  for (const Shape shape : {Shape::Exponential, Shape::Normal, Shape::Uniform}) {
    const auto x = synthetic_tensor(shape, 7);
    for (int n = 3; n <= 7; ++n) {
      const BaseSearch s = search_base(x, n, options);
      const double b = s.quantizer.base;
      INFO("bits " << n << " base " << b);
      REQUIRE(b >= min_base(n));
      REQUIRE(b <= max_base(n));
      REQUIRE(s.error == quantization_rmae(s.quantizer, x));
      REQUIRE(s.error <= quantization_rmae(fit_scale_offset(x, n, initial_base(x, n)), x));
      const BaseSearch again = search_base(x, n, options);
      REQUIRE(again.quantizer.base == b);
      REQUIRE(again.evaluations == s.evaluations);
      // The last round's step: neither neighbour inside the domain is better.
      const double last_step = options.initial_step * (initial_base(x, n) - 1) / (1 << options.refinements);
      for (const double c : {b - last_step, b + last_step})
        if (c >= min_base(n) && c <= max_base(n))
          REQUIRE(quantization_rmae(fit_scale_offset(x, n, c), x) >= s.error);
    }
  }
}

TEST_CASE("dnateq exponential quantization beats uniform at equal levels on exponential and normal data",
          "[dnateq]") {
  // Numbers reported in docs/dnateq.md. Uniform data favours the uniform quantizer: the base search
  // stops at min_base and stays within 25 % of it.
  for (int n = 3; n <= 7; ++n) {
    for (const Shape shape : {Shape::Exponential, Shape::Normal}) {
      const auto x = synthetic_tensor(shape, 1 + static_cast<int>(shape));
      const double exp_err = search_base(x, n).error;
      const double uni_err = rmae(x, uniform_quantize(x, n));
      INFO("bits " << n << " shape " << static_cast<int>(shape) << " exp " << exp_err << " uniform "
                   << uni_err);
      REQUIRE(exp_err < 0.85 * uni_err);
    }
    const auto u = synthetic_tensor(Shape::Uniform, 3);
    const BaseSearch s = search_base(u, n);
    const double uni_err = rmae(u, uniform_quantize(u, n));
    INFO("uniform data bits " << n << " exp " << s.error << " uniform " << uni_err);
    REQUIRE(s.error > uni_err);
    REQUIRE(s.error < 1.25 * uni_err);
    REQUIRE(s.quantizer.base == min_base(n));
  }
  // The uniform baseline: 2^(n+1) - 1 levels, max|x| exact.
  const std::vector<double> x{1.0, -0.5, 0.26, 0.01};
  REQUIRE(uniform_quantize(x, 3) == std::vector<double>{1.0, -4.0 / 7, 2.0 / 7, 0.0});
}

TEST_CASE("dnateq layer search shares the base and picks the smallest passing bit-width", "[dnateq]") {
  const auto acts = synthetic_tensor(Shape::Relu, 21, 4000);
  const auto wgts = synthetic_tensor(Shape::Normal, 22, 4000, 0.05);
  const LayerTensors layer{acts, wgts};
  SearchOptions options;
  options.weight_threshold = 0.03;
  const double crest_a = *std::max_element(acts.begin(), acts.end()) /
                         (std::accumulate(acts.begin(), acts.end(), 0.0) / acts.size());
  double wmax = 0, wsum = 0;
  for (const double v : wgts) wmax = std::max(wmax, std::fabs(v)), wsum += std::fabs(v);
  REQUIRE(activation_threshold(0.03, layer) == Approx(0.03 * crest_a / (wmax / (wsum / wgts.size()))));

  const std::vector<LayerTensors> layers{layer, layer};
  const auto result = search_network(layers, options);
  for (std::size_t i = 0; i < result.size(); ++i) {
    const LayerQuantization& r = result[i];
    INFO("layer " << i << " bits " << r.weights.bits << " errors " << r.activation_error << " "
                  << r.weight_error);
    REQUIRE(r.activations.base == r.weights.base);
    REQUIRE(r.activations.bits == r.weights.bits);
    REQUIRE(r.weight_threshold == Approx(i == 0 ? 0.003 : 0.03));
    if (r.meets_thresholds) {
      REQUIRE(r.weight_error <= r.weight_threshold);
      REQUIRE(r.activation_error <= r.activation_threshold);
    }
    if (r.weights.bits > kDnateqMinBits) {
      const LayerQuantization fewer = quantize_layer(layer, r.weights.bits - 1, options);
      REQUIRE((fewer.weight_error > r.weight_threshold || fewer.activation_error > r.activation_threshold));
    }
  }
  REQUIRE(result[0].weights.bits > result[1].weights.bits);  // 10x stricter first layer
}

TEST_CASE("dnateq threshold sweep stops before the accuracy loss limit", "[dnateq]") {
  const auto a = synthetic_tensor(Shape::Relu, 31, 1500);
  const auto w = synthetic_tensor(Shape::Normal, 32, 1500, 0.1);
  const std::vector<LayerTensors> layers{{a, w}, {w, a}};
  // A stand-in for measured accuracy loss: it grows as the layers get fewer bits.
  const AccuracyLoss loss = [](const std::vector<LayerQuantization>& ls) {
    double l = 0;
    for (const LayerQuantization& q : ls) l += 0.1 * (q.activation_error + q.weight_error);
    return l;
  };
  const ThresholdSweepOptions sweep;
  const ThresholdSweep s = sweep_weight_threshold(layers, loss, {}, sweep);
  REQUIRE(s.loss < sweep.max_loss);
  REQUIRE(s.loss == loss(s.layers));
  SearchOptions next;
  next.weight_threshold = s.weight_threshold + sweep.step;
  REQUIRE(loss(search_network(layers, next)) >= sweep.max_loss);
  REQUIRE(s.weight_threshold > sweep.start);
}

TEST_CASE("dnateq compression against INT8", "[dnateq]") {
  std::vector<LayerQuantization> layers(20);
  for (std::size_t i = 0; i < layers.size(); ++i) layers[i].weights.bits = i == 0 ? 4 : 3;
  const Compression c = compression_vs_int8(layers);  // seed 004's Transformer: 3.05 bits, 61.86 %
  REQUIRE(c.average_bits == Approx(3.05));
  REQUIRE(c.size_ratio == Approx(3.05 / 8));
  REQUIRE(c.saving == Approx(0.61875));
  REQUIRE(c.size_ratio_with_sign == Approx(4.05 / 8));
}

TEST_CASE("dnateq counter shape follows the bit-width and the dot-product length", "[dnateq]") {
  const CounterShape s7 = counter_shape(7, 127);
  REQUIRE(s7.sum_entries == 253);
  REQUIRE(s7.exponent_entries == 127);
  REQUIRE(s7.counter_bits == 8);  // seed 004's 8-bit entries hold N = 127
  REQUIRE(counter_shape(3, 128).counter_bits == 9);
  REQUIRE(counter_shape(3, 1).counter_bits == 2);
  REQUIRE(counter_shape(4, 65504).counter_bits == 17);  // [-65536, 65535]
}

TEST_CASE("dnateq exponent counters match a brute-force recount and Eq. 8", "[dnateq]") {
  std::mt19937_64 rng(41);
  for (int n = 3; n <= 7; ++n) {
    const std::size_t length = 300;
    const auto a = random_codes(rng, n, length, 0.2);
    const auto w = random_codes(rng, n, length, 0.1);
    const ExpCounters c = count_exponents(n, a, w);
    const int e_max = max_exponent(n);
    const int counter_max = (1 << (counter_shape(n, length).counter_bits - 1)) - 1;
    // Recount every entry by scanning all pairs for it.
    auto signed_pair = [&](std::size_t i) { return a[i].negative == w[i].negative ? 1 : -1; };
    auto both_nonzero = [&](std::size_t i) { return !is_zero(a[i], n) && !is_zero(w[i], n); };
    for (int k = -2 * e_max; k <= 2 * e_max; ++k) {
      std::int64_t want = 0;
      for (std::size_t i = 0; i < length; ++i)
        if (both_nonzero(i) && a[i].exponent + w[i].exponent == k) want += signed_pair(i);
      REQUIRE(c.by_sum[static_cast<std::size_t>(k + 2 * e_max)] == want);
      REQUIRE(std::llabs(want) <= counter_max);
    }
    for (int e = -e_max; e <= e_max; ++e) {
      std::int64_t want_a = 0, want_w = 0;
      for (std::size_t i = 0; i < length; ++i) {
        if (!both_nonzero(i)) continue;
        if (a[i].exponent == e) want_a += signed_pair(i);
        if (w[i].exponent == e) want_w += signed_pair(i);
      }
      REQUIRE(c.by_activation[static_cast<std::size_t>(e + e_max)] == want_a);
      REQUIRE(c.by_weight[static_cast<std::size_t>(e + e_max)] == want_w);
    }
    std::int64_t signs = 0;
    for (std::size_t i = 0; i < length; ++i)
      if (both_nonzero(i)) signs += signed_pair(i);
    REQUIRE(c.sign_sum == signs);

    // Eq. 8: the four terms rebuild the dot product of the dequantized values.
    const ExpQuantizer qa{n, 1.2, 0.3, 0.1}, qw{n, 1.2, 0.05, -0.01};
    long double t[4] = {0, 0, 0, static_cast<long double>(c.sign_sum)};
    for (int k = -2 * e_max; k <= 2 * e_max; ++k)
      t[0] += c.by_sum[static_cast<std::size_t>(k + 2 * e_max)] * std::pow(1.2L, k);
    for (int e = -e_max; e <= e_max; ++e) {
      t[1] += c.by_activation[static_cast<std::size_t>(e + e_max)] * std::pow(1.2L, e);
      t[2] += c.by_weight[static_cast<std::size_t>(e + e_max)] * std::pow(1.2L, e);
    }
    const long double four_terms =
        0.3L * 0.05L * t[0] + 0.3L * -0.01L * t[1] + 0.1L * 0.05L * t[2] + 0.1L * -0.01L * t[3];
    REQUIRE(static_cast<double>(four_terms) ==
            Approx(static_cast<double>(exact_dot(qa, a, qw, w))).epsilon(1e-9));
  }
}

TEST_CASE("dnateq FP16 post-processing stays within the derived bound of the exact dot product", "[dnateq]") {
  double worst_ratio = 0;
  for (int n = 3; n <= 7; ++n) {
    for (const std::size_t length : {16u, 256u, 1024u}) {
      const DotCase d = dot_case(n, length, 100 + static_cast<std::uint64_t>(n) * 7 + length);
      const DnateqHardwareParams p = make_hardware_params(d.layer.activations, d.layer.weights);
      const ExpCounters c = count_exponents(n, d.a, d.w);
      const Fp16Trace t = postprocess_fp16(p, c);
      for (const fp16::Bits h : t.terms) REQUIRE(fp16::is_finite(h));
      for (const fp16::Bits h : t.products) REQUIRE(fp16::is_finite(h));
      REQUIRE(t.terms[3] == fp16::from_int(c.sign_sum));
      const double exact = static_cast<double>(exact_dot(d.layer.activations, d.a, d.layer.weights, d.w));
      const double bound = fp16_error_bound(c, d.layer.activations, d.layer.weights);
      const double err = std::fabs(fp16::to_double(t.result) - exact);
      INFO("bits " << n << " length " << length << " exact " << exact << " fp16 " << fp16::to_double(t.result)
                   << " error " << err << " bound " << bound);
      REQUIRE(err <= bound * (1 + 1e-9));
      worst_ratio = std::max(worst_ratio, err / bound);
    }
  }
  // The bound is a worst case; typical errors are far below it.
  REQUIRE(worst_ratio < 0.5);
}

TEST_CASE("dnateq fixed-point post-processing is exact integer arithmetic within its bound", "[dnateq]") {
  const FixedPointFormat format;
  for (int n = 3; n <= 7; ++n) {
    const std::size_t length = 512;
    const DotCase d = dot_case(n, length, 300 + static_cast<std::uint64_t>(n));
    const FixedPostParams p = make_fixed_params(d.layer.activations, d.layer.weights, format, length);
    REQUIRE(fixed_accumulator_bits(p) <= 63);
    const ExpCounters c = count_exponents(n, d.a, d.w);
    const std::int64_t got = postprocess_fixed(p, c);
    // Independent integer reference: long double holds these 64-bit sums exactly.
    const int e_max = max_exponent(n);
    long double t[4] = {0, 0, 0, c.sign_sum * std::ldexp(1.0L, format.lut_frac)};
    for (int k = 0; k <= 4 * e_max; ++k)
      t[0] += c.by_sum[static_cast<std::size_t>(k)] *
              static_cast<long double>(p.lut[static_cast<std::size_t>(k)]);
    for (int e = 0; e <= 2 * e_max; ++e) {
      t[1] += c.by_activation[static_cast<std::size_t>(e)] *
              static_cast<long double>(p.lut[static_cast<std::size_t>(e + e_max)]);
      t[2] += c.by_weight[static_cast<std::size_t>(e)] *
              static_cast<long double>(p.lut[static_cast<std::size_t>(e + e_max)]);
    }
    long double raw = 0;
    for (int j = 0; j < 4; ++j)
      raw += static_cast<long double>(p.coefficients[static_cast<std::size_t>(j)]) * t[j];
    const int shift = format.lut_frac + format.coef_frac - format.out_frac;
    REQUIRE(got == static_cast<std::int64_t>(std::floor(std::ldexp(raw, -shift) + 0.5L)));

    const double exact = static_cast<double>(exact_dot(d.layer.activations, d.a, d.layer.weights, d.w));
    const double err = std::fabs(std::ldexp(static_cast<double>(got), -format.out_frac) - exact);
    INFO("bits " << n << " exact " << exact << " error " << err);
    REQUIRE(err <= fixed_error_bound(p, c, d.layer.activations, d.layer.weights) * (1 + 1e-9) + 1e-12);
  }
  // Every pair at the top exponents with one sign: the worst case the accumulator width is for.
  const DotCase d = dot_case(7, 8, 9);
  const FixedPostParams p = make_fixed_params(d.layer.activations, d.layer.weights, format, 65504);
  const std::vector<ExpCode> top(65504, ExpCode{false, 63});
  const std::int64_t worst = postprocess_fixed(p, count_exponents(7, top, top));
  REQUIRE(std::llabs(worst) < (std::int64_t{1} << (fixed_accumulator_bits(p) - 1)));
  FixedPointFormat wide = format;
  wide.lut_frac = wide.coef_frac = 30;
  REQUIRE_THROWS_WITH(make_fixed_params(d.layer.activations, d.layer.weights, wide, 65504),
                      Contains("lut_frac, coef_frac"));
}

TEST_CASE("dnateq hardware parameter file round trips", "[dnateq]") {
  const DotCase d = dot_case(4, 8, 51);
  const DnateqHardwareParams p = make_hardware_params(d.layer.activations, d.layer.weights);
  REQUIRE(p.boundaries.size() == 15);
  REQUIRE(p.lut.size() == 29);
  REQUIRE(p.lut[14] == fp16::kOne);  // b^0
  const std::string text = format_hardware_params(p);
  const DnateqHardwareParams back = parse_hardware_params(text);
  REQUIRE(back.bits == p.bits);
  REQUIRE(back.boundaries == p.boundaries);
  REQUIRE(back.lut == p.lut);
  REQUIRE(back.coefficients == p.coefficients);

  const auto dir = scratch_dir("qrtl_test_dnateq");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "layer.txt").string();
  write_hardware_params(path, p);
  REQUIRE_FALSE(std::filesystem::exists(path + ".tmp"));
  REQUIRE(read_hardware_params(path).lut == p.lut);
  std::filesystem::remove_all(dir);
}

TEST_CASE("dnateq parameter file errors name the line and the rule", "[dnateq]") {
  const DotCase d = dot_case(3, 8, 61);
  const DnateqHardwareParams p = make_hardware_params(d.layer.activations, d.layer.weights);
  const std::string text = format_hardware_params(p);
  const std::string first = "boundary 0x0001";
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "bits 3", "bits 4")),
                      Contains("expected 15 boundaries for bits = 4 (2^bits - 1), got 7"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "bits 3", "bits 9")),
                      Contains("line 4") && Contains("expected 3..7"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, first, "boundary 0xzz")),
                      Contains("line 6") && Contains("'0xzz' is not an FP16 bit pattern"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, first, "boundary 0x7bff")),
                      Contains("line 7") && Contains("sorted"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "lut ", "lut 0x7c00  #")),
                      Contains("line 14") && Contains("a finite FP16 > 0"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, first, "weight 1")),
                      Contains("unknown key 'weight'"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "dnateq_params 1", "dnateq_params 2")),
                      Contains("header 'dnateq_params 1'"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "bits 3", "bits 3\nbits 3")),
                      Contains("twice"));
  REQUIRE_THROWS_WITH(parse_hardware_params(replace_line(text, "coefficient ", "# coefficient ")),
                      Contains("expected 4 coefficients"));
  DnateqHardwareParams bad = p;
  bad.lut.pop_back();
  REQUIRE_THROWS_WITH(validate(bad), Contains("expected 13 lut entries for bits = 3"));
}

TEST_CASE("dnateq validation names the parameter the value and what is allowed", "[dnateq]") {
  const std::vector<double> x{0.5, -1.0, 2.0};
  REQUIRE_THROWS_WITH(fit_scale_offset(x, 8, 1.5), "parameter 'bits' = 8 is invalid: expected 3..7");
  REQUIRE_THROWS_WITH(fit_scale_offset(x, 2, 1.5), "parameter 'bits' = 2 is invalid: expected 3..7");
  REQUIRE_THROWS_WITH(fit_scale_offset(x, 4, 1.0),
                      "parameter 'base' = 1 is invalid: expected a finite number > 1");
  REQUIRE_THROWS_WITH(validate(ExpQuantizer{4, std::nan(""), 1, 0}), Contains("parameter 'base' = nan"));
  REQUIRE_THROWS_WITH(validate(ExpQuantizer{4, 1.5, 0, 0}), Contains("parameter 'scale' = 0"));
  REQUIRE_THROWS_WITH(validate(ExpQuantizer{3, 2.0, 1, -1}),
                      Contains("parameter 'offset' = -1") && Contains("-0.125"));
  REQUIRE_THROWS_WITH(search_base(std::vector<double>{}, 4),
                      "tensor 'tensor' is empty: expected at least one value");
  REQUIRE_THROWS_WITH(search_base(std::vector<double>{1, 2, 3, std::nan("")}, 4),
                      "tensor 'tensor' value [3] = nan is invalid: expected a finite number");
  REQUIRE_THROWS_WITH(search_base(std::vector<double>{1, -HUGE_VAL}, 4), Contains("value [1] = -inf"));
  REQUIRE_THROWS_WITH(search_base(std::vector<double>{0, 0}, 4), Contains("has no nonzero value"));
  const std::vector<double> zeros{0.0};
  const std::vector<LayerTensors> layers{{x, x}, {x, zeros}};
  REQUIRE_THROWS_WITH(search_network(layers), Contains("layer 1: tensor 'weights' has no nonzero value"));
  REQUIRE_THROWS_WITH(counter_shape(4, 0), Contains("'max_length' = 0") && Contains("1..65504"));
  REQUIRE_THROWS_WITH(counter_shape(4, 65505), Contains("'max_length' = 65505"));
  const std::vector<ExpCode> one{{false, 1}}, two{{false, 1}, {false, 1}}, wild{{false, 9}};
  REQUIRE_THROWS_WITH(count_exponents(3, one, two), Contains("weights length = 2"));
  REQUIRE_THROWS_WITH(count_exponents(3, wild, one),
                      Contains("activation[0] exponent = 9") && Contains("-3..3"));
  const ExpQuantizer qa{3, 7.0, 1, 0};
  REQUIRE_THROWS_WITH(make_hardware_params(qa, qa), Contains("parameter 'base' = 7") && Contains("max_base"));
  REQUIRE_THROWS_WITH(make_hardware_params({3, 2.0, 1, 0}, {3, 2.5, 1, 0}),
                      Contains("'base' of the weights = 2.5") && Contains("shares one base"));
  REQUIRE_THROWS_WITH(quantize_fp16(std::vector<fp16::Bits>(8, 1), 0x3C00), Contains("boundary count = 8"));
  SearchOptions o;
  o.weight_threshold = -1;
  REQUIRE_THROWS_WITH(search_base(x, 4, o), Contains("'weight_threshold' = -1"));
}

TEST_CASE("dnateq tensor readers parse CSV and npy", "[dnateq]") {
  const Tensor csv = parse_csv_tensor("# trace\n1.5, -2e-3 +4\n\n  7,8\t9 # tail\n");
  REQUIRE(csv.values == std::vector<double>{1.5, -2e-3, 4, 7, 8, 9});
  REQUIRE(csv.shape == std::vector<std::size_t>{6});
  REQUIRE_THROWS_WITH(parse_csv_tensor("1,2\n3,x4\n"), "tensor CSV: line 2: 'x4' is not a number");
  REQUIRE_THROWS_WITH(parse_csv_tensor("# nothing\n"), Contains("no values"));

  const std::vector<float> f{1.0f, -2.5f, 3.25f, 0.0f, 5.0f, 6.0f};
  const Tensor t32 =
      parse_npy(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", raw_bytes(f)));
  REQUIRE(t32.shape == std::vector<std::size_t>{2, 3});
  REQUIRE(t32.values == std::vector<double>{1.0, -2.5, 3.25, 0.0, 5.0, 6.0});
  const std::vector<double> d{0.1, -1e-300};
  const Tensor t64 =
      parse_npy(npy_bytes(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw_bytes(d)));
  REQUIRE(t64.values == d);

  const std::string f4 = raw_bytes(f);
  REQUIRE_THROWS_WITH(
      parse_npy(npy_bytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", f4)),
      Contains("dtype = '>f4'") && Contains("'<f4'"));
  REQUIRE_THROWS_WITH(
      parse_npy(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (6,), }", f4)),
      Contains("dtype = '<i4'"));
  REQUIRE_THROWS_WITH(
      parse_npy(npy_bytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4)),
      Contains("fortran_order = True"));
  REQUIRE_THROWS_WITH(
      parse_npy(npy_bytes(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", f4)),
      Contains("version = 3.0"));
  REQUIRE_THROWS_WITH(
      parse_npy(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", f4)),
      Contains("data size = 24 bytes"));
  REQUIRE_THROWS_WITH(parse_npy("PK\x03\x04"), Contains("magic"));

  const auto dir = scratch_dir("qrtl_test_dnateq_tensors");
  std::filesystem::create_directories(dir);
  const std::string npy_path = (dir / "w.npy").string(), csv_path = (dir / "a.csv").string();
  std::ofstream(npy_path, std::ios::binary)
      << npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw_bytes(d));
  std::ofstream(csv_path) << "1 2 3\n";
  REQUIRE(read_tensor(npy_path).values == d);
  REQUIRE(read_tensor(csv_path).values == std::vector<double>{1, 2, 3});
  std::ofstream(csv_path) << "1 2 three\n";
  REQUIRE_THROWS_WITH(read_tensor(csv_path), Contains(csv_path + ": tensor CSV: line 1"));
  std::filesystem::remove_all(dir);
}
