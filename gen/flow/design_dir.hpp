// A generated design folder as the flows see it: its manifest (params.json) and files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "units/param.hpp"

namespace qrtl::flow {

struct DesignDir {
  std::filesystem::path dir;        // absolute
  nlohmann::json manifest;
  std::string family, name, top, testbench;
  std::vector<std::string> golden;  // golden-model stems the bench links (empty: all)
  std::vector<std::filesystem::path> rtl;  // absolute, children first

  std::filesystem::path filelist() const { return dir / (name + ".f"); }
};

// Throws UsageError if `dir` is not a qrtl design folder (or its manifest is damaged).
DesignDir load_design(const std::filesystem::path& dir);

// The design's parameters (params.json) as its family's parameter set.
units::ParamSet params_of(const DesignDir& d);

}  // namespace qrtl::flow
