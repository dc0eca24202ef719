// Measured switching activity: Verilator toggle coverage of the gate-level simulation, per net.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace qrtl::flow {

// Toggle counts of the top module's nets ("n12", "acc_o[3]") from a Verilator coverage file.
std::map<std::string, std::uint64_t> read_toggle_counts(const std::filesystem::path& coverage,
                                                        const std::string& top);

}  // namespace qrtl::flow
