// Bounded formal check (Yosys SAT) of a whole small mmac design against the term-quantization
// arithmetic for every possible group and budget: verif/formal/mmac_fm_check.v. A broken sign
// rule must be found, so the check can fail.
#include <catch2/catch.hpp>
#include <filesystem>

#include "flow/process.hpp"
#include "run_qrtl.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_formal_test");

// Generates the design the check file is written for; returns its folder.
fs::path generate(const std::string& arch) {
  const fs::path dir = kWork / ("fm_" + arch);
  const auto r = run_qrtl({"generate", "mmac", "--set", "name=fm", "--set", "rows=1", "--set", "cols=1", "--set",
                           "a_bits=4", "--set", "w_bits=4", "--set", "group=2", "--set", "max_w_terms=2", "--set",
                           "max_a_terms=2", "--set", "lanes=1", "--set", "max_len=2", "--set", "acc_arch=" + arch,
                           "-o", dir.string(), "--force"},
                          kWork);
  REQUIRE(r.exit_code == 0);
  return dir;
}

// Bit-blasted to an and-inverter graph first: the SAT instance then solves ~5x faster than on
// Yosys' word-level cells (156 s -> 33 s for both accumulators); the assertion cell survives.
qrtl::flow::RunResult prove(const fs::path& dir) {
  std::string script = "read_verilog";
  for (const char* m : {"tenc", "cell", "ctrl", "array"}) script += " rtl/fm_" + std::string(m) + ".v";
  script += "; read_verilog -formal " + (fs::path(QRTL_SOURCE_DIR) / "verif/formal/mmac_fm_check.v").string() +
            "; prep -top mmac_fm_check; flatten; opt -full; techmap; opt -fast; abc -g AND; opt_clean;"
            " sat -seq 11 -prove-asserts -set-init-zero -verify";
  return qrtl::flow::run({"yosys", "-q", "-p", script}, dir, dir / "formal.log");
}

}  // namespace

TEST_CASE("formal: a one-group mmac equals the term-quantized dot product for every input", "[formal]") {
  const auto arch = GENERATE(as<std::string>{}, "onehot", "histogram");
  INFO(arch);
  const auto dir = generate(arch);
  const auto r = prove(dir);
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("formal: the check finds a wrong sign rule", "[formal]") {
  const auto dir = generate("onehot");
  replace_in_file(dir / "rtl/fm_cell.v", "ls_q[l] <= sel_s ^ a_s;", "ls_q[l] <= sel_s;");
  const auto r = prove(dir);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Catch::Matchers::Contains("proof did fail"));
}
