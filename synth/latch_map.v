// Latches onto the library's LATCH cell (OSU018: D, CLK = enable, active high, Q): the dfflibmap
// of Yosys 0.23 maps flip-flops only. An active-low enable gets an inverter that abc then maps.
module \$_DLATCH_P_ (input E, input D, output Q);
  LATCH _TECHMAP_REPLACE_ (.CLK(E), .D(D), .Q(Q));
endmodule

module \$_DLATCH_N_ (input E, input D, output Q);
  wire en;
  \$_NOT_ u_inv (.A(E), .Y(en));
  LATCH _TECHMAP_REPLACE_ (.CLK(en), .D(D), .Q(Q));
endmodule
