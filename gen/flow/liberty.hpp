// Just enough of a Liberty file for reports: cell areas, which cells are sequential, and the
// NAND2 reference area for NAND2 equivalents.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace qrtl::flow {

struct LibCell {
  double area = 0;
  bool sequential = false;
};

struct Liberty {
  std::string name;                // library(...) name
  std::filesystem::path path;
  std::map<std::string, LibCell> cells;
  std::string nand2_cell;          // smallest NAND2
  double nand2_area = 0;
};

// `spec` is "osu018", "osu035" (Debian qflow-tech packages) or a path to a .lib file.
// Throws UsageError for a missing file or one without cells / without a NAND2 cell.
Liberty load_liberty(const std::string& spec);

}  // namespace qrtl::flow
