// Formal check of the digit identity behind bitfusion_digit_dot.v: for every lane width pair
// LA, LW in {2, 4, 6, 8}, every operand value and both signedness flags, the digit sum of one
// product equals the plain product of the operands read as LA/LW-bit integers, modulo 2^18 (every
// such product lies in [-2^17, 2^17), and the unit check compares 17 bits). `bad` is a miter (high
// iff some pair differs); tests/test_formal_bitfusion.cpp proves it constant 0 with ABC (collapse:
// the BDD of 18 inputs is small where SAT on a multiplier is slow).
module bitfusion_digit_check (
  input  wire [7:0] a,
  input  wire [7:0] w,
  input  wire       a_sgn,
  input  wire       w_sgn,
  output wire       bad
);
  wire [15:0] diff;
  genvar ga, gw;
  generate
    for (ga = 0; ga < 4; ga = ga + 1) begin : la
      for (gw = 0; gw < 4; gw = gw + 1) begin : lw
        localparam LA = 2 * ga + 2;
        localparam LW = 2 * gw + 2;
        wire signed [31:0] dot;
        bitfusion_digit_dot #(.LA(LA), .LW(LW), .P(1), .ABUS(8), .WBUS(8)) u_dot (
          .a    (a),
          .w    (w),
          .a_sgn(a_sgn),
          .w_sgn(w_sgn),
          .dot  (dot)
        );
        wire signed [17:0] av = a_sgn ? $signed({{(18-LA){a[LA-1]}}, a[LA-1:0]}) : $signed({{(18-LA){1'b0}}, a[LA-1:0]});
        wire signed [17:0] wv = w_sgn ? $signed({{(18-LW){w[LW-1]}}, w[LW-1:0]}) : $signed({{(18-LW){1'b0}}, w[LW-1:0]});
        wire signed [17:0] prod = av * wv;
        assign diff[4*ga+gw] = dot[17:0] != prod;
      end
    end
  endgenerate
  assign bad = |diff;
endmodule
