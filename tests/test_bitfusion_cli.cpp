// The qrtl binary on bitfusion designs: bad parameters are usage errors (exit code 2, one line
// naming the parameter, its value and what is allowed, no output folder), and the bench catches
// broken RTL (a wrong brick shift, garbage accumulated from an unsupported mode); compare-bitfusion
// reports the golden mapping figures and rejects bad flags.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "flow/process.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_bitfusion_cli_test");

qrtl::flow::RunResult qrtl_run(std::vector<std::string> args) { return run_qrtl(std::move(args), kWork); }

void expect_usage_error(const std::vector<std::string>& sets, const std::string& message) {
  expect_generate_usage_error("bitfusion", sets, message, kWork);
}

}  // namespace

TEST_CASE("bitfusion is listed with its parameters", "[cli][bitfusion]") {
  auto r = qrtl_run({"list"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("bitfusion"));
  r = qrtl_run({"list", "bitfusion"});
  CHECK(r.exit_code == 0);
  for (const char* p : {"rows", "cols", "brick_rows", "brick_cols", "precisions", "signed_ops", "pow2_only", "max_len"})
    CHECK_THAT(r.output, Contains(p));
}

TEST_CASE("bitfusion bad parameters name the parameter and value and what is allowed", "[cli][bitfusion]") {
  fs::create_directories(kWork);
  fs::remove_all(kWork / "out");
  const std::string subsets = "expected one of: 2, 4, 6, 8, 2/4, 2/6, 2/8, 4/6, 4/8, 6/8, 2/4/6, 2/4/8, 2/6/8, 4/6/8, 2/4/6/8";
  // Odd, wider than 8 and malformed precision sets.
  expect_usage_error({"precisions=3"}, "parameter 'precisions' = '3' is invalid: " + subsets);
  expect_usage_error({"precisions=2/5/8"}, "parameter 'precisions' = '2/5/8' is invalid: " + subsets);
  expect_usage_error({"precisions=4/10"}, "parameter 'precisions' = '4/10' is invalid: " + subsets);
  expect_usage_error({"precisions=16"}, "parameter 'precisions' = '16' is invalid");
  expect_usage_error({"precisions=8/4"}, "parameter 'precisions' = '8/4' is invalid");
  expect_usage_error({"precisions="}, "parameter 'precisions' = '' is invalid");
  // Grids that cannot hold one product of the widest precision pair.
  expect_usage_error({"brick_rows=2", "brick_cols=2"},
                     "parameter 'brick_rows' x 'brick_cols' = 2 x 2 is invalid: 4 bricks cannot hold one 8x8 product "
                     "(16 digit pairs) with precisions = 2/4/6/8; expected at least 16 bricks (e.g. 4 x 4)");
  expect_usage_error({"brick_rows=3", "brick_cols=5"}, "parameter 'brick_rows' x 'brick_cols' = 3 x 5 is invalid");
  expect_usage_error({"brick_rows=2", "brick_cols=4", "precisions=2/4/6"},
                     "8 bricks cannot hold one 6x6 product (9 digit pairs) with precisions = 2/4/6; expected at least 9");
  // The same 3 x 3 grid holds 6x6 with three digits, not padded to four.
  expect_usage_error({"brick_rows=3", "brick_cols=3", "precisions=2/4/6", "pow2_only=true"},
                     "9 bricks cannot hold one 6x6 product (16 digit pairs) with precisions = 2/4/6 and pow2_only "
                     "(6-bit padded to 8); expected at least 16 bricks");
  // Ranges and types of the single parameters.
  expect_usage_error({"brick_rows=9"}, "parameter 'brick_rows' = 9 is invalid: expected an integer in [1, 8]");
  expect_usage_error({"brick_cols=0"}, "parameter 'brick_cols' = 0 is invalid: expected an integer in [1, 8]");
  expect_usage_error({"rows=0"}, "parameter 'rows' = 0 is invalid: expected an integer in [1, 16]");
  expect_usage_error({"cols=17"}, "parameter 'cols' = 17 is invalid: expected an integer in [1, 16]");
  expect_usage_error({"max_len=0"}, "parameter 'max_len' = 0 is invalid: expected an integer in [1, 65536]");
  expect_usage_error({"signed_ops=maybe"}, "parameter 'signed_ops' = 'maybe' is invalid: expected true or false");
  expect_usage_error({"pow2_only=2"}, "parameter 'pow2_only' = '2' is invalid: expected true or false");
  expect_usage_error({"a_bits=8"}, "unknown parameter 'a_bits'; allowed: name, rows, cols, brick_rows");

  // A config file: precisions must be the string form of the set.
  std::ofstream(kWork / "array.toml") << "family = \"bitfusion\"\nprecisions = [2, 4]\n";
  auto r = qrtl_run({"generate", "-c", "array.toml", "-o", "out"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("array.toml:2: parameter 'precisions' has a value of type array: " + subsets));
  std::ofstream(kWork / "grid.toml") << "family = \"bitfusion\"\nbrick_rows = 1\nbrick_cols = 8\n";
  r = qrtl_run({"generate", "-c", "grid.toml", "-o", "out"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("parameter 'brick_rows' x 'brick_cols' = 1 x 8 is invalid"));
  CHECK_FALSE(fs::exists(kWork / "out"));
  for (const auto& e : fs::directory_iterator(kWork)) CHECK(e.path().filename().string().rfind(".out.tmp-", 0) != 0);
}

TEST_CASE("the bitfusion bench catches a wrong brick shift", "[cli][verilator][bitfusion]") {
  fs::remove_all(kWork / "bfmut");
  REQUIRE(qrtl_run({"generate", "bitfusion", "--set", "rows=1", "--set", "cols=1", "-o", "bfmut"}).exit_code == 0);
  // Brick 1 weighs its product by 4 (shift 2) in every mode but 2x2: make it 16.
  replace_in_file(kWork / "bfmut/rtl/bfmut_fu.v", "(pe_1 << 4'd2)", "(pe_1 << 4'd4)");
  const auto r = qrtl_run({"verify", "bfmut", "--vectors", "500", "--seed", "3"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=3 cycle=") && Contains("mismatch in pass") && Contains("first beat mode") &&
                           Contains("a=[") && Contains("expected") && Contains("got") && Contains("verify bfmut: FAIL"));
}

TEST_CASE("the bitfusion bench catches an unsupported mode that accumulates", "[cli][verilator][bitfusion]") {
  fs::remove_all(kWork / "bfgarb");
  REQUIRE(qrtl_run({"generate", "bitfusion", "--set", "rows=1", "--set", "cols=1", "--set", "signed_ops=false",
                    "--set", "precisions=2/4", "--set", "brick_rows=2", "--set", "brick_cols=2", "-o", "bfgarb"})
              .exit_code == 0);
  // Let a beat asking for signed operands (unsupported here) reach the bricks.
  replace_in_file(kWork / "bfgarb/rtl/bfgarb_ctrl.v", "{4{in_valid_i & sign_ok}} & match", "{4{in_valid_i}} & match");
  const auto r = qrtl_run({"verify", "bfgarb", "--vectors", "500", "--seed", "4"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("FAIL seed=4 cycle=") && Contains("phase=unsupported_") && Contains("mismatch in pass") &&
                           Contains("verify bfgarb: FAIL"));
}

TEST_CASE("compare-bitfusion prints the mapping figures and the LeNet-5 table from the golden model", "[cli][bitfusion]") {
  fs::remove_all(kWork / "cmp");
  const auto r = qrtl_run({"compare-bitfusion", "--no-synth", "-o", "cmp"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(qrtl::flow::read_text(kWork / "cmp/compare.json"));
  REQUIRE(j["modes"].size() == 16);
  // Products per cycle of the list, 6-bit unit vs pow2_only (6 padded to 8).
  const std::map<std::pair<int, int>, std::pair<int, int>> expected{
      {{8, 8}, {1, 1}}, {{8, 6}, {1, 1}}, {{6, 6}, {1, 1}}, {{8, 4}, {2, 2}}, {{6, 4}, {2, 2}},
      {{4, 4}, {4, 4}}, {{8, 2}, {4, 4}}, {{6, 2}, {5, 4}}, {{4, 2}, {8, 8}}, {{2, 2}, {16, 16}}};
  int seen = 0;
  for (const auto& m : j["modes"]) {
    const auto it = expected.find({m["a_bits"].get<int>(), m["w_bits"].get<int>()});
    if (it == expected.end()) continue;
    ++seen;
    INFO(m.dump());
    CHECK(m["6-bit"]["products_per_cycle"] == it->second.first);
    CHECK(m["pow2_only"]["products_per_cycle"] == it->second.second);
  }
  CHECK(seen == 10);
  // Table II rows 6x2..6x8: the 6-bit unit never needs more cycles than the padded baseline, and fewer at 6x2.
  REQUIRE(j["lenet5_table2"].size() == 4);
  for (const auto& row : j["lenet5_table2"]) CHECK(row["6-bit"]["cycles"] <= row["pow2_only"]["cycles"]);
  CHECK(j["lenet5_table2"][0]["6-bit"]["cycles"] < j["lenet5_table2"][0]["pow2_only"]["cycles"]);
  CHECK_THAT(qrtl::flow::read_text(kWork / "cmp/compare.md"), Contains("| 6×2 | 5 / 4 |"));
}

TEST_CASE("compare-bitfusion rejects bad pairs and grids before writing anything", "[cli][bitfusion]") {
  fs::remove_all(kWork / "cmp_bad");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--pair", "5x4"}, "--pair '5x4' is invalid: expected AxW with activation and weight bits in {2, 4, 6, 8}"},
      {{"--pair", "6x10"}, "--pair '6x10' is invalid"},
      {{"--grid", "2x2"}, "--grid '2x2' is invalid: fusion unit grid 2x2 (4 bricks) cannot hold one 8x8 product"},
      {{"--grid", "4"}, "--grid '4' is invalid: expected RxC with R and C in 1..64"},
      {{"--array", "0x3"}, "--array '0x3' is invalid: expected RxC with R and C in 1..256"}};
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"compare-bitfusion", "--no-synth", "-o", "cmp_bad"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = qrtl_run(args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("qrtl: error: " + message));
    CHECK_FALSE(fs::exists(kWork / "cmp_bad"));
  }
}
