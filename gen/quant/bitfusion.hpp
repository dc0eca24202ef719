// Golden model of Bit Fusion with 6-bit support (seed 002): 2-bit digit decomposition, the
// BitBrick, the per-mode assignment of digit pairs to the bricks of one fusion unit, the unit's
// output, and a cycle/utilization model of an array of fusion units running whole layers.
// Pure integer arithmetic; docs/bitfusion.md states every definition used here.
//
// Conventions shared by every function here:
//  - operand precisions are 2, 4, 6 or 8 bits; a "digit" is 2 bits, digit 0 the least significant;
//  - configuration errors (precision, grid, supported set, operand counts) throw
//    std::invalid_argument naming the parameter, the value and what is allowed;
//  - operand values outside their format throw std::out_of_range (as the MAC golden model does).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qrtl::quant {

// ---- digits and the BitBrick ------------------------------------------------------------------

// One 2-bit digit as the BitBrick sees it: the digit extended to 3 bits. Lower digits and all
// digits of an unsigned operand are zero-extended (value 0..3); the top digit of a signed
// operand is sign-extended (value -2..1) and has is_signed set.
struct Digit {
  int value = 0;
  bool is_signed = false;
  friend bool operator==(const Digit&, const Digit&) = default;
};

// Number of 2-bit digits of a `bits`-bit operand; bits must be 2, 4, 6 or 8.
int digit_count(int bits);

// The bits/2 digits of `value` (LSB first) with sum digit[i].value * 4^i == value.
// `value` must fit a `bits`-bit field of the given signedness.
std::vector<Digit> decompose(std::int64_t value, int bits, bool is_signed);

// Inclusive range of a BitBrick input: 3-bit signed.
inline constexpr int kBrickMin = -4;
inline constexpr int kBrickMax = 3;

// 3-bit signed x 3-bit signed product; both inputs in [kBrickMin, kBrickMax].
int bitbrick(int x, int y);

// ---- one fusion unit --------------------------------------------------------------------------

// Generation-time shape of one fusion unit.
struct FusionUnit {
  int rows = 4;                             // BitBrick grid rows, 1..64
  int cols = 4;                             // BitBrick grid columns, 1..64
  std::vector<int> precisions{2, 4, 6, 8};  // operand widths the unit accepts, subset of {2,4,6,8}
  bool pow2_only = false;                   // original Bit Fusion: a 6-bit operand is padded to 8 bits

  int bricks() const { return rows * cols; }
};

// Throws std::invalid_argument unless the fields are in range and the grid holds at least one
// product of the widest supported precision pair.
void validate(const FusionUnit& unit);

// Width at which a `bits`-bit operand enters the bricks: 8 for 6 under pow2_only, else `bits`.
int lane_bits(int bits, bool pow2_only);

// What one brick does in a mode.
struct BrickSlot {
  bool idle = true;  // operand-isolated: contributes 0; the fields below are then 0
  int product = 0;   // product slot p within the cycle, 0..P-1
  int a_digit = 0;   // activation digit i
  int w_digit = 0;   // weight digit j
  int shift = 0;     // 2*(i+j): the brick's output weighs 4^(i+j)
  friend bool operator==(const BrickSlot&, const BrickSlot&) = default;
};

// The brick assignment of one precision pair. Product p occupies bricks p*D .. p*D+D-1 in
// row-major order (brick index = row*cols + col), D = a_digits*w_digits; within a product the
// pairs run activation-digit-major: brick p*D + i*w_digits + j holds (i, j). The remaining
// bricks are idle. Signedness does not change the mapping, only the digits' extension.
struct BrickMapping {
  int rows = 0;
  int cols = 0;
  int a_bits = 0;  // the mode's operand widths
  int w_bits = 0;
  int a_digits = 0;  // digits per operand as they enter the bricks (after pow2_only padding)
  int w_digits = 0;
  int products = 0;               // P: products summed per cycle
  std::vector<BrickSlot> bricks;  // rows*cols entries, row-major

  int digit_pairs() const { return a_digits * w_digits; }
  int active_bricks() const { return products * digit_pairs(); }
};

// Mapping of mode (a_bits, w_bits); both must be in unit.precisions.
BrickMapping brick_mapping(const FusionUnit& unit, int a_bits, int w_bits);

// P for mode (a_bits, w_bits): floor(bricks / D).
int products_per_cycle(const FusionUnit& unit, int a_bits, int w_bits);

// Run-time mode of a fusion unit: precision pair and signedness of each operand.
struct Mode {
  int a_bits = 8;
  int w_bits = 8;
  bool a_signed = true;
  bool w_signed = true;
};

// Per brick (mapping order): bitbrick(a digit, w digit) * 2^shift, 0 for idle bricks.
// a and w hold exactly P operands; mode's widths must be the mapping's.
std::vector<std::int64_t> brick_terms(const Mode& mode, const BrickMapping& mapping,
                                      std::span<const std::int64_t> a, std::span<const std::int64_t> w);

// Per product slot: the sum of its bricks' terms (equals a[p] * w[p]).
std::vector<std::int64_t> fusion_unit_products(const Mode& mode, const BrickMapping& mapping,
                                               std::span<const std::int64_t> a,
                                               std::span<const std::int64_t> w);

// The unit's output in one cycle: the sum over all bricks (equals sum_p a[p] * w[p]).
std::int64_t fusion_unit_output(const Mode& mode, const BrickMapping& mapping,
                                std::span<const std::int64_t> a, std::span<const std::int64_t> w);

// ---- an array of fusion units running a layer -------------------------------------------------

// A layer as a set of dot products: out_channels * out_h * out_w outputs, each of length
// in_channels * kernel * kernel. A fully connected layer is kernel 1 and out 1x1.
struct Layer {
  std::string name;
  int in_channels = 1;
  int out_channels = 1;
  int kernel = 1;  // square kernel side
  int out_h = 1;
  int out_w = 1;

  std::int64_t dot_length() const;
  std::int64_t pixels() const;
  std::int64_t outputs() const { return pixels() * out_channels; }
};

Layer conv_layer(std::string name, int in_channels, int out_channels, int kernel, int out_hw);
Layer fc_layer(std::string name, int in_features, int out_features);

// LeNet-5: conv1 1->6 5x5 out 28x28, conv2 6->16 5x5 out 10x10, fc 400->120, 120->84, 84->10.
std::vector<Layer> lenet5_layers();

// rows x cols fusion units (the paper simulates 16x16). Dataflow: column c computes one output
// (an output channel at one pixel); row r's unit takes the r-th slice of P products of that
// output's dot product and the column sums its rows; activations are broadcast along a row, so
// the columns share them and hold different output channels.
struct FusionArray {
  int rows = 16;
  int cols = 16;
  FusionUnit unit;

  int units() const { return rows * cols; }
};

void validate(const FusionArray& array);

// Cost of running a layer (or a network: sums of the layers') in one precision pair.
struct ArrayRun {
  int products_per_cycle = 0;  // P of the mode (per unit)
  std::int64_t cycles = 0;
  std::int64_t products = 0;          // multiplications of the layer(s)
  std::int64_t useful_brick_ops = 0;  // products * (a_bits/2) * (w_bits/2): no padding digits
  std::int64_t active_brick_ops = 0;  // products * D: includes pow2_only padding digits
  std::int64_t busy_unit_cycles = 0;  // unit-cycles computing at least one product
  std::int64_t brick_capacity = 0;    // units * bricks * cycles
  std::int64_t unit_capacity = 0;     // units * cycles

  double brick_utilization() const;      // useful_brick_ops / brick_capacity
  double active_brick_fraction() const;  // active_brick_ops / brick_capacity
  double unit_utilization() const;       // busy_unit_cycles / unit_capacity
};

ArrayRun run_layer(const FusionArray& array, const Layer& layer, int a_bits, int w_bits);
// The layers run one after another; every count is the sum of the layers' counts.
ArrayRun run_network(const FusionArray& array, std::span<const Layer> layers, int a_bits, int w_bits);

}  // namespace qrtl::quant
