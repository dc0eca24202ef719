// A Liberty library as the reports and the energy model need it: cell areas, pins with their
// capacitance, logic function and clock flag, timing arcs' output-transition tables, internal-power
// tables and leakage. Cells are found by function (NAND2 reference, flip-flops, latches), not by name.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qrtl::flow {

// A lookup table of one or two variables; each axis is either the input slew or the output load.
struct LibTable {
  enum class Axis { Slew, Load };
  std::vector<Axis> axes;                       // 0, 1 or 2 axes (0: a scalar)
  std::array<std::vector<double>, 2> index;     // index[k] belongs to axes[k]
  std::vector<double> values;                   // row-major: index[0] outer, index[1] inner
  // Linear interpolation, and linear extrapolation beyond the table's ends (as OpenSTA does).
  double lookup(double slew, double load) const;
};

struct LibTiming {
  std::string related_pin;
  enum class Sense { Positive, Negative, Non } sense = Sense::Non;
  bool check = false;  // setup/hold/recovery/removal: a constraint, not a delay arc
  std::optional<LibTable> rise_transition, fall_transition;
};

struct LibPower {
  std::string related_pin;  // empty: the pin's own transitions (input-pin or "passive" power)
  std::optional<LibTable> rise, fall;
};

struct LibPin {
  bool input = false, output = false, clock = false;
  double capacitance = 0;   // in the library's capacitance unit
  std::string function;     // Liberty expression, output pins
  std::vector<LibTiming> timing;
  std::vector<LibPower> power;
};

struct LibCell {
  double area = 0;                  // µm² as qrtl counts it (corrected where the liberty is wrong)
  double liberty_area = 0;          // as the liberty states it
  bool sequential = false;          // has an ff or latch group
  bool latch = false;
  std::string clock_pin;            // ff clocked_on / latch enable, when a plain pin name
  double leakage = 0;               // in the library's leakage unit
  std::map<std::string, LibPin> pins;
  std::string area_note;            // set when qrtl corrects the library's area
};

struct Liberty {
  std::string name;                 // library(...) name
  std::filesystem::path path;
  std::map<std::string, LibCell> cells;
  std::string nand2_cell;           // smallest cell computing !(A & B)
  double nand2_area = 0;
  double voltage = 0;               // V, nominal
  // Scale factors to SI units of the library's own units.
  double cap_unit_f = 1e-12, time_unit_s = 1e-9, leakage_unit_w = 1e-9, energy_unit_j = 1e-12;
};

// `spec` is "osu018", "osu035", "osu050" (Debian qflow-tech packages) or a path to a .lib file.
// A cell whose liberty area is 0 (OSU's LATCH) gets the area of its LEF macro (SIZE w BY h) when a
// .lef of the same name lies beside the .lib; area_note says so.
// Throws UsageError for a missing file or one without cells / without a NAND2 cell.
Liberty load_liberty(const std::string& spec);

// A Liberty logic function, evaluated on the values of its input pins (bit k of `inputs` is the
// value of `pins[k]`). Throws ToolError on an expression it cannot parse.
class LibFunction {
 public:
  LibFunction(const std::string& expr, const std::vector<std::string>& pins);
  bool eval(unsigned inputs) const;
  // Probability that a change of pin k changes the output, all inputs independent and equally
  // likely 0 or 1 (the Boolean difference).
  double sensitivity(std::size_t k) const;
  // OpenSTA 2019's inferred "when" condition of the arc from pin k (a top-level and/or/xor with
  // pin k as one operand: the probability of the other operand's sensitizing value), if any.
  std::optional<double> opensta2019_condition(std::size_t k) const;

  struct Node {
    enum class Op { Pin, Zero, One, Not, And, Or, Xor } op;
    int l = -1, r = -1, pin = -1;
  };

 private:
  bool eval_node(int k, unsigned v) const;
  double probability(int k, bool value) const;
  std::vector<Node> nodes_;
  int root_ = -1;
  std::vector<bool> truth_;
  std::size_t n_ = 0;
};

}  // namespace qrtl::flow
