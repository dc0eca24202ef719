// The ReRAM analog cost model (gen/cost/reram_analog), its data file, and the two commands built on
// it: reram-adc-table (analog-only run) and reram-cost. Expected values are worked out by hand in
// the comments, not by re-running the model's formulas.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cost/reram_analog.hpp"
#include "errors.hpp"
#include "flow/process.hpp"
#include "data_file.hpp"
#include "run_qrtl.hpp"

using Catch::Matchers::Contains;
using qrtl::cost::analog_cost;
using qrtl::cost::load_analog_data;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = scratch_dir("qrtl_reram_cost_test");
const fs::path kData = fs::path(QRTL_SOURCE_DIR) / "data" / "reram_analog.toml";

// A data file with round figures: ADC energy = bits pJ, latency = bits / 10 ns.
std::string round_data(int dac_bits = 1) {
  std::string s = "format = 1\ntechnology = \"test\"\n"
                  "[adc]\nsource = \"s\"\nscaling = \"x\"\n";
  for (int b = 1; b <= 9; ++b)
    s += "[adc.bits." + std::to_string(b) + "]\nenergy_pj = " + std::to_string(b) +
         "\narea_mm2 = 0.5\nlatency_ns = " + std::to_string(b / 10.0) + "\n";
  s += "[dac]\nsource = \"s\"\nscaling = \"x\"\n[dac.bits." + std::to_string(dac_bits) +
       "]\nenergy_pj = 2\narea_mm2 = 0.25\nlatency_ns = 1\n"
       "[crossbar]\nsource = \"s\"\nscaling = \"x\"\nrows = 2\ncols = 2\nenergy_pj = 8\narea_mm2 = 4\nlatency_ns = 100\n"
       "[sample_hold]\nsource = \"s\"\nscaling = \"x\"\nenergy_pj = 0.5\narea_mm2 = 0.125\nlatency_ns = 1\n";
  return s;
}

const DataFiles kFiles{kWork, kData};

void expect_data_error(const fs::path& file, const std::vector<std::string>& parts) {
  kFiles.expect_error([](const fs::path& f) { load_analog_data(f); }, file, parts);
}

qrtl::quant::ReramParams small_unit() {
  qrtl::quant::ReramParams p;
  p.rows = 4;
  p.cols = 2;
  p.weight_bits = 4;
  p.weight_frac = 0;
  p.input_bits = 3;
  p.input_frac = 0;
  p.cell_bits = 2;
  p.dac_bits = 1;
  p.adc_bits = 4;
  p.adcs = 1;
  return p;
}

void expect_cli_error(std::vector<std::string> args, const std::vector<std::string>& parts) {
  fs::remove_all(kWork / "out");
  const auto r = run_qrtl(std::move(args), kWork);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("qrtl: error: "));
  for (const auto& part : parts) CHECK_THAT(r.output, Contains(part));
  CHECK_FALSE(fs::exists(kWork / "out"));
  CHECK_FALSE(fs::exists(kWork / "out.json"));
}

}  // namespace

TEST_CASE("reram analog cost: a small unit against hand-counted events", "[reram][cost]") {
  const auto d = load_analog_data(kFiles.write("round.toml", round_data()));
  auto p = small_unit();
  // Offset, 4-bit weights in 2-bit cells: 2 slice arrays. 3-bit inputs, 1-bit DAC: 2 magnitude
  // steps + 1 sign step = 3 steps. Per MVM: 3 steps x 2 cols x 2 arrays = 12 conversions,
  // 3 x 4 rows x 2 = 24 row drives, 3 x 2 = 6 reads of a 4x2 array (twice the 2x2 reference), 12 samples.
  auto c = analog_cost(p, d);
  CHECK(c.arrays == 2);
  CHECK(c.conversions == 12);
  CHECK(c.row_drives == 24);
  CHECK(c.reads == 6);
  CHECK(c.samples == 12);
  CHECK(c.adc_pj == Approx(48));         // 12 x 4 pJ
  CHECK(c.dac_pj == Approx(48));         // 24 x 2 pJ
  CHECK(c.crossbar_pj == Approx(96));    // 6 x 2 x 8 pJ
  CHECK(c.sample_hold_pj == Approx(6));  // 12 x 0.5 pJ
  CHECK(c.energy_pj() == Approx(198));
  // 2 ADCs (1 per array) x 0.5 + 8 DACs x 0.25 + 2 arrays x 2 x 4 + 4 S&H x 0.125
  CHECK(c.area_mm2() == Approx(1 + 2 + 16 + 0.5));
  CHECK(c.cycles == 30);                        // 3 steps x 2 columns per ADC x (4 + 1)
  CHECK(c.conversion_ns == Approx(3 * 2 * 0.4));

  // Differential 4-bit weights: 3 magnitude bits in 2-bit cells = 2 slices, in 2 arrays = 4 crossbars.
  p.weight_encoding = qrtl::quant::WeightEncoding::Differential;
  p.adc_bits = 1;
  c = analog_cost(p, d);
  CHECK(c.arrays == 4);
  CHECK(c.adc_pj == Approx(24 * 1));  // 3 x 2 x 4 conversions at 1 pJ
  CHECK(c.cycles == 12);              // 3 x 2 x (1 + 1)
}

TEST_CASE("reram analog cost: the shipped data file on the MLP-sized unit", "[reram][cost]") {
  const auto d = load_analog_data(kData);
  REQUIRE(d.adc.size() == 9);
  // ISAAC's 8-bit ADC: 2 mW at 1.28 GS/s = 1.5625 pJ per conversion; PUMA's b^2 law from there.
  CHECK(d.adc.at(8).energy_pj == Approx(1.5625));
  CHECK(d.adc.at(4).energy_pj == Approx(1.5625 / 4));
  CHECK(d.adc.at(1).energy_pj == Approx(1.5625 / 64));
  qrtl::quant::ReramParams p;
  p.rows = p.cols = 128;
  p.weight_bits = p.input_bits = 16;
  p.acc_bits = 32;
  p.cell_bits = 2;
  p.dac_bits = 1;
  p.adcs = 1;
  p.adc_bits = 8;
  // 16 input steps, 8 slice arrays: 16 x 128 x 8 = 16384 conversions x 1.5625 = 25600 pJ;
  // DACs 16 x 128 x 8 x 0.390625 = 6400; reads 16 x 8 x 30 = 3840; S&H 16384 x 0.0009765625 = 16.
  auto c = analog_cost(p, d);
  CHECK(c.adc_pj == Approx(25600));
  CHECK(c.energy_pj() == Approx(25600 + 6400 + 3840 + 16));
  CHECK(c.cycles == 16 * 128 * 9);
  p.adc_bits = 1;
  c = analog_cost(p, d);
  CHECK(c.energy_pj() == Approx(400 + 6400 + 3840 + 16));
  CHECK(c.cycles == 16 * 128 * 2);
}

TEST_CASE("reram analog data file errors name the file, key, value and what is allowed", "[reram][cost]") {
  expect_data_error(kWork / "nope.toml", {"data file", "nope.toml", "does not exist"});
  expect_data_error(kFiles.write("broken.toml", "format = 1\n[adc\n"), {"broken.toml:2:", "malformed TOML"});
  expect_data_error(kFiles.mutated("bits10.toml", "[adc.bits.9]", "[adc.bits.10]"),
                    {"bits10.toml:", "'adc.bits.10' is invalid: expected ADC bits 1..9"});
  expect_data_error(kFiles.mutated("bitsx.toml", "[adc.bits.9]", "[adc.bits.nine]"), {"'adc.bits.nine' is invalid"});
  expect_data_error(kFiles.mutated("missing7.toml", "[adc.bits.7]", "[adc.bits.0]"), {"'adc.bits.0' is invalid"});
  expect_data_error(kFiles.mutated("neg.toml", "energy_pj = 30.0", "energy_pj = -30.0"),
                    {"'crossbar.energy_pj' = -30", "expected a finite number >= 0"});
  expect_data_error(kFiles.mutated("type.toml", "energy_pj = 30.0", "energy_pj = \"30\""),
                    {"'crossbar.energy_pj' = ", "expected a finite number >= 0"});
  expect_data_error(kFiles.mutated("unknown.toml", "rows = 128", "rowz = 128"),
                    {"unknown key 'crossbar.rowz'", "expected one of: source, scaling, rows, cols"});
  expect_data_error(kFiles.mutated("nosource.toml", "[dac]\nsource = \"ISAAC", "[dac]\nsourc = \"ISAAC"),
                    {"unknown key 'dac.sourc'"});
  expect_data_error(kFiles.mutated("format.toml", "format = 1", "format = 2"), {"'format' is invalid: expected 1"});

  // A 9-bit entry removed entirely: the ADC table must cover every resolution.
  auto text = qrtl::flow::read_text(kData);
  const auto at = text.find("[adc.bits.9]");
  text.erase(at, text.find("[dac]") - at);
  expect_data_error(kFiles.write("no9.toml", text), {"missing key 'adc.bits.9'", "every ADC resolution 1..9"});

  // A unit whose DAC width has no figures.
  const auto d = load_analog_data(kFiles.write("round.toml", round_data()));
  auto p = small_unit();
  p.dac_bits = 2;
  CHECK_THROWS_WITH(analog_cost(p, d), Contains("'dac_bits' = 2 is invalid: expected one of: 1"));
  p.dac_bits = 1;
  p.adcs = 3;  // does not divide cols: the golden model's own rule and message
  CHECK_THROWS_AS(analog_cost(p, d), qrtl::UsageError);
  CHECK_THROWS_WITH(analog_cost(p, d), Contains("'adcs' = 3"));
}

TEST_CASE("qrtl reram-adc-table --no-synth: the analog table next to the seed's", "[cli][reram][cost]") {
  fs::remove_all(kWork / "table");
  const auto r = run_qrtl({"reram-adc-table", "--no-synth", "-o", "table"}, kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("one ReRAM MVM unit: 128x128 crossbar, 16-bit weights in 2-bit cells"));
  CHECK_THAT(r.output, Contains("| 8 | 1.5625 | 35.86 |"));
  CHECK_THAT(r.output, Contains("| 18883 | 21.1 % |"));  // the seed's 6-bit cycles and reduction
  CHECK_THAT(r.output, Contains("8.45*"));              // the seed's slipped decimal point, flagged
  const auto j = nlohmann::json::parse(qrtl::flow::read_text(kWork / "table" / "adc_table.json"));
  REQUIRE(j["rows"].size() == 5);
  CHECK(j["rows"][0]["analog"]["energy_per_mvm_pj"].get<double>() == Approx(35856));
  CHECK(j["rows"][0]["cycles_per_mvm"] == 18432);
  // 1 bit: 10656 / 35856 of the 8-bit energy; (1 + 1) / (8 + 1) of its cycles.
  CHECK(j["rows"][4]["analog"]["energy_reduction_pct"].get<double>() == Approx(100 * (1 - 10656.0 / 35856)));
  CHECK(j["rows"][4]["cycle_reduction_pct"].get<double>() == Approx(100 * 7.0 / 9));
  CHECK(j["rows"][4]["seed"]["cycles"] == 6337);
  CHECK(fs::exists(kWork / "table" / "adc_table.md"));
}

TEST_CASE("qrtl reram-adc-table bad inputs are usage errors with no output", "[cli][reram][cost]") {
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--bits", "8,10"},
                   {"--bits: 10 is invalid: expected ADC bits 1..9"});
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--bits", "8,6,8"}, {"--bits: 8 is given twice"});
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--rows", "0"},
                   {"parameter 'rows' = 0 is invalid"});
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--dac-bits", "2"},
                   {"'dac_bits' = 2 is invalid: expected one of: 1"});
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--weight-encoding", "twos"},
                   {"'weight_encoding' = 'twos' is invalid: expected one of: offset, differential"});
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--data", "missing.toml"},
                   {"data file 'missing.toml' does not exist"});
  const auto bad = kFiles.mutated("cli_bits10.toml", "[adc.bits.9]", "[adc.bits.10]");
  expect_cli_error({"reram-adc-table", "--no-synth", "-o", "out", "--data", bad.string()},
                   {"'adc.bits.10' is invalid: expected ADC bits 1..9"});
}

TEST_CASE("qrtl reram-cost: the seed's hardware cost over layers", "[cli][reram][cost]") {
  fs::remove_all(kWork / "cost.json");
  // Layer 0: 2^8 x (0.5 x 16/16 + 0.5 x 8/16) = 256 x 0.75 = 192;
  // layer 1: 2^4 x (0.25 x 4/16 + 0.75 x 8/16) = 16 x 0.4375 = 7.  Total 199.
  auto r = run_qrtl({"reram-cost", "--layer", "adc_bits=8,input_bits=16,weight_bits=8", "--layer",
                     "adc_bits=4,input_bits=4,weight_bits=8,f_input=0.25,f_weight=0.75", "--json", "cost.json"},
                    kWork);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("Cost_hw = 199"));
  CHECK_THAT(r.output, Contains("| 0 | 8 | 16 | 8 | 0.5 | 0.5 | 256 | 192 | 96.5 % |"));
  const auto j = nlohmann::json::parse(qrtl::flow::read_text(kWork / "cost.json"));
  CHECK(j["cost_hw"].get<double>() == Approx(199));
  CHECK(j["layers"][1]["term"].get<double>() == Approx(7));

  // The same layers from a file, with alpha = 3: 3^8 x 0.75 + 3^4 x 0.4375 = 4920.75 + 35.4375.
  const auto file = kFiles.write("layers.toml", "alpha = 3.0\n[[layer]]\nadc_bits = 8\ninput_bits = 16\nweight_bits = 8\n"
                                              "[[layer]]\nadc_bits = 4\ninput_bits = 4\nweight_bits = 8\n"
                                              "f_input = 0.25\nf_weight = 0.75\n");
  r = run_qrtl({"reram-cost", "--layers", file.string()}, kWork);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("Cost_hw = 4956.19"));
}

TEST_CASE("qrtl reram-cost bad layer configs are usage errors with no output", "[cli][reram][cost]") {
  const std::vector<std::string> json{"--json", "out.json"};
  auto with_json = [&](std::vector<std::string> a) {
    a.insert(a.begin(), "reram-cost");
    a.insert(a.end(), json.begin(), json.end());
    return a;
  };
  expect_cli_error(with_json({"--layer", "adc_bits=10"}), {"layer 0: 'adc_bits' = 10 is invalid: expected 1..9"});
  expect_cli_error(with_json({"--layer", "adc_bits=8", "--layer", "input_bits=0"}),
                   {"layer 1: 'input_bits' = 0 is invalid: expected >= 1"});
  expect_cli_error(with_json({"--layer", "adc_bits=8,f_weight=-1"}), {"'f_weight' = -1 is invalid"});
  expect_cli_error(with_json({"--layer", "adc_bits=eight"}), {"'adc_bits' = 'eight' is invalid: expected an integer"});
  expect_cli_error(with_json({"--layer", "adc=8"}),
                   {"unknown key 'adc': expected one of: adc_bits, input_bits, weight_bits, f_input, f_weight"});
  expect_cli_error(with_json({"--layer", "adc_bits"}), {"'adc_bits' is invalid: expected KEY=VALUE"});
  expect_cli_error(with_json({"--layer", "adc_bits=8", "--alpha", "1"}), {"'alpha' = 1 is invalid: expected > 1"});
  expect_cli_error(with_json({}), {"no layers"});
  const auto file = kFiles.write("bad_layers.toml", "[[layer]]\nadc_bits = 8\nB_adc = 3\n");
  expect_cli_error(with_json({"--layers", file.string()}), {"bad_layers.toml:3", "unknown key 'B_adc'"});
  const auto file2 = kFiles.write("bad_layers2.toml", "[[layer]]\nadc_bits = 0\n");
  expect_cli_error(with_json({"--layers", file2.string()}), {"layer 0: 'adc_bits' = 0 is invalid"});
}
