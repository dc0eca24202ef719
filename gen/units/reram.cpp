#include "units/reram.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

#include "errors.hpp"
#include "quant/intmath.hpp"
#include "units/vexpr.hpp"

namespace qrtl::units {

namespace {

__extension__ typedef __int128 Wide;  // datapath ranges: a conversion weight times a full-scale ADC reading exceeds 64 bits

Wide pow2w(int e) { return Wide{1} << e; }

// Fewest two's-complement bits holding every value in [lo, hi].
int signed_bits(Wide lo, Wide hi) {
  int n = 1;
  while (lo < -pow2w(n - 1) || hi > pow2w(n - 1) - 1) ++n;
  return n;
}
int unsigned_bits(Wide hi) {
  int n = 1;
  while (hi > pow2w(n) - 1) ++n;
  return n;
}
// Bits of an unsigned counter reaching `max` (at least 1).
int counter_bits(std::int64_t max) { return unsigned_bits(max); }

std::string zeros(int n) { return fmt::format("{{{}{{1'b0}}}}", n); }

// `src` (`bits` wide, unsigned) placed at bit `shift` of a `width`-bit zero-filled word.
std::string place(const std::string& src, int bits, int shift, int width) {
  std::string s = "{";
  if (width - bits - shift > 0) s += zeros(width - bits - shift) + ", ";
  s += src;
  if (shift > 0) s += ", " + zeros(shift);
  return s + "}";
}

// `sig` (from bits, signed or not) times 2^shift in `to` bits.
std::string shifted_left(const std::string& sig, int from, int shift, int to, bool sign) {
  const std::string ext = extend(sig, from, to - shift, sign);
  return shift == 0 ? ext : fmt::format("{{{}, {}}}", ext, zeros(shift));
}

std::string lit(int bits, std::int64_t v) { return fmt::format("{}'d{}", bits, v); }

// The accumulator conversion of one column (quant::to_accumulator) as Verilog: `v` is the raw
// sum moved to the accumulator fraction (rounded half up when bits are dropped), then saturated.
nlohmann::json output_stage(int raw, int acc, int drop) {
  nlohmann::json o;
  int vw = 0;
  if (drop > 0) {
    // raw > drop (see elaborate), so the kept part has at least one bit.
    const int hi = raw - drop;
    vw = hi + 1;  // one bit above it for the rounding carry
    o["round"] = true;
    o["drop"] = drop;
    o["drop_msb"] = drop - 1;
    o["hi_msb"] = hi - 1;
    o["hi_ext"] = extend("hi", hi, vw, true);
    o["half"] = place(fmt::format("acc_i[{}]", drop - 1), 1, 0, vw);
    o["has_unused"] = drop >= 2;
    o["unused_msb"] = drop - 2;
  } else {
    vw = raw - drop;
    o["round"] = false;
    o["v_expr"] = shifted_left("acc_i", raw, -drop, vw, true);
  }
  o["v_msb"] = vw - 1;
  o["sat"] = vw > acc;
  o["y_expr"] = extend("v", vw, acc, true);
  o["sat_value"] = acc == 1 ? fmt::format("v[{}]", vw - 1) : fmt::format("{{v[{0}], {{{1}{{~v[{0}]}}}}}}", vw - 1, acc - 1);
  o["keep_msb"] = acc - 1;
  return o;
}

}  // namespace

const ParamTable<ReramUnitParams>& reram_param_table() {
  using R = ReramUnitParams;
  static const auto table =
      ParamTable<R>{}
          .add(ident_param("name", "", "design name, prefix of every module (default: the output folder's name)"), &R::name)
          .add(int_param("rows", 16, 1, 512, "crossbar rows: inputs of one MVM"), &R::rows)
          .add(int_param("cols", 8, 1, 512, "crossbar columns: outputs of one MVM"), &R::cols)
          .add(int_param("weight_bits", 8, 1, 32, "signed weight width (two's complement fixed point)"), &R::weight_bits)
          .add(int_param("weight_frac", 4, 0, 31, "weight fraction bits, below weight_bits"), &R::weight_frac)
          .add(int_param("input_bits", 8, 2, 32, "signed input width (at least a sign and one magnitude bit)"), &R::input_bits)
          .add(int_param("input_frac", 4, 0, 31, "input fraction bits, below input_bits"), &R::input_frac)
          .add(int_param("acc_bits", 16, 1, 62, "signed output (accumulator) width; results saturate"), &R::acc_bits)
          .add(int_param("acc_frac", 6, 0, 61, "output fraction bits, below acc_bits; dropped bits round half up"), &R::acc_frac)
          .add(int_param("cell_bits", 2, 1, 32, "bits per ReRAM cell: the weight slice width"), &R::cell_bits)
          .add(int_param("dac_bits", 1, 1, 32, "input bits driven per DAC step (LSB first; the sign bit has its own step)"), &R::dac_bits)
          .add(int_param("adc_bits", 6, 1, 9, "SAR ADC resolution"), &R::adc_bits)
          .add(int_param("adc_shift", 0, 0, 63, "ADC LSB = 2^adc_shift column-sum units (coarser ADC, wider range)"), &R::adc_shift)
          .add(int_param("adcs", 2, 1, 512, "ADCs per crossbar array, a divisor of cols (column-mux ratio cols/adcs)"), &R::adcs)
          .add(enum_param("weight_encoding", "offset", {"offset", "differential"},
                          "signed weights: one array of w + 2^(weight_bits-1), or a differential pair of arrays"),
               &R::weight_encoding);
  return table;
}

quant::ReramParams reram_params(const ReramUnitParams& p) {
  quant::ReramParams q;
  q.rows = p.rows;
  q.cols = p.cols;
  q.weight_bits = p.weight_bits;
  q.weight_frac = p.weight_frac;
  q.input_bits = p.input_bits;
  q.input_frac = p.input_frac;
  q.acc_bits = p.acc_bits;
  q.acc_frac = p.acc_frac;
  q.cell_bits = p.cell_bits;
  q.dac_bits = p.dac_bits;
  q.adc_bits = p.adc_bits;
  q.adc_shift = p.adc_shift;
  q.adcs = p.adcs;
  q.weight_encoding = quant::parse_weight_encoding(p.weight_encoding);
  return q;
}

std::string_view ReramFamily::summary() const {
  return "ReRAM crossbar MVM periphery (seed 003): bit-serial DAC drive, S&H and column-mux sequencing, SAR ADC "
         "controllers, shift-and-add, accumulator conversion";
}

void ReramFamily::validate(const ParamSet& ps) const {
  try {
    quant::validate(reram_params(reram_param_table().bind(ps)));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// The bench's crossbar-model settings (reram_tb.cpp --opt nonideal, sigma, offset, weights). sigma is a
// relative conductance deviation, capped at 100 %; offset a comparator offset sigma in ADC LSBs,
// capped at the ADC's full scale.
std::vector<WorkloadKey> ReramFamily::workload_keys(const ParamSet& ps) const {
  const ReramUnitParams u = reram_param_table().bind(ps);
  using K = WorkloadKey::Kind;
  auto keys = common_workload_keys();
  keys.push_back({"nonideal", K::Integer, 0, 1, "1: non-ideal crossbar, error reported statistically (default 0)"});
  keys.push_back({"sigma", K::Fraction, 0, 1, "relative conductance variation per cell with nonideal=1 (default 0.02)"});
  keys.push_back({"offset", K::Fraction, 0, static_cast<double>(std::int64_t{1} << u.adc_bits),
                  "comparator offset sigma in ADC LSBs with nonideal=1 (default 0.25)"});
  keys.push_back({"weights", K::Path, 0, 0, "weight matrix file (rows lines of cols integers) instead of random weights"});
  return keys;
}

Elaboration ReramFamily::elaborate(const ParamSet& ps) const {
  const ReramUnitParams u = reram_param_table().bind(ps);
  const quant::ReramParams p = reram_params(u);
  const bool offset = p.weight_encoding == quant::WeightEncoding::Offset;
  const int B = p.adc_bits, D = p.dac_bits, IB = p.input_bits, WB = p.weight_bits;
  const int NA = quant::weight_arrays(p), K = quant::weight_slices(p), T = quant::input_steps(p), M = T - 1;
  const int A = p.adcs, MUX = p.cols / p.adcs, NADC = quant::adc_count(p);
  const Wide code_max = pow2w(B) - 1;
  const Wide lsb = quant::adc_lsb(p);

  // Raw accumulator: exact for any ADC codes (not only those an ideal crossbar produces), so no
  // analog behaviour can make it wrap. Each conversion adds c * lsb * code, code in [0, 2^B - 1];
  // the offset correction -2^(wb-1) * sum(x) is one more term.
  Wide lo = 0, hi = 0;
  for (int a = 0; a < NA; ++a)
    for (int k = 0; k < K; ++k)
      for (int t = 0; t < T; ++t) {
        const Wide c = quant::conversion_weight(p, a, k, t);
        (c > 0 ? hi : lo) += c * lsb * code_max;
      }
  const Wide x_lo = -pow2w(IB - 1) * p.rows, x_hi = (pow2w(IB - 1) - 1) * p.rows;
  const int XW = std::max(signed_bits(x_lo, x_hi), IB + 1);  // at least one bit of sign extension
  if (offset) {
    lo -= x_hi * pow2w(WB - 1);
    hi -= x_lo * pow2w(WB - 1);
  }
  // Slice combine of one conversion before the lsb and step shifts: sum_k +-code << (k * cell_bits).
  Wide comb_hi = 0;
  for (int k = 0; k < K; ++k) comb_hi += code_max << (k * p.cell_bits);
  const int CW = offset ? unsigned_bits(comb_hi) : signed_bits(-comb_hi, comb_hi);
  const int drop = quant::product_frac(p) - p.acc_frac;
  // At least the correction's width, and one bit above the rounding bit.
  const int RAW = std::max({signed_bits(lo, hi), offset ? XW + WB - 1 : 1, drop + 1});
  const int ashift = p.adc_shift;

  std::string comb;
  for (int a = 0; a < NA; ++a)
    for (int k = 0; k < K; ++k) {
      const std::string code = fmt::format("codes_i[{} +: {}]", B * (a * K + k), B);
      const std::string term = place(code, B, k * p.cell_bits, CW);
      comb += comb.empty() ? term : fmt::format("\n      {} {}", a == 0 ? "+" : "-", term);
    }
  if (!offset) comb = "(" + comb + ")";

  nlohmann::json trials = nlohmann::json::array();
  const int PW = counter_bits(B);
  for (int i = 0; i < B; ++i) trials.push_back({{"i", i}, {"phase", lit(PW, B - i)}});
  const int SW = counter_bits(MUX - 1);
  nlohmann::json group_cols = nlohmann::json::array();
  for (int s = 0; s < MUX; ++s) group_cols.push_back({{"s", s}, {"sel", lit(SW, s)}});
  const int ShW = counter_bits(IB - 1);
  const std::string sign_shift = lit(ShW, IB - 1);

  nlohmann::json d = {
      {"name", u.name},
      {"rows", p.rows},
      {"cols", p.cols},
      {"adcs", A},
      {"adc_lsb", quant::adc_lsb(p)},
      {"adc_count_text", fmt::format("{} ADC(s) of {} bits ({} per array and slice), each serving {} column(s)", NADC, B, A, MUX)},
      {"mux", MUX},
      {"has_mux", MUX > 1},
      {"sel_bits", SW},
      {"sel_msb", SW - 1},
      {"sel_last", lit(SW, MUX - 1)},
      {"sel_zero", lit(SW, 0)},
      {"sel_one", lit(SW, 1)},
      {"adc_bits", B},
      {"adc_msb", B - 1},
      {"phase_msb", PW - 1},
      {"phase_one", lit(PW, 1)},
      {"phase_zero", lit(PW, 0)},
      {"phase_last", lit(PW, B)},
      {"trials", trials},
      {"trials_end", B + 1},
      {"last_add", quant::mvm_cycles(p) + 1},
      {"dac_bits", D},
      {"dac_msb", D - 1},
      {"dac_all_msb", p.rows * D - 1},
      {"input_bits", IB},
      {"input_msb", IB - 1},
      {"x_all_msb", p.rows * IB - 1},
      {"weight_bits", WB},
      {"offset_exp", WB - 1},
      {"steps", T},
      {"step_msb", T - 1},
      {"step_msb2", T - 2},
      {"mag_steps", M},
      {"mag_last", M - 1},
      {"mag_msb", M * D - 1},
      {"mag_expr", place(fmt::format("x[{}:0]", IB - 2), IB - 1, 0, M * D)},
      {"sign_level", place(fmt::format("x[{}]", IB - 1), 1, 0, D)},
      {"by_bit_msb", D * T - 1},
      {"shamt_msb", ShW - 1},
      {"shamt_zero", lit(ShW, 0)},
      {"shamt_next", M == 1 ? sign_shift : fmt::format("step_q[{}] ? {} : shamt_q + {}", M - 1, sign_shift, lit(ShW, D))},
      {"arrays", NA},
      {"slices", K},
      {"cell_bits", p.cell_bits},
      {"nadc", NADC},
      {"nadc_msb", NADC - 1},
      {"codes_all_msb", NADC * B - 1},
      {"group_codes_bits", NA * K * B},
      {"group_codes_msb", NA * K * B - 1},
      {"ak", NA * K},
      {"offset", offset},
      {"encoding", u.weight_encoding},
      {"xw", XW},
      {"xw_msb", XW - 1},
      {"xw_pad", XW - IB},
      {"corr", shifted_left("xsum", XW, WB - 1, RAW, true)},
      {"comb", comb},
      {"comb_msb", CW - 1},
      {"scaled", shifted_left("comb", CW, ashift, RAW, !offset)},
      {"adc_shift", ashift},
      {"raw", RAW},
      {"raw_msb", RAW - 1},
      {"group_cols", group_cols},
      {"group_acc_bits", MUX * RAW},
      {"group_acc_msb", MUX * RAW - 1},
      {"accs_msb", p.cols * RAW - 1},
      {"acc_bits", p.acc_bits},
      {"acc_frac", p.acc_frac},
      {"acc_msb", p.acc_bits - 1},
      {"y_all_msb", p.cols * p.acc_bits - 1},
      {"product_frac", quant::product_frac(p)},
      {"out", output_stage(RAW, p.acc_bits, drop)},
      {"mvm_cycles", quant::mvm_cycles(p)},
      {"latency", kReramLatency},
      {"cycles_per_mvm", quant::mvm_cycles(p) + kReramLatency},
  };

  Elaboration e;
  e.top = u.name + "_mvm";
  e.modules = {
      {u.name + "_ctrl", "templates/reram/ctrl.v.mustache", d},
      {u.name + "_in", "templates/reram/in.v.mustache", d},
      {u.name + "_sar", "templates/reram/sar.v.mustache", d},
      {u.name + "_sna", "templates/reram/sna.v.mustache", d},
      {u.name + "_out", "templates/reram/out.v.mustache", d},
      {e.top, "templates/reram/mvm.v.mustache", d},
  };
  e.instances = {
      {e.top, u.name + "_ctrl", 1},
      {e.top, u.name + "_in", 1},
      {e.top, u.name + "_sar", NADC},
      {e.top, u.name + "_sna", A},
      {e.top, u.name + "_out", p.cols},
  };
  e.derived = {
      {"arrays", NA, "crossbar arrays per weight slice: 1 (offset) or 2 (differential pair)"},
      {"slices", K, "weight slices (arrays of cells), LSB slice first"},
      {"input_steps", T, "DAC steps per input vector: magnitude steps LSB first, then the sign step"},
      {"mux_ratio", MUX, "columns per ADC (cols / adcs), converted one after the other"},
      {"adc_count", NADC, "ADCs in total: adcs * slices * arrays, all converting in parallel"},
      {"adc_lsb", quant::adc_lsb(p), "column-sum units per ADC code step (2^adc_shift)"},
      {"raw_bits", RAW, "shift-and-add accumulator width; exact for any ADC codes"},
      {"sel_bits", SW, "width of mux_sel_o"},
      {"mvm_cycles", quant::mvm_cycles(p), "conversion cycles per MVM: input_steps * mux_ratio * (adc_bits + 1)"},
      {"latency", kReramLatency, "pipeline cycles added to mvm_cycles: the accept cycle and the last shift-and-add"},
      {"cycles_per_mvm", quant::mvm_cycles(p) + kReramLatency,
       "cycles from accepting a vector to out_valid_o, and between vectors at full throughput"},
  };
  e.testbench = "reram_tb.cpp";
  e.golden = {"intmath", "reram"};
  e.readme_tmpl = "templates/reram/README.md.mustache";
  e.readme_data = d;
  return e;
}

}  // namespace qrtl::units
