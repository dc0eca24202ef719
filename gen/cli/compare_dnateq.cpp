// `qrtl compare-dnateq`: the seed-004 cost claim. For each run-time bit-width n a dnateq unit
// sized for it (max_bits = n: the seed power-gates the banks a layer does not use, so a unit built
// for 7 bits and run at 3 would charge clocks the seed's does not) is synthesized and measured,
// against the INT8 pMAC doing the same dot product of N pairs; printed next to the seed's -66 %
// average energy and its observation that 7-bit layers cost more than INT8. Energy is split into
// clock (every flip-flop's clock pin: this RTL has no clock gating), flip-flops' data side and
// logic. Compression
// vs INT8 is reported per bit-width and for the bit-widths the search picks on a small synthetic
// network.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "cli/commands.hpp"
#include "cli/study.hpp"
#include "errors.hpp"
#include "quant/dnateq.hpp"
#include "quant/synthetic.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

// §III-C: "Comparisons are performed in batches of 8 values".
constexpr int kSeedBatch = 8;

struct CompareDnateqArgs {
  fs::path out = "rtl_out/compare_dnateq";
  // The seed's worked example (§III-C): AlexNet's third CONV layer, 3x3x256 pairs per dot product;
  // the post-processing is paid once per dot product, so short ones would overstate it.
  int length = 2304;
  std::vector<int> bits{3, 4, 5, 6, 7};
  std::uint64_t dots = 10;  // dot products per operating point of the power workload
  int batch = kSeedBatch;   // boundary comparators, at most 2^bits per unit
};

// Seed 004 (DNA-TEQ, §IV and §IV-A): whole-network energy, 32 nm logic (Design Compiler) plus
// CACTI memories, three DNNs; Fig. 7: per counting step every precision is cheaper than an INT8
// MAC, but with post-processing 7-bit layers cost more than INT8.
constexpr double kSeedEnergySaving = 0.66, kSeedCompression = 0.40;

void validate(const CompareDnateqArgs& a) {
  if (a.length < 1 || a.length > 65504)
    throw UsageError(
        fmt::format("--length {} is invalid: expected 1..65504 (pairs per dot product; the dnateq "
                    "counters convert to FP16)",
                    a.length));
  if (a.bits.empty()) throw UsageError("--bits: at least one bit-width is needed");
  for (const int n : a.bits)
    if (n < quant::kDnateqMinBits || n > quant::kDnateqMaxBits)
      throw UsageError(fmt::format("--bits {} is invalid: expected {}..{} (DNA-TEQ exponent bits)", n,
                                   quant::kDnateqMinBits, quant::kDnateqMaxBits));
  if (a.batch < 1 || a.batch > 128)
    throw UsageError(fmt::format("--batch {} is invalid: expected 1..128 (boundary comparators)", a.batch));
  if (a.dots < 1 || a.dots > 100'000) throw UsageError(fmt::format("--dots {} is invalid: expected 1..100000", a.dots));
}

// The bit-widths the search picks (default thresholds, first layer stricter) on three synthetic
// layers: ReLU activations with normal, exponential and uniform weights.
std::vector<int> synthetic_network_bits() {
  using quant::Distribution;
  const auto act = quant::synthetic_tensor(Distribution::Relu, 11);
  const auto w_normal = quant::synthetic_tensor(Distribution::Normal, 12, 10'000, 0.05);
  const auto w_exp = quant::synthetic_tensor(Distribution::Exponential, 13, 10'000, 0.05);
  const auto w_uniform = quant::synthetic_tensor(Distribution::Uniform, 14, 10'000, 0.05);
  const std::vector<quant::LayerTensors> layers{{act, w_normal}, {act, w_exp}, {act, w_uniform}};
  std::vector<int> bits;
  for (const auto& l : quant::search_network(layers)) bits.push_back(l.weights.bits);
  return bits;
}

// A unit has at most one comparator per boundary slot (2^bits).
int batch_for(const CompareDnateqArgs& a, int bits) { return std::min(a.batch, 1 << bits); }

// Energy per dot product of `length` pairs from one synth report's power entry.
struct DotEnergy {
  double total = 0, clock = 0, flops = 0, logic = 0;
};

DotEnergy dot_energy(const ordered_json& power, double ops_per_dot) {
  return {ops_per_dot * power["energy_per_op_pj"].get<double>(),
          ops_per_dot * power["energy_per_op_clock_pj"].get<double>(),
          ops_per_dot * power["energy_per_op_flops_pj"].get<double>(),
          ops_per_dot * power["energy_per_op_logic_pj"].get<double>()};
}

ordered_json energy_json(const DotEnergy& e) {
  return {{"total", e.total}, {"clock", e.clock}, {"flops", e.flops}, {"logic", e.logic}};
}

int compare_dnateq(CompareDnateqArgs a) {
  validate(a);
  std::sort(a.bits.begin(), a.bits.end());
  a.bits.erase(std::unique(a.bits.begin(), a.bits.end()), a.bits.end());
  const std::string len = std::to_string(a.length);

  // INT8 baseline: one MAC per cycle; the same number of MACs as the dnateq workload has pairs.
  flow::SynthOptions pso = study_synth_options();
  pso.power_vectors = a.dots * static_cast<std::uint64_t>(a.length);
  const auto pmac =
      synth_one("pmac", {"rows=1", "cols=1", "a_bits=8", "w_bits=8", "max_len=" + len}, a.out / "pmac", pso);
  const DotEnergy int8 = dot_energy(pmac["power"], a.length);

  ordered_json points = ordered_json::array();
  double saving_sum = 0;
  for (const int n : a.bits) {
    flow::SynthOptions dso = study_synth_options();
    dso.power_vectors = a.dots;
    dso.power_points = {fmt::format("bits={},len={}", n, a.length)};
    const auto dn = synth_one(
        "dnateq",
        {fmt::format("max_bits={}", n), "max_len=" + len, fmt::format("batch={}", batch_for(a, n)), "post=fp16"},
        a.out / fmt::format("dnateq_{}b", n), dso);
    const auto& p = dn["power"];
    const DotEnergy e = dot_energy(p, a.length);
    saving_sum += 1 - ratio(e.total, int8.total);
    points.push_back({{"bits", n},
                      {"batch", batch_for(a, n)},
                      {"area_um2", dn["area_um2"]},
                      {"flops", dn["flops"]},
                      {"fmax_mhz", dn["timing"]["fmax_mhz"]},
                      {"cycles_per_dot", ratio(p["cycles"].get<double>(), p["bench"]["passes"].get<double>())},
                      {"energy_per_pair_pj", p["energy_per_op_pj"]},
                      {"energy_per_dot_pj", energy_json(e)},
                      {"energy_vs_int8", ratio(e.total, int8.total)},
                      {"logic_energy_vs_int8_logic", ratio(e.logic, int8.logic)},
                      {"compression_vs_int8", 1 - n / 8.0},
                      {"compression_vs_int8_with_sign", 1 - (n + 1) / 8.0}});
  }
  const double mean_saving = saving_sum / static_cast<double>(a.bits.size());
  const auto point_of = [&](int n) -> const ordered_json* {
    const auto it = std::find(a.bits.begin(), a.bits.end(), n);
    return it == a.bits.end() ? nullptr : &points[static_cast<std::size_t>(it - a.bits.begin())];
  };

  // The synthetic network: its bit-widths weight the per-bit-width energies equally per layer.
  const std::vector<int> net_bits = synthetic_network_bits();
  double net_energy = 0, net_bits_sum = 0;
  bool net_measured = true;
  for (const int n : net_bits) {
    const ordered_json* pt = point_of(n);
    net_measured = net_measured && pt != nullptr;
    if (pt != nullptr) net_energy += (*pt)["energy_per_dot_pj"]["total"].get<double>();
    net_bits_sum += n;
  }
  const double net_avg_bits = net_bits_sum / static_cast<double>(net_bits.size());
  const double net_saving = net_measured ? 1 - ratio(net_energy / static_cast<double>(net_bits.size()), int8.total) : 0;

  std::string md = fmt::format(
      "DNA-TEQ unit vs INT8 pMAC, energy per dot product of N = {} pairs. dnateq: one unit per bit-width,\n"
      "sized for it (max_bits = bits), min({}, 2^bits) comparators, FP16 post-processing, random layers and FP16 "
      "activations,\n"
      "{} dot products per point; pMAC: 8x8-bit signed, one MAC per cycle, {} MACs. OSU 0.18 um, qrtl synth;\n"
      "energy = clock (every flip-flop's clock pin; no clock gating) + flip-flops (data side) + logic (+ leakage).\n\n"
      "| design | bits | area (µm²) | flip-flops | fmax (MHz) | cycles / dot | energy / dot (pJ) | clock + flip-flops + "
      "logic (pJ) | vs INT8 | logic vs INT8 logic | compression vs INT8 (with sign) |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n",
      a.length, a.batch, a.dots, pso.power_vectors);
  md += fmt::format("| pmac INT8 | 8 | {:.0f} | {} | {:.1f} | {} | {:.1f} | {:.1f} + {:.1f} + {:.1f} | 1.00× | 1.00× | - |\n",
                    pmac["area_um2"].get<double>(), pmac["flops"].get<std::int64_t>(),
                    pmac["timing"]["fmax_mhz"].get<double>(), a.length, int8.total, int8.clock, int8.flops, int8.logic);
  for (const auto& p : points) {
    const auto& e = p["energy_per_dot_pj"];
    md += fmt::format(
        "| dnateq | {} | {:.0f} | {} | {:.1f} | {:.0f} | {:.1f} | {:.1f} + {:.1f} + {:.1f} | {:.2f}× | {:.2f}× | {:.1f} % "
        "({:.1f} %) |\n",
        p["bits"].get<int>(), p["area_um2"].get<double>(), p["flops"].get<std::int64_t>(), p["fmax_mhz"].get<double>(),
        p["cycles_per_dot"].get<double>(), e["total"].get<double>(), e["clock"].get<double>(), e["flops"].get<double>(),
        e["logic"].get<double>(),
        p["energy_vs_int8"].get<double>(), p["logic_energy_vs_int8_logic"].get<double>(),
        100 * p["compression_vs_int8"].get<double>(), 100 * p["compression_vs_int8_with_sign"].get<double>());
  }

  const auto costs_more = [&](int n) -> std::string {
    const ordered_json* pt = point_of(n);
    if (pt == nullptr) return "not measured";
    return fmt::format("{} ({:.2f}× INT8)", (*pt)["energy_vs_int8"].get<double>() > 1 ? "yes" : "no",
                       (*pt)["energy_vs_int8"].get<double>());
  };
  md += fmt::format(
      "\n| claim | seed 004 | qrtl |\n|---|---|---|\n"
      "| energy vs INT8, average | −{:.0f} % (three DNNs, 32 nm, SRAM counters, incl. memory) | {:+.0f} % (mean over "
      "bits {}) |\n"
      "| energy vs INT8, synthetic network (bits {}) | | {} |\n"
      "| 7-bit layers cost more than INT8 | yes (Fig. 7, with post-processing) | {} |\n"
      "| compression vs INT8 | {:.0f} % (average 4.83 bits) | {:.1f} % (synthetic network, average {:.2f} bits) |\n",
      100 * kSeedEnergySaving, -100 * mean_saving, fmt::join(a.bits, ", "), fmt::join(net_bits, ", "),
      net_measured ? fmt::format("{:+.0f} %", -100 * net_saving) : std::string("not measured (bits missing)"),
      costs_more(7), 100 * kSeedCompression, 100 * (1 - net_avg_bits / 8), net_avg_bits);

  const ordered_json json{
      {"format", 3},  // 3: energy_per_dot_pj has clock, flops (data side) and logic
      {"length", a.length},
      {"pmac",
       {{"area_um2", pmac["area_um2"]},
        {"flops", pmac["flops"]},
        {"fmax_mhz", pmac["timing"]["fmax_mhz"]},
        {"energy_per_mac_pj", pmac["power"]["energy_per_op_pj"]},
        {"energy_per_dot_pj", energy_json(int8)}}},
      {"dnateq", {{"sizing", "max_bits = bits"}, {"points", points}}},
      {"summary",
       {{"mean_energy_saving", mean_saving},
        {"seven_bits_cost_more", costs_more(7)},
        {"synthetic_network_bits", net_bits},
        {"synthetic_network_energy_saving", net_measured ? ordered_json(net_saving) : ordered_json()},
        {"synthetic_network_compression", 1 - net_avg_bits / 8}}},
      {"seed",
       {{"energy_saving", kSeedEnergySaving}, {"compression", kSeedCompression}, {"seven_bits_cost_more", true}}}};
  write_study(a.out, "compare", json, md);
  return 0;
}

}  // namespace

Subcommand add_compare_dnateq(CLI::App& app) {
  auto a = std::make_shared<CompareDnateqArgs>();
  auto* c = app.add_subcommand(
      "compare-dnateq", "DNA-TEQ unit vs INT8 pMAC: energy per dot product at bit-widths 3..7, next to seed 004");
  c->add_option("-o,--out", a->out, "output folder (default: rtl_out/compare_dnateq)");
  c->add_option("-n,--length", a->length,
                "pairs per dot product N (default 2304, the seed's AlexNet CONV3 example; also both designs' max_len)");
  c->add_option("--bits", a->bits, "bit-widths to measure (default 3 4 5 6 7), each on a unit with max_bits = it");
  c->add_option("--dots", a->dots, "dot products per bit-width in the power workload (default 10)");
  c->add_option("--batch", a->batch, "boundary comparators per unit, at most 2^bits (default 8, the seed's)");
  return {c, [a] { return compare_dnateq(*a); }};
}

}  // namespace qrtl::cli
