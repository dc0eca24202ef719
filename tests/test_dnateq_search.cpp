// qrtl dnateq-search: the command against the golden model it wraps (same search, same parameter
// files on CSV and .npy traces), the synthetic exponential-vs-uniform table, and every kind of bad
// input (exit 2, one line naming the flag/file, the value and what is allowed, no output folder).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "npy_bytes.hpp"
#include "quant/dnateq.hpp"
#include "quant/synthetic.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
namespace q = qrtl::quant;

namespace {

const fs::path kWork = scratch_dir("qrtl_dnateq_search_test");

std::string npy_f8(const std::vector<double>& v) {
  return npy_bytes(1, fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}", v.size()),
                   raw_bytes(v));
}

std::string npy_f4(const std::vector<float>& v, const std::string& shape) {
  return npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", raw_bytes(v));
}

std::string csv(const std::vector<double>& v) {
  std::string s = "# activation trace\n";
  for (std::size_t i = 0; i < v.size(); ++i) s += fmt::format("{:.17g}{}", v[i], i % 8 == 7 ? "\n" : ", ");
  return s;
}

fs::path put(const std::string& name, const std::string& bytes) {
  const fs::path p = kWork / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// Two layers: CSV activations with float64 .npy weights, and float32 .npy for both (a 2-D shape).
struct Traces {
  fs::path a0, w0, a1, w1;
};
Traces write_traces() {
  const auto a0 = q::synthetic_tensor(q::Distribution::Relu, 101, 1500);
  const auto w0 = q::synthetic_tensor(q::Distribution::Normal, 102, 1500, 0.05);
  std::vector<float> a1, w1;
  for (const double v : q::synthetic_tensor(q::Distribution::Relu, 103, 1200)) a1.push_back(static_cast<float>(v));
  for (const double v : q::synthetic_tensor(q::Distribution::Exponential, 104, 1200, 0.1))
    w1.push_back(static_cast<float>(v));
  return {put("a0.csv", csv(a0)), put("w0.npy", npy_f8(w0)), put("a1.npy", npy_f4(a1, "(30, 40)")),
          put("w1.npy", npy_f4(w1, "(1200,)"))};
}

std::string layer(const std::string& name, const fs::path& a, const fs::path& w) {
  return name + "=" + a.string() + "," + w.string();
}

void require_params_equal(const q::DnateqHardwareParams& got, const q::DnateqHardwareParams& want) {
  REQUIRE(got.bits == want.bits);
  REQUIRE(got.boundaries == want.boundaries);
  REQUIRE(got.lut == want.lut);
  REQUIRE(got.coefficients == want.coefficients);
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(qrtl::flow::read_text(p)); }

// Exit 2, one "qrtl: error:" line containing every fragment, and nothing left in the output folder.
void expect_rejected(std::vector<std::string> args, const std::vector<std::string>& fragments) {
  const fs::path out = kWork / "rejected";
  fs::remove_all(out);
  args.insert(args.begin(), "dnateq-search");
  args.insert(args.end(), {"-o", out.string()});
  const auto r = run_qrtl(args, kWork);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("qrtl: error: "));
  for (const auto& f : fragments) CHECK_THAT(r.output, Contains(f));
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(kWork)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

}  // namespace

TEST_CASE("dnateq-search writes the golden search's parameter files for CSV and npy traces", "[dnateq-search]") {
  const Traces t = write_traces();
  const fs::path out = kWork / "search";
  fs::remove_all(out);
  const auto r = run_qrtl({"dnateq-search", "--layer", layer("conv1", t.a0, t.w0), "--layer",
                           layer("fc2", t.a1, t.w1), "--threshold", "0.05", "-o", out.string()},
                          kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("| conv1 |") && Contains("| fc2 |") && Contains("smaller than INT8"));

  // The golden model on the same values (read back through the golden reader).
  const auto a0 = q::read_tensor(t.a0.string()).values, w0 = q::read_tensor(t.w0.string()).values;
  const auto a1 = q::read_tensor(t.a1.string()).values, w1 = q::read_tensor(t.w1.string()).values;
  const std::vector<q::LayerTensors> layers{{a0, w0}, {a1, w1}};
  q::SearchOptions o;
  o.weight_threshold = 0.05;
  const auto want = q::search_network(layers, o);
  const auto js = read_json(out / "search.json");
  const char* names[] = {"conv1", "fc2"};
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("layer " << names[i]);
    require_params_equal(q::read_hardware_params((out / (std::string(names[i]) + ".params")).string()),
                         q::make_hardware_params(want[i].activations, want[i].weights));
    const auto& l = js["layers"][i];
    CHECK(l["name"] == names[i]);
    CHECK(l["bits"] == want[i].weights.bits);
    CHECK(l["base"].get<double>() == want[i].weights.base);
    CHECK(l["activations"]["rmae"].get<double>() == want[i].activation_error);
    CHECK(l["weights"]["threshold"].get<double>() == want[i].weight_threshold);
    CHECK(l["meets_thresholds"] == want[i].meets_thresholds);
    CHECK(l["weights"]["uniform_rmae"].get<double>() == q::rmae(layers[i].weights, q::uniform_quantize(layers[i].weights, want[i].weights.bits)));
  }
  CHECK(js["compression_vs_int8"]["saving"].get<double>() == q::compression_vs_int8(want).saving);
  CHECK(js["layers"][0]["weights"]["threshold"].get<double>() == Approx(0.005));  // first layer 10x stricter
  CHECK(fs::exists(out / "search.json"));
  CHECK(std::distance(fs::directory_iterator(out), fs::directory_iterator{}) == 3);

  // --check accepts what the search wrote; a rerun needs --force and then replaces the folder.
  const auto c = run_qrtl({"dnateq-search", "--check", (out / "conv1.params").string()}, kWork);
  CHECK(c.exit_code == 0);
  CHECK_THAT(c.output, Contains("OK"));
  const auto again = run_qrtl({"dnateq-search", "--layer", layer("x", t.a0, t.w0), "-o", out.string()}, kWork);
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.output, Contains("exists; pass --force"));
  const auto forced = run_qrtl({"dnateq-search", "--layer", layer("x", t.a0, t.w0), "-o", out.string(), "-f"}, kWork);
  CHECK(forced.exit_code == 0);
  CHECK(fs::exists(out / "x.params"));
  CHECK_FALSE(fs::exists(out / "conv1.params"));
}

TEST_CASE("dnateq-search with fixed bits and base quantizes at exactly those", "[dnateq-search]") {
  const Traces t = write_traces();
  const fs::path out = kWork / "fixed";
  fs::remove_all(out);
  const auto r = run_qrtl({"dnateq-search", "--layer", t.a0.string() + "," + t.w0.string(), "--bits", "4", "--base",
                           "1.3", "-o", out.string()},
                          kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto a = q::read_tensor(t.a0.string()).values, w = q::read_tensor(t.w0.string()).values;
  require_params_equal(q::read_hardware_params((out / "layer0.params").string()),
                       q::make_hardware_params(q::fit_scale_offset(a, 4, 1.3), q::fit_scale_offset(w, 4, 1.3)));
  CHECK(read_json(out / "search.json")["layers"][0]["base_from"] == "--base");
}

TEST_CASE("dnateq-search --synthetic reproduces the exponential-vs-uniform table of docs/dnateq.md",
          "[dnateq-search]") {
  const auto r = run_qrtl({"dnateq-search", "--synthetic"}, kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("| exponential | 3 | 1.6800 | 0.1850 | 0.3186 | 0.58 |"));
  CHECK_THAT(r.output, Contains("| normal | 7 | 1.0185 | 0.0074 | 0.0111 | 0.67 |"));
  CHECK_THAT(r.output, Contains("| uniform | 3 | 1.1225 | 0.0865 | 0.0713 | 1.21 |"));
}

TEST_CASE("dnateq-search rejects bad flags and tensors with exit 2 and no output", "[dnateq-search]") {
  const Traces t = write_traces();
  const std::string good = layer("l0", t.a0, t.w0);
  expect_rejected({"--layer", good, "--bits", "8"}, {"--bits 8 is invalid: expected 3..7"});
  expect_rejected({"--layer", good, "--bits", "2"}, {"--bits 2 is invalid: expected 3..7"});
  expect_rejected({"--layer", good, "--bits", "4", "--base", "1"}, {"--base 1 is invalid: expected a finite number > 1"});
  expect_rejected({"--layer", good, "--bits", "4", "--base", "0.5"}, {"--base 0.5 is invalid"});
  expect_rejected({"--layer", good, "--bits", "3", "--base", "7"},
                  {"--base 7 is invalid with --bits 3", "base <= 6.349", "finite FP16"});
  expect_rejected({"--layer", good, "--base", "1.2"}, {"--base 1.2 needs --bits"});
  expect_rejected({"--layer", good, "--threshold", "0"}, {"--threshold 0 is invalid", "0 < T_w < 1"});
  expect_rejected({"--layer", good, "--first-layer-factor", "2"}, {"--first-layer-factor 2 is invalid"});
  expect_rejected({"--layer", "only_one_file.csv"}, {"--layer 'only_one_file.csv' is invalid", "[NAME=]ACTIVATIONS,WEIGHTS"});
  expect_rejected({"--layer", good, "--layer", good}, {"layer name 'l0' is used twice"});
  expect_rejected({}, {"no layers"});
  expect_rejected({"--layer", "l0=missing.csv," + t.w0.string()}, {"l0 activations file 'missing.csv' does not exist"});

  // Bad tensors, as the second layer so that the first one's success must not leave files behind.
  auto second = [&](const std::string& file, const std::string& bytes) {
    return std::vector<std::string>{"--layer", good, "--layer", "l1=" + t.a1.string() + "," + put(file, bytes).string()};
  };
  expect_rejected(second("empty.csv", "# no values\n"), {"empty.csv: tensor CSV: no values"});
  expect_rejected(second("empty.npy", npy_f8({})), {"empty.npy: tensor 'l1 weights' is empty: expected at least one value"});
  expect_rejected(second("nan.csv", "1, nan, 2\n"), {"nan.csv: tensor 'l1 weights' value [1] = nan is invalid: expected a finite number"});
  expect_rejected(second("inf.npy", npy_f8({1.0, -std::numeric_limits<double>::infinity()})),
                  {"inf.npy: tensor 'l1 weights' value [1] = -inf is invalid"});
  expect_rejected(second("zeros.csv", "0, 0, -0\n"), {"zeros.csv: tensor 'l1 weights' has no nonzero value"});
  expect_rejected(second("bad.csv", "0.5, 1e-3\n0.25 x7\n"), {"bad.csv: tensor CSV: line 2: 'x7' is not a number"});
  expect_rejected(second("int.npy", npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                                              raw_bytes(std::vector<int>{1, 2}))),
                  {"int.npy: npy: dtype = '<i4' is invalid: expected '<f4'"});
  const std::string two = npy_f8({1.0, 2.0});
  expect_rejected(second("short.npy", two.substr(0, two.size() - 14)), {"short.npy: npy: data size = 2 bytes"});
  expect_rejected(second("fortran.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }",
                                                  raw_bytes(std::vector<double>{1.0}))),
                  {"fortran_order = True is invalid"});
}

TEST_CASE("dnateq-search --check rejects parameter files that do not match their bit-width", "[dnateq-search]") {
  const Traces t = write_traces();
  const fs::path out = kWork / "tocheck";
  fs::remove_all(out);
  REQUIRE(run_qrtl({"dnateq-search", "--layer", layer("l", t.a0, t.w0), "--bits", "4", "-o", out.string()}, kWork)
              .exit_code == 0);
  const std::string text = qrtl::flow::read_text(out / "l.params");
  auto check = [&](const std::string& from, const std::string& to, const std::vector<std::string>& fragments) {
    std::string bad = text;
    const auto at = bad.find(from);
    REQUIRE(at != std::string::npos);
    bad.replace(at, from.size(), to);
    const auto r = run_qrtl({"dnateq-search", "--check", put("bad.params", bad).string()}, kWork);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    for (const auto& f : fragments) CHECK_THAT(r.output, Contains(f));
  };
  check("bits 4", "bits 5", {"bad.params: dnateq params: expected 31 boundaries for bits = 5 (2^bits - 1), got 15"});
  check("bits 4", "bits 8", {"bits = '8' is invalid: expected 3..7"});
  check("lut ", "# lut ", {"expected 29 lut entries for bits = 4"});
  check("boundary 0x0001", "boundary 0x7bff", {"sorted"});
  check("coefficient ", "coefficient 0xzz # ", {"'0xzz' is not an FP16 bit pattern"});

  // Against a design: its max_bits bounds the file's bits; only FP16 post-processing loads the file.
  const auto gen = [&](const std::string& family, std::vector<std::string> sets, const std::string& dir) {
    std::vector<std::string> args{"generate", family, "-o", (kWork / dir).string(), "--force"};
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    REQUIRE(run_qrtl(args, kWork).exit_code == 0);
    return (kWork / dir).string();
  };
  const std::string params = (out / "l.params").string();
  const auto fits = run_qrtl({"dnateq-search", "--check", params, "--design", gen("dnateq", {"max_bits=4"}, "d4")}, kWork);
  CHECK(fits.exit_code == 0);
  CHECK_THAT(fits.output, Contains("OK for"));
  auto against = [&](const std::string& design, const std::string& message) {
    const auto r = run_qrtl({"dnateq-search", "--check", params, "--design", design}, kWork);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains(message));
  };
  against(gen("dnateq", {"max_bits=3", "batch=7"}, "d3"), "bits = 4 does not fit design");
  against((kWork / "d3").string(), "expected 3..3 (its max_bits)");
  against(gen("dnateq", {"max_bits=4", "post=fixed"}, "dfx"), "has post = fixed");
  against(gen("pmac", {}, "p"), "is a pmac design: expected a dnateq design folder");
  const auto no_check = run_qrtl({"dnateq-search", "--design", (kWork / "d4").string()}, kWork);
  CHECK(no_check.exit_code == 2);
  CHECK_THAT(no_check.output, Contains("--design applies to --check only"));

  const auto missing = run_qrtl({"dnateq-search", "--check", "nowhere.params"}, kWork);
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("parameter file 'nowhere.params' does not exist"));
  const auto modes = run_qrtl({"dnateq-search", "--synthetic", "--check", "x.params"}, kWork);
  CHECK(modes.exit_code == 2);
  CHECK_THAT(modes.output, Contains("different modes"));
}

TEST_CASE("compare-dnateq rejects bad lengths and bit-widths before synthesizing anything", "[dnateq-search]") {
  const fs::path out = kWork / "compare";
  auto reject = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), "compare-dnateq");
    args.insert(args.end(), {"-o", out.string()});
    const auto r = run_qrtl(args, kWork);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains(message));
    CHECK_FALSE(fs::exists(out));
  };
  reject({"--length", "0"}, "--length 0 is invalid: expected 1..65504");
  reject({"--bits", "8"}, "--bits 8 is invalid: expected 3..7");
  reject({"--bits", "3", "--bits", "2"}, "--bits 2 is invalid: expected 3..7");
  reject({"--dots", "0"}, "--dots 0 is invalid: expected 1..100000");
  reject({"--batch", "0"}, "--batch 0 is invalid: expected 1..128 (boundary comparators)");
  reject({"--batch", "129"}, "--batch 129 is invalid: expected 1..128");
}
