// Golden model of one ReRAM crossbar MVM unit (seed 003): the quantization-aware functional MVM.
// The crossbar is ideal (a column sum is an exact integer); every loss comes from the fixed-point
// formats, the ADC and the accumulator conversion. Pure integer arithmetic, standard library only
// (this file is compiled into the Verilator benches). docs/reram.md states every definition.
//
// Conventions:
//  - weights, inputs and the accumulator are signed two's-complement fixed point, carried as their
//    raw integer codes (value = code * 2^-frac);
//  - a weight matrix is row-major: weights[r * cols + c] multiplies input r into output c;
//  - "raw" results are integers at the product fraction weight_frac + input_frac;
//  - parameter errors throw std::invalid_argument naming the parameter, its value and what is allowed.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "quant/intmath.hpp"

namespace qrtl::quant {

// How a signed weight is stored in cells that only hold non-negative levels.
//  Offset:       one array stores w + 2^(weight_bits-1) (weight_bits bits); offset * sum(inputs) is
//                subtracted digitally.
//  Differential: array 0 stores max(w, 0), array 1 stores max(-w, 0), each in weight_bits - 1 bits;
//                column = array 0 - array 1. Sign-magnitude, so the weight range is symmetric:
//                -2^(weight_bits-1) is not representable.
enum class WeightEncoding { Offset, Differential };

// Accepts "offset" and "differential"; anything else throws std::invalid_argument.
WeightEncoding parse_weight_encoding(std::string_view name);
std::string_view weight_encoding_name(WeightEncoding e);

struct ReramParams {
  int rows = 16;        // crossbar rows = inputs of one MVM, >= 1
  int cols = 8;         // crossbar columns = outputs of one MVM, >= 1
  int weight_bits = 8;  // 1..32
  int weight_frac = 4;  // 0..weight_bits-1
  int input_bits = 8;   // 1..32
  int input_frac = 4;   // 0..input_bits-1
  int acc_bits = 16;    // 1..62
  int acc_frac = 6;     // 0..acc_bits-1
  int cell_bits = 2;    // bits per cell = slice width, 1..weight_bits (- 1 if differential)
  int dac_bits = 1;     // bits per input step, 1..input_bits
  int adc_bits = 6;     // 1..9
  int adc_shift = 0;    // ADC LSB = 2^adc_shift column-sum units, 0..full_range_adc_shift()
  int adcs = 2;         // ADCs per crossbar array, a divisor of cols
  WeightEncoding weight_encoding = WeightEncoding::Offset;
};

// Throws std::invalid_argument for the first rule p breaks (see the ranges above, plus
// weight_bits >= 2 for differential encoding and weight_bits + input_bits + ceil_log2(rows) <= 60,
// the golden model's 64-bit headroom).
void validate(const ReramParams& p);

// --- Derived structure (p must be valid) ---------------------------------------------------------
IntFormat weight_format(const ReramParams& p);
IntFormat input_format(const ReramParams& p);
IntFormat acc_format(const ReramParams& p);
int product_frac(const ReramParams& p);   // weight_frac + input_frac
int weight_arrays(const ReramParams& p);  // 1 (offset) or 2 (differential)
int weight_slices(const ReramParams& p);  // ceil(stored bits / cell_bits), slice 0 = LSBs
// The weight range: the weight format, without its most negative code for differential encoding.
std::int64_t min_weight(const ReramParams& p);
std::int64_t max_weight(const ReramParams& p);
// Input steps, LSB first: ceil((input_bits - 1) / dac_bits) magnitude steps, then one sign step
// that drives the sign bit and is weighted -2^(input_bits-1) (two's complement, DAC levels >= 0).
int input_steps(const ReramParams& p);
std::int64_t adc_lsb(const ReramParams& p);  // 2^adc_shift
int adc_count(const ReramParams& p);         // adcs * weight_slices * weight_arrays
// Cycles of one MVM: every slice array (and both arrays of a differential pair) converts in
// parallel on its own `adcs` ADCs; per input step each ADC converts cols/adcs columns one after
// the other, a conversion being 1 sample cycle + adc_bits SAR bit trials:
//   input_steps * (cols / adcs) * (adc_bits + 1).
std::int64_t mvm_cycles(const ReramParams& p);

// --- Levels: what the analog model drives and stores ---------------------------------------------
// The unsigned value array `array` stores for weight w (w + offset, or the positive/negative part).
std::int64_t stored_weight(const ReramParams& p, int array, std::int64_t w);
// Level of the cell holding slice `slice` of w in array `array`: bits [slice*cell_bits, ...) of
// stored_weight; the top slice is narrower when cell_bits does not divide the stored bits.
std::int64_t cell_level(const ReramParams& p, int array, int slice, std::int64_t w);
// DAC level of input x in step `step`: bits [step*dac_bits, ...) of x below its sign bit, or the
// sign bit (0/1) in the last step.
std::int64_t dac_level(const ReramParams& p, int step, std::int64_t x);
std::int64_t max_cell_level(const ReramParams& p, int slice);  // 2^(slice width) - 1
std::int64_t max_dac_level(const ReramParams& p, int step);
// Digital weight of one conversion in the shift-and-add:
//   (array 1 of a differential pair ? -1 : +1) * 2^(slice*cell_bits) * step weight,
// the step weight being 2^(step*dac_bits), or -2^(input_bits-1) for the sign step.
std::int64_t conversion_weight(const ReramParams& p, int array, int slice, int step);
// Largest column sum of one conversion: rows * max_dac_level(step) * max_cell_level(slice).
std::int64_t max_column_sum(const ReramParams& p, int slice, int step);
// Largest column sum of any conversion.
std::int64_t max_column_sum(const ReramParams& p);
// ADC bits for which lsb = 1 covers max_column_sum(p): the ADC is then lossless.
int lossless_adc_bits(const ReramParams& p);
// Smallest adc_shift at which the adc_bits range covers max_column_sum(p) (no clipping).
int full_range_adc_shift(const ReramParams& p);

// --- ADC -----------------------------------------------------------------------------------------
// Both ADC functions need adc_bits in 1..9 and lsb >= 1 with (2^adc_bits - 1) * lsb in int64_t.
// Closed form: clamp(floor(sum / lsb), 0, 2^adc_bits - 1).
std::int64_t adc_code(std::int64_t sum, int adc_bits, std::int64_t lsb);

struct SarTrial {
  std::int64_t dac_code = 0;  // code under test in this bit cycle (kept bits | trial bit)
  bool comparator = false;    // sum >= dac_code * lsb: the trial bit is kept
};
// Successive approximation, MSB first, one bit trial per cycle. `trials`, if non-empty, must hold
// adc_bits entries and receives each cycle's DAC code and comparator output. Equals adc_code().
std::int64_t sar_convert(std::int64_t sum, int adc_bits, std::int64_t lsb, std::span<SarTrial> trials = {});

// max over 0 <= S <= max_sum of S - lsb * adc_code(S): the largest error of one conversion. The ADC
// never overestimates (floor, clip at the top), so every conversion error lies in [0, this].
std::int64_t adc_max_error(std::int64_t max_sum, int adc_bits, std::int64_t lsb);

// --- MVM -----------------------------------------------------------------------------------------
// Column sums of every conversion: S(array, slice, step, col) = sum over rows of
// dac_level(step, x[r]) * cell_level(array, slice, w[r][col]).
struct StepSums {
  int arrays = 0, slices = 0, steps = 0, cols = 0;
  std::vector<std::int64_t> sums;  // arrays x slices x steps x cols, col fastest

  std::size_t index(int array, int slice, int step, int col) const;
  std::int64_t at(int array, int slice, int step, int col) const {
    return sums[index(array, slice, step, col)];
  }
};

// Every operand function below validates p and throws std::invalid_argument if the sizes are not
// rows * cols weights and rows inputs, or a value is outside the weight range / input format.
StepSums column_sums(const ReramParams& p, std::span<const std::int64_t> weights,
                     std::span<const std::int64_t> inputs);
// The digital periphery given the analog sums: ADC, shift-and-add over arrays, slices and steps,
// minus the offset-encoding correction offset * sum(inputs). Raw (product fraction) per column.
std::vector<std::int64_t> mvm_from_sums(const ReramParams& p, const StepSums& sums,
                                        std::span<const std::int64_t> inputs);
// mvm_from_sums(column_sums(...)): the quantization-aware MVM before the accumulator conversion.
std::vector<std::int64_t> mvm_adc(const ReramParams& p, std::span<const std::int64_t> weights,
                                  std::span<const std::int64_t> inputs);
// The exact integer MVM: sum over rows of w * x per column (raw, product fraction).
std::vector<std::int64_t> mvm_exact(const ReramParams& p, std::span<const std::int64_t> weights,
                                    std::span<const std::int64_t> inputs);
// Raw (product fraction) -> accumulator format: shifted left when acc_frac is larger, else shifted
// right rounding half up (floor(raw / 2^d + 1/2)); then saturated to acc_bits. |raw| < 2^62.
std::int64_t to_accumulator(const ReramParams& p, std::int64_t raw);
// The golden model: to_accumulator(mvm_adc(...)) per column.
std::vector<std::int64_t> mvm(const ReramParams& p, std::span<const std::int64_t> weights,
                              std::span<const std::int64_t> inputs);

// Range of mvm_adc - mvm_exact over all weights and inputs, per column: each conversion's error
// e in [0, adc_max_error] enters with -conversion_weight, so
//   lo = -sum(c * E, c > 0),  hi = sum(-c * E, c < 0).
struct ErrorRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
};
ErrorRange mvm_error_range(const ReramParams& p);
// max(-lo, hi): the worst-case |mvm_adc - mvm_exact| from ADC quantization.
std::int64_t mvm_error_bound(const ReramParams& p);

// --- Weight matrix file --------------------------------------------------------------------------
// `rows` lines of `cols` integers separated by commas and/or whitespace; blank lines and lines
// starting with '#' are skipped. Every value must fit the weight format. Errors are
// std::invalid_argument "weights: line N: ..." (or "weights: expected R rows ..." at the end).
std::vector<std::int64_t> parse_weight_matrix(std::string_view text, const ReramParams& p);

// --- Hardware cost of seed 003 -------------------------------------------------------------------
// Cost_hw = sum_i alpha^(B_ADC_i) * (f_input_i * B_input_i / B_full + f_weight_i * B_weight_i / B_full)
struct LayerPrecision {
  int adc_bits = 8;       // B_ADC_i, 1..9
  int input_bits = 16;    // B_input_i, >= 1
  int weight_bits = 16;   // B_weight_i, >= 1
  double f_input = 0.5;   // share of layer i's cost that scales with input bits, >= 0
  double f_weight = 0.5;  // share of layer i's cost that scales with weight bits, >= 0
};
struct CostConstants {
  double alpha = 2.0;  // cost growth per ADC bit, > 1 (2: ADC energy roughly doubles per bit)
  int full_bits = 16;  // B_full, the full-precision reference width, >= 1
};
double hardware_cost(std::span<const LayerPrecision> layers, const CostConstants& k = {});

}  // namespace qrtl::quant
