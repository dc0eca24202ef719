// The qrtl binary on reram designs: bad parameters are usage errors (exit code 2, one line naming
// the parameter, its value and what is allowed, no output folder); the bench catches broken RTL
// (rounding, SAR bit decisions), reports a non-ideal crossbar statistically, and rejects a
// malformed weight file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "flow/process.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_reram_cli_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args) { return run_qrtl(std::move(args), kWork); }

void expect_usage_error(const std::vector<std::string>& sets, const std::string& message) {
  expect_generate_usage_error("reram", sets, message, kWork);
}

// A small design: 4 x 4, 4-bit operands, 3-bit ADCs, 2 ADCs per array.
std::vector<std::string> small_design(const std::string& out) {
  return {"generate", "reram", "-o", out, "--set", "rows=4", "--set", "cols=4", "--set", "weight_bits=4",
          "--set", "weight_frac=2", "--set", "input_bits=4", "--set", "input_frac=1", "--set", "acc_bits=8",
          "--set", "acc_frac=2", "--set", "adc_bits=3"};
}

// Runs the bench binary `qrtl verify` built for design folder `dir`.
qrtl::flow::RunResult run_bench(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), (kWork / dir / "verify/obj/Vdut").string());
  return qrtl::flow::run(args, kWork, kWork / (dir.string() + "_bench.log"));
}

}  // namespace

TEST_CASE("reram is listed with its parameters", "[cli][reram]") {
  auto r = qrtl_run({"list"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("reram"));
  r = qrtl_run({"list", "reram"});
  CHECK(r.exit_code == 0);
  for (const char* p : {"rows", "cols", "weight_bits", "weight_frac", "input_bits", "input_frac", "acc_bits", "acc_frac",
                        "cell_bits", "dac_bits", "adc_bits", "adc_shift", "adcs", "weight_encoding"})
    CHECK_THAT(r.output, Contains(p));
}

TEST_CASE("reram bad parameters name the parameter and value and what is allowed", "[cli][reram]") {
  fs::create_directories(kWork);
  fs::remove_all(kWork / "out");
  // ADC resolution outside 1..9.
  expect_usage_error({"adc_bits=0"}, "parameter 'adc_bits' = 0 is invalid: expected an integer in [1, 9]");
  expect_usage_error({"adc_bits=10"}, "parameter 'adc_bits' = 10 is invalid: expected an integer in [1, 9]");
  // Columns not divisible by the ADC count.
  expect_usage_error({"adcs=3"}, "parameter 'adcs' = 3 is invalid: expected a divisor of 'cols' = 8");
  expect_usage_error({"cols=6", "adcs=4"}, "parameter 'adcs' = 4 is invalid: expected a divisor of 'cols' = 6");
  // Fraction bits >= total bits.
  expect_usage_error({"weight_frac=8"}, "parameter 'weight_frac' = 8 is invalid: expected 0..7 (weight_bits - 1)");
  expect_usage_error({"input_bits=4", "input_frac=4"},
                     "parameter 'input_frac' = 4 is invalid: expected 0..3 (input_bits - 1)");
  expect_usage_error({"acc_frac=16"}, "parameter 'acc_frac' = 16 is invalid: expected 0..15 (acc_bits - 1)");
  // Cell bits larger than the weight bits (than the magnitude bits for a differential pair).
  expect_usage_error({"cell_bits=9"}, "parameter 'cell_bits' = 9 is invalid: expected 1..8 (weight_bits)");
  expect_usage_error({"cell_bits=8", "weight_encoding=differential"},
                     "parameter 'cell_bits' = 8 is invalid: expected 1..7 (weight_bits - 1 magnitude bits)");
  // Other ranges and cross-parameter rules.
  expect_usage_error({"input_bits=1"}, "parameter 'input_bits' = 1 is invalid: expected an integer in [2, 32]");
  expect_usage_error({"dac_bits=9"}, "parameter 'dac_bits' = 9 is invalid: expected 1..8 (input_bits)");
  expect_usage_error({"adc_shift=2"},
                     "parameter 'adc_shift' = 2 is invalid: expected 0..0 (full_range_adc_shift: there the ADC range "
                     "covers every column sum)");
  expect_usage_error({"weight_encoding=twos"},
                     "parameter 'weight_encoding' = 'twos' is invalid: expected one of: offset, differential");
  expect_usage_error({"weight_bits=32", "input_bits=32"},
                     "parameters 'weight_bits' + 'input_bits' + ceil_log2('rows') = 68 are invalid: expected at most 60");
  expect_usage_error({"a_bits=8"}, "unknown parameter 'a_bits'; allowed: name, rows, cols, weight_bits");

  // The same rules from a config file.
  std::ofstream(kWork / "bad.toml") << "family = \"reram\"\ncols = 8\nadcs = 5\n";
  const auto r = qrtl_run({"generate", "-c", "bad.toml", "-o", "out"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("parameter 'adcs' = 5 is invalid: expected a divisor of 'cols' = 8"));
  CHECK_FALSE(fs::exists(kWork / "out"));
  for (const auto& e : fs::directory_iterator(kWork)) CHECK(e.path().filename().string().rfind(".out.tmp-", 0) != 0);
}

TEST_CASE("reram cycles per MVM follow the documented formula", "[cli][reram]") {
  fs::remove_all(kWork / "cyc");
  REQUIRE(qrtl_run({"generate", "reram", "-o", "cyc"}).exit_code == 0);
  const std::string hpp = qrtl::flow::read_text(kWork / "cyc/params.hpp");
  // 8 input steps (7 magnitude + sign) * (8 cols / 2 ADCs) * (6 + 1) + 2 = 226.
  CHECK_THAT(hpp, Contains("input_steps = 8;") && Contains("mux_ratio = 4;") && Contains("mvm_cycles = 224;") &&
                      Contains("cycles_per_mvm = 226;"));
}

TEST_CASE("the reram bench: ideal bit-exact, non-ideal statistics, weight files, broken rounding",
          "[cli][verilator][reram]") {
  fs::remove_all(kWork / "rr");
  REQUIRE(qrtl_run(small_design("rr")).exit_code == 0);
  auto r = qrtl_run({"verify", "rr", "--vectors", "300", "--seed", "5", "-j", "1"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("phases: sar_levels corners backpressure timing random") && Contains("verify rr: PASS"));

  // Non-ideal crossbar: passes and reports its error; with no variation it is exact.
  r = run_bench("rr", {"--vectors", "200", "--seed", "2", "--opt", "nonideal=1", "--opt", "sigma=0.05"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("NONIDEAL non-ideal crossbar (sigma=0.05, offset=0.25 LSB)") &&
                           Contains("rms_err=") && Contains("\"status\":\"PASS\""));
  CHECK_THAT(r.output, !Contains("outputs=800 mean_err=0.0000 mean_abs_err=0.0000"));
  r = run_bench("rr", {"--vectors", "200", "--opt", "nonideal=1", "--opt", "sigma=0", "--opt", "offset=0"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("outputs=800 mean_err=0.0000 mean_abs_err=0.0000 rms_err=0.0000 max_abs_err=0"));

  // A weight file programs the crossbar of the random vectors; a malformed one is rejected.
  std::ofstream(kWork / "w.txt") << "# layer\n1, -2, 3, -4\n7 -8 0 0\n1 1 1 1\n-1 -1 -1 -1\n";
  r = run_bench("rr", {"--vectors", "50", "--opt", "weights=" + (kWork / "w.txt").string()});
  CHECK(r.exit_code == 0);
  std::ofstream(kWork / "bad.txt") << "1 2 3 4\n1 2 x 4\n";
  r = run_bench("rr", {"--vectors", "50", "--opt", "weights=" + (kWork / "bad.txt").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("weights: line 2: bad token 'x'"));
  std::ofstream(kWork / "wide.txt") << "1 2 3 4\n1 2 8 4\n0 0 0 0\n0 0 0 0\n";
  r = run_bench("rr", {"--vectors", "50", "--opt", "weights=" + (kWork / "wide.txt").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("weights: line 2: value 8 does not fit the 4-bit signed weight format (-8..7)"));

  // Rounding half up broken into truncation.
  replace_in_file(kWork / "rr/rtl/rr_out.v", "acc_i[0]}", "1'b0}");
  r = qrtl_run({"verify", "rr", "--vectors", "300", "--seed", "3", "-j", "1"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=3 cycle=") && Contains("mismatch in vector") && Contains("x=[") &&
                           Contains("expected") && Contains("got") && Contains("verify rr: FAIL"));
}

TEST_CASE("the reram bench catches a SAR keeping the wrong bit decision", "[cli][verilator][reram]") {
  fs::remove_all(kWork / "sarmut");
  REQUIRE(qrtl_run(small_design("sarmut")).exit_code == 0);
  replace_in_file(kWork / "sarmut/rtl/sarmut_sar.v", "else if (cmp_i)", "else if (~cmp_i)");
  const auto r = qrtl_run({"verify", "sarmut", "--vectors", "100", "--seed", "4", "-j", "1"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=4 cycle=") && Contains("phase=sar_levels") && Contains("trial") &&
                           Contains("expected kept bits") && Contains("verify sarmut: FAIL"));
}
