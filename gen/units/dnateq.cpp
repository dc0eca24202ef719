#include "units/dnateq.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "errors.hpp"
#include "quant/intmath.hpp"
#include "units/vexpr.hpp"

namespace qrtl::units {

namespace {

constexpr int kFp16Bits = 16;
// Cycles from accepting a dot product's last pair to the first post-processing cycle: the pair
// register of the quantization stage, then the counter snapshot.
constexpr int kStartCycles = 2;
// Post-processing beyond one cycle per LUT product: per counted term a bubble (its last sum
// settles) and the coefficient product; the sign term's coefficient product; the final sum.
constexpr int kTermOverhead = 2;

// Signed bits holding [-m, m].
int signed_bits_for(long double m) {
  int bits = 0;
  while (std::ldexp(1.0L, bits) <= m) ++bits;
  return bits + 1;
}

bool fixed(const DnateqParams& p) { return p.post == "fixed"; }

}  // namespace

const ParamTable<DnateqParams>& dnateq_param_table() {
  static const auto table =
      ParamTable<DnateqParams>{}
          .add(ident_param("name", "", "design name, prefix of every module (default: the output folder's name)"),
               &DnateqParams::name)
          .add(int_param("max_bits", 4, quant::kDnateqMinBits, quant::kDnateqMaxBits,
                         "largest exponent bit-width n of a layer (run-time bit-widths 3..max_bits)"),
               &DnateqParams::max_bits)
          .add(int_param("max_len", 256, 1, 65504,
                         "longest dot product (pairs); the counters hold [-max_len, max_len] exactly"),
               &DnateqParams::max_len)
          .add(int_param("batch", 8, 1, 128,
                         "boundary comparators: boundaries compared per cycle (at most 2^max_bits)"),
               &DnateqParams::batch)
          .add(enum_param("post", "fp16", {"fp16", "fixed"},
                          "post-processing arithmetic: IEEE FP16 as in the paper, or exact fixed point"),
               &DnateqParams::post)
          .add(bool_param("precompute_weight_terms", false,
                          "the weight-only terms (T2, sign sum) come with each dot product instead of being counted"),
               &DnateqParams::precompute_weight_terms)
          .add(int_param("lut_frac", 14, 0, 30, "fixed point: fraction bits of the LUT entries b^k"),
               &DnateqParams::lut_frac)
          .add(int_param("lut_bits", 24, 1, 40, "fixed point: width of a LUT entry (unsigned, includes lut_frac)"),
               &DnateqParams::lut_bits)
          .add(int_param("coef_frac", 16, 0, 30, "fixed point: fraction bits of the coefficients"),
               &DnateqParams::coef_frac)
          .add(int_param("coef_bits", 24, 2, 40, "fixed point: width of a coefficient (signed, includes coef_frac)"),
               &DnateqParams::coef_bits)
          .add(int_param("out_frac", 12, 0, 60, "fixed point: fraction bits of the result (at most lut_frac + coef_frac)"),
               &DnateqParams::out_frac);
  return table;
}

DnateqShape dnateq_shape(const DnateqParams& p) {
  DnateqShape s;
  s.e_max = quant::max_exponent(p.max_bits);
  s.boundaries = quant::level_count(p.max_bits);
  s.lut_entries = 4 * s.e_max + 1;
  s.exp_entries = 2 * s.e_max + 1;
  s.banks = (s.boundaries + p.batch - 1) / p.batch;
  s.counter_bits = quant::counter_shape(p.max_bits, p.max_len).counter_bits;
  s.cfg_index_bits = quant::ceil_log2(static_cast<std::uint64_t>(s.lut_entries));
  if (!fixed(p)) {
    s.term_bits = kFp16Bits;
    s.out_bits = kFp16Bits;
    s.cfg_data_bits = kFp16Bits;
    return s;
  }
  // |T_j| <= max_len * largest LUT entry; |acc| <= sum of the four |coefficient| * |T_j| plus the
  // rounding addend (T3 = sign_sum * 2^lut_frac is smaller than T0's bound).
  const long double n = p.max_len;
  const long double lut_max = std::ldexp(1.0L, p.lut_bits) - 1;
  const long double coef_max = std::ldexp(1.0L, p.coef_bits - 1);
  const int shift = p.lut_frac + p.coef_frac - p.out_frac;
  // T3 = sign_sum * 2^lut_frac enters the same term operand; the accumulator also takes a whole
  // multiplier product.
  s.term_bits = std::max(signed_bits_for(n * lut_max), s.counter_bits + p.lut_frac);
  s.acc_bits = std::max(signed_bits_for(4 * coef_max * n * lut_max + (shift > 0 ? std::ldexp(1.0L, shift - 1) : 0)),
                        std::max(s.counter_bits, p.coef_bits) + s.term_bits);
  s.out_bits = s.acc_bits - shift;
  // Boundaries are positive FP16: their 15 magnitude bits are stored.
  s.cfg_data_bits = std::max({kFp16Bits - 1, p.lut_bits, p.coef_bits});
  return s;
}

int dnateq_cycles_per_pair(const DnateqParams& p, int bits) {
  return (quant::level_count(bits) + p.batch - 1) / p.batch;
}

int dnateq_latency(const DnateqParams& p, int bits) {
  const int e = quant::max_exponent(bits);
  const int counted = p.precompute_weight_terms ? 2 : 3;  // terms summed from the LUT
  const int lut_products = (4 * e + 1) + (counted - 1) * (2 * e + 1);
  // Counted terms: bubble + coefficient; precomputed T2 and the sign term: coefficient only.
  const int overhead = counted * kTermOverhead + (4 - counted);
  return kStartCycles + lut_products + overhead + 1;  // + the final sum
}

std::string_view DnateqFamily::summary() const {
  return "DNA-TEQ dot-product unit (seed 004): FP16 activation quantizer, exponent array counters, "
         "FP16 or fixed-point post-processing";
}

void DnateqFamily::validate(const ParamSet& ps) const {
  const DnateqParams p = dnateq_param_table().bind(ps);
  // Up to one comparator per boundary slot of the seed's power-of-two banks (8 at 3 bits: 7 used).
  const int boundaries = quant::level_count(p.max_bits);
  if (p.batch > boundaries + 1)
    throw UsageError(fmt::format(
        "parameter 'batch' = {} is invalid: max_bits = {} has {} boundaries; expected at most {} comparators "
        "(2^max_bits)",
        p.batch, p.max_bits, boundaries, boundaries + 1));
  if (!fixed(p)) return;
  if (p.lut_bits <= p.lut_frac)
    throw UsageError(fmt::format(
        "parameter 'lut_bits' = {} is invalid: the LUT holds b^0 = 1 = 2^lut_frac; expected more than lut_frac = {}",
        p.lut_bits, p.lut_frac));
  if (p.out_frac > p.lut_frac + p.coef_frac)
    throw UsageError(fmt::format("parameter 'out_frac' = {} is invalid: expected at most lut_frac + coef_frac = {}",
                                 p.out_frac, p.lut_frac + p.coef_frac));
  const DnateqShape s = dnateq_shape(p);
  if (s.acc_bits > 62)
    throw UsageError(fmt::format(
        "parameters 'lut_bits', 'coef_bits', 'max_len' = {}, {}, {} are invalid: the exact accumulator needs {} bits; "
        "expected at most 62 (narrower LUT entries or coefficients, or a shorter max_len)",
        p.lut_bits, p.coef_bits, p.max_len, s.acc_bits));
}

// The power workload's bit-width and dot-product length and a hardware parameter file
// (dnateq_tb.cpp --opt bits, len, params).
std::vector<WorkloadKey> DnateqFamily::workload_keys(const ParamSet& ps) const {
  const DnateqParams p = dnateq_param_table().bind(ps);
  using K = WorkloadKey::Kind;
  auto keys = common_workload_keys();
  keys.push_back({"bits", K::Integer, 3, static_cast<double>(p.max_bits), "run-time exponent bit-width (default max_bits)"});
  keys.push_back({"len", K::Integer, 1, static_cast<double>(p.max_len),
                  "pairs per dot product (default min(max_len, 16))"});
  keys.push_back({"params", K::Path, 0, 0, "hardware parameter file replacing the random layer (FP16 designs)"});
  return keys;
}

Elaboration DnateqFamily::elaborate(const ParamSet& ps) const {
  const DnateqParams p = dnateq_param_table().bind(ps);
  const DnateqShape s = dnateq_shape(p);
  const bool fx = fixed(p);
  const int mb = p.max_bits;

  // Per run-time bit-width: the constants the stages select with a case on the bits register.
  nlohmann::json widths = nlohmann::json::array();
  nlohmann::json cycles = nlohmann::json::array();
  for (int n = quant::kDnateqMinBits; n <= mb; ++n) {
    const int e = quant::max_exponent(n);
    widths.push_back({{"n", n},
                      {"e", e},
                      {"k", quant::level_count(n)},
                      {"last_bank", dnateq_cycles_per_pair(p, n) - 1},
                      {"sum_last", 4 * e},
                      {"exp_last", 2 * e},
                      {"sign_bit", n},
                      {"top", n - 1},
                      {"has_pad", n < mb},
                      {"low_msb", n - 2},
                      {"pad", mb - n}});
    cycles.push_back({{"n", n},
                      {"boundaries", quant::level_count(n)},
                      {"lut", 4 * e + 1},
                      {"pair", dnateq_cycles_per_pair(p, n)},
                      {"latency", dnateq_latency(p, n)}});
  }
  // Comparator j of bank b reads boundary b * batch + j (none past the last boundary).
  nlohmann::json comparators = nlohmann::json::array();
  for (int j = 0; j < p.batch; ++j) {
    nlohmann::json arms = nlohmann::json::array();
    for (int b = 0; b < s.banks; ++b)
      if (b * p.batch + j < s.boundaries) arms.push_back({{"bank", b}, {"index", b * p.batch + j}});
    comparators.push_back({{"j", j}, {"arms", arms}});
  }
  // Counter entries of the by_sum array and of the by_act / by_w arrays, with their index literals.
  nlohmann::json sum_entries = nlohmann::json::array(), exp_entries = nlohmann::json::array();
  for (int k = 0; k < s.lut_entries; ++k)
    sum_entries.push_back({{"k", k}, {"sum_lit", fmt::format("{}'d{}", mb + 1, k)}});
  for (int k = 0; k < s.exp_entries; ++k) exp_entries.push_back({{"k", k}, {"exp_lit", fmt::format("{}'d{}", mb, k)}});
  nlohmann::json banks = nlohmann::json::array();
  for (int b = 0; b < s.banks; ++b) banks.push_back({{"bank", b}, {"base", b * p.batch}});

  const int shift = p.lut_frac + p.coef_frac - p.out_frac;
  const int mul_a = std::max(s.counter_bits, p.coef_bits);
  const int lut_w = fx ? p.lut_bits : kFp16Bits;
  const int coef_w = fx ? p.coef_bits : kFp16Bits;
  const int bank_bits = std::max(1, quant::ceil_log2(static_cast<std::uint64_t>(s.banks)));
  nlohmann::json d = {
      {"name", p.name},
      {"max_bits", mb},
      {"max_len", p.max_len},
      {"batch", p.batch},
      {"batch_msb", p.batch - 1},
      {"post", p.post},
      {"fp16", !fx},
      {"fixed", fx},
      {"precompute", p.precompute_weight_terms},
      {"count_weights", !p.precompute_weight_terms},
      {"e_max", s.e_max},
      {"n_bnd", s.boundaries},
      {"bnd_bus_msb", 15 * p.batch - 1},
      {"n_lut", s.lut_entries},
      {"n_exp", s.exp_entries},
      {"lut_msb", lut_w - 1},
      {"coef_msb", coef_w - 1},
      {"banks", s.banks},
      {"bank_list", banks},
      {"bank_bits", bank_bits},
      {"bank_msb", bank_bits - 1},
      {"comparators", comparators},
      {"sum_entries", sum_entries},
      {"exp_entries", exp_entries},
      {"widths", widths},
      {"cycles", cycles},
      {"iv_msb", mb - 1},            // interval / offset exponent: 0..2^mb - 1
      {"sum_idx_msb", mb},           // e_a + e_w + 2E: 0..4E
      {"w_msb", mb},                 // weight code: n + 1 bits, right-aligned
      {"cw", s.counter_bits},
      {"cw_msb", s.counter_bits - 1},
      {"tw", s.term_bits},
      {"tw_msb", s.term_bits - 1},
      {"acc_bits", s.acc_bits},
      {"acc_msb", s.acc_bits - 1},
      {"out_bits", s.out_bits},
      {"out_msb", s.out_bits - 1},
      {"shift", shift},
      {"has_shift", shift > 0},
      {"lut_frac", p.lut_frac},
      {"coef_frac", p.coef_frac},
      {"out_frac", p.out_frac},
      {"lut_bits", p.lut_bits},
      {"coef_bits", p.coef_bits},
      {"mul_a", mul_a},
      {"mul_a_msb", mul_a - 1},
      {"prod_bits", mul_a + s.term_bits},
      {"prod_msb", mul_a + s.term_bits - 1},
      {"k_msb", mb},                 // item counter: 0..4E
      {"cfg_data_bits", s.cfg_data_bits},
      {"cfg_data_msb", s.cfg_data_bits - 1},
      {"cfg_index_bits", s.cfg_index_bits},
      {"cfg_index_msb", s.cfg_index_bits - 1},
      {"cfg_addr_bits", s.cfg_index_bits + 2},
      {"cfg_addr_msb", s.cfg_index_bits + 1},
      {"first_cycles", kStartCycles},
      {"conv_mag", extend("imag", s.counter_bits, 24, false)},
      {"t3_msb", s.counter_bits + p.lut_frac - 1},
      {"t3_raw", p.lut_frac > 0 ? fmt::format("{{sign_sum_i, {}'d0}}", p.lut_frac) : std::string("sign_sum_i")},
      {"t3_ext", extend("t3_raw", s.counter_bits + p.lut_frac, s.term_bits, true)},
      {"count_ext", extend("count", s.counter_bits, mul_a, true)},
      {"coef_ext", extend("coef", p.coef_bits, mul_a, true)},
      {"lut_ext", extend("lut_e", p.lut_bits, s.term_bits, false)},
      {"mul_a_ext", extend("mul_a", mul_a, mul_a + s.term_bits, true)},
      {"mul_b_ext", extend("mul_b", s.term_bits, mul_a + s.term_bits, true)},
      {"prod_ext", extend("prod_q", mul_a + s.term_bits, std::max(s.acc_bits, 1), true)},
      {"out_pad", s.out_bits - 1},
      {"half_bit", shift > 0 ? shift - 1 : 0},
  };

  Elaboration e;
  e.top = p.name + "_top";
  const std::string t = "templates/dnateq/";
  e.modules = {
      {p.name + "_cfg", t + "cfg.v.mustache", d},
      {p.name + "_quant", t + "quant.v.mustache", d},
      {p.name + "_count", t + "count.v.mustache", d},
      {p.name + "_post", t + "post.v.mustache", d},
  };
  if (!fx) {
    e.modules.push_back({p.name + "_fp16_round", t + "fp16_round.v.mustache", d});
    e.modules.push_back({p.name + "_fp16_mul", t + "fp16_mul.v.mustache", d});
    e.modules.push_back({p.name + "_fp16_add", t + "fp16_add.v.mustache", d});
  }
  e.modules.push_back({e.top, t + "top.v.mustache", d});
  e.instances = {
      {e.top, p.name + "_cfg", 1},
      {e.top, p.name + "_quant", 1},
      {e.top, p.name + "_count", 1},
      {e.top, p.name + "_post", 1},
  };
  if (!fx) {
    e.instances.push_back({p.name + "_post", p.name + "_fp16_mul", 1});
    e.instances.push_back({p.name + "_post", p.name + "_fp16_add", 1});
    e.instances.push_back({p.name + "_post", p.name + "_fp16_round", 1});  // the integer conversion
    e.instances.push_back({p.name + "_fp16_mul", p.name + "_fp16_round", 1});
    e.instances.push_back({p.name + "_fp16_add", p.name + "_fp16_round", 1});
  }
  e.derived = {
      {"e_max", s.e_max, "largest exponent E at max_bits"},
      {"boundaries", s.boundaries, "boundary registers (2^max_bits - 1)"},
      {"lut_entries", s.lut_entries, "LUT entries and by-sum counters (4E + 1)"},
      {"exp_entries", s.exp_entries, "by-activation / by-weight counters (2E + 1 each)"},
      {"banks", s.banks, "comparator passes at max_bits (ceil(boundaries / batch))"},
      {"counter_bits", s.counter_bits, "signed counter width; holds [-max_len, max_len]"},
      {"term_bits", s.term_bits, "post-processing term width (FP16: 16)"},
      {"acc_bits", s.acc_bits, "fixed point: exact accumulator width (FP16: 0)"},
      {"out_bits", s.out_bits, "result width (FP16: 16)"},
      {"cfg_data_bits", s.cfg_data_bits, "configuration write data width"},
      {"cfg_index_bits", s.cfg_index_bits, "index field of a configuration address"},
  };
  for (int n = quant::kDnateqMinBits; n <= quant::kDnateqMaxBits; ++n) {
    const bool ok = n <= mb;
    e.derived.push_back({fmt::format("cycles_per_pair_{}", n), ok ? dnateq_cycles_per_pair(p, n) : 0,
                         fmt::format("cycles per accepted pair at bit-width {} (0: not supported)", n)});
    e.derived.push_back({fmt::format("latency_{}", n), ok ? dnateq_latency(p, n) : 0,
                         fmt::format("cycles from the last pair to out_valid_o at bit-width {} (0: not supported)", n)});
  }
  e.testbench = "dnateq_tb.cpp";
  e.golden = {"intmath", "fp16", "dnateq"};
  e.readme_tmpl = "templates/dnateq/README.md.mustache";
  e.readme_data = d;
  return e;
}

}  // namespace qrtl::units
