#include "flow/synth.hpp"

#include <cmath>
#include <fmt/format.h>
#include <regex>
#include <sstream>

#include "emit/render.hpp"
#include "errors.hpp"
#include "flow/activity.hpp"
#include "flow/power.hpp"
#include "flow/liberty.hpp"
#include "flow/process.hpp"
#include "flow/sta.hpp"
#include "flow/verify.hpp"
#include "paths.hpp"
#include "units/family.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr const char* kClock = "clk_i";  // every family's clock port (DESIGN.md conventions)

// ABC script of the flat and the per-module mapping: Yosys' default liberty-mapping script without
// `&fraig -x` (it does not terminate on multipliers of 16 bits and more with the ABC of Yosys 0.23),
// then ABC's buffering and gate sizing, as `abc -D` would add. Without them one gate or flop drives
// hundreds of loads (enables, selects, broadcast operands) with microsecond slews, and both timing
// and internal power are meaningless. `-p` also buffers ABC's primary inputs: flop outputs and ports.
constexpr const char* kAbcScript = "+strash;dc2;strash;&get,-n;&dch,-f;&nf;&put;buffer,-p;upsize;dnsize";

double round_to(double v, int digits) {
  const double s = std::pow(10.0, digits);
  return std::round(v * s) / s;
}

std::string first_line_of(const std::string& tool, const std::string& flag, const fs::path& dir, const fs::path& log) {
  const auto r = run({tool, flag}, dir, log);
  return r.output.substr(0, r.output.find('\n'));
}

struct CellStats {
  double area = 0;
  double liberty_area = 0;  // with the liberty's own areas (before qrtl's corrections): Yosys' view
  std::int64_t cells = 0, flops = 0;
  ordered_json by_type = ordered_json::object();
};

// Sums the library cells of one module of `stat -json`; instances of other modules are skipped.
CellStats cell_stats(const nlohmann::json& module_stat, const Liberty& lib, bool strict, const std::string& what) {
  CellStats s;
  for (const auto& [cell, n_json] : module_stat.at("num_cells_by_type").items()) {
    const auto n = n_json.get<std::int64_t>();
    const auto it = lib.cells.find(cell);
    if (it == lib.cells.end()) {
      if (strict)
        throw ToolError(fmt::format("the netlist of {} has cell '{}' that is not in {} (unmapped logic)",
                                    what, cell, lib.path.string()));
      continue;
    }
    s.area += it->second.area * static_cast<double>(n);
    s.liberty_area += it->second.liberty_area * static_cast<double>(n);
    s.cells += n;
    if (it->second.sequential) s.flops += n;
    s.by_type[cell] = n;
  }
  return s;
}

nlohmann::json parse_json_text(const std::string& text, const fs::path& p) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ToolError(fmt::format("cannot parse {}: {}", p.string(), e.what()));
  }
}

nlohmann::json parse_json_file(const fs::path& p) { return parse_json_text(read_text(p), p); }

// stat -json of Yosys 0.23 can leave a trailing comma after its last module.
nlohmann::json parse_yosys_stat(const fs::path& p) {
  static const std::regex trailing_comma(R"(,(\s*[}\]]))");
  return parse_json_text(std::regex_replace(read_text(p), trailing_comma, "$1"), p);
}

// One operating point of the power workload: KEY=VALUE settings for the bench.
struct WorkloadPoint {
  std::vector<std::pair<std::string, std::string>> settings;
  std::string label() const {
    std::string s;
    for (const auto& [k, v] : settings) s += (s.empty() ? "" : ",") + k + "=" + v;
    return s.empty() ? "defaults" : s;
  }
};

// Adds KEY=VALUE to `p` (replacing an earlier value of KEY) after checking it against the family.
void add_setting(WorkloadPoint& p, const units::Family& fam, const std::vector<units::WorkloadKey>& keys,
                 const std::string& kv, const std::string& flag) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(fmt::format("{} '{}' is invalid: expected KEY=VALUE", flag, kv));
  const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  units::check_workload_setting(fam.name(), keys, key, value);
  for (auto& [k, v] : p.settings)
    if (k == key) {
      v = value;
      return;
    }
  p.settings.emplace_back(key, value);
}

// --workload settings are the default point; each --power-point (KEY=VALUE[,KEY=VALUE...])
// replaces it with those settings on top of --workload's.
std::vector<WorkloadPoint> workload_points(const DesignDir& d, const SynthOptions& o) {
  const auto& fam = units::find_family(d.family);
  const auto keys = fam.workload_keys(params_of(d));
  WorkloadPoint base;
  for (const auto& kv : o.workload) add_setting(base, fam, keys, kv, "--workload");
  if (o.power_points.empty()) return {base};
  std::vector<WorkloadPoint> out;
  for (const auto& point : o.power_points) {
    WorkloadPoint p = base;
    for (std::size_t start = 0; start <= point.size();) {
      const auto end = std::min(point.find(',', start), point.size());
      add_setting(p, fam, keys, point.substr(start, end - start), "--power-point");
      start = end + 1;
    }
    out.push_back(std::move(p));
  }
  return out;
}

class Synth {
 public:
  Synth(const DesignDir& d, const SynthOptions& o)
      : d_(d), o_(o), points_(workload_points(d, o)), yosys_(require_tool("yosys", "qrtl synth").string()),
        lib_(load_liberty(o.liberty)), dir_(d.dir / "synth") {
    if (o.clock_ns && !(*o.clock_ns > 0))
      throw UsageError(fmt::format("--clock-ns {} is invalid: expected a positive period in ns", *o.clock_ns));
    if (o.power || !o.crosscheck.empty()) check_power_data(lib_);
    for (const double a : o.crosscheck)
      if (!(a >= 0 && a <= 2))
        throw UsageError(fmt::format("--crosscheck {} is invalid: expected an activity in [0, 2] toggles per cycle", a));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : d.rtl) files.push_back(f.string());
    data_ = {{"files", files}, {"top", d.top}, {"liberty", fs::absolute(lib_.path).string()}, {"lib_name", lib_.name},
             {"abc_script", kAbcScript}, {"latch_map", data_path("synth/latch_map.v").string()}};
  }

  SynthResult run() {
    yosys("area");
    write_text(dir_ / "netlist.v", split_concat_assigns(read_text(dir_ / "netlist.v")));
    const auto stat = parse_yosys_stat(dir_ / "stat.json").at("modules");
    if (stat.size() != 1) throw ToolError("Yosys statistics: expected one flattened module");
    const CellStats flat = cell_stats(stat.begin().value(), lib_, true, d_.name);
    check_against_yosys(flat.liberty_area);

    ordered_json rep = {
        {"format", 1},
        {"design", d_.name},
        {"family", d_.family},
        {"top", d_.top},
        {"generator", fmt::format("qrtl {}", version())},
        {"tools", {{"yosys", first_line_of(yosys_, "-V", dir_, dir_ / "versions.log")}}},
        {"library", {{"name", lib_.name}, {"path", lib_.path.string()}, {"nand2_cell", lib_.nand2_cell},
                     {"nand2_area_um2", lib_.nand2_area},
                     {"area_corrections", area_corrections()}}},
        {"area_um2", round_to(flat.area, 2)},
        {"nand2_eq", round_to(flat.area / lib_.nand2_area, 1)},
        {"cell_count", flat.cells},
        {"flops", flat.flops},
        {"cells", flat.by_type},
        {"modules", module_breakdown()},
    };

    const bool need_cells = o_.power || equiv_wanted(flat.cells);
    if (need_cells) yosys("cells");
    timing_and_power(rep);
    rep["equivalence"] = equivalence(flat.cells);
    rep["params"] = d_.manifest.at("params");
    rep["derived"] = d_.manifest.at("derived");

    write_text(dir_ / "report.json", rep.dump(2) + "\n");
    write_text(dir_ / "report.md", synth_markdown(rep));
    write_text(dir_ / "report.csv", synth_csv(rep, true));
    if (rep["equivalence"]["status"] == "failed")
      throw ToolError(fmt::format("the mapped netlist of {} is not equivalent to its RTL; see {}", d_.name,
                                  (dir_ / "equiv.log").string()));
    return {rep, dir_};
  }

 private:
  void yosys(const std::string& flow) {
    write_text(dir_ / (flow + ".ys"), emit::render_file("synth/" + flow + ".ys.mustache", data_));
    run_checked(fmt::format("Yosys ({}) for {}", flow, d_.name), {yosys_, "-q", "-s", flow + ".ys"}, dir_,
                dir_ / (flow + ".log"));
  }

  ordered_json area_corrections() const {
    ordered_json out = ordered_json::object();
    for (const auto& [name, c] : lib_.cells)
      if (!c.area_note.empty()) out[name] = c.area_note;
    return out;
  }

  // Yosys' own total (stat -liberty) must agree with the sum over the liberty parsed here.
  void check_against_yosys(double area) const {
    static const std::regex chip_re(R"(Chip area for module [^:]*:\s*([0-9.]+))");
    const std::string text = read_text(dir_ / "stat.txt");
    std::smatch m;
    if (!std::regex_search(text, m, chip_re) || std::abs(std::stod(m[1]) - area) > 1e-4 * std::max(1.0, area))
      throw ToolError(fmt::format("area of {} computed from {} disagrees with Yosys' stat -liberty in {}",
                                  d_.name, lib_.path.string(), (dir_ / "stat.txt").string()));
  }

  ordered_json module_breakdown() {
    yosys("hier");
    const auto stat = parse_yosys_stat(dir_ / "stat_hier.json").at("modules");
    ordered_json out = ordered_json::array();
    for (const auto& m : d_.manifest.at("modules")) {
      const std::string name = m.at("name");
      const auto it = stat.find("\\" + name);
      if (it == stat.end()) continue;
      const CellStats own = cell_stats(*it, lib_, false, name);
      const auto n = m.at("instances").get<std::int64_t>();
      out.push_back({{"module", name}, {"instances", n}, {"area_each_um2", round_to(own.area, 2)},
                     {"area_total_um2", round_to(own.area * static_cast<double>(n), 2)},
                     {"flops_total", own.flops * n}});
    }
    return out;
  }

  void timing_and_power(ordered_json& rep) {
    const std::string sta_version = first_line_of("sta", "-version", dir_, dir_ / "versions.log");
    rep["tools"]["opensta"] = sta_version;
    // The shortest period that meets every check: for register-to-register paths period − slack at
    // any probe period; half-cycle checks (clock gates' latches) need the fixed point of
    // T <- T − slack(T), reached in a few steps.
    double period = o_.clock_ns.value_or(10.0);
    StaResult final_sta = run_sta(dir_, "timing", lib_, d_.top, kClock, period, std::nullopt);
    for (int step = 0; !o_.clock_ns && step < 12; ++step) {
      const double next = std::ceil((period - final_sta.timing.slack_ns) * 100.0 - 1e-9) / 100.0;
      if (next == period && final_sta.timing.slack_ns >= 0) break;
      period = next;
      final_sta = run_sta(dir_, "timing", lib_, d_.top, kClock, period, std::nullopt);
    }
    if (!o_.crosscheck.empty()) rep["power_crosscheck"] = crosscheck(period);
    if (o_.power) {
      const auto bin = build_gate_level_bench();
      ordered_json sweep = ordered_json::array();
      for (const auto& point : points_) sweep.push_back(power_at(bin, point, period));
      rep["power"] = sweep.front();
      if (!o_.power_points.empty()) rep["power_sweep"] = sweep;
      rep["tools"]["verilator"] = first_line_of("verilator", "--version", dir_, dir_ / "versions.log");
    }
    const Timing& t = final_sta.timing;
    rep["timing"] = {
        {"clock_ns", period},
        {"clock_source", o_.clock_ns ? "--clock-ns" : "critical path rounded up to 0.01 ns"},
        {"startpoint", t.startpoint},
        {"endpoint", t.endpoint},
        {"critical_path_ns", round_to(t.critical_ns, 4)},
        {"slack_ns", round_to(t.slack_ns, 4)},
        {"met", t.slack_ns >= 0},
        {"fmax_mhz", round_to(t.fmax_mhz(), 2)},
    };
  }

  // Energy at one operating point: the family bench's power workload on the netlist (which also
  // checks it against the golden model) counts the toggles of every net; the liberty energy model
  // (flow/power.hpp) turns them into energy.
  ordered_json power_at(const fs::path& bin, const WorkloadPoint& point, double period) {
    const auto gl = gate_level_run(bin, point);
    const std::uint64_t cycles = gl.result.at("cycles").get<std::uint64_t>();
    const auto ops = gl.result.at("ops").get<std::uint64_t>();
    PowerModelOptions po;
    po.clock_port = kClock;
    po.cycles = cycles;
    po.period_ns = period;
    po.activity_scale = o_.activity_scale;
    const auto m = netlist_energy(netlist_json(), d_.top, lib_, read_toggle_counts(dir_ / "toggles.dat", d_.top), po);
    const EnergySplit& e = m.energy;
    const double seconds = static_cast<double>(cycles) * period * 1e-9;
    const auto pj = [](double joules) { return round_to(joules * 1e12, 4); };
    const auto per_op = [&](double joules) -> ordered_json {
      if (ops == 0) return nullptr;  // an idle workload: energy per cycle only
      return round_to(joules * 1e12 / static_cast<double>(ops), 4);
    };
    ordered_json bench = gl.result;
    for (const char* k : {"status", "message", "seconds", "cycles_per_second", "phases"}) bench.erase(k);
    ordered_json settings = ordered_json::object();
    for (const auto& [k, v] : point.settings) settings[k] = v;
    return {
        {"point", point.label()},
        {"workload", {{"bench", d_.testbench}, {"beats", o_.power_vectors}, {"seed", 1}, {"settings", settings}}},
        {"gate_level_check", "PASS"},
        {"cycles", cycles},
        {"op", gl.result.value("op", "op")},
        {"ops", ops},
        {"ops_per_cycle", round_to(static_cast<double>(ops) / static_cast<double>(cycles), 4)},
        {"model", "liberty tables x measured toggles of every net (flow/power.hpp); no wires, no clock tree"},
        {"activity_scale", o_.activity_scale},
        {"mean_toggle_rate", round_to(m.mean_toggle_rate, 5)},
        {"nets", m.nets},
        {"nets_measured", m.nets_measured},
        {"clock_nets", m.clock_nets},
        {"clock_gates", m.clock_gates},
        {"internal_w", m.internal / seconds},
        {"switching_w", m.switching / seconds},
        {"leakage_w", e.leakage / seconds},
        {"total_w", e.total() / seconds},
        {"energy_pj", {{"clock", pj(e.clock)}, {"flops", pj(e.flops)}, {"logic", pj(e.logic)},
                       {"memory", pj(e.memory)}, {"leakage", pj(e.leakage)}, {"total", pj(e.total())}}},
        {"energy_per_cycle_pj", round_to(e.total() * 1e12 / static_cast<double>(cycles), 4)},
        {"energy_per_op_pj", per_op(e.total())},
        {"energy_per_op_clock_pj", per_op(e.clock)},
        {"energy_per_op_flops_pj", per_op(e.flops)},
        {"energy_per_op_logic_pj", per_op(e.logic)},
        {"energy_per_op_memory_pj", per_op(e.memory)},
        {"energy_per_op_leakage_pj", per_op(e.leakage)},
        {"bench", bench},
    };
  }

  // The energy model against OpenSTA's report_power with one uniform activity on every net
  // (set_power_activity -global), where the two can be compared: no measured data involved.
  ordered_json crosscheck(double period) {
    ordered_json out = ordered_json::array();
    for (const double a : o_.crosscheck) {
      write_text(dir_ / "crosscheck_activity.tcl", fmt::format("set_power_activity -global -activity {} -duty 0.5\n", a));
      const Power sta = *run_sta(dir_, "crosscheck", lib_, d_.top, kClock, period, std::string("crosscheck_activity.tcl")).power;
      PowerModelOptions po;
      po.clock_port = kClock;
      po.cycles = 1000;
      po.period_ns = period;
      po.uniform_activity = a;
      const auto physical = netlist_energy(netlist_json(), d_.top, lib_, {}, po);
      po.convention = PowerModelOptions::Convention::OpenSta2019;
      const auto m = netlist_energy(netlist_json(), d_.top, lib_, {}, po);
      const double seconds = 1000 * period * 1e-9;
      const double total = m.energy.total() / seconds;
      out.push_back({{"activity", a},
                     {"opensta_total_w", sta.total_w},
                     {"opensta_internal_w", sta.internal_w},
                     {"opensta_switching_w", sta.switching_w},
                     {"qrtl_total_w", total},
                     {"qrtl_internal_w", m.internal / seconds},
                     {"qrtl_switching_w", m.switching / seconds},
                     {"ratio", round_to(total / sta.total_w, 4)},
                     {"qrtl_physical_total_w", physical.energy.total() / seconds}});
    }
    return out;
  }

  const nlohmann::json& netlist_json() {
    if (netlist_.is_null()) netlist_ = parse_json_file(dir_ / "netlist.json");
    return netlist_;
  }

  fs::path build_gate_level_bench() {
    return build_bench(d_, {(dir_ / "netlist.v").string(), (dir_ / "cells.v").string()},
                       {"--coverage-toggle", "-Wno-fatal", "-Wno-lint", "-Wno-style"}, dir_ / "gate_obj",
                       dir_ / "gate_level.log", VerifyOptions{});
  }

  BenchRun gate_level_run(const fs::path& bin, const WorkloadPoint& point) {
    const fs::path log = dir_ / "gate_level.log";
    std::vector<std::string> args{"--workload", "power", "--vectors", std::to_string(o_.power_vectors), "--seed", "1",
                                  "--coverage", "toggles.dat"};
    for (const auto& [k, v] : point.settings) args.insert(args.end(), {"--opt", k + "=" + v});
    auto r = run_bench(bin, args, dir_, log);
    if (!r.pass)
      throw ToolError(fmt::format("gate-level simulation of {}'s netlist at {} failed: {}; log: {}", d_.name,
                                  point.label(), r.result.value("message", "?"), log.string()));
    return r;
  }

  bool equiv_wanted(std::int64_t cells) const {
    return o_.equiv == "on" || (o_.equiv == "auto" && cells <= kEquivAutoCells);
  }

  ordered_json equivalence(std::int64_t cells) {
    if (!equiv_wanted(cells))
      return {{"status", "skipped"},
              {"reason", o_.equiv == "off" ? "--equiv off"
                                           : fmt::format("{} cells > {} (use --equiv on)", cells, kEquivAutoCells)}};
    write_text(dir_ / "equiv.ys", emit::render_file("synth/equiv.ys.mustache", data_));
    const auto r = flow::run({yosys_, "-q", "-s", "equiv.ys"}, dir_, dir_ / "equiv.log");
    return {{"status", r.exit_code == 0 ? "proven" : "failed"}, {"method", "yosys equiv_make/equiv_simple/equiv_induct"}};
  }

  const DesignDir& d_;
  const SynthOptions& o_;
  std::vector<WorkloadPoint> points_;  // checked before anything is written
  std::string yosys_;
  Liberty lib_;
  fs::path dir_;
  nlohmann::json data_;
  nlohmann::json netlist_;
};

}  // namespace

// Yosys writes several one-bit nets driven at once as one concatenation assign
// (`assign { n1, n2 } = { n7, 1'h0 };`, `assign { n1, n2 } = 2'h1;`), which OpenSTA's Verilog
// reader rejects: one assign per net. After `splitnets` every named element is one bit except port
// slices, which are expanded like constants. Concatenation elements are MSB first.
namespace {

std::vector<std::string> assign_bits(const std::string& side) {
  static const std::regex constant(R"((\d+)'([hb])([0-9a-fA-F]+))");
  static const std::regex range(R"((.+)\[(\d+):(\d+)\])");
  std::string body = side;
  if (!body.empty() && body.front() == '{') body = body.substr(1, body.size() - 2);
  std::vector<std::string> bits;
  std::istringstream parts(body);
  for (std::string e; std::getline(parts, e, ',');) {
    e.erase(0, e.find_first_not_of(' '));
    e.erase(e.find_last_not_of(' ') + 1);
    std::smatch m;
    if (std::regex_match(e, m, range)) {  // a port slice `y_o[62:52]` (ports are not split)
      const int hi = std::stoi(m[2].str()), lo = std::stoi(m[3].str());
      for (int b = hi; hi >= lo ? b >= lo : b <= lo; b += hi >= lo ? -1 : 1) bits.push_back(fmt::format("{}[{}]", m[1].str(), b));
      continue;
    }
    if (!std::regex_match(e, m, constant)) {
      bits.push_back(e);
      continue;
    }
    const auto width = std::stoul(m[1].str());
    const unsigned per_digit = m[2].str() == "h" ? 4 : 1;
    std::string lsb_first;
    const std::string digits = m[3].str();
    for (auto d = digits.rbegin(); d != digits.rend(); ++d)
      for (unsigned b = 0; b < per_digit; ++b)
        lsb_first.push_back(((std::stoi(std::string(1, *d), nullptr, 16) >> b) & 1) != 0 ? '1' : '0');
    lsb_first.resize(width, '0');
    for (auto b = lsb_first.rbegin(); b != lsb_first.rend(); ++b) bits.push_back(std::string("1'b") + *b);
  }
  return bits;
}

}  // namespace

std::string split_concat_assigns(const std::string& netlist) {
  static const std::regex concat(R"(assign (\{ [^}]* \}) = (\{ [^}]* \}|\d+'[hb][0-9a-fA-F]+);)");
  std::string out;
  auto pos = netlist.cbegin();
  for (std::sregex_iterator it(netlist.begin(), netlist.end(), concat), end; it != end; ++it) {
    const auto& m = *it;
    out.append(pos, m[0].first);
    const auto lhs = assign_bits(m[1].str()), rhs = assign_bits(m[2].str());
    if (lhs.size() != rhs.size())
      throw ToolError(fmt::format("netlist: cannot split an assign of {} nets from {} bits: {}", lhs.size(),
                                  rhs.size(), m[0].str()));
    for (std::size_t k = 0; k < lhs.size(); ++k) out += fmt::format("assign {} = {};\n  ", lhs[k], rhs[k]);
    pos = m[0].second;
  }
  out.append(pos, netlist.cend());
  return out;
}


SynthResult synth_design(const DesignDir& d, const SynthOptions& o) {
  if (o.equiv != "auto" && o.equiv != "on" && o.equiv != "off")
    throw UsageError(fmt::format("--equiv {} is invalid: expected auto, on or off", o.equiv));
  if (o.power) require_tool("verilator", "qrtl synth (energy: gate-level simulation)");
  return Synth(d, o).run();
}

std::string synth_markdown(const ordered_json& r) {
  std::string md = fmt::format("# Synthesis report: `{}` ({})\n\n", r["design"].get<std::string>(),
                               r["family"].get<std::string>());
  md += fmt::format("Library `{}` ({}); {}; {}.\n\n", r["library"]["name"].get<std::string>(),
                    r["library"]["path"].get<std::string>(), r["tools"]["yosys"].get<std::string>(),
                    r["generator"].get<std::string>());
  md += "| metric | value |\n|---|---|\n";
  md += fmt::format("| area | {:.2f} µm² |\n", r["area_um2"].get<double>());
  md += fmt::format("| NAND2 equivalents | {:.1f} ({} = {} µm²) |\n", r["nand2_eq"].get<double>(),
                    r["library"]["nand2_cell"].get<std::string>(), r["library"]["nand2_area_um2"].get<double>());
  md += fmt::format("| cells | {} |\n| flip-flops | {} |\n", r["cell_count"].get<std::int64_t>(),
                    r["flops"].get<std::int64_t>());
  const auto& t = r["timing"];
  md += fmt::format("| clock | {:.2f} ns ({}) |\n", t["clock_ns"].get<double>(), t["clock_source"].get<std::string>());
  md += fmt::format("| critical path | {:.3f} ns, {} -> {} |\n", t["critical_path_ns"].get<double>(),
                    t["startpoint"].get<std::string>(), t["endpoint"].get<std::string>());
  md += fmt::format("| slack | {:.3f} ns ({}) |\n| fmax | {:.1f} MHz |\n", t["slack_ns"].get<double>(),
                    t["met"].get<bool>() ? "met" : "VIOLATED", t["fmax_mhz"].get<double>());
  if (r.contains("power")) {
    const auto& p = r["power"];
    const auto& e = p["energy_pj"];
    md += fmt::format("| power (internal / switching / leakage) | {:.4g} / {:.4g} / {:.4g} W |\n",
                      p["internal_w"].get<double>(), p["switching_w"].get<double>(), p["leakage_w"].get<double>());
    md += fmt::format("| energy of the run (clock / flip-flops / logic / memory / leakage) | {:.4g} pJ "
                      "({:.4g} / {:.4g} / {:.4g} / {:.4g} / {:.4g}) |\n",
                      e["total"].get<double>(), e["clock"].get<double>(), e["flops"].get<double>(),
                      e["logic"].get<double>(), e["memory"].get<double>(), e["leakage"].get<double>());
    const std::string op = p["op"].get<std::string>();
    md += fmt::format("| energy per {} | {} ({} {}s in {} cycles at {}, gate-level check {}) |\n", op,
                      p["energy_per_op_pj"].is_null() ? std::string("- (no ops)")
                                                      : fmt::format("{:.3f} pJ", p["energy_per_op_pj"].get<double>()),
                      p["ops"].get<std::uint64_t>(), op, p["cycles"].get<std::uint64_t>(), p["point"].get<std::string>(),
                      p["gate_level_check"].get<std::string>());
  }
  const auto& e = r["equivalence"];
  md += fmt::format("| RTL = netlist (formal) | {}{} |\n\n", e["status"].get<std::string>(),
                    e.contains("reason") ? " (" + e["reason"].get<std::string>() + ")" : "");
  md += "Area by module (hierarchical synthesis, no optimization across module boundaries):\n\n"
        "| module | instances | area each (µm²) | area total (µm²) | flip-flops |\n|---|---|---|---|---|\n";
  for (const auto& m : r["modules"])
    md += fmt::format("| {} | {} | {:.1f} | {:.1f} | {} |\n", m["module"].get<std::string>(),
                      m["instances"].get<std::int64_t>(), m["area_each_um2"].get<double>(),
                      m["area_total_um2"].get<double>(), m["flops_total"].get<std::int64_t>());
  md += "\n| cell | count |\n|---|---|\n";
  for (const auto& [cell, n] : r["cells"].items()) md += fmt::format("| {} | {} |\n", cell, n.get<std::int64_t>());
  return md;
}

std::string synth_csv(const ordered_json& r, bool header) {
  std::string csv;
  if (header)
    csv += "design,family,library,area_um2,nand2_eq,cells,flops,clock_ns,critical_path_ns,slack_ns,fmax_mhz,"
           "total_power_w,energy_per_op_pj,op,ops_per_cycle,equivalence\n";
  const bool p = r.contains("power");
  csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r["design"].get<std::string>(),
                     r["family"].get<std::string>(), r["library"]["name"].get<std::string>(), r["area_um2"].dump(),
                     r["nand2_eq"].dump(), r["cell_count"].dump(), r["flops"].dump(), r["timing"]["clock_ns"].dump(),
                     r["timing"]["critical_path_ns"].dump(), r["timing"]["slack_ns"].dump(),
                     r["timing"]["fmax_mhz"].dump(), p ? r["power"]["total_w"].dump() : "",
                     p ? r["power"]["energy_per_op_pj"].dump() : "", p ? r["power"]["op"].get<std::string>() : "",
                     p ? r["power"]["ops_per_cycle"].dump() : "", r["equivalence"]["status"].get<std::string>());
  return csv;
}

}  // namespace qrtl::flow
