// Measured switching activity for OpenSTA, which cannot read VCD/SAIF: Verilator toggle coverage
// of the gate-level simulation, attributed to the cell output pin driving each net.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace qrtl::flow {

// Toggle counts of the top module's nets ("n12", "acc_o[3]") from a Verilator coverage file.
std::map<std::string, std::uint64_t> read_toggle_counts(const std::filesystem::path& coverage,
                                                        const std::string& top);

struct ActivityTcl {
  std::string tcl;           // set_power_activity commands
  std::size_t pins = 0;      // driven nets annotated
  std::size_t ports = 0;     // input ports annotated
  double mean_activity = 0;  // toggles per cycle, averaged over annotated nets
};

// `netlist` is Yosys' write_json of the flat netlist. Each net gets activity = toggles / cycles
// (times `scale`, for what-if studies) on its driving pin; input ports directly; `clock` is skipped
// (its activity comes from the clock definition).
ActivityTcl activity_tcl(const nlohmann::json& netlist, const std::string& top, const std::string& clock,
                         const std::map<std::string, std::uint64_t>& toggles, std::uint64_t cycles,
                         double scale);

}  // namespace qrtl::flow
