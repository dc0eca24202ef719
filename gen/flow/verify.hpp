// `qrtl verify`: builds the family's Verilator bench against a design folder and runs it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "flow/design_dir.hpp"

namespace qrtl::flow {

struct VerifyOptions {
  std::uint64_t vectors = 20000;
  std::uint64_t seed = 1;
  std::optional<std::filesystem::path> waves;  // FST file; builds the bench with tracing
  int jobs = 2;
  bool use_ccache = true;
};

struct VerifyResult {
  bool pass = false;
  nlohmann::json result;         // the bench's RESULT line
  std::string output;            // everything else it printed
  double build_seconds = 0;
  std::filesystem::path log;
};

VerifyResult verify_design(const DesignDir& d, const VerifyOptions& o);

}  // namespace qrtl::flow
