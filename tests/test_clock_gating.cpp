// clock_gating = latch on the pmac/bmac family: the gated RTL passes the lint gates and the same
// bench, equals the ungated RTL formally (latches and gated clocks modelled against a global
// clock), and a broken gate enable is caught. Bad values and families without the parameter are
// usage errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <regex>

#include <nlohmann/json.hpp>

#include "flow/process.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_clock_gating_test");

fs::path design(const std::string& family, const std::string& name, const std::vector<std::string>& sets) {
  std::vector<std::string> args{"generate", family, "--set", "name=" + name, "-o", name, "--force"};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  const auto r = run_qrtl(args, kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return kWork / name;
}

qrtl::flow::RunResult qrtl_in(const std::vector<std::string>& args) { return run_qrtl(args, kWork); }

// A 1x1 4-bit pmac (and a 1x1 2-bit bmac) with dot products of up to 4 beats: small enough for a
// bounded proof over every input sequence, clock waveform included.
const std::vector<std::string> kSmallPmac{"rows=1", "cols=1", "a_bits=4", "w_bits=4", "max_len=4"};
const std::vector<std::string> kSmallBmac{"rows=1", "cols=1", "a_bits=2", "w_bits=2", "max_len=4"};

std::vector<std::string> with(std::vector<std::string> sets, const std::string& s) {
  sets.push_back(s);
  return sets;
}

// Miter of the ungated (n) and gated (g) designs after clk2fflogic, which turns every flip-flop and
// latch into logic sampled on a global clock while clk_i becomes a free input: the SAT instance
// covers any clock waveform and inputs changing in either clock phase. `steps` global steps from
// an all-zero state (two per clock cycle).
qrtl::flow::RunResult prove_equal(const fs::path& n, const fs::path& g, int steps) {
  std::string script = "read_verilog";
  for (const auto& dir : {n, g})
    for (const auto& f : fs::directory_iterator(dir / "rtl")) script += " " + f.path().string();
  const std::string nt = n.filename().string() + "_array", gt = g.filename().string() + "_array";
  script += fmt::format(
      "; proc; flatten; opt_clean; clk2fflogic; miter -equiv -flatten -make_assert {} {} miter; hierarchy -top miter;"
      " sat -seq {} -prove-asserts -set-init-zero -verify miter",
      nt, gt, steps);
  return qrtl::flow::run({"yosys", "-q", "-p", script}, kWork, kWork / (g.filename().string() + "_formal.log"));
}

}  // namespace

TEST_CASE("clock_gating=latch: pmac and bmac lint clean and pass their bench", "[clock_gating][verilator]") {
  const auto family = GENERATE(as<std::string>{}, "pmac", "bmac");
  INFO(family);
  const auto dir = design(family, family + "_cg", {"rows=2", "cols=2", "a_bits=4", "w_bits=4", "clock_gating=latch"});
  CHECK(fs::exists(dir / "rtl" / (family + "_cg_clock_gate.v")));
  auto r = qrtl_in({"lint", dir.string()});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  r = qrtl_in({"verify", dir.string(), "--vectors", "3000", "--seed", "5", "-j", "1"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("PASS"));
}

TEST_CASE("lint still fails on a latch outside the clock gate", "[clock_gating]") {
  const auto dir = design("pmac", "cg_latch", {"rows=1", "cols=1", "clock_gating=latch"});
  // Hidden from Verilator, so the Yosys gate alone must catch it.
  replace_in_file(dir / "rtl/cg_latch_ctrl.v", "assign out_valid_o = out_valid_q;",
                  "reg hold_q;\n  /* verilator lint_off LATCH */\n  always @* if (out_ready_i) hold_q = out_valid_q;\n"
                  "  /* verilator lint_on LATCH */\n  assign out_valid_o = hold_q;");
  const auto r = qrtl_in({"lint", dir.string()});
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Contains("no latches   FAIL: ERROR: Assertion failed: selection is not empty"));
  CHECK_THAT(qrtl::flow::read_text(dir / "lint/lint.log"), Contains("cg_latch_ctrl/"));
}

TEST_CASE("formal: gated and ungated pmac and bmac are equivalent", "[clock_gating][formal]") {
  const auto family = GENERATE(as<std::string>{}, "pmac", "bmac");
  const auto& small = family == "pmac" ? kSmallPmac : kSmallBmac;
  const auto n = design(family, family + "_fn", small);
  const auto g = design(family, family + "_fg", with(small, "clock_gating=latch"));
  // Two global steps per clock cycle: pmac 16 cycles, bmac 8 (4 two-bit beats; its instance grows fastest).
  const auto r = prove_equal(n, g, family == "pmac" ? 32 : 16);
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("formal: a gate enable that misses loads or reset is caught", "[clock_gating][formal]") {
  const auto n = design("pmac", "mut_fn", kSmallPmac);
  const auto g = design("pmac", "mut_fg", with(kSmallPmac, "clock_gating=latch"));
  const std::string enable = ".en_i ((step) | ~rst_ni)";
  for (const std::string broken : {".en_i (1'b0)", ".en_i ((step))"}) {
    INFO(broken);
    replace_in_file(g / "rtl/mut_fg_array.v", enable, broken);
    const auto r = prove_equal(n, g, 32);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Contains("proof did fail"));
    replace_in_file(g / "rtl/mut_fg_array.v", broken, enable);
  }
}

TEST_CASE("synth: a gated pmac maps its latch, equals its netlist and is timed through the gated clock",
          "[clock_gating][synth]") {
  const auto dir = design("pmac", "cg_syn", with(kSmallPmac, "clock_gating=latch"));
  auto r = qrtl_in({"synth", dir.string(), "--no-power", "--equiv", "on"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto rep = nlohmann::json::parse(qrtl::flow::read_text(dir / "synth/report.json"));
  CHECK(rep["cells"].value("LATCH", 0) == 1);
  CHECK(rep["equivalence"]["status"] == "proven");

  // A register whose clock pin the clock does not reach (through the gate's AND) would be missing.
  qrtl::flow::write_text(dir / "synth/clocked.tcl",
                         fmt::format("read_liberty {}\nread_verilog netlist.v\nlink_design cg_syn_array\n"
                                     "create_clock -name clk -period 10 [get_ports clk_i]\n"
                                     "puts \"clocked [llength [all_registers -clock clk]] of [llength [all_registers]]\"\n",
                                     rep["library"]["path"].get<std::string>()));
  r = qrtl::flow::run({"sta", "-no_splash", "-exit", "clocked.tcl"}, dir / "synth", dir / "synth/clocked.log");
  INFO(r.output);
  std::smatch m;
  REQUIRE(std::regex_search(r.output, m, std::regex(R"(clocked (\d+) of (\d+))")));
  CHECK(m[1] == m[2]);
  CHECK(std::stoi(m[1].str()) > 10);
}

TEST_CASE("clock_gating: a bad value or a family without it is a usage error", "[clock_gating][cli]") {
  expect_generate_usage_error("pmac", {"clock_gating=foo"},
                              "parameter 'clock_gating' = 'foo' is invalid: expected one of: none, latch",
                              kWork / "bad_value");
  expect_generate_usage_error("mmac", {"clock_gating=latch"}, "unknown parameter 'clock_gating'; allowed: ",
                              kWork / "bad_family");
}
