// qrtl command line: parsing only; the work is in commands.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <regex>

#include "cli/commands.hpp"
#include "errors.hpp"
#include "paths.hpp"

namespace {

// Validates KEY=VALUE (or, with `list`, KEY=VALUE[,KEY=VALUE...]) options passed on to a bench.
CLI::Validator key_values(bool list) {
  return CLI::Validator(
      [list](std::string& v) -> std::string {
        static const std::regex one(R"([a-z_]+=[^=\s]+)");
        static const std::regex many(R"([a-z_]+=[^,=\s]+(,[a-z_]+=[^,=\s]+)*)");
        if (std::regex_match(v, list ? many : one)) return "";
        return "'" + v + "' is invalid: expected " + (list ? "KEY=VALUE[,KEY=VALUE...], e.g. k=8,ka=2" : "KEY=VALUE, e.g. nonideal=1");
      },
      list ? "KEY=VALUE[,...]" : "KEY=VALUE");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qrtl::cli;
  CLI::App app{"qrtl: generator of verified, synthesizable Verilog for quantized-DNN arithmetic"};
  app.set_version_flag("--version", std::string("qrtl ") + std::string(qrtl::version()));
  app.require_subcommand(1);

  std::string list_family;
  bool list_json = false;
  auto* list = app.add_subcommand("list", "list the unit families, or one family's parameters");
  list->add_option("family", list_family, "family to describe");
  list->add_flag("--json", list_json, "machine-readable output");

  GenerateArgs gen;
  auto* generate = app.add_subcommand("generate", "generate a design folder for chosen parameters");
  generate->add_option("family", gen.family, "unit family (see qrtl list); optional if the config names it");
  generate->add_option("-c,--config", gen.config, "TOML parameter file");
  generate->add_option("--set", gen.sets, "override a parameter: KEY=VALUE (repeatable)");
  generate->add_option("-o,--out", gen.out, "output folder (default: rtl_out/NAME)");
  generate->add_flag("-f,--force", gen.force, "replace an existing design folder");

  std::filesystem::path dir;
  auto* lint = app.add_subcommand("lint", "Verilator -Wall, Icarus -g2005 and Yosys check gates");
  lint->add_option("dir", dir, "design folder")->required();

  qrtl::flow::VerifyOptions vo;
  std::filesystem::path waves;
  auto* verify = app.add_subcommand("verify", "build the Verilator bench and compare with the golden model");
  verify->add_option("dir", dir, "design folder")->required();
  verify->add_option("--vectors", vo.vectors, "random beats after the directed phases")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000000000}));
  verify->add_option("--seed", vo.seed, "random seed");
  verify->add_option("--waves", waves, "dump an FST waveform to this file");
  verify->add_option("-j,--jobs", vo.jobs, "parallel compile jobs")->check(CLI::Range(1, 64));
  verify->add_option("--opt", vo.opts, "family bench setting KEY=VALUE (repeatable; reram: nonideal=1, sigma=S, offset=O)")
      ->check(key_values(false));

  qrtl::flow::SynthOptions so;
  auto* synth = app.add_subcommand("synth", "Yosys synthesis: area, cells, NAND2 equivalents");
  synth->add_option("dir", dir, "design folder")->required();
  synth->add_option("--liberty", so.liberty, "osu018 (default), osu035, osu050 or a .lib path");
  synth->add_option("--clock-ns", so.clock_ns, "clock period for slack and power (default: the critical path)");
  synth->add_flag("!--no-power", so.power, "skip the gate-level simulation and power analysis");
  synth->add_option("--power-vectors", so.power_vectors, "beats of the power workload")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  synth->add_option("--activity-scale", so.activity_scale, "multiply the measured toggles of the data nets, not the clock network (what-if)")
      ->check(CLI::Range(0.0, 1000.0));
  synth->add_option("--workload", so.workload,
                    "power-workload setting KEY=VALUE, the default operating point (repeatable; keys: "
                    "qrtl list FAMILY, e.g. valid_fraction=0.1, zero_fraction=0.5)")
      ->check(key_values(false));
  synth->add_option("--power-point", so.power_points,
                    "energy at this operating point instead, KEY=VALUE[,KEY=VALUE] on top of --workload "
                    "(repeatable; e.g. mmac k=8,ka=2)")
      ->check(key_values(true));
  synth->add_option("--crosscheck", so.crosscheck,
                    "compare the energy model with OpenSTA at this uniform activity per net (repeatable)");
  synth->add_option("--equiv", so.equiv, "formal RTL-vs-netlist check: auto (small designs), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}));

  RunArgs ra;
  auto* run = app.add_subcommand("run", "default job: generate, lint, verify and synthesize the default designs");
  run->add_option("-o,--out", ra.out, "output root (default: rtl_out)");
  run->add_option("--vectors", ra.verify.vectors, "random beats per design")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000000000}));
  run->add_option("--seed", ra.verify.seed, "random seed");
  run->add_option("--liberty", ra.synth.liberty, "osu018 (default), osu035, osu050 or a .lib path");
  run->add_option("--clock-ns", ra.synth.clock_ns, "clock period (default: each design's critical path)");

  BenchArgs ba;
  auto* bench = app.add_subcommand("bench", "benchmark: generation time, Verilator build time, simulation throughput");
  bench->add_option("-o,--out", ba.out, "work folder (default: build/bench)");
  bench->add_option("--vectors", ba.vectors, "random beats per throughput run")
      ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1000000000}));

  TqEncodeArgs tq;
  auto* tq_encode = app.add_subcommand("tq-encode", "weights -> MSB-first group term memory image ($readmemh hex)");
  tq_encode->add_option("weights", tq.input, "integers separated by commas/whitespace")->required();
  tq_encode->add_option("-g,--group", tq.group, "group size g")->check(CLI::Range(1, 1024));
  tq_encode->add_option("-k,--max-terms", tq.max_terms, "term budget per group (entries per group)")
      ->check(CLI::Range(1, 4096));
  tq_encode->add_option("--encoder", tq.encoder, "binary, hese or naf");
  tq_encode->add_option("--value-bits", tq.value_bits, "signed weight width")->check(CLI::Range(2, 32));
  tq_encode->add_option("--exp-bits", tq.exp_bits,
                        "exponent field width of an entry (default: enough for --value-bits, as mmac designs read it)")
      ->check(CLI::Range(1, 6));
  tq_encode->add_option("-o,--out", tq.out, "output hex file")->required();

  // Subcommands defined in their own files.
  const std::vector<Subcommand> extra{add_compare_mmac(app), add_reram_adc_table(app), add_reram_cost(app),
                                      add_compare_bitfusion(app), add_dnateq_search(app), add_compare_dnateq(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "qrtl: error: %s (see qrtl --help)\n", e.what());
    return 2;
  }

  try {
    if (*list) return cmd_list(list_family, list_json);
    if (*generate) return cmd_generate(gen);
    if (*lint) return cmd_lint(dir);
    if (*verify) {
      if (!waves.empty()) vo.waves = waves;
      return cmd_verify(dir, vo);
    }
    if (*synth) return cmd_synth(dir, so);
    if (*run) return cmd_run(ra);
    if (*bench) return cmd_bench(ba);
    if (*tq_encode) return cmd_tq_encode(tq);
    for (const auto& x : extra)
      if (*x.app) return x.run();
  } catch (const qrtl::UsageError& e) {
    std::fprintf(stderr, "qrtl: error: %s\n", e.what());
    return 2;
  } catch (const qrtl::ToolError& e) {
    std::fprintf(stderr, "qrtl: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qrtl: internal error: %s\n", e.what());
    return 1;
  }
  return 2;
}
