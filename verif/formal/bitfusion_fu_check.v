// Formal check of one Bit Fusion fusion unit in one mode against the behavioural dot product.
// The unit is the `fm_fu` module of a design generated with name=fm; the mode's facts come from
// the golden model (tests/test_formal_bitfusion.cpp sets the parameters): its one-hot index MODE
// among HOT modes, lane widths LA/LW (operand width; 8 for a 6-bit operand of a pow2_only unit) and
// products per cycle P. For every operand bus value and both signedness flags, the unit's
// registered sum must equal sum_p a_p * w_p of the lane fields read as LA/LW-bit integers —
// plain multiplication, nothing of digits, bricks or shifts.
// Run by tests/test_formal_bitfusion.cpp: Yosys writes the check as an AIGER safety property and
// ABC proves it (dprove: SAT sweeping finds the shared structure a plain SAT call does not).
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
  input wire            clk,
  input wire [ABUS-1:0] a,
  input wire [WBUS-1:0] w,
  input wire            a_sgn,
  input wire            w_sgn
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

  // Reference: 32 bits hold every sum of up to 64 products of 8-bit operands.
  reg signed [31:0] ref_sum;
  reg signed [31:0] av, wv;
  integer p;
  always @* begin
    ref_sum = 32'sd0;
    for (p = 0; p < P; p = p + 1) begin
      av = a_sgn ? $signed({{(32-LA){a[LA*p+LA-1]}}, a[LA*p +: LA]}) : $signed({{(32-LA){1'b0}}, a[LA*p +: LA]});
      wv = w_sgn ? $signed({{(32-LW){w[LW*p+LW-1]}}, w[LW*p +: LW]}) : $signed({{(32-LW){1'b0}}, w[LW*p +: LW]});
      ref_sum = ref_sum + av * wv;
    end
  end

  // The unit registers its sum: from the second cycle on it must equal the reference of the
  // previous cycle (the first cycle's registers hold arbitrary start values).
  reg [SUM-1:0] ref_q;
  reg           primed = 1'b0;
  always @(posedge clk) begin
    ref_q  <= ref_sum[SUM-1:0];
    primed <= 1'b1;
  end
  always @* if (primed) assert (sum == ref_q);
endmodule
