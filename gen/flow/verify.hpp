// `qrtl verify`: builds the family's Verilator bench against a design folder and runs it.
// The build/run steps are shared with the gate-level (energy) run of `qrtl synth`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/design_dir.hpp"

namespace qrtl::flow {

struct VerifyOptions {
  std::uint64_t vectors = 20000;
  std::uint64_t seed = 1;
  std::optional<std::filesystem::path> waves;  // FST file; builds the bench with tracing
  int jobs = 2;
  bool use_ccache = true;
  std::vector<std::string> opts;  // family bench settings, KEY=VALUE (bench --opt), e.g. nonideal=1
};

struct BenchRun {
  bool pass = false;
  nlohmann::json result;   // the bench's RESULT line
  std::string output;      // everything else it printed
  double build_seconds = 0;
};

// Verilates the family bench of `d` with `verilog` (e.g. {"-F", "x.f"} or netlist files) and
// `extra` Verilator flags into `obj`; returns the binary. Throws ToolError with the log on failure.
std::filesystem::path build_bench(const DesignDir& d, const std::vector<std::string>& verilog,
                                  const std::vector<std::string>& extra, const std::filesystem::path& obj,
                                  const std::filesystem::path& log, const VerifyOptions& o);

// Runs a built bench; a missing RESULT line is a ToolError.
BenchRun run_bench(const std::filesystem::path& binary, const std::vector<std::string>& args,
                   const std::filesystem::path& cwd, const std::filesystem::path& log);

struct VerifyResult : BenchRun {
  std::filesystem::path log;
};

VerifyResult verify_design(const DesignDir& d, const VerifyOptions& o);

}  // namespace qrtl::flow
