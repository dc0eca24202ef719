// Digit-sum reference of a Bit Fusion dot product, the definition of the decomposition
// (/work/shared/DESIGN.md, docs/bitfusion.md): a p-bit operand is split into 2-bit digits, every
// digit unsigned (0..3) except the top digit of a signed operand (-2..1), and
//   a * w = sum_{i,j} d_i(a) * d_j(w) * 4^(i+j).
// dot = sum over the P products of LA-bit activation and LW-bit weight lanes (lane p at bits
// [L*p +: L] of the bus) of that double sum. Nothing here comes from the RTL's brick mapping, digit
// selects or shifts; bitfusion_digit_check.v proves the identity against plain multiplication.
// The terms are added as a balanced binary tree in (p, i, j) order: addition order does not change
// the value, but a tree gives ABC's SAT sweeping partial sums it can match against the unit's
// adder tree (against a linear chain, 6x2 took 39 s instead of under 1 s).
module bitfusion_digit_dot #(
  parameter LA   = 8,
  parameter LW   = 8,
  parameter P    = 1,
  parameter ABUS = 32,
  parameter WBUS = 32
) (
  input  wire [ABUS-1:0]    a,
  input  wire [WBUS-1:0]    w,
  input  wire               a_sgn,
  input  wire               w_sgn,
  // 32 bits hold every sum of up to 64 products of 8-bit operands.
  output wire signed [31:0] dot
);
  localparam DA = (LA + 1) / 2;
  localparam DW = (LW + 1) / 2;
  localparam N  = P * DA * DW;
  // Term k at t[32*k +: 32]; the tree reduction overwrites the front in place, level by level.
  reg        [32*N-1:0] t;
  reg signed [2:0]      da, dw;
  reg signed [5:0]      dp;
  integer p, i, j, n, k;
  always @* begin
    for (p = 0; p < P; p = p + 1)
      for (i = 0; i < DA; i = i + 1)
        for (j = 0; j < DW; j = j + 1) begin
          da = (a_sgn && i == DA - 1) ? $signed({a[LA*p+2*i+1], a[LA*p+2*i +: 2]})
                                      : $signed({1'b0, a[LA*p+2*i +: 2]});
          dw = (w_sgn && j == DW - 1) ? $signed({w[LW*p+2*j+1], w[LW*p+2*j +: 2]})
                                      : $signed({1'b0, w[LW*p+2*j +: 2]});
          dp = da * dw;
          t[32*((p*DA+i)*DW+j) +: 32] = dp <<< (2 * (i + j));
        end
    for (n = N; n > 1; n = (n + 1) / 2)
      for (k = 0; k < n / 2; k = k + 1) begin
        t[32*k +: 32] = t[32*(2*k) +: 32] + t[32*(2*k+1) +: 32];
        // An odd level's last term moves up unpaired.
        if (k == n / 2 - 1 && n % 2 == 1) t[32*(k+1) +: 32] = t[32*(n-1) +: 32];
      end
  end
  assign dot = t[31:0];
endmodule
