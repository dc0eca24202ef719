#include "flow/liberty.hpp"

#include <fmt/format.h>
#include <regex>

#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

Liberty load_liberty(const std::string& spec) {
  Liberty lib;
  if (spec == "osu018" || spec == "osu035")
    lib.path = fmt::format("/usr/share/qflow/tech/{0}/{0}_stdcells.lib", spec);
  else
    lib.path = spec;
  std::error_code ec;
  if (!fs::is_regular_file(lib.path, ec))
    throw UsageError(fmt::format("liberty '{}' not found: expected osu018, osu035 (Debian packages "
                                 "qflow-tech-osu018/035) or the path of a .lib file",
                                 lib.path.string()));
  const std::string text = read_text(lib.path);

  static const std::regex library_re(R"(library\s*\(\s*\"?([A-Za-z0-9_.]+)\"?\s*\))");
  std::smatch m;
  if (std::regex_search(text, m, library_re)) lib.name = m[1];

  // Cells are scanned group by group: the text from one `cell (` to the next.
  static const std::regex cell_re(R"(\bcell\s*\(\s*\"?([A-Za-z0-9_]+)\"?\s*\))");
  static const std::regex area_re(R"(\barea\s*:\s*([0-9.eE+-]+))");
  static const std::regex seq_re(R"(\b(ff|latch|ff_bank|latch_bank)\s*\()");
  std::vector<std::pair<std::string, std::size_t>> starts;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), cell_re); it != std::sregex_iterator(); ++it)
    starts.emplace_back((*it)[1], static_cast<std::size_t>(it->position()));
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const auto begin = starts[k].second;
    const auto end = k + 1 < starts.size() ? starts[k + 1].second : text.size();
    const std::string body = text.substr(begin, end - begin);
    LibCell c;
    if (std::regex_search(body, m, area_re)) c.area = std::stod(m[1]);
    c.sequential = std::regex_search(body, seq_re);
    lib.cells[starts[k].first] = c;
  }
  if (lib.cells.empty())
    throw UsageError(fmt::format("liberty '{}' is malformed: no cell groups found", lib.path.string()));
  for (const auto& [name, c] : lib.cells)
    if (name.rfind("NAND2", 0) == 0 && c.area > 0 && (lib.nand2_cell.empty() || c.area < lib.nand2_area)) {
      lib.nand2_cell = name;
      lib.nand2_area = c.area;
    }
  if (lib.nand2_cell.empty())
    throw UsageError(fmt::format("liberty '{}' has no NAND2 cell with an area: NAND2 equivalents "
                                 "need one",
                                 lib.path.string()));
  if (lib.name.empty()) lib.name = lib.path.stem().string();
  return lib;
}

}  // namespace qrtl::flow
