#include "cli/commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>

#include "emit/design.hpp"
#include "errors.hpp"
#include "flow/lint.hpp"
#include "flow/process.hpp"
#include "paths.hpp"
#include "quant/intmath.hpp"
#include "quant/tq.hpp"
#include "units/family.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

int cmd_list(const std::string& family, bool json) {
  if (family.empty()) {
    ordered_json out = ordered_json::array();
    for (const auto* f : units::all_families()) {
      if (json) out.push_back({{"family", f->name()}, {"summary", f->summary()}});
      else fmt::print("{:<10} {}\n", f->name(), f->summary());
    }
    if (json) fmt::print("{}\n", out.dump(2));
    return 0;
  }
  const auto& f = units::find_family(family);
  if (json) {
    ordered_json out = ordered_json::array();
    for (const auto& s : f.specs())
      out.push_back({{"name", s.name}, {"type", s.type_name()}, {"default", s.format(s.def)},
                     {"allowed", s.allowed()}, {"doc", s.doc}});
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  std::size_t w = 10;
  for (const auto& s : f.specs()) w = std::max(w, s.name.size());
  fmt::print("{}: {}\n\n{:<{}} {:<10} {:<8} {:<34} {}\n", f.name(), f.summary(), "parameter", w, "type",
             "default", "allowed", "meaning");
  for (const auto& s : f.specs())
    fmt::print("{:<{}} {:<10} {:<8} {:<34} {}\n", s.name, w, s.type_name(),
               s.format(s.def).empty() ? "\"\"" : s.format(s.def),
               s.kind == units::Kind::Ident ? "Verilog identifier" : s.allowed(), s.doc);
  const units::ParamSet defaults(f.specs());
  const auto keys = f.workload_keys(defaults);
  std::size_t kw = 10;
  for (const auto& k : keys) kw = std::max(kw, k.name.size());
  fmt::print("\npower-workload keys (qrtl synth --workload KEY=VALUE; ranges for the default parameters)\n");
  for (const auto& k : keys) {
    using K = units::WorkloadKey::Kind;
    const std::string range = k.kind == K::Path ? "a file path" : fmt::format("{} in [{}, {}]", k.kind == K::Integer ? "integer" : "number", k.min, k.max);
    fmt::print("{:<{}} {:<34} {}\n", k.name, kw, range, k.doc);
  }
  return 0;
}

Resolved resolve(const GenerateArgs& a) {
  std::string family = a.family;
  if (a.config) {
    const std::string in_file = units::toml_family(*a.config);
    if (family.empty()) family = in_file;
    if (family.empty())
      throw UsageError(fmt::format("no family given: name one (qrtl generate FAMILY) or set "
                                   "family = \"...\" in {}",
                                   a.config->string()));
  }
  if (family.empty()) throw UsageError("no family given: qrtl generate FAMILY (see qrtl list)");
  const auto& fam = units::find_family(family);
  Resolved r{&fam, units::ParamSet(fam.specs()), {}};
  if (a.config) r.params.load_toml(*a.config, fam.name());
  for (const auto& s : a.sets) r.params.set_assignment(s);
  std::string name = r.params.s("name");
  if (a.out) r.out = *a.out;
  if (name.empty()) {
    name = a.out ? emit::name_from_folder(*a.out) : std::string(fam.name());
    r.params.set("name", name, "design name");
  }
  if (!a.out) r.out = fs::path("rtl_out") / name;
  fam.validate(r.params);
  return r;
}

Resolved generate(const GenerateArgs& a) {
  Resolved r = resolve(a);
  const emit::FileSet files = emit::render_design(*r.family, r.params);
  emit::write_atomically(r.out, files, a.force);
  fmt::print("generated {} ({}) in {}: {} files\n", r.params.s("name"), r.family->name(), r.out.string(),
             files.size());
  return r;
}

int cmd_generate(const GenerateArgs& a) {
  generate(a);
  return 0;
}

namespace {

void print_lint(const flow::DesignDir& d, const flow::LintResult& res) {
  for (const auto& c : res.checks)
    fmt::print("  {:<40} {}{}\n", c.tool, c.ok ? "ok" : "FAIL: ", c.detail);
  fmt::print("lint {}: {} (log: {})\n", d.name, res.ok() ? "PASS" : "FAIL", res.log.string());
}

std::string verify_line(const flow::DesignDir& d, const flow::VerifyResult& v) {
  const auto& r = v.result;
  std::string phases;
  for (const auto& p : r.value("phases", nlohmann::json::array())) phases += " " + p.get<std::string>();
  return fmt::format("  phases:{}; build {:.1f} s, simulation {:.2f} s\n", phases, v.build_seconds,
                     r.value("seconds", 0.0)) +
         fmt::format("verify {}: {}  dot-products={} results-compared={} ops={} ({}) cycles={} "
                     "exhaustive-pairs={} seed={}",
                     d.name, v.pass ? "PASS" : "FAIL", r.value("passes", 0), r.value("results", 0),
                     r.value("ops", 0), r.value("op", "op"), r.value("cycles", 0),
                     r.value("exhaustive_pairs", 0), r.value("seed", 0));
}

}  // namespace

int cmd_lint(const fs::path& dir) {
  const auto d = flow::load_design(dir);
  const auto res = flow::lint_design(d);
  print_lint(d, res);
  return res.ok() ? 0 : 1;
}

int cmd_verify(const fs::path& dir, const flow::VerifyOptions& o) {
  const auto d = flow::load_design(dir);
  const auto v = flow::verify_design(d, o);
  std::fputs(v.output.c_str(), stdout);
  fmt::print("{}\n", verify_line(d, v));
  return v.pass ? 0 : 1;
}

int cmd_synth(const fs::path& dir, const flow::SynthOptions& o) {
  const auto d = flow::load_design(dir);
  const auto s = flow::synth_design(d, o);
  std::fputs(flow::synth_markdown(s.report).c_str(), stdout);
  fmt::print("\nsynth {}: report in {}\n", d.name, (s.dir / "report.json").string());
  return 0;
}

int cmd_run(const RunArgs& a) {
  ordered_json rows = ordered_json::array();
  bool all_ok = true;
  for (const auto* fam : units::all_families()) {
    GenerateArgs g;
    g.family = std::string(fam->name());
    g.out = a.out / fam->name();
    g.force = true;
    fmt::print("== {} ==\n", fam->name());
    const Resolved r = generate(g);
    const auto d = flow::load_design(r.out);
    const auto lint = flow::lint_design(d);
    print_lint(d, lint);
    const auto v = flow::verify_design(d, a.verify);
    fmt::print("{}\n", verify_line(d, v));
    if (!v.pass) std::fputs(v.output.c_str(), stdout);
    const auto s = flow::synth_design(d, a.synth);
    const auto& rep = s.report;
    fmt::print("synth {}: {:.0f} um2, {:.0f} NAND2-eq, {} cells, {} flip-flops, fmax {:.1f} MHz, "
               "{:.3f} pJ per {}, RTL=netlist {}\n\n",
               d.name, rep["area_um2"].get<double>(), rep["nand2_eq"].get<double>(),
               rep["cell_count"].get<std::int64_t>(), rep["flops"].get<std::int64_t>(),
               rep["timing"]["fmax_mhz"].get<double>(), rep["power"]["energy_per_op_pj"].get<double>(),
               rep["power"]["op"].get<std::string>(), rep["equivalence"]["status"].get<std::string>());
    all_ok = all_ok && lint.ok() && v.pass;
    rows.push_back({{"design", d.name},
                    {"family", d.family},
                    {"lint", lint.ok() ? "PASS" : "FAIL"},
                    {"verify", v.pass ? "PASS" : "FAIL"},
                    {"ops_checked", v.result.value("ops", 0)},
                    {"op", v.result.value("op", "op")},
                    {"area_um2", s.report["area_um2"]},
                    {"nand2_eq", s.report["nand2_eq"]},
                    {"cells", s.report["cell_count"]},
                    {"flops", s.report["flops"]},
                    {"fmax_mhz", s.report["timing"]["fmax_mhz"]},
                    {"energy_pj_per_op", s.report["power"]["energy_per_op_pj"]}});
  }
  std::string md = "| design | lint | verify | ops checked | area (µm²) | NAND2-eq | flip-flops | fmax (MHz) | "
                   "energy/op (pJ) | op |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    md += fmt::format("| {} | {} | {} | {} | {:.0f} | {:.0f} | {} | {:.1f} | {:.3f} | {} |\n",
                      r["design"].get<std::string>(), r["lint"].get<std::string>(), r["verify"].get<std::string>(),
                      r["ops_checked"].get<std::int64_t>(), r["area_um2"].get<double>(),
                      r["nand2_eq"].get<double>(), r["flops"].get<std::int64_t>(), r["fmax_mhz"].get<double>(),
                      r["energy_pj_per_op"].get<double>(), r["op"].get<std::string>());
  flow::write_text(a.out / "summary.json", ordered_json{{"format", 1}, {"designs", rows}}.dump(2) + "\n");
  flow::write_text(a.out / "summary.md", md);
  fmt::print("== summary ({}) ==\n{}", (a.out / "summary.md").string(), md);
  fmt::print("{}\n", all_ok ? "ALL PASS" : "SOME CHECKS FAILED");
  return all_ok ? 0 : 1;
}

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int cmd_bench(const BenchArgs& a) {
  using clock = std::chrono::steady_clock;
  ordered_json gen_rows = ordered_json::array();
  for (const auto* fam : units::all_families()) {
    GenerateArgs g;
    g.family = std::string(fam->name());
    // The largest array each family allows.
    const units::ParamSet limits(fam->specs());
    const auto rows = limits.spec("rows").max, cols = limits.spec("cols").max;
    const auto shape = fmt::format("{}x{}", rows, cols);
    g.sets = {fmt::format("rows={}", rows), fmt::format("cols={}", cols)};
    g.out = a.out / (g.family + "_" + shape);
    g.force = true;
    const Resolved r = resolve(g);
    std::vector<double> ms;
    std::size_t bytes = 0;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = clock::now();
      const auto files = emit::render_design(*r.family, r.params);
      emit::write_atomically(r.out, files, true);
      ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
      bytes = 0;
      for (const auto& [path, text] : files) bytes += text.size();
    }
    gen_rows.push_back({{"design", g.family + " " + shape}, {"generate_ms_median_of_5", median(ms)},
                        {"bytes", bytes}});
  }

  ordered_json sim_rows = ordered_json::array();
  for (const auto* fam : units::all_families()) {
    GenerateArgs g;
    g.family = std::string(fam->name());
    g.out = a.out / g.family;
    g.force = true;
    generate(g);
    const auto d = flow::load_design(*g.out);
    flow::VerifyOptions vo;
    vo.vectors = a.vectors;
    vo.use_ccache = false;  // a cold build is what a new design costs
    const auto v = flow::verify_design(d, vo);
    if (!v.pass) throw ToolError(fmt::format("bench: {} failed verification; see {}", d.name, v.log.string()));
    sim_rows.push_back({{"design", d.name + " (defaults)"},
                        {"verilator_build_s", v.build_seconds},
                        {"sim_cycles", v.result["cycles"]},
                        {"sim_seconds", v.result["seconds"]},
                        {"cycles_per_second", v.result["cycles_per_second"]},
                        {"ops_checked", v.result["ops"]},
                        {"op", v.result["op"]}});
  }

  const ordered_json out = {{"format", 1}, {"generator", fmt::format("qrtl {}", version())},
                            {"generation", gen_rows}, {"simulation", sim_rows}};
  flow::write_text(a.out / "bench.json", out.dump(2) + "\n");
  std::string md = "| design | generation time (median of 5) | output size |\n|---|---|---|\n";
  for (const auto& r : gen_rows)
    md += fmt::format("| {} | {:.1f} ms | {:.0f} KiB |\n", r["design"].get<std::string>(),
                      r["generate_ms_median_of_5"].get<double>(), r["bytes"].get<double>() / 1024);
  md += "\n| design | Verilator build (cold, -j2) | simulated cycles | DUT cycles/s (with golden checking) |\n"
        "|---|---|---|---|\n";
  for (const auto& r : sim_rows)
    md += fmt::format("| {} | {:.1f} s | {} | {:.0f} |\n", r["design"].get<std::string>(),
                      r["verilator_build_s"].get<double>(), r["sim_cycles"].get<std::int64_t>(),
                      r["cycles_per_second"].get<double>());
  flow::write_text(a.out / "bench.md", md);
  fmt::print("{}\nbench: {}\n", md, (a.out / "bench.json").string());
  return 0;
}

int cmd_tq_encode(const TqEncodeArgs& a) {
  std::vector<std::int64_t> w;
  quant::Encoder enc{};
  try {
    enc = quant::parse_encoder(a.encoder);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--encoder '{}' is invalid: {}", a.encoder, e.what()));
  }
  std::error_code ec;
  if (!fs::is_regular_file(a.input, ec))
    throw UsageError(fmt::format("weights file '{}' does not exist or is not a file", a.input.string()));
  try {
    w = quant::parse_weights_csv(flow::read_text(a.input));
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("{}: {}", a.input.string(), e.what()));
  }
  const quant::IntFormat f{a.value_bits, true};
  for (std::size_t k = 0; k < w.size(); ++k)
    if (!f.holds(w[k]))
      throw UsageError(fmt::format("{}: weight {} = {} does not fit --value-bits {} (signed range [{}, {}])",
                                   a.input.string(), k, w[k], a.value_bits, f.min(), f.max()));
  const int exp_bits = a.exp_bits != 0 ? a.exp_bits : quant::exp_bits_for(a.value_bits);
  for (const auto v : w)
    for (const auto& t : quant::encode(v, enc))
      if (t.exp >= (1 << exp_bits))
        throw UsageError(fmt::format("{}: weight {} has a term 2^{} that does not fit --exp-bits {} (exponents 0..{}); "
                                     "expected --exp-bits of at least {}",
                                     a.input.string(), v, t.exp, exp_bits, (1 << exp_bits) - 1,
                                     quant::exp_bits_for(t.exp)));
  std::string hex;
  try {
    hex = quant::term_memory_hex(w, a.group, a.max_terms, enc, exp_bits);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("tq-encode: {}", e.what()));
  }
  flow::write_text(a.out, hex);
  const auto groups = (w.size() + static_cast<std::size_t>(a.group) - 1) / static_cast<std::size_t>(a.group);
  fmt::print("tq-encode: {} weights -> {} groups x {} entries ({} encoding, {}-bit exponents) in {}\n", w.size(),
             groups, a.max_terms, a.encoder, exp_bits, a.out.string());
  return 0;
}

}  // namespace qrtl::cli
