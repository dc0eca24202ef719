#include "units/mmac.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "errors.hpp"
#include "quant/intmath.hpp"
#include "units/vexpr.hpp"

namespace qrtl::units {

const ParamTable<MmacParams>& mmac_param_table() {
  static const auto table =
      ParamTable<MmacParams>{}
          .add(ident_param("name", "",
                           "design name, prefix of every module (default: the output folder's name)"),
               &MmacParams::name)
          .add(int_param("rows", 2, 1, 16, "array rows: activation groups per beat"), &MmacParams::rows)
          .add(int_param("cols", 2, 1, 16, "array columns: weight term groups per beat"), &MmacParams::cols)
          .add(int_param("a_bits", 8, 2, 16, "activation width in bits"), &MmacParams::a_bits)
          .add(int_param("w_bits", 8, 2, 16, "weight width in bits (before term quantization)"),
               &MmacParams::w_bits)
          .add(bool_param("a_signed", true, "activations are two's complement (else unsigned)"),
               &MmacParams::a_signed)
          .add(bool_param("w_signed", true, "weights are two's complement (else unsigned)"),
               &MmacParams::w_signed)
          .add(enum_param("encoder", "hese", {"binary", "hese", "naf"},
                          "term encoding of weights (offline, tq-encode) and activations (in RTL)"),
               &MmacParams::encoder)
          .add(int_param("group", 8, 1, 64, "group size g: weights sharing one term budget"),
               &MmacParams::group)
          .add(int_param("max_w_terms", 20, 1, 64,
                         "weight term budget per group at full resolution (term-memory entries per group)"),
               &MmacParams::max_w_terms)
          .add(int_param("max_a_terms", 3, 1, 16, "activation terms kept per value at full resolution"),
               &MmacParams::max_a_terms)
          .add(int_param("lanes", 2, 1, 16, "term pairs each cell processes per cycle"), &MmacParams::lanes)
          .add(enum_param("acc_arch", "onehot", {"onehot", "histogram"},
                          "accumulator: one-hot pos/neg accumulators, or per-exponent counters with a "
                          "final shift-add"),
               &MmacParams::acc_arch)
          .add(int_param("max_len", 256, 1, 65536,
                         "longest dot product (values) the result width must hold exactly"),
               &MmacParams::max_len);
  return table;
}

namespace {

int bits_for(std::int64_t max_value) {  // unsigned bits holding 0..max_value (at least 1)
  return std::max(1, quant::ceil_log2(static_cast<std::uint64_t>(max_value) + 1));
}

quant::Encoder encoder_of(const MmacParams& p) { return quant::parse_encoder(p.encoder); }

// Digit positions of the RTL activation encoder: binary needs the value's bits, hese and naf one
// more (a carry past the MSB).
int act_digits(const MmacParams& p) { return p.encoder == "binary" ? p.a_bits : p.a_bits + 1; }

}  // namespace

MmacShape mmac_shape(const MmacParams& p) {
  MmacShape s;
  const auto enc = encoder_of(p);
  s.a_terms = quant::term_bounds({p.a_bits, p.a_signed}, enc);
  s.w_terms = quant::term_bounds({p.w_bits, p.w_signed}, enc);
  s.entry = quant::term_entry_layout(p.group, quant::exp_bits_for(p.w_bits));
  s.a_exp_bits = bits_for(act_digits(p) - 1);
  s.pair_exp_max = s.a_terms.max_exp + s.w_terms.max_exp;
  s.pair_exp_bits = std::max({bits_for(s.pair_exp_max), s.entry.exp_bits, s.a_exp_bits});
  s.k_bits = bits_for(p.max_w_terms);
  s.ka_bits = bits_for(p.max_a_terms);
  s.groups_max = (p.max_len + p.group - 1) / p.group;
  s.pairs_max = static_cast<std::int64_t>(s.groups_max) * p.max_w_terms * p.max_a_terms;
  // Every pair adds at most 2^pair_exp_max to one side, so neither side nor the difference can
  // exceed pairs_max * 2^pair_exp_max.
  s.pos_bits = s.pair_exp_max + bits_for(s.pairs_max);
  s.hist_bits = bits_for(s.pairs_max) + 1;
  s.res_bits = s.pos_bits + 1;
  // Pair indices within a group reach max_w_terms * max_a_terms - 1 + lanes.
  s.pair_bits = bits_for(static_cast<std::int64_t>(p.max_w_terms) * p.max_a_terms + p.lanes - 1);
  return s;
}

std::string_view MmacFamily::summary() const {
  return "mMAC array (seed 000): term-pair MACs on term-quantized weights, run-time term budgets";
}

void MmacFamily::validate(const ParamSet& ps) const {
  const MmacParams p = mmac_param_table().bind(ps);
  const auto enc = encoder_of(p);
  const auto a = quant::term_bounds({p.a_bits, p.a_signed}, enc);
  const auto w = quant::term_bounds({p.w_bits, p.w_signed}, enc);
  if (p.max_a_terms > a.max_terms)
    throw UsageError(fmt::format(
        "parameter 'max_a_terms' = {} is invalid: a {}-bit {} activation has at most {} {} terms; "
        "expected 1..{}",
        p.max_a_terms, p.a_bits, p.a_signed ? "signed" : "unsigned", a.max_terms, p.encoder, a.max_terms));
  if (p.max_w_terms > p.group * w.max_terms)
    throw UsageError(fmt::format(
        "parameter 'max_w_terms' = {} is invalid: a group of {} {}-bit weights has at most {} {} terms; "
        "expected 1..{}",
        p.max_w_terms, p.group, p.w_bits, p.group * w.max_terms, p.encoder, p.group * w.max_terms));
  if (p.lanes > p.max_w_terms * p.max_a_terms)
    throw UsageError(fmt::format(
        "parameter 'lanes' = {} is invalid: a group has at most max_w_terms * max_a_terms = {} term "
        "pairs; expected 1..{}",
        p.lanes, p.max_w_terms * p.max_a_terms, p.max_w_terms * p.max_a_terms));
  // A guard for the golden model's int64 arithmetic; the parameter ranges keep results to 54 bits.
  const MmacShape s = mmac_shape(p);
  if (s.res_bits > 63)
    throw UsageError(fmt::format(
        "the result needs {} bits (pair exponents up to {}, {} term pairs per dot product of max_len "
        "= {}), above the 63-bit limit: lower max_len, max_w_terms, max_a_terms or the widths",
        s.res_bits, s.pair_exp_max, s.pairs_max, p.max_len));
}

// The power workload's run-time budgets (mmac_tb.cpp --opt k, ka), up to the design's maxima.
std::vector<WorkloadKey> MmacFamily::workload_keys(const ParamSet& ps) const {
  const MmacParams p = mmac_param_table().bind(ps);
  auto keys = common_workload_keys();
  keys.push_back({"k", WorkloadKey::Kind::Integer, 1, static_cast<double>(p.max_w_terms),
                  "weight term budget per group (default max_w_terms)"});
  keys.push_back({"ka", WorkloadKey::Kind::Integer, 1, static_cast<double>(p.max_a_terms),
                  "activation term budget per value (default max_a_terms)"});
  return keys;
}

Elaboration MmacFamily::elaborate(const ParamSet& ps) const {
  const MmacParams p = mmac_param_table().bind(ps);
  const MmacShape s = mmac_shape(p);
  const int K = p.max_w_terms, KA = p.max_a_terms, G = p.group, L = p.lanes;
  const int D = act_digits(p);
  const int EAB = s.a_exp_bits, EWB = s.entry.exp_bits, EB = s.entry.width();
  const int PB = s.pair_bits, PE = s.pair_exp_bits, KB = s.k_bits, KAB = s.ka_bits;
  const int IB = s.entry.index_bits, XB = std::max(1, IB);
  const int cells = p.rows * p.cols;
  const int pipe_latency = 3;

  nlohmann::json d = {
      {"name", p.name},
      {"family", "mmac"},
      {"rows", p.rows},
      {"cols", p.cols},
      {"cells", cells},
      {"cells_m1", cells - 1},
      {"group", G},
      {"max_w_terms", K},
      {"max_a_terms", KA},
      {"lanes", L},
      {"lanes_m1", L - 1},
      {"acc_arch", p.acc_arch},
      {"arch_onehot", p.acc_arch == "onehot"},
      {"arch_histogram", p.acc_arch == "histogram"},
      {"encoder", p.encoder},
      {"enc_binary", p.encoder == "binary"},
      {"enc_hese", p.encoder == "hese"},
      {"enc_naf", p.encoder == "naf"},
      {"a_bits", p.a_bits},
      {"a_msb", p.a_bits - 1},
      {"a_msb_m1", p.a_bits - 2},
      {"a_signed", p.a_signed},
      {"a_sign", p.a_signed ? "signed" : "unsigned"},
      {"w_bits", p.w_bits},
      {"w_sign", p.w_signed ? "signed" : "unsigned"},
      {"digits", D},
      {"dig_msb", D - 1},
      {"rem_bus_msb", KA * D - 1},
      {"ka_bits", KAB},
      {"ka_msb", KAB - 1},
      {"k_bits", KB},
      {"k_msb", KB - 1},
      {"ka_terms_msb", KA - 1},
      {"k_terms_msb", K - 1},
      {"ae_bits", EAB},
      {"ae_msb", EAB - 1},
      {"ae_val_bits", KA * EAB},
      {"ae_bus_msb", KA * EAB - 1},
      {"we_bits", EWB},
      {"we_msb", EWB - 1},
      {"xi_bits", XB},
      {"xi_msb", XB - 1},
      {"idx_bits", IB},
      {"idx_msb", IB - 1},
      {"has_index", IB > 0},
      {"entry_bits", EB},
      {"entry_msb", EB - 1},
      {"entry_sign", EB - 2},
      {"entry_exp_msb", EB - 3},
      {"w_exp_max", s.w_terms.max_exp},
      {"a_exp_max", s.a_terms.max_exp},
      {"pair_exp_max", s.pair_exp_max},
      {"pe_bits", PE},
      {"pe_msb", PE - 1},
      {"pair_bits", PB},
      {"pair_msb", PB - 1},
      {"pos_bits", s.pos_bits},
      {"pos_msb", s.pos_bits - 1},
      {"hist_bits", s.hist_bits},
      {"hist_msb", s.hist_bits - 1},
      {"hist_ext", s.res_bits - s.hist_bits},
      {"hist_bus_msb", (s.pair_exp_max + 1) * s.hist_bits - 1},
      {"res_bits", s.res_bits},
      {"res_msb", s.res_bits - 1},
      {"groups_max", s.groups_max},
      {"max_len", p.max_len},
      {"pipe_latency", pipe_latency},
      {"k_check", (1 << KB) - 1 > K},
      {"ka_check", (1 << KAB) - 1 > KA},
      {"idx_check", IB > 0 && (1 << IB) != G},
      {"exp_check", (1 << EWB) - 1 > s.w_terms.max_exp},
      // cell buses
      {"an_bus_msb", G * KAB - 1},
      {"wi_bus_msb", K * XB - 1},
      {"as_bus_msb", G * KA - 1},
      {"ae_all_msb", G * KA * EAB - 1},
      {"we_bus_msb", K * EWB - 1},
      {"pre_all_msb", (K + 1) * PB - 1},
      {"pre_msb", K * PB - 1},
      {"pre_top_lsb", (K - 1) * PB},
      {"le_bus_msb", L * PE - 1},
      {"n_ext", extend("n", KAB, PB, false)},
      {"pair_exp", extend("sel_e", EWB, PE, false) + " + " + extend("a_e", EAB, PE, false)},
      // array buses
      {"a_bus_msb", p.rows * G * p.a_bits - 1},
      {"wt_bus_msb", p.cols * K * EB - 1},
      {"acc_bus_msb", cells * s.res_bits - 1},
      {"an_all_msb", p.rows * G * KAB - 1},
      {"as_all_msb", p.rows * G * KA - 1},
      {"ae_rows_msb", p.rows * G * KA * EAB - 1},
      {"wv_all_msb", p.cols * K - 1},
      {"we_all_msb", p.cols * K * EWB - 1},
      {"wi_all_msb", p.cols * K * XB - 1},
      {"an_row_bits", G * KAB},
      {"wi_col_bits", K * XB},
      {"as_row_bits", G * KA},
      {"ae_row_bits", G * KA * EAB},
      {"we_col_bits", K * EWB},
  };

  Elaboration e;
  e.top = p.name + "_array";
  e.modules = {
      {p.name + "_tenc", "templates/mmac/tenc.v.mustache", d},
      {p.name + "_cell", "templates/mmac/cell.v.mustache", d},
      {p.name + "_ctrl", "templates/mmac/ctrl.v.mustache", d},
      {e.top, "templates/mmac/array.v.mustache", d},
  };
  e.instances = {
      {e.top, p.name + "_ctrl", 1},
      {e.top, p.name + "_tenc", p.rows * G},
      {e.top, p.name + "_cell", cells},
  };
  e.derived = {
      {"acc_width", s.res_bits, "result width in bits (signed); holds any dot product of max_len values"},
      {"acc_signed", 1, "results are two's complement"},
      {"k_bits", KB, "width of the run-time weight budget port k_i"},
      {"ka_bits", KAB, "width of the run-time activation budget port ka_i"},
      {"entry_bits", EB, "weight term-memory entry width: [valid][sign][exp][index]"},
      {"entry_exp_bits", EWB, "exponent field of an entry (as qrtl tq-encode --value-bits w_bits writes it)"},
      {"entry_index_bits", IB, "index field of an entry (ceil(log2(group)))"},
      {"a_exp_max", s.a_terms.max_exp, "largest activation term exponent"},
      {"w_exp_max", s.w_terms.max_exp, "largest weight term exponent"},
      {"a_terms_max", s.a_terms.max_terms, "most terms any activation value has"},
      {"w_terms_max", s.w_terms.max_terms, "most terms any weight value has"},
      {"pair_exp_max", s.pair_exp_max, "largest pair exponent e_w + e_a"},
      {"groups_max", s.groups_max, "groups in the longest dot product"},
      {"pairs_per_group_max", static_cast<std::int64_t>(K) * KA, "term pairs of a group at full budgets"},
      {"pipe_latency", pipe_latency, "cycles from the end of the last group's term stage to out_valid_o"},
      {"hist_bits", s.hist_bits, "per-exponent counter width (histogram accumulators)"},
      {"pos_bits", s.pos_bits, "one-hot accumulator width"},
  };
  e.testbench = "mmac_tb.cpp";
  e.golden = {"intmath", "tq"};
  e.readme_tmpl = "templates/mmac/README.md.mustache";
  e.readme_data = d;
  return e;
}

}  // namespace qrtl::units
