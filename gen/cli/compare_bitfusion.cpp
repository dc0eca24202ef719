// `qrtl compare-bitfusion`: the seed-002 comparison. One fusion unit with 6-bit support and the
// original power-of-two-only unit (6-bit operands padded to 8) are generated from the same code,
// synthesized once each and measured in every precision pair; then the array mapping model runs
// LeNet-5 for the seed's Table II (6×w on the 6-bit unit vs the padded 8×w of the baseline).
#include <fmt/format.h>
#include <regex>

#include "cli/commands.hpp"
#include "cli/study.hpp"
#include "errors.hpp"
#include "quant/bitfusion.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

struct CompareBitfusionArgs {
  fs::path out = "rtl_out/compare_bitfusion";
  std::vector<std::string> pairs;  // AxW; default: all 16 pairs of {2,4,6,8}
  std::string grid = "4x4";        // BitBricks per fusion unit
  std::string array = "16x16";     // fusion units of the mapping model (the seed simulates 16x16)
  bool synth = true;
};

// Seed 002, Table II (LeNet-5 on a 16x16 array): bit-bricks (%) and fusion units (%) per bit-width pair.
struct SeedRow {
  int a, w;
  double bricks_pct, units_pct;
};
constexpr SeedRow kSeedTable2[] = {{6, 2, 18.7345, 24.9799}, {6, 4, 37.4691, 45.9588}, {6, 6, 56.2037, 74.9383},
                                   {6, 8, 74.9383, 99.9177}, {8, 2, 24.9794, 45.9588}, {8, 4, 45.9588, 45.9588},
                                   {8, 6, 74.9383, 99.9177}, {8, 8, 99.9177, 99.9177}};

struct Pair {
  int a, w;
};

std::pair<int, int> parse_shape(const std::string& flag, const std::string& v, int lo, int hi) {
  static const std::regex form(R"(([0-9]{1,3})x([0-9]{1,3}))");
  std::smatch m;
  if (std::regex_match(v, m, form)) {
    const int r = std::stoi(m[1]), c = std::stoi(m[2]);
    if (r >= lo && r <= hi && c >= lo && c <= hi) return {r, c};
  }
  throw UsageError(fmt::format("{} '{}' is invalid: expected RxC with R and C in {}..{}, e.g. 4x4", flag, v, lo, hi));
}

std::vector<Pair> parse_pairs(const std::vector<std::string>& given) {
  std::vector<Pair> out;
  if (given.empty()) {
    for (int a : {2, 4, 6, 8})
      for (int w : {2, 4, 6, 8}) out.push_back({a, w});
    return out;
  }
  static const std::regex form(R"(([2468])x([2468]))");
  for (const auto& t : given) {
    std::smatch m;
    if (!std::regex_match(t, m, form))
      throw UsageError(fmt::format("--pair '{}' is invalid: expected AxW with activation and weight bits in "
                                   "{{2, 4, 6, 8}}, e.g. 6x4", t));
    out.push_back({std::stoi(m[1]), std::stoi(m[2])});
  }
  return out;
}

// Per-unit figures of one precision pair, from the golden mapping.
struct ModeFigures {
  int products = 0;
  double active = 0;  // bricks switched on / bricks
  double useful = 0;  // bricks multiplying real (not padding) digits / bricks
};

ModeFigures mode_figures(const quant::FusionUnit& unit, Pair p) {
  const auto m = quant::brick_mapping(unit, p.a, p.w);
  const double bricks = unit.bricks();
  return {m.products, m.active_bricks() / bricks, m.products * (p.a / 2) * (p.w / 2) / bricks};
}

struct Variant {
  std::string name;
  quant::FusionUnit unit;
  ordered_json report;  // qrtl synth's report.json; null without synthesis
};

double energy_per_mac(const Variant& v, std::size_t point) {
  return v.report.is_null() ? 0.0 : v.report["power_sweep"][point]["energy_per_op_pj"].get<double>();
}

std::string unit_table(const std::vector<Variant>& variants, const std::vector<Pair>& pairs) {
  std::string md;
  if (!variants[0].report.is_null()) {
    md += "| unit | area (µm²) | cells | fmax (MHz) |\n|---|---|---|---|\n";
    for (const auto& v : variants)
      md += fmt::format("| {} | {:.0f} | {} | {:.1f} |\n", v.name, v.report["area_um2"].get<double>(),
                        v.report["cell_count"].get<long>(), v.report["timing"]["fmax_mhz"].get<double>());
    const double a6 = variants[0].report["area_um2"].get<double>(), a8 = variants[1].report["area_um2"].get<double>();
    md += fmt::format("\nArea cost of the 6-bit muxing: {:+.1f} % over the pow2_only unit.\n\n", 100.0 * (a6 / a8 - 1));
  }
  md += "| pair (a×w) | products/cycle (6-bit / pow2) | bricks active (6-bit / pow2) | bricks useful (6-bit / pow2) |";
  md += variants[0].report.is_null() ? "\n|---|---|---|---|\n" : " energy/MAC pJ (6-bit / pow2) | 6-bit ÷ pow2 energy |\n|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto f6 = mode_figures(variants[0].unit, pairs[i]), f8 = mode_figures(variants[1].unit, pairs[i]);
    md += fmt::format("| {}×{} | {} / {} | {:.1f} % / {:.1f} % | {:.1f} % / {:.1f} % |", pairs[i].a, pairs[i].w,
                      f6.products, f8.products, 100 * f6.active, 100 * f8.active, 100 * f6.useful, 100 * f8.useful);
    if (!variants[0].report.is_null()) {
      const double e6 = energy_per_mac(variants[0], i), e8 = energy_per_mac(variants[1], i);
      md += fmt::format(" {:.2f} / {:.2f} | {:.2f} |", e6, e8, ratio(e6, e8));
    }
    md += "\n";
  }
  return md;
}

// Table II: LeNet-5 through the array mapping model, 6×w on each unit; the seed's 6×w and 8×w beside.
std::string table2(const std::vector<Variant>& variants, const quant::FusionArray& base, ordered_json& json) {
  const auto layers = quant::lenet5_layers();
  std::string md = fmt::format(
      "LeNet-5 (conv1, conv2, fc1-3) on a {}×{} array of {}×{}-brick units, mapping model (quant::run_network).\n"
      "In 7 of its 8 rows the seed's bit-brick column is (bricks one product needs) / 16 × 99.92 %, i.e. one\n"
      "product per fusion unit per cycle (8×4 reads 45.96 % where that gives 49.96 %). qrtl's units pack P\n"
      "products per cycle, so the gain of 6-bit support shows in cycles and useful-brick utilization.\n\n"
      "| a×w | cycles 6-bit | cycles pow2 (6 padded to 8) | useful bricks 6-bit | useful bricks pow2 | units busy 6-bit | units busy pow2 "
      "| seed 6×w bricks / units | seed 8×w bricks / units |\n|---|---|---|---|---|---|---|---|---|\n",
      base.rows, base.cols, base.unit.rows, base.unit.cols);
  for (int w : {2, 4, 6, 8}) {
    ordered_json row{{"a_bits", 6}, {"w_bits", w}};
    std::vector<quant::ArrayRun> runs;
    for (const auto& v : variants) {
      auto array = base;
      array.unit = v.unit;
      runs.push_back(quant::run_network(array, layers, 6, w));
      row[v.name] = {{"cycles", runs.back().cycles},
                     {"useful_brick_utilization", runs.back().brick_utilization()},
                     {"active_brick_fraction", runs.back().active_brick_fraction()},
                     {"unit_utilization", runs.back().unit_utilization()}};
    }
    const auto seed = [w](int a) {
      for (const auto& s : kSeedTable2)
        if (s.a == a && s.w == w) return s;
      throw std::logic_error("seed table row missing");
    };
    md += fmt::format("| 6×{} | {} | {} | {:.1f} % | {:.1f} % | {:.1f} % | {:.1f} % | {:.2f} % / {:.2f} % | {:.2f} % / {:.2f} % |\n",
                      w, runs[0].cycles, runs[1].cycles, 100 * runs[0].brick_utilization(),
                      100 * runs[1].brick_utilization(), 100 * runs[0].unit_utilization(),
                      100 * runs[1].unit_utilization(), seed(6).bricks_pct, seed(6).units_pct, seed(8).bricks_pct,
                      seed(8).units_pct);
    json.push_back(row);
  }
  return md;
}

int compare_bitfusion(const CompareBitfusionArgs& a) {
  const auto pairs = parse_pairs(a.pairs);
  const auto [br, bc] = parse_shape("--grid", a.grid, 1, 64);
  const auto [ar, ac] = parse_shape("--array", a.array, 1, 256);

  std::vector<Variant> variants;
  for (bool pow2 : {false, true}) {
    Variant v{pow2 ? "pow2_only" : "6-bit", {br, bc, {2, 4, 6, 8}, pow2}, nullptr};
    try {
      quant::validate(v.unit);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--grid '{}' is invalid: {}", a.grid, e.what()));
    }
    variants.push_back(std::move(v));
  }
  if (a.synth) {
    auto so = study_synth_options();
    for (const auto& p : pairs) so.power_points.push_back(fmt::format("a_bits={},w_bits={}", p.a, p.w));
    for (auto& v : variants) {
      const std::string dir = v.unit.pow2_only ? "pow2_only" : "bit6";
      v.report = synth_one("bitfusion",
                           {"rows=1", "cols=1", fmt::format("brick_rows={}", br), fmt::format("brick_cols={}", bc),
                            fmt::format("pow2_only={}", v.unit.pow2_only)},
                           a.out / dir, so);
    }
  }

  std::string md = fmt::format(
      "Bit Fusion unit with 6-bit support vs the original pow2_only unit (6-bit operands padded to 8), one {}×{}-brick "
      "unit each, precisions 2/4/6/8, signed.\n{}\n",
      br, bc,
      a.synth ? "OSU 0.18 µm, qrtl synth; energy per MAC from the gate-level power workload of each pair "
                "(random operands, full throughput)."
              : "Mapping only (--no-synth): no area, fmax or energy.");
  md += unit_table(variants, pairs);
  ordered_json t2 = ordered_json::array();
  md += "\n" + table2(variants, quant::FusionArray{ar, ac, variants[0].unit}, t2);

  ordered_json modes = ordered_json::array();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    ordered_json m{{"a_bits", pairs[i].a}, {"w_bits", pairs[i].w}};
    for (const auto& v : variants) {
      const auto f = mode_figures(v.unit, pairs[i]);
      m[v.name] = {{"products_per_cycle", f.products}, {"active_brick_fraction", f.active},
                   {"useful_brick_utilization", f.useful}};
      if (!v.report.is_null()) m[v.name]["energy_per_mac_pj"] = energy_per_mac(v, i);
    }
    modes.push_back(m);
  }
  ordered_json units = ordered_json::object();
  for (const auto& v : variants)
    if (!v.report.is_null())
      units[v.name] = {{"area_um2", v.report["area_um2"]}, {"cells", v.report["cell_count"]},
                       {"fmax_mhz", v.report["timing"]["fmax_mhz"]}};
  write_study(a.out, "compare",
              ordered_json{{"format", 1}, {"grid", a.grid}, {"units", units}, {"modes", modes},
                           {"lenet5_table2", t2}},
              md);
  return 0;
}

}  // namespace

Subcommand add_compare_bitfusion(CLI::App& app) {
  auto a = std::make_shared<CompareBitfusionArgs>();
  auto* c = app.add_subcommand("compare-bitfusion",
                               "6-bit Bit Fusion vs pow2_only: products/cycle, brick utilization, area, fmax, energy "
                               "per MAC per precision pair; LeNet-5 Table II view");
  c->add_option("-o,--out", a->out, "output folder (default: rtl_out/compare_bitfusion)");
  c->add_option("--pair", a->pairs, "precision pair AxW (activation x weight bits), repeatable; default: all 16");
  c->add_option("--grid", a->grid, "BitBricks per fusion unit, RxC (default 4x4)");
  c->add_option("--array", a->array, "fusion units of the LeNet-5 mapping model, RxC (default 16x16, as the seed)");
  c->add_flag("!--no-synth", a->synth, "mapping figures only: no synthesis, area, fmax or energy");
  return {c, [a] { return compare_bitfusion(*a); }};
}

}  // namespace qrtl::cli
