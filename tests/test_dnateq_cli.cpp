// The qrtl binary on dnateq designs: bad parameters are usage errors (exit code 2, one line naming
// the parameter, its value and what is allowed, no output folder); the bench catches broken RTL
// (a counter that ignores the sign product, round-half-up instead of ties-to-even in FP16) and
// refuses hardware parameter files the design cannot hold.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "flow/process.hpp"
#include "quant/dnateq.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
namespace q = qrtl::quant;

namespace {

const fs::path kWork = scratch_dir("qrtl_dnateq_cli_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args) { return run_qrtl(std::move(args), kWork); }

void expect_usage_error(const std::vector<std::string>& sets, const std::string& message) {
  expect_generate_usage_error("dnateq", sets, message, kWork);
}

// Generates `name` with `sets`, breaks its RTL with `from` -> `to` in `file`, and expects the bench
// to report a mismatch.
void expect_mutant_fails(const std::string& name, std::vector<std::string> sets, const std::string& file,
                         const std::string& from, const std::string& to) {
  fs::remove_all(kWork / name);
  std::vector<std::string> args{"generate", "dnateq", "-o", name};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  REQUIRE(qrtl_run(args).exit_code == 0);
  replace_in_file(kWork / name / "rtl" / (name + "_" + file + ".v"), from, to);
  const auto r = qrtl_run({"verify", name, "--vectors", "300", "--seed", "5", "-j", "1"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=5 cycle=") && Contains("mismatch in dot product") && Contains("layer bits=") &&
                           Contains("expected 0x") && Contains("got 0x") && Contains("verify " + name + ": FAIL"));
}

}  // namespace

TEST_CASE("dnateq is listed with its parameters", "[cli][dnateq]") {
  auto r = qrtl_run({"list"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("dnateq"));
  r = qrtl_run({"list", "dnateq"});
  CHECK(r.exit_code == 0);
  for (const char* p : {"max_bits", "max_len", "batch", "post", "precompute_weight_terms", "lut_frac", "lut_bits",
                        "coef_frac", "coef_bits", "out_frac"})
    CHECK_THAT(r.output, Contains(p));
}

TEST_CASE("dnateq bad parameters name the parameter and value and what is allowed", "[cli][dnateq]") {
  fs::remove_all(kWork / "out");
  expect_usage_error({"max_bits=2"}, "parameter 'max_bits' = 2 is invalid: expected an integer in [3, 7]");
  expect_usage_error({"max_bits=8"}, "parameter 'max_bits' = 8 is invalid: expected an integer in [3, 7]");
  expect_usage_error({"max_len=0"}, "parameter 'max_len' = 0 is invalid: expected an integer in [1, 65504]");
  expect_usage_error({"max_len=65505"}, "parameter 'max_len' = 65505 is invalid: expected an integer in [1, 65504]");
  expect_usage_error({"batch=0"}, "parameter 'batch' = 0 is invalid: expected an integer in [1, 128]");
  expect_usage_error({"batch=17"}, "parameter 'batch' = 17 is invalid: max_bits = 4 has 15 boundaries; expected at "
                                   "most 16 comparators (2^max_bits)");
  expect_usage_error({"post=fp32"}, "parameter 'post' = 'fp32' is invalid: expected one of: fp16, fixed");
  expect_usage_error({"precompute_weight_terms=2"},
                     "parameter 'precompute_weight_terms' = '2' is invalid: expected true or false");
  expect_usage_error({"post=fixed", "lut_bits=14"},
                     "parameter 'lut_bits' = 14 is invalid: the LUT holds b^0 = 1 = 2^lut_frac; expected more than "
                     "lut_frac = 14");
  expect_usage_error({"post=fixed", "out_frac=31"},
                     "parameter 'out_frac' = 31 is invalid: expected at most lut_frac + coef_frac = 30");
  expect_usage_error({"post=fixed", "lut_bits=40", "coef_bits=40"},
                     "parameters 'lut_bits', 'coef_bits', 'max_len' = 40, 40, 256 are invalid: the exact accumulator "
                     "needs");
  expect_usage_error({"bits=4"}, "unknown parameter 'bits'; allowed: name, max_bits, max_len, batch");
}

TEST_CASE("the dnateq bench catches a counter that ignores the sign product", "[cli][verilator][dnateq]") {
  expect_mutant_fails("dqsign", {"max_bits=3", "max_len=16"}, "count", "pneg_i ? {", "1'b0 ? {");
}

TEST_CASE("the dnateq bench catches FP16 rounding half up instead of to even", "[cli][verilator][dnateq]") {
  expect_mutant_fails("dqround", {"max_bits=3", "max_len=16"}, "fp16_round", "guard & (stick | kept[0])", "guard");
}

TEST_CASE("the dnateq bench refuses parameter files that do not match the design", "[cli][verilator][dnateq]") {
  fs::remove_all(kWork / "dqfile");
  REQUIRE(qrtl_run({"generate", "dnateq", "--set", "max_bits=3", "--set", "max_len=16", "-o", "dqfile"}).exit_code == 0);
  REQUIRE(qrtl_run({"verify", "dqfile", "--vectors", "20", "-j", "1"}).exit_code == 0);
  const fs::path bench = kWork / "dqfile/verify/obj/Vdut";
  REQUIRE(fs::exists(bench));
  auto layer = [](int bits) {
    return q::make_hardware_params(q::ExpQuantizer{bits, 1.3, 0.05, 0.01}, q::ExpQuantizer{bits, 1.3, 0.02, -0.001});
  };
  q::write_hardware_params((kWork / "l3.txt").string(), layer(3));
  q::write_hardware_params((kWork / "l4.txt").string(), layer(4));
  // A 3-bit layer whose LUT lost its last entry.
  std::string text = q::format_hardware_params(layer(3));
  text.erase(text.rfind("\nlut "), text.find('\n', text.rfind("\nlut ") + 1) - text.rfind("\nlut "));
  std::ofstream(kWork / "short.txt") << text;

  auto run_bench = [&](const std::string& file) {
    return qrtl::flow::run({bench.string(), "--vectors", "50", "--opt", "params=" + file}, kWork, kWork / "bench.log");
  };
  auto r = run_bench("l3.txt");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("RESULT {\"status\":\"PASS\""));
  r = run_bench("l4.txt");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("--opt params=l4.txt: the layer has bits = 4 but this design holds bit-widths 3..3 "
                                "(max_bits); regenerate with max_bits >= 4"));
  r = run_bench("short.txt");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("--opt params: short.txt: dnateq params: expected 13 lut entries for bits = 3 "
                                "(2^(bits+1) - 3), got 12"));
  r = run_bench("missing.txt");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("--opt params: cannot open 'missing.txt' for reading"));
}
