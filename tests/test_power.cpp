// The energy model (flow/power.hpp) on real netlists: it agrees with OpenSTA where both can be
// compared (one uniform activity on every net), and it follows the measured switching where
// OpenSTA's Tcl route could not (zero weights, idle cycles, doubled toggles). Plus its bad input.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flow/activity.hpp"
#include "flow/liberty.hpp"
#include "flow/power.hpp"
#include "flow/process.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kWork = scratch_dir("qrtl_power_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args) { return run_qrtl(std::move(args), kWork); }

void generate_design(const std::string& dir, const std::string& config, std::vector<std::string> sets = {}) {
  std::vector<std::string> args{"generate", "-c", (fs::path(QRTL_SOURCE_DIR) / "configs/regression" / config).string(),
                                "-o", dir, "--force"};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  const auto r = qrtl_run(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

json synth(const std::string& dir, std::vector<std::string> extra) {
  std::vector<std::string> args{"synth", dir, "--equiv", "off"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = qrtl_run(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return json::parse(qrtl::flow::read_text(kWork / dir / "synth/report.json"));
}

double data_energy(const json& power) {
  return power["energy_pj"]["flops"].get<double>() + power["energy_pj"]["logic"].get<double>();
}

}  // namespace

TEST_CASE("energy model agrees with OpenSTA at one uniform activity, one design of every family", "[power]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> designs{
      {"pmac_u4s3_3x2_exhaustive.toml", {"rows=1", "cols=1"}},
      {"bmac_2b_1x1_len1.toml", {}},
      {"mmac_s4_g2_2x2_exhaustive.toml", {"rows=1", "cols=1"}},
      {"bitfusion_unsigned_2x1_len16.toml", {"rows=1"}},
      {"reram_diff_dac2_shift1.toml", {}},
      {"dnateq_3b_len64.toml", {}},
  };
  for (const auto& [config, sets] : designs) {
    const std::string dir = fs::path(config).stem().string();
    generate_design(dir, config, sets);
    const auto r = synth(dir, {"--no-power", "--crosscheck", "0.05", "--crosscheck", "0.2"});
    for (const auto& c : r["power_crosscheck"]) {
      INFO(config << " at activity " << c["activity"] << ": " << c.dump());
      // Under OpenSTA's own conventions the model reproduces report_power: netlist reading, loads,
      // slews and table lookups agree.
      CHECK(c["ratio"].get<double>() == Approx(1.0).epsilon(0.03));
      // The 3 % bound is tight enough to see a factor 2 on internal energy: the physical model
      // (mean of rise and fall per toggle, not their sum) sits well outside it.
      CHECK(std::abs(c["qrtl_physical_total_w"].get<double>() / c["opensta_total_w"].get<double>() - 1.0) > 0.03);
    }
  }
}

TEST_CASE("energy follows the measured switching: zero weights, idle cycles, doubled toggles", "[power]") {
  generate_design("p", "pmac_u4s3_3x2_exhaustive.toml", {"rows=2", "cols=2", "a_bits=8", "w_bits=8", "a_signed=true",
                                                  "w_signed=true", "max_len=64"});
  const auto busy = synth("p", {"--power-vectors", "512", "--clock-ns", "10"})["power"];
  const auto top = json::parse(qrtl::flow::read_text(kWork / "p/params.json"))["top"].get<std::string>();
  const auto busy_toggles = qrtl::flow::read_toggle_counts(kWork / "p/synth/toggles.dat", top);
  const auto zero_w = synth("p", {"--power-vectors", "512", "--clock-ns", "10", "--workload", "w_zero_fraction=1"})["power"];
  // Same input-port activity on the activations, no products: most of the logic stays still.
  CHECK(zero_w["workload"]["settings"]["w_zero_fraction"] == "1");
  CHECK(zero_w["energy_per_op_logic_pj"].get<double>() < 0.5 * busy["energy_per_op_logic_pj"].get<double>());

  // A flow that saw only the input ports' activity (the OpenSTA route this model replaces) fails
  // that check: the zero weights on the ports, the busy run's toggles inside.
  const auto lib = qrtl::flow::load_liberty("osu018");
  const auto netlist = json::parse(qrtl::flow::read_text(kWork / "p/synth/netlist.json"));
  auto ports_only = busy_toggles;
  for (const auto& [name, n] : qrtl::flow::read_toggle_counts(kWork / "p/synth/toggles.dat", top))
    if (name.rfind("w_i", 0) == 0) ports_only[name] = n;
  qrtl::flow::PowerModelOptions po;
  po.cycles = busy["cycles"].get<std::uint64_t>();
  po.period_ns = 10;
  const auto busy_model = qrtl::flow::netlist_energy(netlist, top, lib, busy_toggles, po);
  const auto ports_model = qrtl::flow::netlist_energy(netlist, top, lib, ports_only, po);
  CHECK(busy_model.energy.logic * 1e12 / busy["ops"].get<double>() ==
        Approx(busy["energy_per_op_logic_pj"].get<double>()).epsilon(1e-3));
  CHECK(ports_model.energy.logic > 0.5 * busy_model.energy.logic);

  const auto idle = synth("p", {"--power-vectors", "512", "--clock-ns", "10", "--workload", "valid_fraction=0"})["power"];
  CHECK(idle["ops"] == 0);
  CHECK(idle["energy_per_op_pj"].is_null());
  const auto logic_per_cycle = [](const json& p) {
    return p["energy_pj"]["logic"].get<double>() / p["cycles"].get<double>();
  };
  CHECK(logic_per_cycle(idle) < 0.1 * logic_per_cycle(busy));
  // An ungated clock still ticks every flop while idle.
  CHECK(idle["energy_pj"]["clock"].get<double>() / idle["cycles"].get<double>() ==
        Approx(busy["energy_pj"]["clock"].get<double>() / busy["cycles"].get<double>()).epsilon(0.05));

  // Doubling every measured data toggle doubles the data-dependent energy and leaves the clock.
  // (The OpenSTA Tcl flow this replaced moved by 1 %: its per-pin activities were ignored.)
  const auto twice = synth("p", {"--power-vectors", "512", "--clock-ns", "10", "--activity-scale", "2"})["power"];
  CHECK(data_energy(twice) == Approx(2.0 * data_energy(busy)).epsilon(0.05));
  CHECK(twice["energy_pj"]["clock"].get<double>() == Approx(busy["energy_pj"]["clock"].get<double>()).epsilon(1e-6));
  // ... and so does doubling the toggle counts themselves, net by net.
  auto toggles = qrtl::flow::read_toggle_counts(kWork / "p/synth/toggles.dat", top);
  po.cycles = twice["cycles"].get<std::uint64_t>();
  const auto measured = qrtl::flow::netlist_energy(netlist, top, lib, toggles, po);
  for (auto& [name, n] : toggles)
    if (name != "clk_i") n *= 2;
  const auto doubled = qrtl::flow::netlist_energy(netlist, top, lib, toggles, po);
  CHECK(doubled.energy.flops + doubled.energy.logic ==
        Approx(2.0 * (measured.energy.flops + measured.energy.logic)).epsilon(0.05));
  CHECK(doubled.energy.clock == Approx(measured.energy.clock).epsilon(1e-9));
}

TEST_CASE("power bad input: workload keys and values, liberty without power data, crosscheck", "[power]") {
  generate_design("b", "bmac_2b_1x1_len1.toml");
  const auto expect_usage = [](const std::vector<std::string>& args, const std::string& text) {
    const auto r = qrtl_run(args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains(text));
    // Nothing of a synth folder is started.
    CHECK_FALSE(fs::exists(kWork / "b/synth"));
  };
  expect_usage({"synth", "b", "--workload", "sparsity=0.5"},
               "unknown workload key 'sparsity' for family bmac; allowed: valid_fraction, zero_fraction");
  expect_usage({"synth", "b", "--workload", "valid_fraction=1.5"},
               "workload valid_fraction=1.5 is invalid: expected a number in [0, 1]");
  expect_usage({"synth", "b", "--workload", "zero_fraction=abc"}, "workload zero_fraction=abc is invalid");
  expect_usage({"synth", "b", "--power-point", "valid_fraction=0.5,w_zero_fraction=-1"},
               "workload w_zero_fraction=-1 is invalid: expected a number in [0, 1]");
  expect_usage({"synth", "b", "--crosscheck", "3"}, "--crosscheck 3 is invalid");
  // A liberty with cells and areas but no internal_power groups.
  std::ofstream(kWork / "nopower.lib")
      << "library (nopower) {\n  nom_voltage : 1.8;\n  cell (NAND2X1) {\n    area : 24;\n"
         "    pin (A) { direction : input; capacitance : 0.01; }\n"
         "    pin (B) { direction : input; capacitance : 0.01; }\n"
         "    pin (Y) { direction : output; function : \"(!(A B))\"; }\n  }\n}\n";
  expect_usage({"synth", "b", "--liberty", (kWork / "nopower.lib").string()},
               "has no internal_power data: energy needs it");
}

TEST_CASE("clock gating pays at a low beat rate: gated clock pins cost their own clock's toggles", "[power][clock_gating]") {
  const std::vector<std::string> small{"rows=2", "cols=2", "a_bits=4", "w_bits=4", "a_signed=true", "w_signed=true"};
  std::vector<std::string> gated = small;
  gated.push_back("clock_gating=latch");
  generate_design("cg_none", "pmac_u4s3_3x2_exhaustive.toml", small);
  generate_design("cg_latch", "pmac_u4s3_3x2_exhaustive.toml", gated);
  const std::vector<std::string> sparse{"--power-vectors", "256", "--clock-ns", "10", "--workload", "valid_fraction=0.1"};
  const auto none = synth("cg_none", sparse)["power"];
  const auto latch = synth("cg_latch", sparse)["power"];
  CHECK(latch["clock_gates"] == 1);
  CHECK(none["ops"] == latch["ops"]);
  // The bound: at one beat in ten, the gated pMAC costs at most 60 % per MAC.
  CHECK(latch["energy_per_op_pj"].get<double>() <= 0.6 * none["energy_per_op_pj"].get<double>());
  // A model that charges the gated flops' clock pins two toggles per cycle, as OpenSTA does for
  // every pin downstream of a clock gate, loses the saving: the bound rejects it. The gated clocks
  // are the nets driven by a cell with clk_i on an input.
  const auto top = json::parse(qrtl::flow::read_text(kWork / "cg_latch/params.json"))["top"].get<std::string>();
  const auto netlist = json::parse(qrtl::flow::read_text(kWork / "cg_latch/synth/netlist.json"));
  const auto& mod = netlist["modules"][top];
  const auto clk_bit = mod["ports"]["clk_i"]["bits"][0];
  std::set<json> gated_bits;
  for (const auto& [name, c] : mod["cells"].items()) {
    bool clocked = false;
    for (const auto& [pin, dir] : c["port_directions"].items())
      clocked = clocked || (dir == "input" && c["connections"][pin][0] == clk_bit);
    if (clocked)
      for (const auto& [pin, dir] : c["port_directions"].items())
        if (dir == "output") gated_bits.insert(c["connections"][pin][0]);
  }
  auto toggles = qrtl::flow::read_toggle_counts(kWork / "cg_latch/synth/toggles.dat", top);
  std::size_t rewritten = 0;
  for (const auto& [name, n] : mod["netnames"].items())
    if (n["bits"].size() == 1 && gated_bits.count(n["bits"][0]) && toggles.count(name)) {
      toggles[name] = toggles.at("clk_i");
      ++rewritten;
    }
  CHECK(rewritten >= 1);
  qrtl::flow::PowerModelOptions po;
  po.cycles = latch["cycles"].get<std::uint64_t>();
  po.period_ns = 10;
  const auto lib = qrtl::flow::load_liberty("osu018");
  const auto measured = qrtl::flow::netlist_energy(netlist, top, lib, qrtl::flow::read_toggle_counts(kWork / "cg_latch/synth/toggles.dat", top), po);
  const auto ungated_pins = qrtl::flow::netlist_energy(netlist, top, lib, toggles, po);
  CHECK(measured.energy.total() * 1e12 / latch["ops"].get<double>() ==
        Approx(latch["energy_per_op_pj"].get<double>()).epsilon(1e-3));
  CHECK(ungated_pins.energy.total() * 1e12 / latch["ops"].get<double>() > 0.6 * none["energy_per_op_pj"].get<double>());
}
