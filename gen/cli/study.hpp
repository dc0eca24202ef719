// Shared pieces of the study commands (compare-*): each generates a few designs, synthesizes
// them through qrtl synth's flow and prints a table next to a seed paper's figures.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/synth.hpp"

namespace qrtl::cli {

// Generates `family` with the KEY=VALUE `sets` into `out` (replacing it), synthesizes it and
// returns report.json's content.
nlohmann::ordered_json synth_one(const std::string& family, std::vector<std::string> sets,
                                 const std::filesystem::path& out, const flow::SynthOptions& so);

// Study defaults: no RTL-vs-netlist proof (that is qrtl synth's business, not a table's).
flow::SynthOptions study_synth_options();

// a / b, or 0 when b is not positive (a design that measured no energy).
double ratio(double a, double b);

// Writes NAME.json and NAME.md into `out` and prints the table with the path of the .md.
void write_study(const std::filesystem::path& out, const std::string& name, const nlohmann::ordered_json& json,
                 const std::string& md);

}  // namespace qrtl::cli
