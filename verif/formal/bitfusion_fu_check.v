// Formal check of one Bit Fusion fusion unit in one mode against the digit-sum dot product.
// The unit is the `fm_fu` module of a design generated with name=fm; the mode's facts come from
// the golden model (tests/test_formal_bitfusion.cpp sets the parameters): its one-hot index MODE
// among HOT modes, lane widths LA/LW (operand width) and products per cycle P. `bad` is a miter:
// high iff, for some operand bus value and signedness flags, the unit's sum differs from
// bitfusion_digit_dot (modulo 2^SUM: every unit sum fits SUM bits). Together with
// bitfusion_digit_check.v (digit sum == plain product per lane width) this proves the unit computes
// sum_p a_p * w_p.
// Run by tests/test_formal_bitfusion.cpp: Yosys turns the unit's output register into a wire
// (ff_to_wire.v) and writes an AIGER miter, ABC's iprove (SAT sweeping) proves `bad` constant 0.
module bitfusion_fu_check #(
  parameter HOT  = 16,
  parameter MODE = 0,
  parameter LA   = 8,
  parameter LW   = 8,
  parameter P    = 1,
  parameter ABUS = 32,
  parameter WBUS = 32,
  parameter SUM  = 17
) (
  input  wire            clk,
  input  wire [ABUS-1:0] a,
  input  wire [WBUS-1:0] w,
  input  wire            a_sgn,
  input  wire            w_sgn,
  output wire            bad
);
  wire [HOT-1:0] hot = {{(HOT-1){1'b0}}, 1'b1} << MODE;
  wire [SUM-1:0] sum;
  fm_fu dut (
    .clk_i  (clk),
    .load_i (1'b1),
    .hot_i  (hot),
    .a_sgn_i(a_sgn),
    .w_sgn_i(w_sgn),
    .a_i    (a),
    .w_i    (w),
    .sum_o  (sum)
  );
  wire signed [31:0] ref_sum;
  bitfusion_digit_dot #(.LA(LA), .LW(LW), .P(P), .ABUS(ABUS), .WBUS(WBUS)) ref_dot (
    .a    (a),
    .w    (w),
    .a_sgn(a_sgn),
    .w_sgn(w_sgn),
    .dot  (ref_sum)
  );
  assign bad = sum != ref_sum[SUM-1:0];
endmodule
