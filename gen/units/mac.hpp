// Families `pmac` (bit-parallel) and `bmac` (bit-serial): the baseline MAC arrays of seed 000.
// Both share one parameter struct, interface, controller and accumulator; only the cell differs.
#pragma once

#include "quant/mac.hpp"
#include "units/family.hpp"

namespace qrtl::units {

struct MacParams {
  std::string name;
  int rows = 0;
  int cols = 0;
  int a_bits = 0;
  int w_bits = 0;
  bool a_signed = false;
  bool w_signed = false;
  int max_len = 0;
  int acc_bits = 0;
  std::string overflow;
  std::string clock_gating;
};

const ParamTable<MacParams>& mac_param_table();

// The accumulator format and arithmetic the golden model uses for these parameters.
quant::MacArith mac_arith(const MacParams& p);

class MacFamily final : public Family {
 public:
  explicit MacFamily(bool serial) : serial_(serial) {}
  std::string_view name() const override { return serial_ ? "bmac" : "pmac"; }
  std::string_view summary() const override;
  const std::vector<ParamSpec>& specs() const override { return mac_param_table().specs(); }
  void validate(const ParamSet& ps) const override;
  Elaboration elaborate(const ParamSet& ps) const override;

 private:
  bool serial_;
};

}  // namespace qrtl::units
