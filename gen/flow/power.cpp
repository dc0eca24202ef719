#include "flow/power.hpp"

#include <algorithm>
#include <deque>
#include <fmt/format.h>
#include <set>

#include "errors.hpp"

namespace qrtl::flow {

namespace {

using nlohmann::json;

struct Net {
  int driver = -1;              // cell index, -1: an input port or undriven
  std::string driver_pin;
  bool input_port = false;
  std::vector<std::pair<int, std::string>> loads;  // (cell, pin)
  double load = 0;              // farads
  std::array<double, 2> slew{0, 0};  // rise, fall (library time unit)
  bool slew_known = false;
  double toggles = 0;
  bool measured = false;
  bool clock = false;
};

struct Cell {
  std::string name, type;
  const LibCell* lib = nullptr;
  std::map<std::string, int> pin_net;  // pin -> net (-1: a constant)
  bool clock_cell = false;            // part of the clock network (buffer, gate, gating latch)
};

constexpr int kRise = 0, kFall = 1;

class Model {
 public:
  Model(const json& netlist, const std::string& top, const Liberty& lib,
        const std::map<std::string, std::uint64_t>& toggles, const PowerModelOptions& o)
      : lib_(lib), o_(o) {
    const auto& mod = netlist.at("modules").at(top);
    read_cells(mod);
    read_ports(mod);
    read_toggles(mod, toggles);
    mark_clock_network();
    if (o.uniform_activity) apply_uniform(*o.uniform_activity);
    loads();
    slews();
  }

  PowerModelResult energy() const {
    PowerModelResult r;
    const double v2 = lib_.voltage * lib_.voltage;
    const double seconds = static_cast<double>(o_.cycles) * o_.period_ns * 1e-9;
    for (const auto& c : cells_) {
      double clock_pin = 0, data = 0, sw = 0;
      for (const auto& [pin, p] : c.lib->pins) {
        const auto it = c.pin_net.find(pin);
        if (it == c.pin_net.end() || it->second < 0) continue;
        const Net& n = nets_[static_cast<std::size_t>(it->second)];
        if (p.output) {
          sw += 0.5 * n.load * v2 * n.toggles;
          data += n.toggles * output_internal(c, p, n) * lib_.energy_unit_j;
        }
        if (p.input) {
          double e = n.toggles * passive_internal(p, n) * lib_.energy_unit_j;
          if (opensta()) e *= p.clock || n.clock ? 2.0 : 1.0;  // rise + fall, at "duty" 1 (clock) or 0.5
          (p.clock || pin == c.lib->clock_pin ? clock_pin : data) += e;
        }
      }
      r.internal += clock_pin + data;
      r.switching += sw;
      r.energy.leakage += c.lib->leakage * lib_.leakage_unit_w * seconds;
      r.energy.clock += clock_pin;
      if (c.clock_cell) r.energy.clock += data + sw;
      else if (c.lib->sequential) r.energy.flops += data + sw;
      else r.energy.logic += data + sw;
    }
    double data_rate = 0;
    std::size_t data_nets = 0;
    for (const auto& n : nets_) {
      ++r.nets;
      r.nets_measured += n.measured;
      r.clock_nets += n.clock;
      if (!n.clock) {
        data_rate += n.toggles / static_cast<double>(std::max<std::uint64_t>(1, o_.cycles));
        ++data_nets;
      }
      // Driven nets are charged with their driving cell; OpenSTA charges no port nets.
      if (!n.input_port || opensta()) continue;
      const double sw = 0.5 * n.load * v2 * n.toggles;
      r.switching += sw;
      (n.clock ? r.energy.clock : r.energy.logic) += sw;
    }
    for (const auto& c : cells_) r.clock_gates += c.clock_cell && c.lib->latch;
    r.mean_toggle_rate = data_nets ? data_rate / static_cast<double>(data_nets) : 0;
    return r;
  }

 private:
  void read_cells(const json& mod) {
    for (const auto& [name, c] : mod.at("cells").items()) {
      const std::string type = c.at("type");
      const auto it = lib_.cells.find(type);
      if (it == lib_.cells.end())
        throw ToolError(fmt::format("the netlist has cell {} of type '{}', which {} does not define", name, type,
                                    lib_.path.string()));
      Cell cell{name, type, &it->second, {}, false};
      const int index = static_cast<int>(cells_.size());
      for (const auto& [pin, bits] : c.at("connections").items()) {
        if (bits.size() != 1) throw ToolError(fmt::format("cell {} pin {} is not one bit", name, pin));
        const int id = net_of(bits[0]);
        cell.pin_net[pin] = id;
        if (id < 0) continue;
        const auto p = it->second.pins.find(pin);
        if (p == it->second.pins.end())
          throw ToolError(fmt::format("cell {} ({}) has pin {} that the liberty does not define", name, type, pin));
        Net& n = net(id);
        if (p->second.output) {
          n.driver = index;
          n.driver_pin = pin;
        } else {
          n.loads.emplace_back(index, pin);
        }
      }
      cells_.push_back(std::move(cell));
    }
  }

  void read_ports(const json& mod) {
    for (const auto& [name, p] : mod.at("ports").items()) {
      if (p.at("direction") != "input") continue;
      for (const auto& b : p.at("bits"))
        if (const int id = net_of(b); id >= 0) net(id).input_port = true;
      if (name == o_.clock_port)
        for (const auto& b : p.at("bits"))
          if (const int id = net_of(b); id >= 0) clock_roots_.push_back(id);
    }
  }

  void read_toggles(const json& mod, const std::map<std::string, std::uint64_t>& toggles) {
    for (const auto& [name, n] : mod.at("netnames").items()) {
      const auto& bits = n.at("bits");
      for (std::size_t k = 0; k < bits.size(); ++k) {
        const int id = net_of(bits[k]);
        if (id < 0) continue;
        Net& nt = net(id);
        if (nt.measured) continue;  // a net with several names is counted once
        const auto it = toggles.find(bits.size() == 1 ? name : fmt::format("{}[{}]", name, k));
        if (it == toggles.end()) continue;
        nt.toggles = static_cast<double>(it->second);
        nt.measured = true;
      }
    }
  }

  // The clock network: the clock port and every net it reaches through combinational cells. Those
  // cells, and latches clocked from it whose outputs only feed it (clock gates), are clock cells.
  void mark_clock_network() {
    std::deque<int> work(clock_roots_.begin(), clock_roots_.end());
    for (const int id : clock_roots_) net(id).clock = true;
    while (!work.empty()) {
      const int id = work.front();
      work.pop_front();
      for (const auto& [ci, pin] : net(id).loads) {
        Cell& c = cells_[static_cast<std::size_t>(ci)];
        if (c.lib->sequential) continue;
        c.clock_cell = true;
        for (const auto& [p, nid] : c.pin_net)
          if (nid >= 0 && c.lib->pins.at(p).output && !net(nid).clock) {
            net(nid).clock = true;
            work.push_back(nid);
          }
      }
    }
    for (auto& c : cells_) {
      if (!c.lib->latch) continue;
      const auto clk = c.pin_net.find(c.lib->clock_pin);
      if (clk == c.pin_net.end() || clk->second < 0 || !net(clk->second).clock) continue;
      bool feeds_clock_only = true, feeds_any = false;
      for (const auto& [p, nid] : c.pin_net) {
        if (nid < 0 || !c.lib->pins.at(p).output) continue;
        for (const auto& [li, lp] : net(nid).loads) {
          feeds_any = true;
          feeds_clock_only = feeds_clock_only && cells_[static_cast<std::size_t>(li)].clock_cell;
        }
      }
      c.clock_cell = feeds_any && feeds_clock_only;
    }
  }

  void apply_uniform(double activity) {
    const double c = static_cast<double>(o_.cycles);
    for (auto& n : nets_) n.toggles = n.clock ? 2.0 * c : activity * c;
  }

  void loads() {
    for (auto& n : nets_) {
      for (const auto& [ci, pin] : n.loads) n.load += cells_[static_cast<std::size_t>(ci)].lib->pins.at(pin).capacitance;
      n.load *= lib_.cap_unit_f;
      if (!n.clock) n.toggles *= o_.activity_scale;
    }
  }

  // Delay arcs whose input slews an output's slew depends on. A sequential cell's outputs depend on
  // its clock (and asynchronous) pins only: a latch's D->Q arc would close loops through clock gates.
  std::vector<const LibTiming*> arcs(const Cell& c, const LibPin& out) const {
    std::vector<const LibTiming*> a;
    for (const auto& t : out.timing)
      if (!t.check && !t.related_pin.empty() &&
          (!c.lib->latch || t.related_pin == c.lib->clock_pin || c.lib->clock_pin.empty()))
        a.push_back(&t);
    return a;
  }

  void slews() {
    // Kahn's order over cells: a cell is ready once the nets of its arcs' related pins have slews.
    std::vector<int> pending(cells_.size(), 0);
    std::vector<std::vector<int>> waiting(nets_.size());
    std::deque<int> ready;
    for (auto& n : nets_)
      if (n.driver < 0) n.slew_known = true;  // ports and undriven nets: 0 slew
    for (std::size_t ci = 0; ci < cells_.size(); ++ci) {
      std::set<int> deps;
      for (const auto& [pin, p] : cells_[ci].lib->pins)
        if (p.output)
          for (const auto* t : arcs(cells_[ci], p))
            if (const auto it = cells_[ci].pin_net.find(t->related_pin); it != cells_[ci].pin_net.end() && it->second >= 0)
              deps.insert(it->second);
      for (const int d : deps)
        if (!net(d).slew_known) {
          ++pending[ci];
          waiting[static_cast<std::size_t>(d)].push_back(static_cast<int>(ci));
        }
      if (pending[ci] == 0) ready.push_back(static_cast<int>(ci));
    }
    std::size_t done = 0;
    std::vector<bool> visited(cells_.size(), false);
    const auto run = [&](int ci) {
      visited[static_cast<std::size_t>(ci)] = true;
      ++done;
      for (const int out : cell_slews(cells_[static_cast<std::size_t>(ci)]))
        for (const int w : waiting[static_cast<std::size_t>(out)])
          if (--pending[static_cast<std::size_t>(w)] == 0) ready.push_back(w);
    };
    while (done < cells_.size()) {
      if (ready.empty()) {
        // A combinational loop: break it at the first unvisited cell (unknown inputs count as 0 slew).
        for (std::size_t ci = 0; ci < cells_.size(); ++ci)
          if (!visited[ci]) {
            ready.push_back(static_cast<int>(ci));
            pending[ci] = 0;
            break;
          }
      }
      const int ci = ready.front();
      ready.pop_front();
      if (!visited[static_cast<std::size_t>(ci)]) run(ci);
    }
  }

  // Sets the slews of a cell's output nets; returns them.
  std::vector<int> cell_slews(const Cell& c) {
    std::vector<int> outs;
    for (const auto& [pin, p] : c.lib->pins) {
      if (!p.output) continue;
      const auto it = c.pin_net.find(pin);
      if (it == c.pin_net.end() || it->second < 0) continue;
      Net& n = net(it->second);
      std::array<double, 2> s{0, 0};
      const double load = n.load / lib_.cap_unit_f;
      for (const auto* t : arcs(c, p)) {
        const auto in = in_slews(c, t->related_pin);
        for (const int rf : {kRise, kFall}) {
          const auto& tab = rf == kRise ? t->rise_transition : t->fall_transition;
          if (!tab) continue;
          const double x = t->sense == LibTiming::Sense::Positive   ? in[rf]
                           : t->sense == LibTiming::Sense::Negative ? in[1 - rf]
                                                                    : std::max(in[0], in[1]);
          s[rf] = std::max(s[rf], tab->lookup(x, load));
        }
      }
      // The clock network is ideal, as in timing (no clock tree is built): a gated clock reaches its
      // flip-flops with the clock port's 0 slew, not the slew of one gate driving all of them.
      n.slew = n.clock ? std::array<double, 2>{0, 0} : s;
      n.slew_known = true;
      outs.push_back(it->second);
    }
    return outs;
  }

  std::array<double, 2> in_slews(const Cell& c, const std::string& pin) const {
    const auto it = c.pin_net.find(pin);
    if (it == c.pin_net.end() || it->second < 0) return {0, 0};
    return nets_[static_cast<std::size_t>(it->second)].slew;
  }

  // The cell's input pins and, for a combinational output, its function over them.
  static std::pair<std::vector<std::string>, std::optional<LibFunction>> function_of(const Cell& c, const LibPin& p) {
    std::vector<std::string> inputs;
    for (const auto& [name, q] : c.lib->pins)
      if (q.input) inputs.push_back(name);
    std::optional<LibFunction> fn;
    if (!p.function.empty() && !c.lib->sequential) fn.emplace(p.function, inputs);
    return {std::move(inputs), std::move(fn)};
  }

  // Internal energy per toggle of output `p` (library energy unit).
  double output_internal(const Cell& c, const LibPin& p, const Net& out) const {
    if (p.power.empty()) return 0;
    if (opensta()) return output_internal_opensta(c, p, out);
    const double load = out.load / lib_.cap_unit_f;
    const auto [inputs, fn] = function_of(c, p);
    double weighted = 0, weights = 0, unrelated = 0;
    std::vector<std::pair<double, double>> arcs_ew;  // (energy, weight)
    for (const auto& w : p.power) {
      if (w.related_pin.empty()) {
        unrelated += avg_energy(w, out.slew, load);
        continue;
      }
      const auto in = in_slews(c, w.related_pin);
      const LibTiming::Sense sense = sense_of(p, w.related_pin);
      // Output rise pairs with the related input's rise on a non-inverting arc, its fall otherwise.
      const std::array<double, 2> x = sense == LibTiming::Sense::Negative ? std::array<double, 2>{in[1], in[0]} : in;
      const double e = avg_energy(w, x, load);
      double weight = 1;
      if (fn) {
        const auto k = static_cast<std::size_t>(std::find(inputs.begin(), inputs.end(), w.related_pin) - inputs.begin());
        const auto nit = c.pin_net.find(w.related_pin);
        const double t = nit == c.pin_net.end() || nit->second < 0 ? 0 : nets_[static_cast<std::size_t>(nit->second)].toggles;
        weight = k < inputs.size() ? t * fn->sensitivity(k) : 0;
      }
      arcs_ew.emplace_back(e, weight);
      weights += weight;
    }
    for (const auto& [e, w] : arcs_ew) weighted += weights > 0 ? e * w / weights : e / static_cast<double>(arcs_ew.size());
    return weighted + unrelated;
  }

  static LibTiming::Sense sense_of(const LibPin& out, const std::string& related) {
    for (const auto& t : out.timing)
      if (t.related_pin == related && !t.check) return t.sense;
    return LibTiming::Sense::Positive;
  }

  // Mean of the rise and fall energies: toggles alternate between rising and falling.
  static double avg_energy(const LibPower& w, const std::array<double, 2>& slew, double load) {
    double sum = 0;
    int n = 0;
    if (w.rise) {
      sum += w.rise->lookup(slew[kRise], load);
      ++n;
    }
    if (w.fall) {
      sum += w.fall->lookup(slew[kFall], load);
      ++n;
    }
    return n ? sum / n : 0;
  }

  // Energy per toggle of an input pin's own ("passive") internal power.
  static double passive_internal(const LibPin& p, const Net& n) {
    double e = 0;
    for (const auto& w : p.power)
      if (w.related_pin.empty()) e += avg_energy(w, n.slew, 0);
    return e;
  }

  bool opensta() const { return o_.convention == PowerModelOptions::Convention::OpenSta2019; }

  // OpenSTA 2019: each arc costs rise + fall energy (related input's slew of the same direction)
  // times a "duty": from/to activity x the inferred condition, else 1 from a clock, else 0.5.
  double output_internal_opensta(const Cell& c, const LibPin& p, const Net& out) const {
    const double load = out.load / lib_.cap_unit_f;
    const auto [inputs, fn] = function_of(c, p);
    double e = 0;
    for (const auto& w : p.power) {
      if (w.related_pin.empty()) continue;
      const auto nit = c.pin_net.find(w.related_pin);
      if (nit == c.pin_net.end() || nit->second < 0) continue;
      const Net& from = nets_[static_cast<std::size_t>(nit->second)];
      double duty = from.clock ? 1.0 : 0.5;
      if (fn) {
        const auto k = static_cast<std::size_t>(std::find(inputs.begin(), inputs.end(), w.related_pin) - inputs.begin());
        if (const auto cond = fn->opensta2019_condition(k))
          duty = out.toggles > 0 ? from.toggles / out.toggles * *cond : 0.0;
      }
      double sum = 0;
      if (w.rise) sum += w.rise->lookup(from.slew[kRise], load);
      if (w.fall) sum += w.fall->lookup(from.slew[kFall], load);
      e += duty * sum;
    }
    return e;
  }

  int net_of(const json& bit) {
    if (!bit.is_number()) return -1;
    const auto id = bit.get<std::int64_t>();
    const auto [it, fresh] = ids_.emplace(id, static_cast<int>(nets_.size()));
    if (fresh) nets_.emplace_back();
    return it->second;
  }
  Net& net(int id) { return nets_[static_cast<std::size_t>(id)]; }

  const Liberty& lib_;
  const PowerModelOptions& o_;
  std::vector<Cell> cells_;
  std::vector<Net> nets_;
  std::map<std::int64_t, int> ids_;
  std::vector<int> clock_roots_;
};

}  // namespace

void check_power_data(const Liberty& lib) {
  bool has_power = false;
  for (const auto& [name, c] : lib.cells)
    for (const auto& [pn, p] : c.pins) has_power = has_power || !p.power.empty();
  if (!has_power)
    throw UsageError(fmt::format("liberty '{}' has no internal_power data: energy needs it (use a "
                                 "library with power tables, or qrtl synth --no-power)",
                                 lib.path.string()));
  if (lib.voltage <= 0)
    throw UsageError(fmt::format("liberty '{}' has no nom_voltage: switching energy needs the supply", lib.path.string()));
}

PowerModelResult netlist_energy(const nlohmann::json& netlist, const std::string& top, const Liberty& lib,
                                const std::map<std::string, std::uint64_t>& toggles, const PowerModelOptions& o) {
  check_power_data(lib);
  if (o.cycles == 0 || !(o.period_ns > 0)) throw ToolError("energy model: the run has no cycles or no clock period");
  return Model(netlist, top, lib, toggles, o).energy();
}

}  // namespace qrtl::flow
