#include "flow/liberty.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <memory>
#include <sstream>

#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

namespace {

// ---- Liberty syntax: groups `name (args) { ... }`, simple `name : value ;` and complex
// `name (args) ;` attributes. Comments and backslash line continuations are skipped.
struct Group {
  std::string type;
  std::vector<std::string> args;
  std::multimap<std::string, std::vector<std::string>> attrs;  // simple: one value; complex: its args
  std::vector<Group> groups;

  const std::string* attr(const std::string& k) const {
    const auto it = attrs.find(k);
    return it == attrs.end() || it->second.empty() ? nullptr : &it->second.front();
  }
  const std::vector<std::string>* complex(const std::string& k) const {
    const auto it = attrs.find(k);
    return it == attrs.end() ? nullptr : &it->second;
  }
};

class Parser {
 public:
  Parser(const std::string& text, const fs::path& path) : s_(text), path_(path) {}

  Group parse() {
    Group top;
    parse_body(top, true);
    return top;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const auto line = 1 + std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(std::min(p_, s_.size())), '\n');
    throw UsageError(fmt::format("liberty '{}' is malformed at line {}: {}", path_.string(), line, what));
  }

  void skip() {
    while (p_ < s_.size()) {
      const char c = s_[p_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '\\') {
        ++p_;
      } else if (s_.compare(p_, 2, "/*") == 0) {
        const auto e = s_.find("*/", p_ + 2);
        if (e == std::string::npos) fail("unterminated comment");
        p_ = e + 2;
      } else if (s_.compare(p_, 2, "//") == 0) {
        p_ = s_.find('\n', p_);
        if (p_ == std::string::npos) p_ = s_.size();
      } else {
        return;
      }
    }
  }

  // A word, number or quoted string (quotes removed).
  std::string token() {
    skip();
    if (p_ >= s_.size()) fail("unexpected end of file");
    if (s_[p_] == '"') {
      const auto e = s_.find('"', p_ + 1);
      if (e == std::string::npos) fail("unterminated string");
      std::string v = s_.substr(p_ + 1, e - p_ - 1);
      p_ = e + 1;
      // Continuations inside strings (multi-line values) leave "\\\n": drop them.
      v.erase(std::remove(v.begin(), v.end(), '\\'), v.end());
      return v;
    }
    const auto b = p_;
    while (p_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[p_])) &&
           std::string_view("(){}:;,\"").find(s_[p_]) == std::string_view::npos)
      ++p_;
    if (p_ == b) fail(fmt::format("unexpected '{}'", s_[p_]));
    return s_.substr(b, p_ - b);
  }

  char peek() {
    skip();
    return p_ < s_.size() ? s_[p_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(fmt::format("expected '{}'", c));
    ++p_;
  }

  void parse_body(Group& g, bool top_level) {
    while (true) {
      const char c = peek();
      if (c == '\0') {
        if (!top_level) fail("missing '}'");
        return;
      }
      if (c == '}') {
        if (top_level) fail("unbalanced '}'");
        ++p_;
        return;
      }
      const std::string name = token();
      if (peek() == ':') {
        ++p_;
        std::string value = token();
        // A simple attribute's value may be an expression of several words (rare): keep them.
        while (peek() != ';' && peek() != '\0' && peek() != '}') value += " " + token();
        if (peek() == ';') ++p_;
        g.attrs.emplace(name, std::vector<std::string>{value});
        continue;
      }
      expect('(');
      std::vector<std::string> args;
      while (peek() != ')') {
        args.push_back(token());
        if (peek() == ',') ++p_;
      }
      ++p_;
      if (peek() == '{') {
        ++p_;
        Group sub;
        sub.type = name;
        sub.args = std::move(args);
        parse_body(sub, false);
        g.groups.push_back(std::move(sub));
      } else {
        if (peek() == ';') ++p_;
        g.attrs.emplace(name, std::move(args));
      }
    }
  }

  const std::string& s_;
  fs::path path_;
  std::size_t p_ = 0;
};

std::vector<double> numbers(const std::vector<std::string>& strings) {
  std::vector<double> out;
  for (const auto& s : strings) {
    std::istringstream is(s);
    std::string item;
    while (std::getline(is, item, ',')) {
      const auto b = item.find_first_not_of(" \t\n");
      if (b == std::string::npos) continue;
      out.push_back(std::stod(item.substr(b)));
    }
  }
  return out;
}

double number(const std::string& s, const std::string& what) {
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("liberty attribute {} = '{}' is not a number", what, s));
  }
}

// "1ns" -> 1e-9 etc.; `base` is the SI unit letter(s).
double unit_scale(const std::string& text, const std::string& base) {
  static const std::map<std::string, double> prefix{{"f", 1e-15}, {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6},
                                                    {"m", 1e-3},  {"", 1.0},    {"k", 1e3}};
  std::size_t k = 0;
  while (k < text.size() && (std::isdigit(static_cast<unsigned char>(text[k])) || text[k] == '.')) ++k;
  const double mult = k ? std::stod(text.substr(0, k)) : 1.0;
  std::string rest = text.substr(k);
  if (rest.size() < base.size() || rest.compare(rest.size() - base.size(), base.size(), base) != 0)
    throw UsageError(fmt::format("liberty unit '{}' is not a unit of {}", text, base));
  const auto it = prefix.find(rest.substr(0, rest.size() - base.size()));
  if (it == prefix.end()) throw UsageError(fmt::format("liberty unit '{}' has an unknown prefix", text));
  return mult * it->second;
}

using Templates = std::map<std::string, std::vector<LibTable::Axis>>;

std::optional<LibTable::Axis> axis_of(const std::string& variable) {
  if (variable == "input_net_transition" || variable == "input_transition_time" ||
      variable == "related_pin_transition" || variable == "constrained_pin_transition")
    return LibTable::Axis::Slew;
  if (variable == "total_output_net_capacitance") return LibTable::Axis::Load;
  return std::nullopt;
}

LibTable table_of(const Group& g, const Templates& templates) {
  LibTable t;
  const std::string tmpl = g.args.empty() ? "scalar" : g.args.front();
  if (tmpl != "scalar") {
    const auto it = templates.find(tmpl);
    if (it == templates.end()) throw UsageError(fmt::format("liberty table uses unknown template '{}'", tmpl));
    t.axes = it->second;
  }
  for (std::size_t k = 0; k < t.axes.size(); ++k)
    if (const auto* idx = g.complex(k == 0 ? "index_1" : "index_2")) t.index[k] = numbers(*idx);
  if (const auto* v = g.complex("values")) t.values = numbers(*v);
  std::size_t expect = 1;
  for (std::size_t k = 0; k < t.axes.size(); ++k) expect *= t.index[k].size();
  if (t.values.size() != expect || expect == 0)
    throw UsageError(fmt::format("liberty table '{}' has {} values for {} index points", g.type, t.values.size(), expect));
  return t;
}

LibPin pin_of(const Group& g, const Templates& templates) {
  LibPin p;
  if (const auto* d = g.attr("direction")) {
    p.input = *d == "input" || *d == "inout";
    p.output = *d == "output" || *d == "inout";
  }
  if (const auto* c = g.attr("capacitance")) p.capacitance = number(*c, "capacitance");
  if (const auto* f = g.attr("function")) p.function = *f;
  if (const auto* c = g.attr("clock")) p.clock = *c == "true";
  for (const auto& sub : g.groups) {
    if (sub.type == "timing") {
      LibTiming t;
      if (const auto* r = sub.attr("related_pin")) t.related_pin = *r;
      if (const auto* s = sub.attr("timing_sense"))
        t.sense = *s == "positive_unate" ? LibTiming::Sense::Positive
                  : *s == "negative_unate" ? LibTiming::Sense::Negative
                                           : LibTiming::Sense::Non;
      if (const auto* ty = sub.attr("timing_type"))
        t.check = ty->find("setup") != std::string::npos || ty->find("hold") != std::string::npos ||
                  ty->find("recovery") != std::string::npos || ty->find("removal") != std::string::npos;
      for (const auto& tab : sub.groups) {
        if (tab.type == "rise_transition") t.rise_transition = table_of(tab, templates);
        if (tab.type == "fall_transition") t.fall_transition = table_of(tab, templates);
      }
      p.timing.push_back(std::move(t));
    } else if (sub.type == "internal_power") {
      LibPower w;
      if (const auto* r = sub.attr("related_pin")) w.related_pin = *r;
      for (const auto& tab : sub.groups) {
        if (tab.type == "rise_power") w.rise = table_of(tab, templates);
        if (tab.type == "fall_power") w.fall = table_of(tab, templates);
      }
      p.power.push_back(std::move(w));
    }
  }
  return p;
}

LibCell cell_of(const Group& g, const Templates& templates) {
  LibCell c;
  if (const auto* a = g.attr("area")) c.area = number(*a, "area");
  if (const auto* l = g.attr("cell_leakage_power")) c.leakage = number(*l, "cell_leakage_power");
  for (const auto& sub : g.groups) {
    if (sub.type == "pin" && !sub.args.empty()) {
      c.pins[sub.args.front()] = pin_of(sub, templates);
    } else if (sub.type == "ff" || sub.type == "latch" || sub.type == "ff_bank" || sub.type == "latch_bank") {
      c.sequential = true;
      c.latch = sub.type.rfind("latch", 0) == 0;
      const auto* clk = sub.attr(c.latch ? "enable" : "clocked_on");
      if (clk && std::all_of(clk->begin(), clk->end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
        c.clock_pin = *clk;
    }
  }
  return c;
}

// A 2-input NAND: two inputs, one output computing !(A & B).
bool is_nand2(const LibCell& c) {
  std::vector<std::string> in;
  const LibPin* out = nullptr;
  for (const auto& [n, p] : c.pins) {
    if (p.input) in.push_back(n);
    if (p.output) out = out ? nullptr : &p;
  }
  if (c.sequential || in.size() != 2 || !out || out->function.empty()) return false;
  try {
    const LibFunction f(out->function, in);
    return f.eval(0) && f.eval(1) && f.eval(2) && !f.eval(3);
  } catch (const ToolError&) {
    return false;
  }
}

// ---- Liberty function expressions: ! and ' (not), & * and juxtaposition (and), | + (or), ^ (xor).
class ExprParser {
 public:
  using Node = LibFunction::Node;
  ExprParser(const std::string& e, const std::vector<std::string>& pins, std::vector<Node>& nodes)
      : e_(e), pins_(pins), nodes_(nodes) {}
  int parse() {
    const int root = parse_or();
    skip();
    if (p_ != e_.size()) fail();
    return root;
  }

 private:
  [[noreturn]] void fail() const {
    throw ToolError(fmt::format("cannot parse the liberty function '{}'", e_));
  }
  void skip() {
    while (p_ < e_.size() && e_[p_] == ' ') ++p_;
  }
  int make(Node::Op op, int l, int r = -1, int pin = -1) {
    nodes_.push_back({op, l, r, pin});
    return static_cast<int>(nodes_.size()) - 1;
  }
  int parse_or() {
    int l = parse_xor();
    for (skip(); p_ < e_.size() && (e_[p_] == '|' || e_[p_] == '+'); skip()) {
      ++p_;
      l = make(Node::Op::Or, l, parse_xor());
    }
    return l;
  }
  int parse_xor() {
    int l = parse_and();
    for (skip(); p_ < e_.size() && e_[p_] == '^'; skip()) {
      ++p_;
      l = make(Node::Op::Xor, l, parse_and());
    }
    return l;
  }
  int parse_and() {
    int l = parse_unary();
    while (true) {
      skip();
      if (p_ >= e_.size()) return l;
      const char c = e_[p_];
      if (c == '&' || c == '*') ++p_;
      else if (!(c == '(' || c == '!' || std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return l;
      l = make(Node::Op::And, l, parse_unary());
    }
  }
  int parse_unary() {
    skip();
    if (p_ >= e_.size()) fail();
    int f;
    if (e_[p_] == '!') {
      ++p_;
      f = make(Node::Op::Not, parse_unary());
    } else if (e_[p_] == '(') {
      ++p_;
      f = parse_or();
      skip();
      if (p_ >= e_.size() || e_[p_] != ')') fail();
      ++p_;
    } else {
      const auto b = p_;
      while (p_ < e_.size() && (std::isalnum(static_cast<unsigned char>(e_[p_])) || e_[p_] == '_')) ++p_;
      const std::string name = e_.substr(b, p_ - b);
      if (name == "0" || name == "1") {
        f = make(name == "1" ? Node::Op::One : Node::Op::Zero, -1);
      } else {
        const auto it = std::find(pins_.begin(), pins_.end(), name);
        if (it == pins_.end()) fail();
        f = make(Node::Op::Pin, -1, -1, static_cast<int>(it - pins_.begin()));
      }
    }
    skip();
    while (p_ < e_.size() && e_[p_] == '\'') {
      ++p_;
      f = make(Node::Op::Not, f);
      skip();
    }
    return f;
  }
  const std::string& e_;
  const std::vector<std::string>& pins_;
  std::vector<Node>& nodes_;
  std::size_t p_ = 0;
};

// Cells with a zero liberty area take their LEF macro's footprint (the OSU libraries give LATCH
// area 0, while their LEF gives 5.6 x 10 um; the LEF's DFFPOSX1 equals its liberty area).
void correct_zero_areas(Liberty& lib) {
  // The .lef of the same name, else the only .lef beside the liberty.
  fs::path lef = lib.path;
  lef.replace_extension(".lef");
  std::error_code ec;
  if (!fs::is_regular_file(lef, ec)) {
    std::vector<fs::path> lefs;
    for (const auto& e : fs::directory_iterator(lib.path.parent_path(), ec))
      if (e.path().extension() == ".lef") lefs.push_back(e.path());
    if (lefs.size() != 1) return;
    lef = lefs.front();
  }
  std::istringstream is(read_text(lef));
  std::string word, macro;
  while (is >> word) {
    if (word == "MACRO") {
      is >> macro;
    } else if (word == "SIZE" && !macro.empty()) {
      double w = 0, h = 0;
      std::string by;
      is >> w >> by >> h;
      const auto it = lib.cells.find(macro);
      if (it != lib.cells.end() && it->second.area == 0 && w > 0 && h > 0) {
        it->second.area = w * h;
        it->second.area_note = fmt::format("liberty area 0 corrected to the LEF size {} x {} ({})", w, h, lef.string());
      }
      macro.clear();
    }
  }
}

}  // namespace

double LibTable::lookup(double slew, double load) const {
  if (axes.empty()) return values.front();
  // Position on one axis: the segment [i, i+1] to interpolate (or extrapolate) on, and the weight.
  const auto locate = [](const std::vector<double>& idx, double x) -> std::pair<std::size_t, double> {
    if (idx.size() == 1) return {0, 0.0};
    std::size_t i = 0;
    while (i + 2 < idx.size() && x > idx[i + 1]) ++i;
    return {i, (x - idx[i]) / (idx[i + 1] - idx[i])};
  };
  const double x0 = axes[0] == Axis::Slew ? slew : load;
  const auto [i, ti] = locate(index[0], x0);
  if (axes.size() == 1) {
    if (index[0].size() == 1) return values[0];
    return values[i] + ti * (values[i + 1] - values[i]);
  }
  const double x1 = axes[1] == Axis::Slew ? slew : load;
  const auto [j, tj] = locate(index[1], x1);
  const std::size_t n1 = index[1].size();
  const auto v = [&](std::size_t a, std::size_t b) { return values[a * n1 + b]; };
  const std::size_t i1 = index[0].size() > 1 ? i + 1 : i, j1 = n1 > 1 ? j + 1 : j;
  const double lo = v(i, j) + tj * (v(i, j1) - v(i, j));
  const double hi = v(i1, j) + tj * (v(i1, j1) - v(i1, j));
  return lo + ti * (hi - lo);
}

LibFunction::LibFunction(const std::string& expr, const std::vector<std::string>& pins) : n_(pins.size()) {
  if (n_ > 12) throw ToolError(fmt::format("liberty function '{}' has more than 12 inputs", expr));
  root_ = ExprParser(expr, pins, nodes_).parse();
  truth_.resize(std::size_t{1} << n_);
  for (unsigned v = 0; v < truth_.size(); ++v) truth_[v] = eval_node(root_, v);
}

bool LibFunction::eval_node(int k, unsigned v) const {
  const Node& n = nodes_[static_cast<std::size_t>(k)];
  switch (n.op) {
    case Node::Op::Pin: return ((v >> n.pin) & 1U) != 0;
    case Node::Op::Zero: return false;
    case Node::Op::One: return true;
    case Node::Op::Not: return !eval_node(n.l, v);
    case Node::Op::And: return eval_node(n.l, v) && eval_node(n.r, v);
    case Node::Op::Or: return eval_node(n.l, v) || eval_node(n.r, v);
    case Node::Op::Xor: return eval_node(n.l, v) != eval_node(n.r, v);
  }
  return false;
}

double LibFunction::probability(int k, bool value) const {
  std::size_t hits = 0;
  for (unsigned v = 0; v < truth_.size(); ++v) hits += eval_node(k, v) == value;
  return static_cast<double>(hits) / static_cast<double>(truth_.size());
}

bool LibFunction::eval(unsigned inputs) const { return truth_.at(inputs); }

double LibFunction::sensitivity(std::size_t k) const {
  std::size_t differ = 0;
  for (unsigned v = 0; v < truth_.size(); ++v) differ += truth_[v] != truth_[v ^ (1U << k)];
  return static_cast<double>(differ) / static_cast<double>(truth_.size());
}

std::optional<double> LibFunction::opensta2019_condition(std::size_t k) const {
  int at = root_;
  while (nodes_[static_cast<std::size_t>(at)].op == Node::Op::Not) at = nodes_[static_cast<std::size_t>(at)].l;
  const Node& n = nodes_[static_cast<std::size_t>(at)];
  const auto is_pin = [&](int x) {
    const Node* m = &nodes_[static_cast<std::size_t>(x)];
    if (m->op == Node::Op::Not) m = &nodes_[static_cast<std::size_t>(m->l)];
    return m->op == Node::Op::Pin && m->pin == static_cast<int>(k);
  };
  if (n.op == Node::Op::Pin) return n.pin == static_cast<int>(k) ? std::optional<double>(1.0) : std::nullopt;
  if (n.op == Node::Op::And || n.op == Node::Op::Or || n.op == Node::Op::Xor) {
    const bool want = n.op == Node::Op::And;  // and: the other side is 1; or/xor: it is 0
    if (is_pin(n.l)) return probability(n.r, want);
    if (is_pin(n.r)) return probability(n.l, want);
  }
  return std::nullopt;
}

Liberty load_liberty(const std::string& spec) {
  Liberty lib;
  if (spec == "osu018" || spec == "osu035")
    lib.path = fmt::format("/usr/share/qflow/tech/{0}/{0}_stdcells.lib", spec);
  else if (spec == "osu050")  // the package names its liberty osu05
    lib.path = "/usr/share/qflow/tech/osu050/osu05_stdcells.lib";
  else
    lib.path = spec;
  std::error_code ec;
  if (!fs::is_regular_file(lib.path, ec))
    throw UsageError(fmt::format("liberty '{}' not found: expected osu018, osu035, osu050 (Debian packages "
                                 "qflow-tech-osu018/035/050) or the path of a .lib file",
                                 lib.path.string()));
  const std::string text = read_text(lib.path);
  const Group top = Parser(text, lib.path).parse();
  const Group* library = nullptr;
  for (const auto& g : top.groups)
    if (g.type == "library") library = &g;
  if (!library) throw UsageError(fmt::format("liberty '{}' is malformed: no library group", lib.path.string()));
  lib.name = library->args.empty() ? lib.path.stem().string() : library->args.front();

  if (const auto* t = library->attr("time_unit")) lib.time_unit_s = unit_scale(*t, "s");
  if (const auto* l = library->attr("leakage_power_unit")) lib.leakage_unit_w = unit_scale(*l, "W");
  if (const auto* c = library->complex("capacitive_load_unit"); c && c->size() == 2)
    lib.cap_unit_f = number((*c)[0], "capacitive_load_unit") * unit_scale((*c)[1] == "ff" ? "fF" : (*c)[1] == "pf" ? "pF" : (*c)[1], "F");
  double volt_unit = 1.0;
  if (const auto* v = library->attr("voltage_unit")) volt_unit = unit_scale(*v, "V");
  if (const auto* v = library->attr("nom_voltage")) lib.voltage = number(*v, "nom_voltage") * volt_unit;
  // Internal-power tables are energies in (capacitance unit) x (voltage unit)^2.
  lib.energy_unit_j = lib.cap_unit_f * volt_unit * volt_unit;

  Templates templates;
  for (const auto& g : library->groups) {
    if ((g.type == "lu_table_template" || g.type == "power_lut_template") && !g.args.empty()) {
      std::vector<LibTable::Axis> axes;
      for (const char* v : {"variable_1", "variable_2"})
        if (const auto* var = g.attr(v)) {
          const auto a = axis_of(*var);
          if (!a) break;  // a template over other variables: its tables are not used here
          axes.push_back(*a);
        }
      templates[g.args.front()] = axes;
    }
  }
  for (const auto& g : library->groups)
    if (g.type == "cell" && !g.args.empty()) lib.cells[g.args.front()] = cell_of(g, templates);
  if (lib.cells.empty())
    throw UsageError(fmt::format("liberty '{}' is malformed: no cell groups found", lib.path.string()));

  for (auto& [name, c] : lib.cells) c.liberty_area = c.area;
  correct_zero_areas(lib);
  for (const auto& [name, c] : lib.cells)
    if (c.area > 0 && is_nand2(c) && (lib.nand2_cell.empty() || c.area < lib.nand2_area)) {
      lib.nand2_cell = name;
      lib.nand2_area = c.area;
    }
  if (lib.nand2_cell.empty())
    throw UsageError(fmt::format("liberty '{}' has no NAND2 cell (a cell computing !(A&B)) with an area: "
                                 "NAND2 equivalents need one",
                                 lib.path.string()));
  return lib;
}

}  // namespace qrtl::flow
