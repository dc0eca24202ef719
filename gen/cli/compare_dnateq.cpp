// `qrtl compare-dnateq`: the seed-004 cost claim. One dnateq unit (max_bits = the widest bit-width
// asked for) is synthesized once and measured at each run-time bit-width, against the INT8 pMAC
// doing the same dot product of N pairs; printed next to the seed's -66 % average energy and its
// observation that 7-bit layers cost more than INT8. Compression vs INT8 is reported per bit-width
// and for the bit-widths the search picks on a small synthetic network.
#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
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

struct CompareDnateqArgs {
  fs::path out = "rtl_out/compare_dnateq";
  int length = 64;
  std::vector<int> bits{3, 4, 5, 6, 7};
  std::uint64_t dots = 100;  // dot products per operating point of the power workload
};

// Seed 004 (DNA-TEQ, §IV and §IV-A): whole-network energy, 32 nm logic (Design Compiler) plus
// CACTI memories, three DNNs; Fig. 7: per counting step every precision is cheaper than an INT8
// MAC, but with post-processing 7-bit layers cost more than INT8.
constexpr double kSeedEnergySaving = 0.66, kSeedCompression = 0.40;

void validate(const CompareDnateqArgs& a) {
  if (a.length < 1 || a.length > 65504)
    throw UsageError(fmt::format("--length {} is invalid: expected 1..65504 (pairs per dot product; the dnateq "
                                 "counters convert to FP16)",
                                 a.length));
  if (a.bits.empty()) throw UsageError("--bits: at least one bit-width is needed");
  for (const int n : a.bits)
    if (n < quant::kDnateqMinBits || n > quant::kDnateqMaxBits)
      throw UsageError(fmt::format("--bits {} is invalid: expected {}..{} (DNA-TEQ exponent bits)", n,
                                   quant::kDnateqMinBits, quant::kDnateqMaxBits));
  if (a.dots < 1 || a.dots > 100'000)
    throw UsageError(fmt::format("--dots {} is invalid: expected 1..100000", a.dots));
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

int compare_dnateq(CompareDnateqArgs a) {
  validate(a);
  std::sort(a.bits.begin(), a.bits.end());
  a.bits.erase(std::unique(a.bits.begin(), a.bits.end()), a.bits.end());
  const std::string len = std::to_string(a.length);
  const int max_bits = a.bits.back();

  // INT8 baseline: one MAC per cycle; the same number of MACs as the dnateq workload has pairs.
  flow::SynthOptions pso = study_synth_options();
  pso.power_vectors = a.dots * static_cast<std::uint64_t>(a.length);
  const auto pmac = synth_one("pmac", {"rows=1", "cols=1", "a_bits=8", "w_bits=8", "max_len=" + len},
                              a.out / "pmac", pso);
  const double e_mac = pmac["power"]["energy_per_op_pj"].get<double>();
  const double e_int8 = a.length * e_mac;

  flow::SynthOptions dso = study_synth_options();
  dso.power_vectors = a.dots;
  for (const int n : a.bits) dso.power_points.push_back(fmt::format("bits={},len={}", n, a.length));
  const auto dn = synth_one("dnateq", {fmt::format("max_bits={}", max_bits), "max_len=" + len, "post=fp16"},
                            a.out / "dnateq", dso);

  ordered_json points = ordered_json::array();
  double saving_sum = 0;
  for (std::size_t i = 0; i < a.bits.size(); ++i) {
    const int n = a.bits[i];
    const auto& p = dn["power_sweep"][i];
    const double e_dot = a.length * p["energy_per_op_pj"].get<double>();
    const double cycles = ratio(p["cycles"].get<double>(), p["bench"]["passes"].get<double>());
    saving_sum += 1 - ratio(e_dot, e_int8);
    points.push_back({{"bits", n},
                      {"energy_per_pair_pj", p["energy_per_op_pj"]},
                      {"energy_per_dot_pj", e_dot},
                      {"cycles_per_dot", cycles},
                      {"energy_vs_int8", ratio(e_dot, e_int8)},
                      {"compression_vs_int8", 1 - n / 8.0},
                      {"compression_vs_int8_with_sign", 1 - (n + 1) / 8.0}});
  }
  const double mean_saving = saving_sum / static_cast<double>(a.bits.size());

  // The synthetic network: its bit-widths weight the per-bit-width energies equally per layer.
  const std::vector<int> net_bits = synthetic_network_bits();
  double net_energy = 0, net_bits_sum = 0;
  bool net_measured = true;
  for (const int n : net_bits) {
    const auto it = std::find(a.bits.begin(), a.bits.end(), n);
    net_measured = net_measured && it != a.bits.end();
    if (it != a.bits.end()) net_energy += points[static_cast<std::size_t>(it - a.bits.begin())]["energy_per_dot_pj"].get<double>();
    net_bits_sum += n;
  }
  const double net_avg_bits = net_bits_sum / static_cast<double>(net_bits.size());
  const double net_saving = net_measured ? 1 - ratio(net_energy / static_cast<double>(net_bits.size()), e_int8) : 0;

  std::string md = fmt::format(
      "DNA-TEQ unit vs INT8 pMAC, energy per dot product of N = {} pairs. dnateq: max_bits = {}, FP16\n"
      "post-processing, synthesized once and run at each bit-width (random layers and FP16 activations, {} dot\n"
      "products per point); pMAC: 8x8-bit signed, one MAC per cycle, {} MACs. OSU 0.18 um, qrtl synth.\n\n"
      "| design | bits | area (µm²) | fmax (MHz) | cycles / dot | energy / dot (pJ) | vs INT8 | compression vs INT8 "
      "(with sign) |\n|---|---|---|---|---|---|---|---|\n",
      a.length, max_bits, a.dots, pso.power_vectors);
  md += fmt::format("| pmac INT8 | 8 | {:.0f} | {:.1f} | {} | {:.2f} | 1.00× | - |\n", pmac["area_um2"].get<double>(),
                    pmac["timing"]["fmax_mhz"].get<double>(), a.length, e_int8);
  for (const auto& p : points)
    md += fmt::format("| dnateq | {} | {:.0f} | {:.1f} | {:.0f} | {:.2f} | {:.2f}× ({:+.0f} %) | {:.1f} % ({:.1f} %) |\n",
                      p["bits"].get<int>(), dn["area_um2"].get<double>(), dn["timing"]["fmax_mhz"].get<double>(),
                      p["cycles_per_dot"].get<double>(), p["energy_per_dot_pj"].get<double>(),
                      p["energy_vs_int8"].get<double>(), 100 * (p["energy_vs_int8"].get<double>() - 1),
                      100 * p["compression_vs_int8"].get<double>(), 100 * p["compression_vs_int8_with_sign"].get<double>());

  const auto costs_more = [&](int n) {
    const auto it = std::find(a.bits.begin(), a.bits.end(), n);
    return it == a.bits.end() ? std::string("not measured")
                              : points[static_cast<std::size_t>(it - a.bits.begin())]["energy_vs_int8"].get<double>() > 1
                                    ? "yes"
                                    : "no";
  };
  std::string net = fmt::format("{}", fmt::join(net_bits, ", "));
  md += fmt::format(
      "\n| claim | seed 004 | qrtl |\n|---|---|---|\n"
      "| energy vs INT8, average | −{:.0f} % (three DNNs, 32 nm, incl. memory) | {:+.0f} % (mean over bits {}) |\n"
      "| energy vs INT8, synthetic network (bits {}) | | {} |\n"
      "| 7-bit layers cost more than INT8 | yes (Fig. 7, with post-processing) | {} |\n"
      "| compression vs INT8 | {:.0f} % (average 4.83 bits) | {:.1f} % (synthetic network, average {:.2f} bits) |\n",
      100 * kSeedEnergySaving, -100 * mean_saving, fmt::join(a.bits, ", "), net,
      net_measured ? fmt::format("{:+.0f} %", -100 * net_saving) : std::string("not measured (bits missing)"),
      costs_more(7), 100 * kSeedCompression, 100 * (1 - net_avg_bits / 8), net_avg_bits);

  const ordered_json json{
      {"format", 1},
      {"length", a.length},
      {"pmac", {{"area_um2", pmac["area_um2"]}, {"fmax_mhz", pmac["timing"]["fmax_mhz"]}, {"energy_per_mac_pj", e_mac},
                {"energy_per_dot_pj", e_int8}}},
      {"dnateq", {{"max_bits", max_bits}, {"area_um2", dn["area_um2"]}, {"fmax_mhz", dn["timing"]["fmax_mhz"]},
                  {"points", points}}},
      {"summary", {{"mean_energy_saving", mean_saving},
                   {"seven_bits_cost_more", costs_more(7)},
                   {"synthetic_network_bits", net_bits},
                   {"synthetic_network_energy_saving", net_measured ? ordered_json(net_saving) : ordered_json()},
                   {"synthetic_network_compression", 1 - net_avg_bits / 8}}},
      {"seed", {{"energy_saving", kSeedEnergySaving}, {"compression", kSeedCompression}, {"seven_bits_cost_more", true}}}};
  write_study(a.out, "compare", json, md);
  return 0;
}

}  // namespace

Subcommand add_compare_dnateq(CLI::App& app) {
  auto a = std::make_shared<CompareDnateqArgs>();
  auto* c = app.add_subcommand("compare-dnateq",
                               "DNA-TEQ unit vs INT8 pMAC: energy per dot product at bit-widths 3..7, next to seed 004");
  c->add_option("-o,--out", a->out, "output folder (default: rtl_out/compare_dnateq)");
  c->add_option("-n,--length", a->length, "pairs per dot product N (default 64; also both designs' max_len)");
  c->add_option("--bits", a->bits, "run-time bit-widths to measure (default 3 4 5 6 7); the design gets max_bits = "
                                   "the largest");
  c->add_option("--dots", a->dots, "dot products per bit-width in the power workload (default 100)");
  return {c, [a] { return compare_dnateq(*a); }};
}

}  // namespace qrtl::cli
