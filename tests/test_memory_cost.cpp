// Memory macros: the cost model (gen/cost/memory), its data file (data/memory_macros.toml) and
// the RTL model (templates/common/memory.v.mustache). Expected values are worked out by hand in
// the comments from the published figures and the data file's stated rule, not by re-running the
// model's code.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <toml++/toml.h>

#include "cost/memory.hpp"
#include "emit/render.hpp"
#include "errors.hpp"
#include "flow/process.hpp"
#include "data_file.hpp"
#include "run_qrtl.hpp"
#include "scratch.hpp"

using Catch::Matchers::Contains;
using qrtl::cost::MemoryKind;
using qrtl::cost::MemoryMacroSpec;
using qrtl::cost::load_memory_data;
using qrtl::cost::memory_cost;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_memory_test");
const fs::path kData = fs::path(QRTL_SOURCE_DIR) / "data" / "memory_macros.toml";

MemoryMacroSpec rw1(int words, int bits) {
  MemoryMacroSpec s;
  s.words = words;
  s.bits = bits;
  s.rw_ports = 1;
  return s;
}

MemoryMacroSpec r1w1(int words, int bits) {
  MemoryMacroSpec s;
  s.words = words;
  s.bits = bits;
  s.read_ports = 1;
  s.write_ports = 1;
  return s;
}

const DataFiles kFiles{kWork, kData};

void expect_data_error(const fs::path& file, const std::vector<std::string>& parts) {
  kFiles.expect_error([](const fs::path& f) { load_memory_data(f); }, file, parts);
}

void expect_cost_error(const MemoryMacroSpec& s, const std::vector<std::string>& parts) {
  const auto d = load_memory_data(kData);
  try {
    memory_cost(s, d);
    FAIL("no error for " << s.words << " x " << s.bits << " " << qrtl::cost::ports_name(s));
  } catch (const qrtl::UsageError& e) {
    const std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);
    for (const auto& part : parts) CHECK_THAT(msg, Contains(part));
  }
}

}  // namespace

TEST_CASE("memory cost: listed sizes come back exactly", "[memory]") {
  const auto d = load_memory_data(kData);
  // GF180MCU sram256x8m8wm1, TT 1.8 V 25 C Liberty: area 147212.4368, READ POWER 93.51, WRITE POWER
  // 102.006 pJ, cell_leakage_power 4.42944e-05 mW.
  auto c = memory_cost(rw1(256, 8), d);
  CHECK(c.area_um2 == 147212.4368);
  CHECK(c.read_pj == 93.51);
  CHECK(c.write_pj == 102.006);
  CHECK(c.idle_pj_per_cycle == 0.0);
  CHECK(c.leakage_w == 4.42944e-8);
  CHECK(c.macros == 1);
  CHECK_FALSE(c.interpolated);
  CHECK_THAT(c.source, Contains("gf180mcu_fd_ip_sram__sram256x8m8wm1__tt_025C_1v80.lib"));
  // The 512x8 figures are also the datasheet's (AC Read 103.176, AC Write 112.563 uW at 1 MHz).
  c = memory_cost(rw1(512, 8), d);
  CHECK(c.read_pj == 103.176);
  CHECK(c.write_pj == 112.563);
  CHECK(c.area_um2 == 209400.2768);  // 431.86 x 484.88 um

  // SKY130 OpenRAM 1rw1r 32x256 at 130 nm, scaled to 180 nm: energy x 180/130, area x (180/130)^2.
  c = memory_cost(r1w1(256, 32), d);
  CHECK(c.area_um2 == Approx(493.38 * 400.22 * (180.0 / 130) * (180.0 / 130)).epsilon(1e-8));
  CHECK(c.read_pj == Approx((2.843456 + 2.581878 - 1.071456 - 1.008020) * 180 / 130).epsilon(1e-8));
  CHECK(c.write_pj == Approx((2.226912 + 2.371604 - 1.034863 - 1.048424) * 180 / 130).epsilon(1e-8));
  CHECK(c.idle_pj_per_cycle == Approx((1.034863 + 1.048424 + 1.071456 + 1.008020) * 180 / 130).epsilon(1e-8));
  CHECK(c.leakage_w == 9.117994e-7);  // 0.0009117994 mW, kept as published
}

TEST_CASE("memory cost: sizes between listed ones follow the stated rule", "[memory]") {
  const auto d = load_memory_data(kData);
  // The GF180MCU area is 85024.5968 um2 + 242.92125 um2 per 8-bit word at every listed size
  // (64: 100571.5568, 512: 209400.2768); linear in words between neighbours gives the same line.
  auto c = memory_cost(rw1(384, 8), d);
  CHECK(c.interpolated);
  CHECK(c.area_um2 == Approx(85024.5968 + 242.92125 * 384));
  // Halfway between 256 (93.51 / 102.006 pJ) and 512 (103.176 / 112.563 pJ).
  CHECK(c.read_pj == Approx(98.343));
  CHECK(c.write_pj == Approx(107.2845));
  CHECK(c.leakage_w == Approx((4.42944e-8 + 8.06994e-8) / 2));
  // A quarter of the way from 64 (84.3399) to 128 (88.7733): 84.3399 + 0.25 x 4.4334 = 85.44825.
  c = memory_cost(rw1(80, 8), d);
  CHECK(c.read_pj == Approx(85.44825));
  CHECK(c.area_um2 == Approx(85024.5968 + 242.92125 * 80));

  // Wider words: ceil(bits / 8) macros side by side, every figure x k.
  c = memory_cost(rw1(256, 16), d);
  CHECK(c.macros == 2);
  CHECK(c.area_um2 == Approx(2 * 147212.4368));
  CHECK(c.read_pj == Approx(2 * 93.51));
  c = memory_cost(rw1(256, 12), d);  // 12 bits: still 2 macros, 4 columns unused
  CHECK(c.macros == 2);
  CHECK(c.write_pj == Approx(2 * 102.006));
  c = memory_cost(rw1(64, 3), d);  // narrower than a macro: one macro
  CHECK(c.macros == 1);
  CHECK(c.read_pj == 84.3399);
  c = memory_cost(r1w1(256, 64), d);
  CHECK(c.macros == 2);
  CHECK(c.idle_pj_per_cycle == Approx(2 * 5.763825692));

  // Energy of a run: 1000 cycles of 10 ns, 300 reads, 100 writes of the 256x8 macro:
  // 300 x 93.51 + 100 x 102.006 + 4.42944e-8 W x 1000 x 10 ns (= 4.42944e-13 J = 0.442944 pJ).
  c = memory_cost(rw1(256, 8), d);
  CHECK(c.energy_pj(1000, 300, 100, 10.0) == Approx(300 * 93.51 + 100 * 102.006 + 4.42944e-8 * 1e-5 * 1e12));
}

TEST_CASE("memory cost: sizes, ports and kinds without figures are refused in one line", "[memory]") {
  expect_cost_error(rw1(1024, 8), {"parameter 'words' = 1024 is invalid: expected 64..512 (macros of 8 bits) for "
                                   "sram 1rw", "memory_macros.toml", "no extrapolation"});
  expect_cost_error(rw1(32, 8), {"parameter 'words' = 32 is invalid: expected 64..512"});
  expect_cost_error(rw1(0, 8), {"parameter 'words' = 0 is invalid"});
  expect_cost_error(r1w1(128, 32), {"parameter 'words' = 128 is invalid: expected 256 (macros of 32 bits) for sram 1r1w"});
  expect_cost_error(rw1(256, 65), {"parameter 'bits' = 65 is invalid: expected 1..64 (up to 8 macros of 8 bits) for "
                                   "sram 1rw at 256 words"});
  expect_cost_error(rw1(256, 0), {"parameter 'bits' = 0 is invalid"});
  auto rf = rw1(32, 16);
  rf.kind = MemoryKind::regfile;
  expect_cost_error(rf, {"parameter 'kind' = regfile is invalid: expected one of: sram", "flip-flops"});
  auto p = r1w1(256, 8);
  p.read_ports = 2;
  expect_cost_error(p, {"parameter 'ports' = 2r1w is invalid: expected one of: 1rw, 1r1w"});
  p = rw1(256, 8);
  p.read_ports = 1;
  expect_cost_error(p, {"parameter 'ports' = 1rw1r is invalid"});
}

TEST_CASE("memory data file: every family and size names its source", "[memory]") {
  const auto d = load_memory_data(kData);
  REQUIRE(d.families.size() == 2);
  std::size_t sizes = 0;
  for (const auto& f : d.families) {
    CHECK(f.source.size() > 40);
    CHECK(f.scaling.size() > 40);
    for (const auto& s : f.sizes) {
      ++sizes;
      INFO(s.words << " x " << s.bits);
      CHECK(s.source.size() > 20);
    }
  }
  CHECK(sizes == 5);
  // Independently of the loader: every [[family.size]] table of the file has a non-empty source.
  const auto t = toml::parse_file(kData.string());
  for (const auto& fam : *t["family"].as_array())
    for (const auto& size : *fam.as_table()->get("size")->as_array()) {
      const auto src = size.as_table()->get("source");
      REQUIRE(src != nullptr);
      CHECK_FALSE(src->value<std::string>()->empty());
    }
}

TEST_CASE("memory data file errors name the file, key, value and what is allowed", "[memory]") {
  expect_data_error(kWork / "nope.toml", {"data file", "nope.toml", "does not exist"});
  expect_data_error(kFiles.write("broken.toml", "format = 1\n[[family]\n"), {"broken.toml:2:", "malformed TOML"});
  expect_data_error(kFiles.write("nofam.toml", "format = 1\ntechnology = \"x\"\n"), {"missing key 'family'"});
  expect_data_error(kFiles.mutated("format.toml", "format = 1", "format = 2"), {"'format' is invalid: expected 1"});
  expect_data_error(kFiles.mutated("neg.toml", "read_pj = 93.51", "read_pj = -93.51"),
                    {"neg.toml:", "'family[0].size[2].read_pj' = -93.51", "expected a finite number >= 0"});
  expect_data_error(kFiles.mutated("type.toml", "write_pj = 102.006", "write_pj = \"102\""),
                    {"'family[0].size[2].write_pj' = ", "expected a finite number >= 0"});
  expect_data_error(kFiles.mutated("unknown.toml", "words = 128", "wordz = 128"),
                    {"unknown key 'family[0].size[1].wordz'", "expected one of: words, bits"});
  expect_data_error(kFiles.mutated("nosource.toml", "source = \"gf180mcu_fd_ip_sram__sram128x8m8wm1",
                                 "src = \"gf180mcu_fd_ip_sram__sram128x8m8wm1"),
                    {"unknown key 'family[0].size[1].src'"});
  expect_data_error(kFiles.mutated("emptysource.toml", "source = \"gf180mcu_fd_ip_sram__sram128x8m8wm1__tt_025C_1v80.lib: area 116118.5168; READ POWER 88.7733; WRITE POWER 96.498; cell_leakage_power 2.60946e-05 mW\"", "source = \" \""),
                    {"'family[0].size[1].source' =", "expected a non-empty string"});
  expect_data_error(kFiles.mutated("kind.toml", "kind = \"sram\"", "kind = \"dram\""),
                    {"'family[0].kind' = 'dram' is invalid: expected one of: sram, regfile"});
  expect_data_error(kFiles.mutated("ports.toml", "ports = \"1rw\"", "ports = \"2rw\""),
                    {"'family[0].ports' = '2rw' is invalid: expected one of: 1rw, 1r1w"});
  expect_data_error(kFiles.mutated("twice.toml", "words = 128", "words = 64"), {"size 64 words x 8 bits is given twice"});
  expect_data_error(kFiles.mutated("fam2.toml", "ports = \"1r1w\"", "ports = \"1rw\""),
                    {"family kind 'sram' ports '1rw' is given twice"});
  expect_data_error(kFiles.mutated("words.toml", "words = 128", "words = 1"),
                    {"'family[0].size[1].words' = 1 is invalid: expected an integer in 2..16777216"});
}

// ---------------------------------------------------------------------------------------------
// The RTL model: generated, linted, simulated.

namespace {

bool have_tools(std::initializer_list<const char*> tools) {
  for (const char* t : tools)
    if (!qrtl::flow::find_tool(t)) {
      WARN("skipped: " << t << " not found on PATH");
      return false;
    }
  return true;
}

fs::path render_memory(const fs::path& dir, const std::string& name, const MemoryMacroSpec& s, bool macro) {
  const auto text = qrtl::emit::render_file("templates/common/memory.v.mustache",
                                            qrtl::cost::memory_template_data(name, s, macro));
  const auto p = dir / (name + ".v");
  qrtl::flow::write_text(p, text);
  return p;
}

qrtl::flow::RunResult run_in(const fs::path& dir, std::vector<std::string> argv) {
  return qrtl::flow::run(argv, dir, dir / "tools.log");
}

// A self-checking testbench: a model array beside the memory, LFSR stimulus, every read of a
// written word compared one cycle later, and the flip registers' changes counted once per cycle.
// READS / WRITES / ERRORS / FLIPS printed at the end.
std::string testbench(const std::string& mem, int words, int bits, bool one_rw, int cycles) {
  const std::string A = std::to_string(words <= 2 ? 1 : static_cast<int>(std::ceil(std::log2(words))));
  const std::string B = std::to_string(bits), W = std::to_string(words);
  std::string ports = one_rw ? ".en_i(en), .we_i(we), .addr_i(waddr)" : ".re_i(re), .raddr_i(raddr), .we_i(we), .waddr_i(waddr)";
  std::string s = R"(`timescale 1ns/1ps
module tb;
  reg clk = 1'b0;
  reg re = 1'b0, we = 1'b0, en = 1'b0;
  reg [A-1:0] raddr = 0, waddr = 0;
  reg [B-1:0] wdata = 0;
  wire [B-1:0] rdata;
  reg [B-1:0] model [0:W-1];
  reg [W-1:0] valid = 0;
  reg [B-1:0] expect_q;
  reg expect_valid = 1'b0, check_q = 1'b0;
  reg [31:0] lfsr = 32'h1234_5678;
  integer cycle, reads = 0, writes = 0, errors = 0, rflips = 0, wflips = 0;
  reg last_r = 1'b0, last_w = 1'b0;
  MEM dut(.clk_i(clk), PORTS, .wdata_i(wdata), .rdata_o(rdata));
  always #5 clk = ~clk;
  // The model, on the same edge: read-first, as the memory.
  always @(posedge clk) begin
    check_q <= re;
    if (re) begin expect_q <= model[raddr]; expect_valid <= valid[raddr]; end
    if (we) begin model[waddr] <= wdata; valid[waddr] <= 1'b1; end
  end
  initial begin
    for (cycle = 0; cycle < CYCLES; cycle = cycle + 1) begin
      @(negedge clk);
      if (check_q && expect_valid && rdata !== expect_q) begin
        errors = errors + 1;
        $display("mismatch at cycle %0d: %h, expected %h", cycle, rdata, expect_q);
      end
      if (dut.reads_flip_q !== last_r) begin rflips = rflips + 1; last_r = dut.reads_flip_q; end
      if (dut.writes_flip_q !== last_w) begin wflips = wflips + 1; last_w = dut.writes_flip_q; end
      lfsr = {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};
      // The first W cycles write every word once; then random traffic.
      we = (cycle < W) ? 1'b1 : lfsr[0];
      re = (cycle < W) ? 1'b0 : (ONE_RW ? !we && lfsr[1] : lfsr[1]);
      en = we | re;
      waddr = (cycle < W) ? cycle : lfsr[9:2] % W;
      raddr = ONE_RW ? waddr : lfsr[17:10] % W;
      wdata = lfsr[31:32-B];
      reads = reads + re;
      writes = writes + we;
    end
    @(negedge clk);
    if (dut.reads_flip_q !== last_r) rflips = rflips + 1;
    if (dut.writes_flip_q !== last_w) wflips = wflips + 1;
    $display("READS=%0d WRITES=%0d ERRORS=%0d RFLIPS=%0d WFLIPS=%0d", reads, writes, errors, rflips, wflips);
    $finish;
  end
endmodule
)";
  auto sub = [&](const std::string& key, const std::string& val) {
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + val.size())) s.replace(pos, key.size(), val);
  };
  sub("CYCLES", std::to_string(cycles));
  sub("ONE_RW", one_rw ? "1" : "0");
  sub("PORTS", ports);
  sub("MEM", mem);
  sub("A-1", A + "-1");
  sub("B-1", B + "-1");
  sub("32-B", "32-" + B);
  sub("W-1", W + "-1");
  sub("% W", "% " + W);
  sub("cycle < W", "cycle < " + W);
  return s;
}

struct Counts {
  long reads = -1, writes = -1, errors = -1, rflips = -1, wflips = -1;
};

Counts parse_counts(const std::string& out) {
  std::smatch m;
  Counts c;
  if (std::regex_search(out, m, std::regex(R"(READS=(\d+) WRITES=(\d+) ERRORS=(\d+) RFLIPS=(\d+) WFLIPS=(\d+))"))) {
    c.reads = std::stol(m[1]);
    c.writes = std::stol(m[2]);
    c.errors = std::stol(m[3]);
    c.rflips = std::stol(m[4]);
    c.wflips = std::stol(m[5]);
  }
  return c;
}

}  // namespace

TEST_CASE("memory RTL: lint-clean under Verilator -Wall, Icarus and Yosys, both port sets and builds", "[memory][rtl]") {
  if (!have_tools({"verilator", "iverilog", "yosys"})) return;
  const fs::path dir = kWork / "lint";
  fs::create_directories(dir);
  struct Case {
    std::string name;
    MemoryMacroSpec spec;
    bool macro;
  };
  for (const Case& c : {Case{"mem_rw_flops", rw1(16, 8), false}, Case{"mem_rw_macro", rw1(64, 8), true},
                        Case{"mem_2p_flops", r1w1(12, 5), false}, Case{"mem_2p_macro", r1w1(256, 32), true},
                        Case{"mem_rw_tiny", rw1(2, 1), false}}) {
    INFO(c.name);
    const auto v = render_memory(dir, c.name, c.spec, c.macro);
    auto r = run_in(dir, {"verilator", "--lint-only", "-Wall", v.string()});
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("%Warning") == std::string::npos);
    r = run_in(dir, {"iverilog", "-g2005", "-Wall", "-o", (dir / (c.name + ".vvp")).string(), v.string()});
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("warning") == std::string::npos);
    r = run_in(dir, {"yosys", "-q", "-p",
                     "read_verilog " + v.string() + "; synth -top " + c.name + "; check -assert; stat"});
    CHECK(r.exit_code == 0);
    // The flip registers are simulation only: never in a synthesized netlist.
    r = run_in(dir, {"yosys", "-p", "read_verilog " + v.string() + "; synth -top " + c.name + "; select -count w:*flip*"});
    CHECK_THAT(r.output, Contains("0 objects"));
  }
  // The macro build is a black box to Yosys: a wrapper keeps one instance of it, no flip-flops.
  const auto v = render_memory(dir, "mem_bb", rw1(64, 8), true);
  qrtl::flow::write_text(dir / "wrap.v", "module wrap(input wire clk_i, input wire en_i, input wire we_i, input wire [5:0] "
                                         "addr_i, input wire [7:0] wdata_i, output wire [7:0] rdata_o);\n"
                                         "  mem_bb u_mem(.clk_i(clk_i), .en_i(en_i), .we_i(we_i), .addr_i(addr_i), "
                                         ".wdata_i(wdata_i), .rdata_o(rdata_o));\nendmodule\n");
  const auto r = run_in(dir, {"yosys", "-p", "read_verilog " + v.string() + " " + (dir / "wrap.v").string() +
                                                 "; synth -flatten -top wrap; check -assert; stat"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(r.output, std::regex(R"(Number of cells:\s+1\n\s+mem_bb\s+1)")));
}

TEST_CASE("memory RTL: Icarus simulation, reads return what was written, one flip per access", "[memory][rtl]") {
  if (!have_tools({"iverilog", "vvp"})) return;
  const fs::path dir = kWork / "sim";
  fs::create_directories(dir);
  for (const bool one_rw : {true, false}) {
    const std::string name = one_rw ? "mem_rw" : "mem_2p";
    const int words = one_rw ? 16 : 12, bits = one_rw ? 8 : 5;
    const auto v = render_memory(dir, name, one_rw ? rw1(words, bits) : r1w1(words, bits), false);
    qrtl::flow::write_text(dir / (name + "_tb.v"), testbench(name, words, bits, one_rw, 400));
    auto r = run_in(dir, {"iverilog", "-g2005", "-o", name + ".vvp", (dir / (name + "_tb.v")).string(), v.string()});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    r = run_in(dir, {"vvp", "-n", name + ".vvp"});
    INFO(r.output);
    const auto c = parse_counts(r.output);
    CHECK(c.errors == 0);
    CHECK(c.reads > 50);
    CHECK(c.writes > 50);
    CHECK(c.rflips == c.reads);
    CHECK(c.wflips == c.writes);
  }
}

TEST_CASE("memory RTL: Verilator toggle coverage of the flip registers counts the accesses", "[memory][rtl]") {
  if (!have_tools({"verilator", "make"})) return;
  const fs::path dir = kWork / "cov";
  fs::create_directories(dir);
  // The memory as a macro (the gate-level case: its behavioural model simulated under the netlist).
  const auto v = render_memory(dir, "mem_2p", r1w1(12, 5), true);
  qrtl::flow::write_text(dir / "tb.v", testbench("mem_2p", 12, 5, false, 300));
  qrtl::flow::write_text(dir / "main.cpp", R"(#include <memory>
#include <verilated.h>
#include <verilated_cov.h>
#include "Vtb.h"
int main(int argc, char** argv) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  auto top = std::make_unique<Vtb>(ctx.get());
  while (!ctx->gotFinish()) {
    top->eval();
    if (!top->eventsPending()) break;
    ctx->time(top->nextTimeSlot());
  }
  top->final();
  ctx->coveragep()->write("coverage.dat");
  return 0;
}
)");
  auto r = run_in(dir, {"verilator", "--cc", "--exe", "--build", "--timing", "--coverage-toggle", "-Wno-fatal", "-Wno-lint",
                        "-Wno-style", "--top-module", "tb", "-Mdir", "obj", "tb.v", v.string(), "main.cpp"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  r = run_in(dir, {(dir / "obj" / "Vtb").string()});
  INFO(r.output);
  const auto c = parse_counts(r.output);
  REQUIRE(c.reads > 50);
  CHECK(c.errors == 0);
  // Points: C '\1f\2mem_2p.v\1l\2..\1n\2..\1page\2v_toggle/mem_2p\1o\2reads_flip_q\1h\2TOP.tb.dut' COUNT
  const auto cov = qrtl::flow::read_text(dir / "coverage.dat");
  auto count = [&](const std::string& sig) -> long {
    for (std::size_t pos = 0; (pos = cov.find("C '", pos)) != std::string::npos; ++pos) {
      const auto end = cov.find('\n', pos);
      const std::string line = cov.substr(pos, end - pos);
      if (line.find("\1page\2v_toggle/mem_2p\1") != std::string::npos && line.find("\1o\2" + sig + "\1") != std::string::npos &&
          line.find("\1h\2TOP.tb.dut") != std::string::npos)
        return std::stol(line.substr(line.rfind('\'') + 1));
    }
    return -1;
  };
  CHECK(count("reads_flip_q") == c.reads);
  CHECK(count("writes_flip_q") == c.writes);
}
