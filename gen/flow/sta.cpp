#include "flow/sta.hpp"

#include <array>
#include <fmt/format.h>
#include <regex>

#include "emit/render.hpp"
#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

Timing parse_timing(const std::string& report) {
  Timing t;
  std::smatch m;
  static const std::regex start_re(R"(Startpoint:\s*(\S+))"), end_re(R"(Endpoint:\s*(\S+))");
  static const std::regex arrival_re(R"((-?[0-9.]+)\s+data arrival time)");
  static const std::regex slack_re(R"((-?[0-9.]+)\s+slack \((MET|VIOLATED)\))");
  if (!std::regex_search(report, m, start_re)) throw ToolError("OpenSTA report has no critical path (Startpoint)");
  t.startpoint = m[1];
  if (std::regex_search(report, m, end_re)) t.endpoint = m[1];
  if (!std::regex_search(report, m, arrival_re) )throw ToolError("OpenSTA report has no data arrival time");
  t.arrival_ns = std::stod(m[1]);
  if (!std::regex_search(report, m, slack_re)) throw ToolError("OpenSTA report has no slack");
  t.slack_ns = std::stod(m[1]);
  return t;
}

namespace {

// One row of report_power: internal, switching, leakage and total power of a group.
std::array<double, 4> power_row(const std::string& report, const std::string& group) {
  const std::regex re("\n" + group + R"(\s+([0-9.eE+-]+)\s+([0-9.eE+-]+)\s+([0-9.eE+-]+)\s+([0-9.eE+-]+))");
  std::smatch m;
  if (!std::regex_search(report, m, re)) throw ToolError("OpenSTA report has no power " + group + " row");
  return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
}

}  // namespace

Power parse_power(const std::string& report) {
  const auto total = power_row(report, "Total");
  return {total[0], total[1], total[2], total[3]};
}

StaResult run_sta(const fs::path& dir, const std::string& tag, const Liberty& lib, const std::string& top,
                  const std::string& clock, double period_ns, const std::optional<std::string>& activity_tcl) {
  const std::string sta = require_tool("sta", "qrtl synth (timing and power)").string();
  const nlohmann::json data = {{"liberty", fs::absolute(lib.path).string()}, {"lib_name", lib.name},
                               {"top", top}, {"clock", clock}, {"period", fmt::format("{:.4f}", period_ns)},
                               {"power", activity_tcl.has_value()}, {"activity", activity_tcl.value_or("")}};
  const std::string script = tag + ".tcl";
  write_text(dir / script, emit::render_file("synth/sta.tcl.mustache", data));
  const fs::path log = dir / (tag + ".log");
  fs::remove(log);
  const auto r = run_checked("OpenSTA (" + tag + ")", {sta, "-no_splash", "-exit", script}, dir, log);
  if (r.output.find("Error") != std::string::npos)
    throw ToolError(fmt::format("OpenSTA ({}) reported an error; log: {}", tag, log.string()));
  StaResult res;
  res.timing = parse_timing(r.output);
  res.timing.period_ns = period_ns;
  res.timing.critical_ns = period_ns - res.timing.slack_ns;
  if (activity_tcl) res.power = parse_power(r.output);
  return res;
}

}  // namespace qrtl::flow
