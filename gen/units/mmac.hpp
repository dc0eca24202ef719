// Family `mmac` (seed 000): term-pair MAC arrays for term-quantized weights with run-time
// (multi-resolution) term budgets. Weights arrive as MSB-first group term-memory entries (the
// format `qrtl tq-encode` writes); activations arrive as integers and are term-encoded in RTL.
#pragma once

#include "quant/tq.hpp"
#include "units/family.hpp"

namespace qrtl::units {

struct MmacParams {
  std::string name;
  int rows = 0;
  int cols = 0;
  int a_bits = 0;
  int w_bits = 0;
  bool a_signed = false;
  bool w_signed = false;
  std::string encoder;
  int group = 0;
  int max_w_terms = 0;
  int max_a_terms = 0;
  int lanes = 0;
  std::string acc_arch;
  int max_len = 0;
};

const ParamTable<MmacParams>& mmac_param_table();

// Hardware facts derived from the parameters (also the testbench header's derived values).
struct MmacShape {
  quant::TermBounds a_terms, w_terms;  // over every activation / weight value
  quant::TermEntryLayout entry;        // one weight term-memory entry
  int a_exp_bits = 0;                  // activation term exponent field (holds a_terms.max_exp)
  int pair_exp_max = 0;                // largest e_w + e_a
  int pair_exp_bits = 0;
  int k_bits = 0, ka_bits = 0;         // run-time budget ports
  int groups_max = 0;                  // groups of the longest dot product
  std::int64_t pairs_max = 0;          // term pairs of the longest dot product
  int pos_bits = 0;                    // one-hot accumulator width (unsigned)
  int hist_bits = 0;                   // per-exponent counter width (signed)
  int res_bits = 0;                    // result width (signed)
  int pair_bits = 0;                   // prefix-count width inside a group
};
MmacShape mmac_shape(const MmacParams& p);

class MmacFamily final : public Family {
 public:
  std::string_view name() const override { return "mmac"; }
  std::string_view summary() const override;
  const std::vector<ParamSpec>& specs() const override { return mmac_param_table().specs(); }
  void validate(const ParamSet& ps) const override;
  Elaboration elaborate(const ParamSet& ps) const override;
  std::vector<WorkloadKey> workload_keys(const ParamSet& ps) const override;
};

}  // namespace qrtl::units
