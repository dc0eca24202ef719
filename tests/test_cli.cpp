// The qrtl binary on bad input: exit code 2 (usage) or 1 (tool), one clear line, no output folder.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "flow/process.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_cli_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return run_qrtl(std::move(args), kWork, env);
}

void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
  INFO(args.back());
  const auto r = qrtl_run(args);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("qrtl: error: ") && Contains(message));
  CHECK(r.output.find("terminate") == std::string::npos);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("list shows families and every parameter", "[cli]") {
  auto r = qrtl_run({"list"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("pmac") && Contains("bmac"));
  r = qrtl_run({"list", "pmac"});
  CHECK(r.exit_code == 0);
  for (const char* p : {"rows", "cols", "a_bits", "w_bits", "a_signed", "w_signed", "max_len", "acc_bits", "overflow",
                        "clock_gating", "valid_fraction", "w_zero_fraction"})
    CHECK_THAT(r.output, Contains(p));
  r = qrtl_run({"list", "bmac", "--json"});
  CHECK(nlohmann::json::parse(r.output).size() == 11);
}

TEST_CASE("bad parameters, configs and flags are usage errors with no output folder", "[cli]") {
  fs::remove_all(kWork / "out");
  std::ofstream(kWork / "bad.toml") << "rows = [1, 2]\n";
  std::ofstream(kWork / "broken.toml") << "rows = \n";
  expect_usage_error({"generate", "tpu", "-o", "out"}, "unknown family 'tpu'; known families: pmac, bmac, mmac, bitfusion");
  expect_usage_error({"generate", "pmac", "--set", "depth=3", "-o", "out"}, "unknown parameter 'depth'");
  expect_usage_error({"generate", "pmac", "--set", "rows=0", "-o", "out"},
                     "parameter 'rows' = 0 is invalid: expected an integer in [1, 64]");
  expect_usage_error({"generate", "pmac", "--set", "a_signed=yes", "-o", "out"}, "expected true or false");
  expect_usage_error({"generate", "pmac", "--set", "acc_bits=17", "-o", "out"}, "parameter 'acc_bits' = 17");
  expect_usage_error({"generate", "pmac", "-c", "bad.toml", "-o", "out"}, "bad.toml:1: parameter 'rows' has a value of type array");
  expect_usage_error({"generate", "pmac", "-c", "broken.toml", "-o", "out"}, "malformed TOML");
  expect_usage_error({"generate", "pmac", "-c", "missing.toml", "-o", "out"}, "config file 'missing.toml' does not exist");
  expect_usage_error({"generate", "-o", "out"}, "no family given");
  expect_usage_error({"generate", "pmac", "--bogus"}, "--bogus");
  expect_usage_error({"verify", "out", "--vectors", "0"}, "--vectors");
  expect_usage_error({"verify", "nowhere"}, "'nowhere' is not a folder");
  expect_usage_error({"synth", "."}, "is not a qrtl design folder");
  CHECK_FALSE(fs::exists(kWork / "out"));
  for (const auto& e : fs::directory_iterator(kWork)) CHECK(e.path().filename().string().rfind(".out.tmp-", 0) != 0);
}

TEST_CASE("generate writes a folder, an existing one needs --force", "[cli]") {
  fs::remove_all(kWork / "g");
  auto r = qrtl_run({"generate", "bmac", "--set", "rows=2", "-o", "g/bm"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("generated bm (bmac)"));
  CHECK(fs::exists(kWork / "g/bm/rtl/bm_array.v"));
  expect_usage_error({"generate", "bmac", "-o", "g/bm"}, "exists; pass --force");
  CHECK(qrtl_run({"generate", "bmac", "-o", "g/bm", "--force"}).exit_code == 0);
}

TEST_CASE("unwritable output and missing tools are tool errors", "[cli]") {
  fs::remove_all(kWork / "ro");
  std::ofstream(kWork / "ro") << "a file, not a folder";
  auto r = qrtl_run({"generate", "pmac", "-o", "ro/x"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("qrtl: error: cannot write output folder 'ro/x'"));

  fs::remove_all(kWork / "t");
  REQUIRE(qrtl_run({"generate", "pmac", "-o", "t"}).exit_code == 0);
  r = qrtl_run({"verify", "t"}, {{"PATH", "/nonexistent"}});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("qrtl: error: verilator not found on PATH (needed by qrtl verify)"));
  r = qrtl_run({"synth", "t", "--liberty", "/no/such.lib"}, {{"PATH", "/usr/bin:/bin"}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("liberty '/no/such.lib' not found"));
}

TEST_CASE("the bench catches a wrong accumulator and reports seed, operands, expected and got", "[cli][verilator]") {
  fs::remove_all(kWork / "mut");
  REQUIRE(qrtl_run({"generate", "pmac", "--set", "rows=2", "--set", "cols=2", "--set", "a_bits=4",
                    "--set", "w_bits=4", "-o", "mut"}).exit_code == 0);
  replace_in_file(kWork / "mut/rtl/mut_acc.v", "acc_q + add_ext", "acc_q - add_ext");
  const auto r = qrtl_run({"verify", "mut", "--vectors", "1000", "--seed", "9"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=9 cycle=") && Contains("mismatch in pass") &&
                           Contains("expected") && Contains("got") && Contains("verify mut: FAIL"));
}

TEST_CASE("mmac generation errors name the parameter, value and what is allowed", "[cli]") {
  fs::remove_all(kWork / "mout");
  expect_usage_error({"generate", "mmac", "--set", "group=0", "-o", "mout"},
                     "parameter 'group' = 0 is invalid: expected an integer in [1, 64]");
  expect_usage_error({"generate", "mmac", "--set", "encoder=csd", "-o", "mout"},
                     "parameter 'encoder' = 'csd' is invalid: expected one of: binary, hese, naf");
  expect_usage_error({"generate", "mmac", "--set", "max_a_terms=6", "-o", "mout"},
                     "parameter 'max_a_terms' = 6 is invalid: a 8-bit signed activation has at most 5 hese terms; expected 1..5");
  expect_usage_error({"generate", "mmac", "--set", "group=2", "--set", "max_w_terms=11", "-o", "mout"},
                     "parameter 'max_w_terms' = 11 is invalid: a group of 2 8-bit weights has at most 10 hese terms");
  expect_usage_error({"generate", "mmac", "--set", "lanes=7", "--set", "max_w_terms=2", "--set", "max_a_terms=3", "-o", "mout"},
                     "parameter 'lanes' = 7 is invalid");
  CHECK_FALSE(fs::exists(kWork / "mout"));
}

TEST_CASE("the mmac bench catches a wrong term encoder", "[cli][verilator]") {
  fs::remove_all(kWork / "mmut");
  REQUIRE(qrtl_run({"generate", "mmac", "--set", "rows=1", "--set", "cols=1", "--set", "group=2", "--set",
                    "max_w_terms=4", "-o", "mmut"}).exit_code == 0);
  // Drop the lowest hese digit of every run of ones longer than one.
  replace_in_file(kWork / "mmut/rtl/mmut_tenc.v", "nd   = b_up & b & ~b_dn;", "nd   = b_up & b & ~b_dn & ~b_d2;");
  const auto r = qrtl_run({"verify", "mmut", "--vectors", "500", "--seed", "3"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=3 cycle=") && Contains("mismatch in pass") && Contains("k=") &&
                           Contains("expected") && Contains("got") && Contains("verify mmut: FAIL"));
}

TEST_CASE("verify dumps an FST waveform on request", "[cli][verilator]") {
  fs::remove_all(kWork / "wav");
  REQUIRE(qrtl_run({"generate", "bmac", "--set", "rows=1", "--set", "cols=2", "-o", "wav"}).exit_code == 0);
  const auto r = qrtl_run({"verify", "wav", "--vectors", "200", "--waves", "wav.fst"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("verify wav: PASS"));
  REQUIRE(fs::exists(kWork / "wav.fst"));
  CHECK(fs::file_size(kWork / "wav.fst") > 1000);
}

TEST_CASE("tq-encode writes a term memory whose smaller budgets are prefixes", "[cli]") {
  std::ofstream(kWork / "w.csv") << "27, -5, 0,3\n100 -128\n";
  REQUIRE(qrtl_run({"tq-encode", "w.csv", "-g", "2", "-k", "4", "-o", "k4.hex"}).exit_code == 0);
  REQUIRE(qrtl_run({"tq-encode", "w.csv", "-g", "2", "-k", "2", "-o", "k2.hex"}).exit_code == 0);
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    std::istringstream is(text);
    for (std::string l; std::getline(is, l);) v.push_back(l);
    return v;
  };
  const auto k4 = lines(qrtl::flow::read_text(kWork / "k4.hex"));
  const auto k2 = lines(qrtl::flow::read_text(kWork / "k2.hex"));
  REQUIRE(k4.size() == 12);
  REQUIRE(k2.size() == 6);
  for (std::size_t g = 0; g < 3; ++g)
    for (std::size_t k = 0; k < 2; ++k) CHECK(k2[g * 2 + k] == k4[g * 4 + k]);
  std::ofstream(kWork / "bad.csv") << "1,2\n3,x\n";
  expect_usage_error({"tq-encode", "bad.csv", "-o", "b.hex"}, "bad.csv: weights: line 2: bad token 'x'");
  expect_usage_error({"tq-encode", "w.csv", "--value-bits", "4", "-o", "b.hex"}, "weight 0 = 27 does not fit --value-bits 4");
  expect_usage_error({"tq-encode", "w.csv", "--encoder", "csd", "-o", "b.hex"}, "--encoder 'csd' is invalid");
  expect_usage_error({"tq-encode", "w.csv", "-g", "0", "-o", "b.hex"}, "--group");
  expect_usage_error({"tq-encode", "w.csv", "--exp-bits", "2", "-o", "b.hex"},
                     "weight 27 has a term 2^5 that does not fit --exp-bits 2 (exponents 0..3); expected --exp-bits of at least 3");
  REQUIRE(qrtl_run({"tq-encode", "w.csv", "--exp-bits", "3", "-o", "e3.hex"}).exit_code == 0);
  CHECK_FALSE(fs::exists(kWork / "b.hex"));
}
