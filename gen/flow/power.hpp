// Energy of a mapped netlist from the measured toggles of every net and the liberty's data.
//
// Per net: toggles T (from the gate-level simulation), load C = the input-pin capacitances it
// drives (no wire model), rise/fall slews propagated from the liberty's transition tables (inputs
// and the ideal clock network, gated clocks included, at 0 slew). Per cell: switching ½·C·V² per output toggle; internal energy per
// output toggle from the output pin's internal_power tables at the related input's slew and the
// output load, arcs weighted by how often each related input toggles times its Boolean-difference
// sensitivity; input-pin ("passive") internal energy per toggle of that pin, so a flip-flop's clock
// pin costs what its own clock net toggled (two per cycle ungated, fewer when gated); leakage over
// the run. Glitches are not seen (zero-delay simulation), nor wires or a clock tree.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "flow/liberty.hpp"

namespace qrtl::flow {

// Energy over the run, joules, by where it goes.
struct EnergySplit {
  double clock = 0;    // clock-pin internal energy of every flop/latch, clock-net switching, clock gates and buffers
  double flops = 0;    // flip-flops' data side: output internal energy, D-pin energy, output-net switching
  double logic = 0;    // combinational cells and their output nets, and the nets of the data input ports
  double memory = 0;   // memory macros (per-access energies from their data file)
  double leakage = 0;  // every cell, over the run
  double total() const { return clock + flops + logic + memory + leakage; }
};

struct PowerModelResult {
  EnergySplit energy;
  double internal = 0, switching = 0;  // the same total by mechanism (joules; leakage apart)
  std::size_t nets = 0;                // nets of the netlist (bits), constants excluded
  std::size_t nets_measured = 0;       // ... that had a toggle count in the simulation
  std::size_t clock_nets = 0;          // nets in the clock network (the clock port and nets it drives through logic)
  std::size_t clock_gates = 0;         // latches that gate a clock
  double mean_toggle_rate = 0;         // toggles per cycle averaged over the data nets
};

struct PowerModelOptions {
  std::string clock_port = "clk_i";
  std::uint64_t cycles = 0;
  double period_ns = 0;
  double activity_scale = 1.0;              // multiplies every measured data-net toggle count
  // Cross-check mode: every data net toggles `uniform_activity` times per cycle and the clock
  // network twice per cycle, whatever was measured (what OpenSTA's set_power_activity -global does).
  std::optional<double> uniform_activity;
  // Physical: each toggle costs its rise or its fall energy (their mean), input-pin energy per
  // toggle of the pin, every net's ½CV². OpenSta2019: the conventions of Debian's OpenSTA (2019)
  // report_power, for the cross-check only: rise + fall energy per toggle, arcs weighted by its
  // inferred "when" conditions, non-clock input pins at half, no port nets.
  enum class Convention { Physical, OpenSta2019 } convention = Convention::Physical;
};

// Throws UsageError unless the liberty has what the model needs (internal_power tables, a voltage).
void check_power_data(const Liberty& lib);

// `netlist` is Yosys' write_json of the flat mapped netlist; `toggles` are the per-signal toggle
// counts of the top module ("n12", "acc_o[3]"). Throws ToolError for a cell the liberty lacks and
// UsageError for a liberty without internal_power data.
PowerModelResult netlist_energy(const nlohmann::json& netlist, const std::string& top, const Liberty& lib,
                                const std::map<std::string, std::uint64_t>& toggles, const PowerModelOptions& o);

}  // namespace qrtl::flow
