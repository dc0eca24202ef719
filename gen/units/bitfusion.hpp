// Family `bitfusion` (seed 002): BitBricks, fusion units with a run-time precision pair (2/4/6/8
// bits per operand, 6-bit optionally padded to 8 as in the original Bit Fusion) and an array of
// fusion units with column accumulation. The per-mode brick mapping is the golden model's
// (quant::brick_mapping); this file only turns it into operand-digit and shift selects.
#pragma once

#include "quant/bitfusion.hpp"
#include "units/family.hpp"

namespace qrtl::units {

struct BitfusionParams {
  std::string name;
  int rows = 0;  // fusion units per column (each takes one slice of the dot product)
  int cols = 0;  // columns: outputs computed side by side, sharing the activations
  int brick_rows = 0;
  int brick_cols = 0;
  std::string precisions;  // "2/4/6/8": the supported operand widths
  bool signed_ops = false;
  bool pow2_only = false;
  int max_len = 0;
};

const ParamTable<BitfusionParams>& bitfusion_param_table();

// Run-time precision port code c (2 bits) selects 2(c+1)-bit operands.
inline int precision_code(int bits) { return bits / 2 - 1; }

// The golden model's unit for these parameters.
quant::FusionUnit fusion_unit(const BitfusionParams& p);

// One run-time precision pair the hardware supports, with its golden brick mapping.
struct BitfusionMode {
  int a_bits = 0, w_bits = 0;
  quant::BrickMapping mapping;
};

// Hardware facts derived from the parameters.
struct BitfusionShape {
  std::vector<BitfusionMode> modes;  // supported pairs, activation width major; index = one-hot bit
  int a_bus_bits = 0;                // operand bus of one unit: most bits any mode packs (P * lane bits)
  int w_bus_bits = 0;
  int sum_bits = 0;  // one unit's per-beat output (its P products summed)
  int acc_bits = 0;  // column accumulator: rows * max_len beats of unit sums, exactly
  std::int64_t sum_min = 0, sum_max = 0;
};
BitfusionShape bitfusion_shape(const BitfusionParams& p);

class BitfusionFamily final : public Family {
 public:
  std::string_view name() const override { return "bitfusion"; }
  std::string_view summary() const override;
  const std::vector<ParamSpec>& specs() const override { return bitfusion_param_table().specs(); }
  void validate(const ParamSet& ps) const override;
  Elaboration elaborate(const ParamSet& ps) const override;
  std::vector<WorkloadKey> workload_keys(const ParamSet& ps) const override;
};

}  // namespace qrtl::units
