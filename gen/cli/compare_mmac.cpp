// `qrtl compare-mmac`: the seed-000 cost comparison. One mMAC cell per accumulator architecture,
// synthesized once and measured at several run-time budgets, against the pMAC and bMAC baselines
// doing the same group dot product (g MACs), printed next to the seed's figures.
#include <fmt/format.h>
#include <regex>

#include "cli/commands.hpp"
#include "cli/study.hpp"
#include "errors.hpp"
#include "flow/design_dir.hpp"
#include "flow/synth.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

struct CompareMmacArgs {
  fs::path out = "rtl_out/compare_mmac";
  std::vector<std::string> budgets{"20x3", "16x3", "16x2", "8x2"};  // k x ka: gamma 60, 48, 32, 16
  int group = 8;
  int max_w_terms = 20;
  int max_a_terms = 3;
  int lanes = 2;
};

// The seed's claims (Zhang et al., "Field-Configurable Multi-resolution Inference", §4.2 / §7):
// FPGA (Xilinx VC707) measurements, MobileNet-V2 for the latency figure.
constexpr double kSeedVsBmac = 3.1, kSeedVsPmac = 5.6, kSeedLatency60to16 = 2.7;

struct Budget {
  int k, ka;
  int gamma() const { return k * ka; }
};

std::vector<Budget> parse_budgets(const CompareMmacArgs& a) {
  static const std::regex form(R"(([0-9]{1,3})x([0-9]{1,3}))");
  std::vector<Budget> out;
  for (const auto& t : a.budgets) {
    std::smatch m;
    if (!std::regex_match(t, m, form))
      throw UsageError(fmt::format("--budget '{}' is invalid: expected KxKA (weight terms x activation terms), e.g. 20x3", t));
    const Budget b{std::stoi(m[1]), std::stoi(m[2])};
    if (b.k < 1 || b.k > a.max_w_terms || b.ka < 1 || b.ka > a.max_a_terms)
      throw UsageError(fmt::format("--budget '{}' is invalid: expected k in 1..{} (--max-w-terms) and ka in 1..{} "
                                   "(--max-a-terms)", t, a.max_w_terms, a.max_a_terms));
    out.push_back(b);
  }
  if (out.empty()) throw UsageError("--budget: at least one budget is needed");
  return out;
}

int compare_mmac(const CompareMmacArgs& a) {
  const auto budgets = parse_budgets(a);
  const std::string g = std::to_string(a.group);
  const std::vector<std::string> common = {"rows=1", "cols=1", "a_bits=8", "w_bits=8", "max_len=256"};
  const auto base = study_synth_options();

  ordered_json designs = ordered_json::array();
  // Baselines: energy per group dot product = g MACs; latency = g beats of cycles_per_beat.
  for (const char* fam : {"pmac", "bmac"}) {
    const auto rep = synth_one(fam, common, a.out / fam, base);
    const auto d = flow::load_design(a.out / fam);
    const double cycles = a.group * d.manifest["derived"]["cycles_per_beat"].get<double>();
    designs.push_back({{"design", fam},
                       {"area_um2", rep["area_um2"]},
                       {"fmax_mhz", rep["timing"]["fmax_mhz"]},
                       {"points", ordered_json::array({{{"gamma", nullptr},
                                                        {"cycles_per_group", cycles},
                                                        {"energy_per_group_pj",
                                                         a.group * rep["power"]["energy_per_op_pj"].get<double>()}}})}});
  }
  for (const char* arch : {"onehot", "histogram"}) {
    flow::SynthOptions so = base;
    for (const auto& b : budgets) so.power_points.push_back(fmt::format("k={},ka={}", b.k, b.ka));
    auto sets = common;
    sets.insert(sets.end(), {"group=" + g, fmt::format("max_w_terms={}", a.max_w_terms),
                             fmt::format("max_a_terms={}", a.max_a_terms), fmt::format("lanes={}", a.lanes),
                             std::string("acc_arch=") + arch});
    const std::string name = std::string("mmac_") + arch;
    const auto rep = synth_one("mmac", sets, a.out / name, so);
    ordered_json points = ordered_json::array();
    for (std::size_t i = 0; i < budgets.size(); ++i) {
      const auto& p = rep["power_sweep"][i];
      const auto& bench = p["bench"];
      points.push_back({{"gamma", budgets[i].gamma()},
                        {"k", budgets[i].k},
                        {"ka", budgets[i].ka},
                        {"cycles_per_group", ratio(bench["term_cycles"].get<double>(), bench["groups"].get<double>())},
                        {"energy_per_group_pj", p["energy_per_op_pj"]}});
    }
    designs.push_back({{"design", name}, {"area_um2", rep["area_um2"]}, {"fmax_mhz", rep["timing"]["fmax_mhz"]},
                       {"points", points}});
  }

  const double e_pmac = designs[0]["points"][0]["energy_per_group_pj"].get<double>();
  const double e_bmac = designs[1]["points"][0]["energy_per_group_pj"].get<double>();
  std::string md = fmt::format(
      "mMAC vs pMAC / bMAC: one cell each, {}-bit signed operands, group dot product of g = {} values;\n"
      "mMAC: {} encoding, up to {} weight terms per group, {} activation terms, {} lanes. OSU 0.18 um,\n"
      "energy from the gate-level power workload (uniform random operands), qrtl synth.\n\n"
      "| design | γ (k×ka) | area (µm²) | fmax (MHz) | cycles / group | energy / group (pJ) | pMAC ÷ this | bMAC ÷ this |\n"
      "|---|---|---|---|---|---|---|---|\n",
      8, a.group, "hese", a.max_w_terms, a.max_a_terms, a.lanes);
  ordered_json summary = ordered_json::array();
  for (const auto& d : designs) {
    double sum_vs_p = 0, sum_vs_b = 0;
    for (const auto& p : d["points"]) {
      const double e = p["energy_per_group_pj"].get<double>();
      const std::string gamma =
          p["gamma"].is_null() ? "-" : fmt::format("{} ({}×{})", p["gamma"].get<int>(), p["k"].get<int>(), p["ka"].get<int>());
      md += fmt::format("| {} | {} | {:.0f} | {:.1f} | {:.2f} | {:.2f} | {:.2f}× | {:.2f}× |\n", d["design"].get<std::string>(),
                        gamma, d["area_um2"].get<double>(), d["fmax_mhz"].get<double>(),
                        p["cycles_per_group"].get<double>(), e, ratio(e_pmac, e), ratio(e_bmac, e));
      sum_vs_p += ratio(e_pmac, e);
      sum_vs_b += ratio(e_bmac, e);
    }
    const auto n = static_cast<double>(d["points"].size());
    if (d["design"].get<std::string>().rfind("mmac", 0) == 0) {
      const auto& pts = d["points"];
      const double lat = ratio(pts.front()["cycles_per_group"].get<double>(), pts.back()["cycles_per_group"].get<double>());
      summary.push_back({{"design", d["design"]}, {"energy_vs_bmac_mean", sum_vs_b / n},
                         {"energy_vs_pmac_mean", sum_vs_p / n}, {"latency_first_over_last_budget", lat}});
    }
  }
  md += fmt::format("\n| claim | seed 000 (FPGA) | {} | {} |\n|---|---|---|---|\n",
                    summary[0]["design"].get<std::string>(), summary[1]["design"].get<std::string>());
  auto row = [&](const std::string& what, double seed, const char* key) {
    md += fmt::format("| {} | {:.1f}× | {:.2f}× | {:.2f}× |\n", what, seed, summary[0][key].get<double>(),
                      summary[1][key].get<double>());
  };
  row("energy efficiency vs bMAC (mean over budgets)", kSeedVsBmac, "energy_vs_bmac_mean");
  row("energy efficiency vs pMAC (mean over budgets)", kSeedVsPmac, "energy_vs_pmac_mean");
  row(fmt::format("latency, γ = {} over γ = {}", budgets.front().gamma(), budgets.back().gamma()), kSeedLatency60to16,
      "latency_first_over_last_budget");

  write_study(a.out, "compare",
              ordered_json{{"format", 1}, {"designs", designs}, {"summary", summary},
                           {"seed", {{"energy_vs_bmac", kSeedVsBmac}, {"energy_vs_pmac", kSeedVsPmac},
                                     {"latency_gamma60_over_gamma16", kSeedLatency60to16}}}},
              md);
  return 0;
}

}  // namespace

Subcommand add_compare_mmac(CLI::App& app) {
  auto a = std::make_shared<CompareMmacArgs>();
  auto* c = app.add_subcommand(
      "compare-mmac", "mMAC vs pMAC/bMAC: area, fmax, cycles and energy per group dot product at several budgets");
  c->add_option("-o,--out", a->out, "output folder (default: rtl_out/compare_mmac)");
  c->add_option("--budget", a->budgets, "run-time budget KxKA (weight terms x activation terms), repeatable; "
                                        "default 20x3 16x3 16x2 8x2 (gamma 60, 48, 32, 16)");
  c->add_option("-g,--group", a->group, "group size")->check(CLI::Range(1, 64));
  c->add_option("--max-w-terms", a->max_w_terms, "generated weight-term maximum")->check(CLI::Range(1, 64));
  c->add_option("--max-a-terms", a->max_a_terms, "generated activation-term maximum")->check(CLI::Range(1, 16));
  c->add_option("--lanes", a->lanes, "term pairs per cycle")->check(CLI::Range(1, 16));
  return {c, [a] { return compare_mmac(*a); }};
}

}  // namespace qrtl::cli
