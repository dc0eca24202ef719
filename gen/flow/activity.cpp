#include "flow/activity.hpp"

#include <fmt/format.h>
#include <sstream>

#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

std::map<std::string, std::uint64_t> read_toggle_counts(const std::filesystem::path& coverage,
                                                        const std::string& top) {
  // Each point: C '<\1key\2value...>' count; toggle points of the top module have
  // page = v_toggle/<top> and o = the signal bit.
  std::map<std::string, std::uint64_t> out;
  std::istringstream is(read_text(coverage));
  std::string line;
  const std::string page = "v_toggle/" + top;
  while (std::getline(is, line)) {
    if (line.rfind("C '", 0) != 0) continue;
    const auto close = line.rfind('\'');
    if (close == std::string::npos || close < 3) continue;
    const std::string keys = line.substr(3, close - 3);
    std::map<std::string, std::string> kv;
    std::size_t pos = 0;
    while ((pos = keys.find('\1', pos)) != std::string::npos) {
      const auto sep = keys.find('\2', pos);
      const auto next = keys.find('\1', pos + 1);
      if (sep == std::string::npos) break;
      kv[keys.substr(pos + 1, sep - pos - 1)] = keys.substr(sep + 1, (next == std::string::npos ? keys.size() : next) - sep - 1);
      pos = sep;
    }
    if (kv["page"] != page) continue;
    out[kv["o"]] += std::stoull(line.substr(close + 1));
  }
  if (out.empty())
    throw ToolError(fmt::format("no toggle coverage for module {} in {}", top, coverage.string()));
  return out;
}

ActivityTcl activity_tcl(const nlohmann::json& netlist, const std::string& top, const std::string& clock,
                         const std::map<std::string, std::uint64_t>& toggles, std::uint64_t cycles,
                         double scale) {
  const auto& mod = netlist.at("modules").at(top);
  // bit id -> driving cell pin
  std::map<std::int64_t, std::string> driver;
  for (const auto& [cell, c] : mod.at("cells").items())
    for (const auto& [pin, dir] : c.at("port_directions").items())
      if (dir == "output") {
        const auto& bits = c.at("connections").at(pin);
        if (bits.size() == 1 && bits[0].is_number()) driver[bits[0].get<std::int64_t>()] = cell + "/" + pin;
      }
  std::map<std::int64_t, bool> input_bit;
  for (const auto& [port, p] : mod.at("ports").items())
    if (p.at("direction") == "input")
      for (const auto& b : p.at("bits"))
        if (b.is_number()) input_bit[b.get<std::int64_t>()] = true;

  ActivityTcl out;
  std::map<std::int64_t, bool> done;  // a net with several names is annotated once
  double sum = 0;
  std::ostringstream tcl;
  tcl.setf(std::ios::scientific);
  tcl.precision(6);
  for (const auto& [name, n] : mod.at("netnames").items()) {
    const auto& bits = n.at("bits");
    for (std::size_t k = 0; k < bits.size(); ++k) {
      if (!bits[k].is_number() || name == clock) continue;
      const std::string sig = bits.size() == 1 ? name : fmt::format("{}[{}]", name, k);
      const auto it = toggles.find(sig);
      if (it == toggles.end()) continue;
      const double act = scale * static_cast<double>(it->second) / static_cast<double>(cycles);
      const auto bit = bits[k].get<std::int64_t>();
      if (done.count(bit)) continue;
      done[bit] = true;
      if (input_bit.count(bit)) {
        tcl << "set_power_activity -input_ports [get_ports {" << sig << "}] -activity " << act << " -duty 0.5\n";
        ++out.ports;
      } else if (auto d = driver.find(bit); d != driver.end()) {
        // set_power_activity -pins is broken in Debian's OpenSTA 2019 (it calls an undefined
        // get_pins_error); the command it wraps takes the same per-clock-period activity.
        tcl << "sta::set_power_pin_activity [get_pins {" << d->second << "}] " << act << " 0.5\n";
        ++out.pins;
      } else {
        continue;
      }
      sum += act;
    }
  }
  out.tcl = tcl.str();
  out.mean_activity = (out.pins + out.ports) ? sum / static_cast<double>(out.pins + out.ports) : 0;
  return out;
}

}  // namespace qrtl::flow
