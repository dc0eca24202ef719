#include "units/bitfusion.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "errors.hpp"
#include "quant/intmath.hpp"
#include "units/vexpr.hpp"

namespace qrtl::units {

namespace {

constexpr int kAllPrecisions[] = {2, 4, 6, 8};
constexpr int kLatency = 2;        // accept -> unit sum register -> column accumulator
constexpr int kBrickOutBits = 5;   // inputs in [-2, 3]: products in [-6, 9]
constexpr int kShiftBits = 4;      // brick shifts reach 2*(3+3) = 12

// Every non-empty subset of {2,4,6,8} as "2/4/6/8": the values `precisions` accepts, smaller sets
// first.
std::vector<std::string> precision_choices() {
  std::vector<std::vector<int>> sets;
  for (unsigned mask = 1; mask < 16; ++mask) {
    std::vector<int> s;
    for (unsigned k = 0; k < 4; ++k)
      if (mask >> k & 1U) s.push_back(kAllPrecisions[k]);
    sets.push_back(s);
  }
  std::sort(sets.begin(), sets.end(), [](const auto& x, const auto& y) {
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  std::vector<std::string> out;
  for (const auto& s : sets) out.push_back(fmt::format("{}", fmt::join(s, "/")));
  return out;
}

std::vector<int> parse_precisions(const std::string& text) {
  std::vector<int> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto end = std::min(text.find('/', pos), text.size());
    out.push_back(std::stoi(text.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

// Fewest bits of the given signedness holding every value in [lo, hi].
int bits_for_range(std::int64_t lo, std::int64_t hi, bool is_signed) {
  int n = 1;
  while (!(quant::IntFormat{n, is_signed}.holds(lo) && quant::IntFormat{n, is_signed}.holds(hi))) ++n;
  return n;
}

// Signedness pairs (a, w) the hardware accepts at run time.
std::vector<std::pair<bool, bool>> signedness(bool signed_ops) {
  if (!signed_ops) return {{false, false}};
  return {{false, false}, {false, true}, {true, false}, {true, true}};
}

// ---- brick selects --------------------------------------------------------------------------

// One input of an AND-OR multiplexer: `expr` is taken in the modes (one-hot bits) `modes`.
struct Arm {
  std::string expr;
  std::vector<int> modes;
};

// Adds `mode` to the arm of `expr`; true if that arm is new.
bool add_arm(std::vector<Arm>& arms, const std::string& expr, int mode) {
  const auto it = std::find_if(arms.begin(), arms.end(), [&](const Arm& a) { return a.expr == expr; });
  if (it != arms.end()) {
    it->modes.push_back(mode);
    return false;
  }
  arms.push_back({expr, {mode}});
  return true;
}

std::string select_of(const Arm& arm, std::size_t n_modes) {
  if (arm.modes.size() == n_modes) return "(|hot_i)";
  std::vector<std::string> bits;
  for (const int m : arm.modes) bits.push_back(fmt::format("hot_i[{}]", m));
  return fmt::format("{}", fmt::join(bits, " | "));
}

// AND-OR of the arms, `width` bits each: 0 when no arm's mode is active (idle or no beat).
std::string and_or(const std::vector<Arm>& arms, std::size_t n_modes, int width) {
  std::vector<std::string> terms;
  for (const auto& a : arms) terms.push_back(fmt::format("({{{}{{{}}}}} & {})", width, select_of(a, n_modes), a.expr));
  return fmt::format("{}", fmt::join(terms, "\n      | "));
}

// The 2-bit digit `digit` of operand `product` on bus `op`_i, where operands are packed at
// `lane` bits each.
std::string digit_expr(const std::string& op, int lane, int product, int digit) {
  const int lo = lane * product + 2 * digit;
  return fmt::format("{}_i[{}:{}]", op, lo + 1, lo);
}

// A brick input's sign flag: set in the modes `top` (the digit is its operand's top lane digit)
// when the operand is signed.
std::string sign_flag(const std::string& op, const std::vector<int>& top, std::size_t n_modes) {
  if (top.empty()) return "1'b0";
  return fmt::format("{}_sgn_i & ({})", op, select_of({"", top}, n_modes));
}

std::string shifted(int brick, int shift) {
  return shift == 0 ? fmt::format("pe_{}", brick) : fmt::format("(pe_{} << {}'d{})", brick, kShiftBits, shift);
}

// ---- adder trees ----------------------------------------------------------------------------

// A datapath value: wire `name`, `bits` wide, holding any integer in [lo, hi] (two's complement
// if lo < 0, else unsigned). Every range here contains 0 (idle bricks, empty slices).
struct Operand {
  std::string name;
  int bits = 0;
  std::int64_t lo = 0, hi = 0;
};

// Fewest bits holding [lo, hi], at most `cap`: a value kept modulo 2^cap is still exact at a
// root whose true range fits cap bits.
int width_for(std::int64_t lo, std::int64_t hi, int cap) { return std::min(cap, bits_for_range(lo, hi, lo < 0)); }

std::string extend_to(const Operand& v, int bits) { return extend(v.name, v.bits, bits, v.lo < 0); }

// Balanced adder tree over `leaves`; each adder is as wide as its range needs (at most `cap`).
// `wires` are {msb, lhs, rhs} in dependency order, named prefix<level>_<k>.
struct Tree {
  nlohmann::json wires = nlohmann::json::array();
  Operand root;
};

Tree adder_tree(std::vector<Operand> leaves, const std::string& prefix, int cap) {
  Tree t;
  for (int level = 0; leaves.size() > 1; ++level) {
    std::vector<Operand> next;
    for (std::size_t k = 0; k + 1 < leaves.size(); k += 2) {
      const Operand& x = leaves[k];
      const Operand& y = leaves[k + 1];
      Operand sum{fmt::format("{}{}_{}", prefix, level, k / 2), 0, x.lo + y.lo, x.hi + y.hi};
      sum.bits = width_for(sum.lo, sum.hi, cap);
      t.wires.push_back({{"msb", sum.bits - 1}, {"lhs", sum.name},
                         {"rhs", extend_to(x, sum.bits) + " + " + extend_to(y, sum.bits)}});
      next.push_back(sum);
    }
    if (leaves.size() % 2) next.push_back(leaves.back());
    leaves = std::move(next);
  }
  t.root = leaves.front();
  return t;
}

std::string mode_name(int a_bits, int w_bits) { return fmt::format("{}x{}", a_bits, w_bits); }

}  // namespace

const ParamTable<BitfusionParams>& bitfusion_param_table() {
  static const auto table =
      ParamTable<BitfusionParams>{}
          .add(ident_param("name", "",
                           "design name, prefix of every module (default: the output folder's name)"),
               &BitfusionParams::name)
          .add(int_param("rows", 2, 1, 16, "array rows: fusion units summed into each column (dot-product slices per beat)"),
               &BitfusionParams::rows)
          .add(int_param("cols", 2, 1, 16, "array columns: outputs computed side by side (sharing the activations)"),
               &BitfusionParams::cols)
          .add(int_param("brick_rows", 4, 1, 8, "BitBrick grid rows of one fusion unit"), &BitfusionParams::brick_rows)
          .add(int_param("brick_cols", 4, 1, 8, "BitBrick grid columns of one fusion unit"), &BitfusionParams::brick_cols)
          .add(enum_param("precisions", "2/4/6/8", precision_choices(),
                          "operand widths (bits) the units accept at run time, for activations and weights"),
               &BitfusionParams::precisions)
          .add(bool_param("signed_ops", true,
                          "operands may be two's complement (run-time a_signed_i / w_signed_i); false: unsigned only"),
               &BitfusionParams::signed_ops)
          .add(bool_param("pow2_only", false,
                          "original Bit Fusion: a 6-bit operand is padded to 8 bits (4 digits) instead of using 3"),
               &BitfusionParams::pow2_only)
          .add(int_param("max_len", 256, 1, 65536,
                         "longest dot product (beats per pass) the accumulators must hold exactly"),
               &BitfusionParams::max_len);
  return table;
}

quant::FusionUnit fusion_unit(const BitfusionParams& p) {
  quant::FusionUnit u;
  u.rows = p.brick_rows;
  u.cols = p.brick_cols;
  u.precisions = parse_precisions(p.precisions);
  u.pow2_only = p.pow2_only;
  return u;
}

BitfusionShape bitfusion_shape(const BitfusionParams& p) {
  const quant::FusionUnit unit = fusion_unit(p);
  BitfusionShape s;
  for (const int a : unit.precisions)
    for (const int w : unit.precisions) s.modes.push_back({a, w, quant::brick_mapping(unit, a, w)});
  // Unit sum range: P products of the extreme corners, over every mode and signedness.
  for (const auto& m : s.modes) {
    const int prods = m.mapping.products;
    s.a_bus_bits = std::max(s.a_bus_bits, prods * quant::lane_bits(m.a_bits, p.pow2_only));
    s.w_bus_bits = std::max(s.w_bus_bits, prods * quant::lane_bits(m.w_bits, p.pow2_only));
    for (const auto& [as, ws] : signedness(p.signed_ops)) {
      const quant::IntFormat fa{m.a_bits, as}, fw{m.w_bits, ws};
      for (const auto x : {fa.min(), fa.max()})
        for (const auto y : {fw.min(), fw.max()}) {
          s.sum_min = std::min(s.sum_min, prods * x * y);
          s.sum_max = std::max(s.sum_max, prods * x * y);
        }
    }
  }
  // Brick products enter the unit sum sign-extended, so it is at least as wide as they are.
  s.sum_bits = std::max(kBrickOutBits, bits_for_range(s.sum_min, s.sum_max, p.signed_ops));
  const std::int64_t beats = std::int64_t{p.rows} * p.max_len;
  s.acc_bits = std::max(s.sum_bits, bits_for_range(s.sum_min * beats, s.sum_max * beats, p.signed_ops));
  return s;
}

std::string_view BitfusionFamily::summary() const {
  return "Bit Fusion array (seed 002): fusion units of BitBricks with run-time 2/4/6/8-bit operand pairs";
}

void BitfusionFamily::validate(const ParamSet& ps) const {
  const BitfusionParams p = bitfusion_param_table().bind(ps);
  const quant::FusionUnit unit = fusion_unit(p);
  // The widest pair needs the most bricks (as in quant::validate); every other mode then fits.
  const int widest = *std::max_element(unit.precisions.begin(), unit.precisions.end());
  const int digits = quant::digit_count(quant::lane_bits(widest, p.pow2_only));
  const int need = digits * digits;
  if (unit.bricks() < need)
    throw UsageError(fmt::format(
        "parameter 'brick_rows' x 'brick_cols' = {} x {} is invalid: {} bricks cannot hold one {} product "
        "({} digit pairs) with precisions = {}{}; expected at least {} bricks (e.g. {} x {}) or narrower precisions",
        p.brick_rows, p.brick_cols, unit.bricks(), mode_name(widest, widest), need, p.precisions,
        p.pow2_only && widest == 6 ? " and pow2_only (6-bit padded to 8)" : "", need, digits, digits));
}

// The power workload's one mode (bitfusion_tb.cpp --opt a_bits, w_bits, a_signed, w_signed): widths
// within the supported precisions' range (the bench refuses an unsupported one in between), signed
// operands only where the design has them.
std::vector<WorkloadKey> BitfusionFamily::workload_keys(const ParamSet& ps) const {
  const BitfusionParams p = bitfusion_param_table().bind(ps);
  const std::vector<int> prec = fusion_unit(p).precisions;
  const auto [lo, hi] = std::minmax_element(prec.begin(), prec.end());
  const double sign_max = p.signed_ops ? 1 : 0;
  using K = WorkloadKey::Kind;
  auto keys = common_workload_keys();
  keys.push_back({"a_bits", K::Integer, static_cast<double>(*lo), static_cast<double>(*hi),
                  "activation width, one of precisions (default the widest)"});
  keys.push_back({"w_bits", K::Integer, static_cast<double>(*lo), static_cast<double>(*hi),
                  "weight width, one of precisions (default the widest)"});
  keys.push_back({"a_signed", K::Integer, 0, sign_max, "signed activations (default signed_ops)"});
  keys.push_back({"w_signed", K::Integer, 0, sign_max, "signed weights (default signed_ops)"});
  return keys;
}

Elaboration BitfusionFamily::elaborate(const ParamSet& ps) const {
  const BitfusionParams p = bitfusion_param_table().bind(ps);
  const BitfusionShape s = bitfusion_shape(p);
  const quant::FusionUnit unit = fusion_unit(p);
  const std::size_t n_modes = s.modes.size();
  const int U = s.sum_bits, ACC = s.acc_bits;

  // One-hot mode decode: bit k is mode s.modes[k], code {a_prec, w_prec}.
  nlohmann::json modes = nlohmann::json::array();
  int mask = 0;
  for (const int b : unit.precisions) mask |= 1 << precision_code(b);
  for (std::size_t k = 0; k < n_modes; ++k) {
    const auto& m = s.modes[k];
    const auto& map = m.mapping;
    const int useful = map.products * (m.a_bits / 2) * (m.w_bits / 2);
    modes.push_back({{"k", k},
                     {"mode", mode_name(m.a_bits, m.w_bits)},
                     {"code", fmt::format("4'b{:02b}{:02b}", precision_code(m.a_bits), precision_code(m.w_bits))},
                     {"products", map.products},
                     {"active", map.active_bricks()},
                     {"digits", mode_name(map.a_digits, map.w_digits)},
                     {"util", fmt::format("{:.1f} %", 100.0 * useful / unit.bricks())}});
  }

  // Per brick: operand-digit selects and shift select from the golden mapping of every mode.
  nlohmann::json bricks = nlohmann::json::array();
  nlohmann::json mux_rows = nlohmann::json::array();
  // Brick products lie in the corners of the digit range: lower digits 0..3, a signed top digit -2..1.
  const quant::IntFormat digit{2, p.signed_ops}, low_digit{2, false};
  std::int64_t prod_lo = 0, prod_hi = 0;
  for (const auto x : {digit.min(), low_digit.max()})
    for (const auto y : {digit.min(), low_digit.max()}) {
      prod_lo = std::min(prod_lo, x * y);
      prod_hi = std::max(prod_hi, x * y);
    }
  std::vector<Operand> leaves;
  for (int b = 0; b < unit.bricks(); ++b) {
    std::vector<Arm> xa, ya, sh;
    std::vector<int> x_top, y_top, shift_values;
    int max_shift = 0;
    for (std::size_t k = 0; k < n_modes; ++k) {
      const auto& m = s.modes[k];
      const quant::BrickSlot& slot = m.mapping.bricks[static_cast<std::size_t>(b)];
      if (slot.idle) continue;  // no arm: inputs stay 0 (operand isolation)
      const int mk = static_cast<int>(k);
      add_arm(xa, digit_expr("a", quant::lane_bits(m.a_bits, p.pow2_only), slot.product, slot.a_digit), mk);
      add_arm(ya, digit_expr("w", quant::lane_bits(m.w_bits, p.pow2_only), slot.product, slot.w_digit), mk);
      if (slot.a_digit == m.mapping.a_digits - 1) x_top.push_back(mk);
      if (slot.w_digit == m.mapping.w_digits - 1) y_top.push_back(mk);
      if (add_arm(sh, shifted(b, slot.shift), mk)) shift_values.push_back(slot.shift);
      max_shift = std::max(max_shift, slot.shift);
    }
    if (xa.empty()) continue;  // idle in every supported mode: not built
    // At least the brick's width, so the product enters without truncation.
    const std::int64_t lo = prod_lo << max_shift, hi = prod_hi << max_shift;
    const int tb = std::max(kBrickOutBits, width_for(lo, hi, U));
    leaves.push_back({fmt::format("t_{}", b), tb, lo, hi});
    bricks.push_back({{"b", b},
                      {"row", b / p.brick_cols},
                      {"col", b % p.brick_cols},
                      {"x", and_or(xa, n_modes, 2)},
                      {"xs", sign_flag("a", x_top, n_modes)},
                      {"y", and_or(ya, n_modes, 2)},
                      {"ys", sign_flag("w", y_top, n_modes)},
                      {"t_msb", tb - 1},
                      {"pe", extend(fmt::format("p_{}", b), kBrickOutBits, tb, true)},
                      // Gated even with a single shift: the product never feeds an adder
                      // directly, where Yosys would fold the multiplier into the adder and drop
                      // the named product the formal check of qrtl synth matches.
                      {"t", and_or(sh, n_modes, tb)}});
    std::sort(shift_values.begin(), shift_values.end());
    mux_rows.push_back({{"b", b}, {"x_inputs", xa.size()}, {"y_inputs", ya.size()},
                        {"shifts", fmt::format("{}", fmt::join(shift_values, ", "))}});
  }
  const int live = static_cast<int>(leaves.size());
  const Tree unit_tree = adder_tree(leaves, "s", U);

  // README brick map: one row per mode, one column per brick.
  std::string map_head = "| mode |", map_rule = "|---|";
  for (int b = 0; b < unit.bricks(); ++b) {
    map_head += fmt::format(" b{} |", b);
    map_rule += "---|";
  }
  nlohmann::json map_rows = nlohmann::json::array();
  for (const auto& m : s.modes) {
    std::string row = fmt::format("| {} |", mode_name(m.a_bits, m.w_bits));
    for (const auto& slot : m.mapping.bricks)
      row += slot.idle ? " · |" : fmt::format(" p{} a{}w{} s{} |", slot.product, slot.a_digit, slot.w_digit, slot.shift);
    map_rows.push_back({{"row", row}});
  }

  // Column accumulator: the rows' unit sums added as a tree, in the accumulator width at most.
  nlohmann::json col_rows = nlohmann::json::array();
  std::vector<Operand> col_leaves;
  for (int r = 0; r < p.rows; ++r) {
    col_leaves.push_back({fmt::format("u_{}", r), U, s.sum_min, s.sum_max});
    col_rows.push_back({{"r", r}, {"lsb", U * r}});
  }
  const Tree col_tree = adder_tree(col_leaves, "c", ACC);

  const char* acc_sign = p.signed_ops ? "signed" : "unsigned";
  nlohmann::json d = {
      {"name", p.name},
      {"rows", p.rows},
      {"cols", p.cols},
      {"units", p.rows * p.cols},
      {"brick_rows", p.brick_rows},
      {"brick_cols", p.brick_cols},
      {"bricks", unit.bricks()},
      {"live_bricks", live},
      {"dead_bricks", unit.bricks() - live},
      {"has_dead", live < unit.bricks()},
      {"precisions", p.precisions},
      {"signed_ops", p.signed_ops},
      {"pow2_only", p.pow2_only},
      {"max_len", p.max_len},
      {"latency", kLatency},
      {"n_modes", n_modes},
      {"hot_msb", n_modes - 1},
      {"modes", modes},
      {"bricks_list", bricks},
      {"mux_rows", mux_rows},
      {"map_head", map_head},
      {"map_rule", map_rule},
      {"map_rows", map_rows},
      {"unit_tree", unit_tree.wires},
      {"unit_root", extend_to(unit_tree.root, U)},
      {"col_rows", col_rows},
      {"col_tree", col_tree.wires},
      {"col_root", extend_to(col_tree.root, ACC)},
      {"sum_bits", U},
      {"sum_msb", U - 1},
      {"acc_bits", ACC},
      {"acc_msb", ACC - 1},
      {"acc_sign", acc_sign},
      {"sum_min", s.sum_min},
      {"sum_max", s.sum_max},
      {"a_bus_bits", s.a_bus_bits},
      {"a_bus_msb", s.a_bus_bits - 1},
      {"w_bus_bits", s.w_bus_bits},
      {"w_bus_msb", s.w_bus_bits - 1},
      {"a_all_msb", p.rows * s.a_bus_bits - 1},
      {"w_all_msb", p.rows * p.cols * s.w_bus_bits - 1},
      {"sums_msb", p.rows * p.cols * U - 1},
      {"col_sums_bits", p.rows * U},
      {"col_sums_msb", p.rows * U - 1},
      {"acc_all_msb", p.cols * ACC - 1},
      // Unsigned-only units tie the sign inputs low (constants propagate into the bricks); a
      // signed request is then an unsupported mode.
      {"a_sgn", p.signed_ops ? "a_signed_i" : "1'b0"},
      {"w_sgn", p.signed_ops ? "w_signed_i" : "1'b0"},
      {"sign_ok", p.signed_ops ? "1'b1" : "~(a_signed_i | w_signed_i)"},
  };

  Elaboration e;
  e.top = p.name + "_array";
  e.modules = {
      {p.name + "_brick", "templates/bitfusion/brick.v.mustache", d},
      {p.name + "_fu", "templates/bitfusion/fu.v.mustache", d},
      {p.name + "_acc", "templates/bitfusion/acc.v.mustache", d},
      {p.name + "_ctrl", "templates/bitfusion/ctrl.v.mustache", d},
      {e.top, "templates/bitfusion/array.v.mustache", d},
  };
  e.instances = {
      {e.top, p.name + "_ctrl", 1},
      {e.top, p.name + "_fu", p.rows * p.cols},
      {e.top, p.name + "_acc", p.cols},
      {p.name + "_fu", p.name + "_brick", live},
  };
  e.derived = {
      {"acc_width", ACC, "column accumulator width in bits; holds rows * max_len unit sums exactly"},
      {"acc_signed", p.signed_ops ? 1 : 0, "accumulators are two's complement"},
      {"sum_bits", U, "width of one unit's per-beat sum"},
      {"a_bus_bits", s.a_bus_bits, "activation bits per array row and beat (max over modes of P * lane bits)"},
      {"w_bus_bits", s.w_bus_bits, "weight bits per fusion unit and beat (max over modes of P * lane bits)"},
      {"precision_mask", mask, "bit c set: precision code c (2(c+1)-bit operands) is supported"},
      {"modes", static_cast<std::int64_t>(n_modes), "supported precision pairs"},
      {"bricks", unit.bricks(), "BitBricks per fusion unit (grid)"},
      {"live_bricks", live, "BitBricks per fusion unit used by some supported mode (the others are not built)"},
      {"latency", kLatency, "cycles from accepting the last beat to out_valid_o"},
      {"cycles_per_beat", 1, "cycles between accepted beats at full throughput"},
  };
  e.testbench = "bitfusion_tb.cpp";
  e.golden = {"intmath", "bitfusion"};
  e.readme_tmpl = "templates/bitfusion/README.md.mustache";
  e.readme_data = d;
  return e;
}

}  // namespace qrtl::units
