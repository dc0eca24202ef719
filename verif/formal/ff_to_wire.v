// Yosys techmap file: every $dff becomes a wire from D to Q. The fusion-unit check applies it to
// the unit's output register (its only flip-flop; dffunmap first turns the load enable into a mux)
// so the check is a purely combinational miter: the unit's sum as it enters the register against
// the reference, with no reset state or cycle alignment to reason about.
(* techmap_celltype = "$dff" *)
module _qrtl_dff_to_wire (CLK, D, Q);
  parameter WIDTH = 0;
  parameter CLK_POLARITY = 1'b1;
  input              CLK;
  input  [WIDTH-1:0] D;
  output [WIDTH-1:0] Q;
  assign Q = D;
endmodule
