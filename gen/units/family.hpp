// A unit family: its parameter declarations, cross-parameter rules and structure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "units/param.hpp"

namespace qrtl::units {

// A value the generator derives from the parameters; it goes to params.json ("derived") and to
// the testbench header, so the bench never re-derives hardware facts.
struct Derived {
  std::string name;
  std::int64_t value;
  std::string doc;
};

// One Verilog module: rendered from `tmpl` (a path under templates/) with `data`.
struct ModuleDef {
  std::string name;
  std::string tmpl;
  nlohmann::json data;
};

// `parent` instantiates `child` `count` times.
struct Instance {
  std::string parent;
  std::string child;
  int count;
};

struct Elaboration {
  std::string top;
  std::vector<ModuleDef> modules;
  std::vector<Instance> instances;
  std::vector<Derived> derived;
  std::string testbench;    // bench under verif/tb/ that `qrtl verify` builds for this family
  // Golden-model files (stems under gen/quant/) the bench links; empty: all of them.
  std::vector<std::string> golden;
  std::string readme_tmpl;  // family part of the design README, under templates/
  nlohmann::json readme_data;
};

// A knob of a family's power workload: `qrtl synth --workload KEY=VALUE` (and the keys of
// --power-point), handed to the bench as `--opt KEY=VALUE`. Checked before anything runs.
struct WorkloadKey {
  enum class Kind { Fraction, Integer, Path };
  std::string name;
  Kind kind = Kind::Fraction;
  double min = 0, max = 1;  // inclusive range (Fraction: [0, 1]; Integer: from the parameters)
  std::string doc;
};

// The keys every family's power workload takes: valid_fraction (share of the unit's beat slots
// that carry a beat), zero_fraction (share of zero operands, both kinds), a_zero_fraction, w_zero_fraction.
std::vector<WorkloadKey> common_workload_keys();

// Throws UsageError unless KEY=VALUE names one of `keys` with an allowed value.
void check_workload_setting(std::string_view family, const std::vector<WorkloadKey>& keys,
                            const std::string& key, const std::string& value);

class Family {
 public:
  virtual ~Family() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  virtual const std::vector<ParamSpec>& specs() const = 0;
  // Cross-parameter rules; throws UsageError naming the parameter, its value and what is allowed.
  virtual void validate(const ParamSet& ps) const = 0;
  virtual Elaboration elaborate(const ParamSet& ps) const = 0;
  // The power-workload knobs of a design with these (validated) parameters.
  virtual std::vector<WorkloadKey> workload_keys(const ParamSet&) const { return common_workload_keys(); }
};

const std::vector<const Family*>& all_families();
// Throws UsageError listing the known families.
const Family& find_family(std::string_view name);

}  // namespace qrtl::units
