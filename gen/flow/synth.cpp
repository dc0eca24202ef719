#include "flow/synth.hpp"

#include <cmath>
#include <regex>
#include <fmt/format.h>

#include "emit/render.hpp"
#include "errors.hpp"
#include "flow/liberty.hpp"
#include "flow/process.hpp"
#include "paths.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

std::string tool_version(const std::string& tool, const fs::path& cwd, const fs::path& log) {
  const auto r = run({tool, "-V"}, cwd, log);
  return r.output.substr(0, r.output.find('\n'));
}

double round_to(double v, int digits) {
  const double s = std::pow(10.0, digits);
  return std::round(v * s) / s;
}

}  // namespace

SynthResult synth_design(const DesignDir& d, const SynthOptions& o) {
  const std::string yosys = require_tool("yosys", "qrtl synth").string();
  const Liberty lib = load_liberty(o.liberty);
  SynthResult res;
  res.dir = d.dir / "synth";
  fs::remove_all(res.dir);
  fs::create_directories(res.dir);

  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : d.rtl) files.push_back(f.string());
  const nlohmann::json data = {{"files", files},
                               {"top", d.top},
                               {"liberty", fs::absolute(lib.path).string()},
                               {"lib_name", lib.name}};
  write_text(res.dir / "area.ys", emit::render_file("synth/area.ys.mustache", data));
  const fs::path log = res.dir / "yosys.log";
  run_checked(fmt::format("Yosys synthesis of {}", d.name), {yosys, "-q", "-s", "area.ys"}, res.dir, log);

  nlohmann::json stat;
  try {
    stat = nlohmann::json::parse(read_text(res.dir / "stat.json"));
  } catch (const nlohmann::json::exception& e) {
    throw ToolError(fmt::format("cannot parse Yosys statistics {}: {}", (res.dir / "stat.json").string(), e.what()));
  }
  const auto& mods = stat.at("modules");
  if (mods.size() != 1) throw ToolError("Yosys statistics: expected one flattened module");
  const auto& top = mods.begin().value();

  double area = 0;
  std::int64_t cell_count = 0, flops = 0;
  ordered_json cells = ordered_json::object();
  for (const auto& [cell, n_json] : top.at("num_cells_by_type").items()) {
    const auto n = n_json.get<std::int64_t>();
    auto it = lib.cells.find(cell);
    if (it == lib.cells.end())
      throw ToolError(fmt::format("synthesized netlist of {} has cell '{}' that is not in {} "
                                  "(unmapped logic); see {}",
                                  d.name, cell, lib.path.string(), log.string()));
    area += it->second.area * static_cast<double>(n);
    cell_count += n;
    if (it->second.sequential) flops += n;
    cells[cell] = n;
  }

  // Yosys' own total (stat -liberty) must agree with the sum over the liberty parsed here.
  static const std::regex chip_re(R"(Chip area for module [^:]*:\s*([0-9.]+))");
  const std::string stat_txt = read_text(res.dir / "stat.txt");
  std::smatch m;
  if (!std::regex_search(stat_txt, m, chip_re) || std::abs(std::stod(m[1]) - area) > 0.01 * std::max(1.0, area) / 100)
    throw ToolError(fmt::format("area of {} computed from {} disagrees with Yosys' stat -liberty in {}",
                                d.name, lib.path.string(), (res.dir / "stat.txt").string()));

  res.report = {
      {"format", 1},
      {"design", d.name},
      {"family", d.family},
      {"top", d.top},
      {"generator", fmt::format("qrtl {}", version())},
      {"tools", {{"yosys", tool_version(yosys, res.dir, log)}}},
      {"library", {{"name", lib.name}, {"path", lib.path.string()}, {"nand2_cell", lib.nand2_cell},
                   {"nand2_area_um2", lib.nand2_area}}},
      {"area_um2", round_to(area, 2)},
      {"nand2_eq", round_to(area / lib.nand2_area, 1)},
      {"cell_count", cell_count},
      {"flops", flops},
      {"cells", cells},
      {"params", d.manifest.at("params")},
      {"derived", d.manifest.at("derived")},
  };
  write_text(res.dir / "report.json", res.report.dump(2) + "\n");
  write_text(res.dir / "report.md", synth_markdown(res.report));
  return res;
}

std::string synth_markdown(const ordered_json& r) {
  std::string md = fmt::format("# Synthesis report: `{}` ({})\n\n", r["design"].get<std::string>(),
                               r["family"].get<std::string>());
  md += fmt::format("Library `{}` ({}), {}; {}.\n\n", r["library"]["name"].get<std::string>(),
                    r["library"]["path"].get<std::string>(), r["tools"]["yosys"].get<std::string>(),
                    r["generator"].get<std::string>());
  md += "| metric | value |\n|---|---|\n";
  md += fmt::format("| area | {:.2f} µm² |\n", r["area_um2"].get<double>());
  md += fmt::format("| NAND2 equivalents | {:.1f} ({} = {} µm²) |\n", r["nand2_eq"].get<double>(),
                    r["library"]["nand2_cell"].get<std::string>(), r["library"]["nand2_area_um2"].get<double>());
  md += fmt::format("| cells | {} |\n| flip-flops | {} |\n\n", r["cell_count"].get<std::int64_t>(),
                    r["flops"].get<std::int64_t>());
  md += "| cell | count |\n|---|---|\n";
  for (const auto& [cell, n] : r["cells"].items()) md += fmt::format("| {} | {} |\n", cell, n.get<std::int64_t>());
  return md;
}

}  // namespace qrtl::flow
