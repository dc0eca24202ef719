// Family `reram` (seed 003): the digital periphery of one ReRAM crossbar MVM unit. Input
// registers with bit-serial DAC drive, sample-and-hold and column-mux sequencing, one SAR ADC
// controller per ADC, shift-and-add over weight slices, arrays and input steps, offset-encoding
// correction, accumulator conversion and the result handshake. The crossbar itself is analog and
// not generated: the bench models it and programs its weights. Arithmetic is quant/reram's.
#pragma once

#include "quant/reram.hpp"
#include "units/family.hpp"

namespace qrtl::units {

struct ReramUnitParams {
  std::string name;
  int rows = 0, cols = 0;
  int weight_bits = 0, weight_frac = 0;
  int input_bits = 0, input_frac = 0;
  int acc_bits = 0, acc_frac = 0;
  int cell_bits = 0, dac_bits = 0;
  int adc_bits = 0, adc_shift = 0, adcs = 0;
  std::string weight_encoding;
};

const ParamTable<ReramUnitParams>& reram_param_table();

// The golden model's parameters for these.
quant::ReramParams reram_params(const ReramUnitParams& p);

// Cycles from accepting an input vector to out_valid_o (and, with out_ready_i high, between
// accepted vectors): quant::mvm_cycles plus one accept cycle and one cycle for the last
// shift-and-add.
inline constexpr int kReramLatency = 2;

class ReramFamily final : public Family {
 public:
  std::string_view name() const override { return "reram"; }
  std::string_view summary() const override;
  const std::vector<ParamSpec>& specs() const override { return reram_param_table().specs(); }
  void validate(const ParamSet& ps) const override;
  Elaboration elaborate(const ParamSet& ps) const override;
  std::vector<WorkloadKey> workload_keys(const ParamSet& ps) const override;
};

}  // namespace qrtl::units
