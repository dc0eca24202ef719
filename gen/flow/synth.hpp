// `qrtl synth`: Yosys synthesis onto a Liberty library; area report (JSON first, Markdown from it).
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "flow/design_dir.hpp"

namespace qrtl::flow {

struct SynthOptions {
  std::string liberty = "osu018";
};

struct SynthResult {
  nlohmann::ordered_json report;   // also written to DIR/synth/report.json
  std::filesystem::path dir;       // DIR/synth
};

SynthResult synth_design(const DesignDir& d, const SynthOptions& o);

// Markdown table of a report (what report.md holds).
std::string synth_markdown(const nlohmann::ordered_json& report);

}  // namespace qrtl::flow
