// Bounded formal check of a whole mmac design against the term-quantization arithmetic, for one
// group: the design generated with
//   qrtl generate mmac --set name=fm --set rows=1 --set cols=1 --set a_bits=4 --set w_bits=4
//     --set group=2 --set max_w_terms=2 --set max_a_terms=2 --set lanes=1 --set max_len=2
//     [--set acc_arch=histogram]  (encoder hese, signed operands, 11-bit result)
// is reset, given one arbitrary group (activations, term-memory entries and budgets, including
// budgets above the maximum), and its result must equal the reference below, which follows the
// golden model's definition directly: the sum over the first min(k, 2) valid weight entries of
// sign * 2^exp * (activation `index` truncated to its leading min(ka, 2) hese terms). Nothing of
// the RTL's structure (pairs, prefix counts, lanes, accumulators) appears here.
// Run by tests/test_formal_mmac.cpp: yosys read_verilog -formal; sat -seq 11 -prove-asserts.
module mmac_fm_check (
  input wire       clk,
  input wire [7:0] a,    // two 4-bit signed activations
  input wire [11:0] wt,  // two entries [valid][sign][exp:3][index:1]
  input wire [1:0] k,
  input wire [1:0] ka
);
  // Leading-`n` hese terms of a 4-bit two's-complement value, MSB-first window scan as in
  // gen/quant/tq.cpp: 010 -> +2^i (skip i-1), 011 -> +2^(i+1), 110 -> -2^i, on |v|.
  function automatic signed [7:0] hese_trunc(input [3:0] v, input [1:0] n);
    reg [5:0] m;       // |v| with zeros around: m[i+1] is bit i
    reg signed [7:0] acc;
    reg [1:0] used;
    integer i;
    reg skip;
    begin
      m = {1'b0, (v[3] ? (~v + 4'd1) : v), 1'b0};
      acc = 8'sd0;
      used = 2'd0;
      skip = 1'b0;
      for (i = 3; i >= 0; i = i - 1) begin
        if (skip) skip = 1'b0;
        else if (used < n) begin
          if (m[i+2:i] == 3'b010) begin
            acc = acc + (8'sd1 <<< i);
            used = used + 2'd1;
            skip = 1'b1;
          end else if (m[i+2:i] == 3'b011) begin
            acc = acc + (8'sd1 <<< (i + 1));
            used = used + 2'd1;
          end else if (m[i+2:i] == 3'b110) begin
            acc = acc - (8'sd1 <<< i);
            used = used + 2'd1;
          end
        end
      end
      hese_trunc = v[3] ? -acc : acc;
    end
  endfunction

  // Captured at cycle 0 so the group is stable for the whole check.
  reg [3:0]  cyc;
  reg [7:0]  a_q;
  reg [11:0] wt_q;
  reg [1:0]  k_q;
  reg [1:0]  ka_q;
  reg        seen;
  initial begin
    cyc = 4'd0;
    seen = 1'b0;
  end
  always @(posedge clk) begin
    if (cyc != 4'd15) cyc <= cyc + 4'd1;
    if (cyc == 4'd0) begin
      a_q <= a;
      wt_q <= wt;
      k_q <= k;
      ka_q <= ka;
    end
  end

  wire [1:0] k_eff  = k_q > 2'd2 ? 2'd2 : k_q;
  wire [1:0] ka_eff = ka_q > 2'd2 ? 2'd2 : ka_q;
  reg signed [15:0] ref_dot;
  integer j;
  reg [5:0] e;
  reg signed [7:0] t;
  always @* begin
    ref_dot = 16'sd0;
    for (j = 0; j < 2; j = j + 1) begin
      e = wt_q[6*j +: 6];
      // valid, within the budget, and an exponent a 4-bit signed weight can have (<= 3)
      t = hese_trunc(e[0] ? a_q[7:4] : a_q[3:0], ka_eff);
      if (e[5] && j < k_eff && e[3:1] <= 3'd3)
        ref_dot = e[4] ? ref_dot - (t <<< e[3:1]) : ref_dot + (t <<< e[3:1]);
    end
  end

  wire        in_ready, out_valid, budget_err;
  wire [9:0] acc;
  fm_array dut (
    .clk_i        (clk),
    .rst_ni       (cyc != 4'd0),
    .in_valid_i   (cyc == 4'd1),
    .in_ready_o   (in_ready),
    .in_last_i    (1'b1),
    .k_i          (k_q),
    .ka_i         (ka_q),
    .a_i          (a_q),
    .wt_i         (wt_q),
    .out_valid_o  (out_valid),
    .out_ready_i  (1'b1),
    .acc_o        (acc),
    .budget_err_o (budget_err)
  );

  always @(posedge clk) if (cyc != 4'd0 && out_valid) seen <= 1'b1;
  always @* begin
    if (cyc == 4'd1) assert (in_ready);
    if (cyc != 4'd0 && out_valid) assert ($signed(acc) == ref_dot);
    // At most ceil(2*2 / 1) = 4 term-stage cycles plus 3 of latency after the accept at cycle 1.
    if (cyc == 4'd9) assert (seen);
    if (cyc >= 4'd2) assert (budget_err == (k_q > 2'd2 || ka_q > 2'd2));
  end
endmodule
