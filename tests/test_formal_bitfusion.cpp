// Formal check of the default 4x4 fusion unit against the dot product, in all 16 modes, for every
// operand value and both signedness flags. Two miters, each proven by ABC:
//  - per mode, the unit (output register turned into a wire) against bitfusion_digit_dot.v, the
//    digit-sum definition of the decomposition (verif/formal/bitfusion_fu_check.v; iprove);
//  - per lane width pair, that digit sum against plain multiplication
//    (verif/formal/bitfusion_digit_check.v; BDD collapse).
// A wrong brick shift must be found. docs/bitfusion.md has the CPU times.
#include <catch2/catch.hpp>
#include <filesystem>

#include <fmt/format.h>

#include "flow/process.hpp"
#include "run_qrtl.hpp"
#include "units/bitfusion.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_formal_bitfusion_test");

struct FormalMode {
  int index, a_bits, w_bits, products;
};

qrtl::units::BitfusionParams unit_params() {
  qrtl::units::ParamSet ps(qrtl::units::bitfusion_param_table().specs());
  for (const char* s : {"name=fm", "rows=1", "cols=1"}) ps.set_assignment(s);
  return qrtl::units::bitfusion_param_table().bind(ps);
}

std::vector<FormalMode> modes() {
  std::vector<FormalMode> out;
  const auto shape = qrtl::units::bitfusion_shape(unit_params());
  for (std::size_t i = 0; i < shape.modes.size(); ++i) {
    const auto& m = shape.modes[i];
    out.push_back({static_cast<int>(i), m.a_bits, m.w_bits, m.mapping.products});
  }
  return out;
}

FormalMode mode(int a_bits, int w_bits) {
  for (const auto& m : modes())
    if (m.a_bits == a_bits && m.w_bits == w_bits) return m;
  FAIL("no mode " << a_bits << "x" << w_bits);
  return {};
}

std::string formal_file(const char* name) { return (fs::path(QRTL_SOURCE_DIR) / "verif/formal" / name).string(); }

// Yosys writes the miter's combinational logic as AIGER (output `bad`); ABC runs `engine` on it.
// iprove prints UNSATISFIABLE when `bad` is constant 0, "SATISFIABLE (output" with a counterexample.
qrtl::flow::RunResult prove_miter(const fs::path& dir, const std::string& read, const std::string& top,
                                  const std::string& aig, const std::string& engine) {
  const std::string script = fmt::format(
      "{}; prep -top {}; flatten; dffunmap; techmap -map {}; techmap; opt -fast; aigmap; opt_clean; "
      "write_aiger -I -O {}",
      read, top, formal_file("ff_to_wire.v"), aig);
  const auto y = qrtl::flow::run({"yosys", "-q", "-p", script}, dir, dir / "formal_yosys.log");
  if (y.exit_code != 0) return y;
  return qrtl::flow::run({"yosys-abc", "-c", fmt::format("read_aiger {}; strash; {}", aig, engine)}, dir,
                         dir / "formal_abc.log");
}

// Each test case works in its own folder, so ctest can run them in parallel.
fs::path generate(const std::string& folder) {
  const fs::path dir = kWork / folder;
  const auto r = run_qrtl({"generate", "bitfusion", "--set", "name=fm", "--set", "rows=1", "--set", "cols=1", "-o",
                           dir.string(), "--force"},
                          kWork);
  REQUIRE(r.exit_code == 0);
  return dir;
}

qrtl::flow::RunResult prove(const fs::path& dir, const FormalMode& m) {
  const auto shape = qrtl::units::bitfusion_shape(unit_params());
  const std::string read = fmt::format(
      "read_verilog rtl/fm_brick.v rtl/fm_fu.v {} {}; "
      "chparam -set HOT {} -set MODE {} -set LA {} -set LW {} -set P {} -set ABUS {} -set WBUS {} -set SUM {} "
      "bitfusion_fu_check",
      formal_file("bitfusion_digit_dot.v"), formal_file("bitfusion_fu_check.v"), shape.modes.size(), m.index,
      m.a_bits, m.w_bits, m.products, shape.a_bus_bits, shape.w_bus_bits, shape.sum_bits);
  return prove_miter(dir, read, "bitfusion_fu_check", fmt::format("mode{}.aig", m.index), "iprove");
}

void prove_modes(const std::vector<FormalMode>& ms) {
  const auto dir = generate("modes");
  for (const auto& m : ms) {
    INFO(fmt::format("mode {}x{} (one-hot bit {}, P = {})", m.a_bits, m.w_bits, m.index, m.products));
    const auto r = prove(dir, m);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Matchers::Contains("UNSATISFIABLE"));
  }
}

}  // namespace

TEST_CASE("formal: the digit sum equals the plain product for every lane width", "[formal]") {
  const fs::path dir = kWork / "digits";
  fs::create_directories(dir);
  const auto r = prove_miter(dir,
                             fmt::format("read_verilog {} {}", formal_file("bitfusion_digit_dot.v"),
                                         formal_file("bitfusion_digit_check.v")),
                             "bitfusion_digit_check", "digits.aig", "collapse; strash; iprove");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Matchers::Contains("UNSATISFIABLE"));
}

TEST_CASE("formal: the 4x4 fusion unit equals the dot product in every mode", "[formal]") {
  REQUIRE(modes().size() == 16);
  prove_modes(modes());
}

TEST_CASE("formal: the fusion-unit check finds a wrong shift", "[formal]") {
  const auto dir = generate("mutant");
  // Brick 2's shift-by-4 input (used by 6x2, among others) shifted by 2 instead.
  replace_in_file(dir / "rtl/fm_fu.v", "(pe_2 << 4'd4))", "(pe_2 << 4'd2))");
  const auto r = prove(dir, mode(6, 2));
  INFO(r.output);
  CHECK(r.exit_code == 0);  // ABC ran; it reports the difference
  CHECK_THAT(r.output, Catch::Matchers::Contains("SATISFIABLE (output"));
}
