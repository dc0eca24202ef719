#include "units/mac.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "units/clock_gating.hpp"
#include "units/vexpr.hpp"

namespace qrtl::units {

const ParamTable<MacParams>& mac_param_table() {
  static const auto table =
      ParamTable<MacParams>{}
          .add(ident_param("name", "",
                           "design name, prefix of every module (default: the output folder's name)"),
               &MacParams::name)
          .add(int_param("rows", 4, 1, 64, "array rows: activations per beat"), &MacParams::rows)
          .add(int_param("cols", 4, 1, 64, "array columns: weights per beat"), &MacParams::cols)
          .add(int_param("a_bits", 8, 2, 24, "activation width in bits"), &MacParams::a_bits)
          .add(int_param("w_bits", 8, 2, 24, "weight width in bits"), &MacParams::w_bits)
          .add(bool_param("a_signed", true, "activations are two's complement (else unsigned)"),
               &MacParams::a_signed)
          .add(bool_param("w_signed", true, "weights are two's complement (else unsigned)"),
               &MacParams::w_signed)
          .add(int_param("max_len", 256, 1, 65536,
                         "longest dot product (beats per pass) the accumulator must hold exactly"),
               &MacParams::max_len)
          .add(int_param("acc_bits", 0, 0, 63,
                         "accumulator width; 0 derives a_bits + w_bits + ceil(log2(max_len))"),
               &MacParams::acc_bits)
          .add(enum_param("overflow", "exact", {"exact", "wrap", "saturate"},
                          "accumulator overflow: exact (width must hold max_len products), wrap "
                          "(modulo 2^acc_bits) or saturate (clamp at each add)"),
               &MacParams::overflow)
          .add(clock_gating_param(), &MacParams::clock_gating);
  return table;
}

namespace {

int effective_acc_bits(const MacParams& p) {
  return p.acc_bits != 0 ? p.acc_bits
                         : quant::exact_acc_bits(p.a_bits, p.w_bits,
                                                 static_cast<std::uint64_t>(p.max_len));
}

quant::Overflow overflow_of(const std::string& s) {
  if (s == "wrap") return quant::Overflow::Wrap;
  if (s == "saturate") return quant::Overflow::Saturate;
  return quant::Overflow::Exact;
}

}  // namespace

quant::MacArith mac_arith(const MacParams& p) {
  return {{p.a_bits, p.a_signed}, {p.w_bits, p.w_signed}, effective_acc_bits(p), overflow_of(p.overflow)};
}

std::string_view MacFamily::summary() const {
  return serial_ ? "bit-serial MAC array (baseline): one activation bit per cycle, shift-add"
                 : "bit-parallel MAC array (baseline): one a*w product per cell per cycle";
}

void MacFamily::validate(const ParamSet& ps) const {
  const MacParams p = mac_param_table().bind(ps);
  const int exact = quant::exact_acc_bits(p.a_bits, p.w_bits, static_cast<std::uint64_t>(p.max_len));
  if (exact > 63)
    throw UsageError(fmt::format(
        "a_bits + w_bits + ceil(log2(max_len)) = {} + {} + {} = {} exceeds the 63-bit accumulator "
        "limit: lower max_len, a_bits or w_bits",
        p.a_bits, p.w_bits, exact - p.a_bits - p.w_bits, exact));
  if (p.acc_bits != 0 && p.acc_bits < p.a_bits + p.w_bits)
    throw UsageError(fmt::format(
        "parameter 'acc_bits' = {} is invalid: expected 0 (derived) or at least a_bits + w_bits = {}",
        p.acc_bits, p.a_bits + p.w_bits));
  if (p.overflow == "exact" && p.acc_bits != 0 && p.acc_bits < exact)
    throw UsageError(fmt::format(
        "parameter 'acc_bits' = {} is too narrow for overflow = exact with max_len = {}: expected 0 "
        "or at least {}, or set overflow to wrap or saturate",
        p.acc_bits, p.max_len, exact));
}

Elaboration MacFamily::elaborate(const ParamSet& ps) const {
  const MacParams p = mac_param_table().bind(ps);
  const quant::MacArith m = mac_arith(p);
  const int acc = m.acc_bits;
  const int prod = m.product_bits();
  const bool acc_signed = m.acc_signed();
  const int cnt_bits = quant::ceil_log2(static_cast<std::uint64_t>(p.a_bits));
  const std::string fam{name()};
  const bool gated = p.clock_gating == "latch";

  nlohmann::json d = {
      {"name", p.name},
      {"family", fam},
      {"serial", serial_},
      {"rows", p.rows},
      {"cols", p.cols},
      {"cells", p.rows * p.cols},
      {"rows_msb", p.rows - 1},
      {"a_bits", p.a_bits},
      {"a_msb", p.a_bits - 1},
      {"w_bits", p.w_bits},
      {"w_msb", p.w_bits - 1},
      {"a_signed", p.a_signed},
      {"prod_bits", prod},
      {"prod_msb", prod - 1},
      {"pp_msb", prod - 2},
      {"acc_bits", acc},
      {"acc_msb", acc - 1},
      {"acc_sign", acc_signed ? "signed" : "unsigned"},
      {"overflow", p.overflow},
      {"max_len", p.max_len},
      {"wrap", p.overflow != "saturate"},
      {"sat_signed", p.overflow == "saturate" && acc_signed},
      {"sat_unsigned", p.overflow == "saturate" && !acc_signed},
      {"a_ext", extend("a_i", p.a_bits, prod, p.a_signed)},
      {"w_ext", extend("w_i", p.w_bits, prod, p.w_signed)},
      {"add_ext", extend("add_i", prod, acc, acc_signed)},
      {"cnt_bits", cnt_bits},
      {"cnt_msb", cnt_bits - 1},
      {"a_bus_msb", p.rows * p.a_bits - 1},
      {"w_bus_msb", p.cols * p.w_bits - 1},
      {"w_bus_bits", p.cols * p.w_bits},
      {"acc_bus_msb", p.rows * p.cols * acc - 1},
      {"gated", gated},
      // The accumulators load on every step (pmac) or on a beat's last step (bmac).
      {"acc_en", serial_ ? "step & lsb" : "step"},
  };

  const int cycles_per_beat = serial_ ? p.a_bits : 1;
  const int latency = serial_ ? p.a_bits + 1 : 1;
  d["cycles_per_beat"] = cycles_per_beat;
  d["latency"] = latency;

  Elaboration e;
  e.top = p.name + "_array";
  const std::string cell_tmpl = serial_ ? "templates/mac/bmac_cell.v.mustache" : "templates/mac/pmac_cell.v.mustache";
  e.modules = {
      {p.name + "_acc", "templates/mac/acc.v.mustache", d},
      {p.name + "_cell", cell_tmpl, d},
      {p.name + "_ctrl", "templates/mac/ctrl.v.mustache", d},
      {e.top, "templates/mac/array.v.mustache", d},
  };
  e.instances = {
      {e.top, p.name + "_ctrl", 1},
      {e.top, p.name + "_cell", p.rows * p.cols},
      {p.name + "_cell", p.name + "_acc", 1},
  };
  // One gate per enable the array's registers share: accumulators (+ first_q); for bmac also the
  // operand load, the activation shift (+ bit counter) and the partial-product step.
  if (gated) add_clock_gate(e, p.name, e.top, serial_ ? 4 : 1);
  e.derived = {
      {"acc_width", acc, "accumulator width in bits (acc_bits, or derived when 0)"},
      {"acc_signed", acc_signed ? 1 : 0, "accumulator is two's complement"},
      {"prod_bits", prod, "width of one a*w product"},
      {"serial", serial_ ? 1 : 0, "bit-serial cells (bmac) rather than bit-parallel (pmac)"},
      {"cycles_per_beat", cycles_per_beat, "cycles between accepted beats at full throughput"},
      {"latency", latency, "cycles from accepting the last beat to out_valid_o"},
      {"macs_per_beat", p.rows * p.cols, "multiply-accumulates per beat"},
  };
  e.testbench = "mac_tb.cpp";
  e.golden = {"intmath", "mac"};
  e.readme_tmpl = "templates/mac/README.md.mustache";
  e.readme_data = d;
  return e;
}

}  // namespace qrtl::units
