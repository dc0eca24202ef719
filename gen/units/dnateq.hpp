// Family `dnateq` (seed 004): one DNA-TEQ dot-product unit in three pipelined stages —
// quantization of FP16 activations against banked interval boundaries, exponent counting in array
// counters, and post-processing (sum of count * b^k from a LUT, times the coefficients) in FP16 or
// fixed point. The arithmetic is the golden model's (quant/dnateq, quant/fp16); this file derives
// the hardware shape (banks, counter and datapath widths, cycle counts) from the parameters.
#pragma once

#include "quant/dnateq.hpp"
#include "units/family.hpp"

namespace qrtl::units {

struct DnateqParams {
  std::string name;
  int max_bits = 0;  // largest run-time exponent bit-width n (3..7)
  int max_len = 0;   // longest dot product; sizes the counters
  int batch = 0;     // boundary comparators: boundaries compared per cycle
  std::string post;  // "fp16" or "fixed"
  bool precompute_weight_terms = false;
  int lut_frac = 0, lut_bits = 0;    // fixed point: LUT entries b^k, unsigned
  int coef_frac = 0, coef_bits = 0;  // fixed point: coefficients, signed
  int out_frac = 0;                  // fixed point: result fraction bits
};

const ParamTable<DnateqParams>& dnateq_param_table();

// Hardware facts derived from the parameters.
struct DnateqShape {
  int e_max = 0;             // E of max_bits
  int boundaries = 0;        // 2^max_bits - 1 boundary registers
  int lut_entries = 0;       // 4E + 1
  int exp_entries = 0;       // 2E + 1
  int banks = 0;             // ceil(boundaries / batch): comparator passes at max_bits
  int counter_bits = 0;      // signed, holds [-max_len, max_len]
  int term_bits = 0;         // post-processing term width: 16 (FP16) or the fixed-point T_j width
  int acc_bits = 0;          // fixed point: exact sum of coefficient * term (0 for FP16)
  int out_bits = 0;          // result width
  int cfg_data_bits = 0;     // configuration write data
  int cfg_index_bits = 0;    // index field of a configuration address
};
DnateqShape dnateq_shape(const DnateqParams& p);

// Cycles at run-time bit-width n: per accepted pair (comparator passes) and from accepting the last
// pair of a dot product to out_valid_o when the post-processing stage is free.
int dnateq_cycles_per_pair(const DnateqParams& p, int bits);
int dnateq_latency(const DnateqParams& p, int bits);

class DnateqFamily final : public Family {
 public:
  std::string_view name() const override { return "dnateq"; }
  std::string_view summary() const override;
  const std::vector<ParamSpec>& specs() const override { return dnateq_param_table().specs(); }
  void validate(const ParamSet& ps) const override;
  Elaboration elaborate(const ParamSet& ps) const override;
  std::vector<WorkloadKey> workload_keys(const ParamSet& ps) const override;
};

}  // namespace qrtl::units
