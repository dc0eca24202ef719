// qrtl synth end to end on small designs: report contents, bad input, the liberty reader, and
// physical sanity (an idle design leaks only, multiplier area grows super-linearly).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "flow/liberty.hpp"
#include "flow/process.hpp"
#include "flow/synth.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_synth_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args) { return run_qrtl(std::move(args), kWork); }

void generate(const std::string& dir, std::vector<std::string> sets, const char* family = "pmac") {
  std::vector<std::string> args{"generate", family, "-o", dir, "--force"};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  REQUIRE(qrtl_run(args).exit_code == 0);
}

nlohmann::json synth(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"synth", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = qrtl_run(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(qrtl::flow::read_text(kWork / dir / "synth/report.json"));
}

}  // namespace

TEST_CASE("synth reports area, timing, energy, equivalence and is reproducible", "[synth]") {
  generate("s4", {"rows=2", "cols=1", "a_bits=4", "w_bits=4", "max_len=16"});
  const auto r = synth("s4");
  CHECK(r["area_um2"].get<double>() > 0);
  CHECK(r["flops"] == 2 * (4 + 4 + 4) + 2);  // two 12-bit accumulators + controller
  CHECK(r["timing"]["met"] == true);
  CHECK(r["timing"]["fmax_mhz"].get<double>() > 10);
  CHECK(r["power"]["gate_level_check"] == "PASS");
  CHECK(r["power"]["energy_per_op_pj"].get<double>() > 0);
  // Clock, flip-flops, logic, memory and leakage split the total, per run and per op.
  const auto& p = r["power"];
  const auto& e = p["energy_pj"];
  CHECK(e["clock"].get<double>() > 0);
  CHECK(e["flops"].get<double>() > 0);
  CHECK(e["logic"].get<double>() > 0);
  CHECK(e["memory"].get<double>() == 0);
  CHECK(e["clock"].get<double>() + e["flops"].get<double>() + e["logic"].get<double>() + e["leakage"].get<double>() ==
        Approx(e["total"].get<double>()).epsilon(1e-4));
  double per_op = 0;
  for (const char* k : {"clock", "flops", "logic", "memory", "leakage"})
    per_op += p[fmt::format("energy_per_op_{}_pj", k)].get<double>();
  CHECK(per_op == Approx(p["energy_per_op_pj"].get<double>()).epsilon(1e-3));
  CHECK(p["nets_measured"] == p["nets"]);
  CHECK(r["equivalence"]["status"] == "proven");
  double module_sum = 0;
  for (const auto& m : r["modules"]) module_sum += m["area_total_um2"].get<double>();
  CHECK(module_sum == Approx(r["area_um2"].get<double>()).epsilon(0.15));
  const std::string first = qrtl::flow::read_text(kWork / "s4/synth/report.json");
  synth("s4");
  CHECK(qrtl::flow::read_text(kWork / "s4/synth/report.json") == first);
  CHECK_THAT(qrtl::flow::read_text(kWork / "s4/synth/report.csv"), Contains("design,family,library,area_um2"));
}

// Doubled toggles and the response to the data are checked in tests/test_power.cpp.
TEST_CASE("power sanity: an idle design leaks only", "[synth]") {
  generate("pw", {"rows=1", "cols=1", "a_bits=4", "w_bits=4", "max_len=16"}, "bmac");
  // No data toggles and a clock that (practically) never ticks: leakage is all that is left.
  const auto idle = synth("pw", {"--clock-ns", "1e9", "--equiv", "off", "--activity-scale", "0"});
  const double leak = idle["power"]["leakage_w"].get<double>();
  CHECK(leak > 0);
  CHECK(idle["power"]["total_w"].get<double>() == Approx(leak).epsilon(0.01));
}

TEST_CASE("pMAC area grows super-linearly with operand width", "[synth]") {
  std::vector<double> area;
  for (int bits : {4, 8, 16}) {
    const std::string dir = fmt::format("w{}", bits);
    generate(dir, {"rows=1", "cols=1", fmt::format("a_bits={}", bits), fmt::format("w_bits={}", bits), "max_len=1"});
    area.push_back(synth(dir, {"--no-power", "--equiv", "off"})["area_um2"].get<double>());
  }
  CHECK(area[1] > 2.5 * area[0]);
  CHECK(area[2] > 2.5 * area[1]);
}

TEST_CASE("synth bad input: liberty, tool failure, unmeetable clock", "[synth]") {
  generate("bad", {"rows=1", "cols=1", "a_bits=4", "w_bits=4"});
  auto r = qrtl_run({"synth", "bad", "--liberty", "missing.lib"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("liberty 'missing.lib' not found"));
  std::ofstream(kWork / "junk.lib") << "library (junk) { }\n";
  r = qrtl_run({"synth", "bad", "--liberty", "junk.lib"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("junk.lib' is malformed: no cell groups found"));
  r = qrtl_run({"synth", "bad", "--equiv", "maybe"});
  CHECK(r.exit_code == 2);
  r = qrtl_run({"synth", "bad", "--clock-ns", "-3"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("--clock-ns -3 is invalid"));

  // A clock that cannot be met is a result (negative slack), not an error.
  const auto fast = synth("bad", {"--clock-ns", "0.2", "--equiv", "off"});
  CHECK(fast["timing"]["met"] == false);
  CHECK(fast["timing"]["slack_ns"].get<double>() < 0);

  // A failing tool names its kept log.
  qrtl::flow::write_text(kWork / "bad/rtl/bad_ctrl.v", "module bad_ctrl(; endmodule\n");
  r = qrtl_run({"synth", "bad"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("Yosys (area) for bad failed") && Contains("bad/synth/area.log"));
  CHECK(fs::exists(kWork / "bad/synth/area.log"));
}

TEST_CASE("netlist concatenation assigns become one assign per bit, port slices and constants expanded", "[synth]") {
  const std::string in =
      "module m;\n  assign { y_o[5:4], n1 } = { y_o[7], y_o[7], 1'h0 };\n  assign { a, b } = 2'h1;\n"
      "  assign { c[0:1] } = { d, e };\nendmodule\n";
  const std::string out = qrtl::flow::split_concat_assigns(in);
  CHECK(out.find("assign y_o[5] = y_o[7];") != std::string::npos);
  CHECK(out.find("assign y_o[4] = y_o[7];") != std::string::npos);
  CHECK(out.find("assign n1 = 1'b0;") != std::string::npos);
  CHECK(out.find("assign a = 1'b0;") != std::string::npos);
  CHECK(out.find("assign b = 1'b1;") != std::string::npos);
  CHECK(out.find("assign c[0] = d;") != std::string::npos);
  CHECK(out.find("assign c[1] = e;") != std::string::npos);
  CHECK(out.find('{') == std::string::npos);
  CHECK_THROWS_AS(qrtl::flow::split_concat_assigns("assign { a, b } = { c };"), qrtl::ToolError);
}

TEST_CASE("liberty: NAND2 found by function, zero areas from the LEF, osu050 by name", "[synth]") {
  // Another naming style: no cell is called NAND2*, and the smallest !(A&B) is the reference.
  qrtl::flow::write_text(kWork / "other.lib",
                         "library (other) {\n  nom_voltage : 1.2;\n"
                         "  cell (ND2_X2) { area : 2.0;\n    pin (A1) { direction : input; }\n"
                         "    pin (A2) { direction : input; }\n    pin (ZN) { direction : output; function : \"!(A1 & A2)\"; } }\n"
                         "  cell (ND2_X1) { area : 1.0;\n    pin (A1) { direction : input; }\n"
                         "    pin (A2) { direction : input; }\n    pin (ZN) { direction : output; function : \"(A1 A2)'\"; } }\n"
                         "  cell (NAND2_FAKE) { area : 0.5;\n    pin (A) { direction : input; }\n"
                         "    pin (B) { direction : input; }\n    pin (Y) { direction : output; function : \"A | B\"; } }\n"
                         "}\n");
  const auto other = qrtl::flow::load_liberty((kWork / "other.lib").string());
  CHECK(other.nand2_cell == "ND2_X1");
  CHECK(other.nand2_area == 1.0);
  CHECK(other.voltage == 1.2);

  const auto osu018 = qrtl::flow::load_liberty("osu018");
  CHECK(osu018.cells.at("LATCH").liberty_area == 0);
  CHECK(osu018.cells.at("LATCH").area == Approx(56.0));  // LEF SIZE 5.6 BY 10.0
  CHECK(osu018.cells.at("DFFPOSX1").area == osu018.cells.at("DFFPOSX1").liberty_area);
  const auto osu050 = qrtl::flow::load_liberty("osu050");
  CHECK(osu050.nand2_cell == "NAND2X1");
  CHECK(osu050.cells.at("LATCH").area > 0);
}
