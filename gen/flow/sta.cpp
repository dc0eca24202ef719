#include "flow/sta.hpp"

#include <array>
#include <fmt/format.h>
#include <optional>
#include <regex>

#include "emit/render.hpp"
#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

// report_checks prints the worst path of each path group (register paths of the clock, clock
// gating checks, ...): the one with the least slack sets the critical path.
Timing parse_timing(const std::string& report) {
  static const std::regex start_re(R"(Startpoint:\s*(\S+))"), end_re(R"(Endpoint:\s*(\S+))");
  static const std::regex arrival_re(R"((-?[0-9.]+)\s+data arrival time)");
  static const std::regex slack_re(R"((-?[0-9.]+)\s+slack \((MET|VIOLATED)\))");
  std::vector<std::size_t> starts;
  for (auto it = std::sregex_iterator(report.begin(), report.end(), start_re); it != std::sregex_iterator(); ++it)
    starts.push_back(static_cast<std::size_t>(it->position()));
  if (starts.empty()) throw ToolError("OpenSTA report has no critical path (Startpoint)");
  std::optional<Timing> worst;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::string path = report.substr(starts[k], (k + 1 < starts.size() ? starts[k + 1] : report.size()) - starts[k]);
    std::smatch m;
    Timing t;
    std::regex_search(path, m, start_re);
    t.startpoint = m[1];
    if (std::regex_search(path, m, end_re)) t.endpoint = m[1];
    if (!std::regex_search(path, m, arrival_re)) throw ToolError("OpenSTA report has no data arrival time");
    t.arrival_ns = std::stod(m[1]);
    if (!std::regex_search(path, m, slack_re)) throw ToolError("OpenSTA report has no slack");
    t.slack_ns = std::stod(m[1]);
    // A path into a transparent latch (a clock gate's) borrows time and reports slack 0; what is
    // left of the borrow limit is its real margin: the enable must settle before the latch closes.
    static const std::regex max_borrow_re(R"(max time borrow\s+(-?[0-9.]+))"), borrow_re(R"(actual time borrow\s+(-?[0-9.]+))");
    std::smatch mb, ab;
    if (std::regex_search(path, mb, max_borrow_re) && std::regex_search(path, ab, borrow_re))
      t.slack_ns += std::stod(mb[1]) - std::stod(ab[1]);
    if (!worst || t.slack_ns < worst->slack_ns) worst = t;
  }
  return *worst;
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
