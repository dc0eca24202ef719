#include "cost/reram_analog.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <sstream>
#include <stdexcept>

#include "errors.hpp"
#include "cost/toml_section.hpp"
#include "flow/toml_file.hpp"
#include "paths.hpp"

namespace qrtl::cost {

namespace {

constexpr int kMinAdcBits = 1, kMaxAdcBits = 9;

using Section = TomlSection;

Figures figures_of(const Section& s) { return {s.figure("energy_pj"), s.figure("area_mm2"), s.figure("latency_ns")}; }

Source source_of(const Section& s) { return {s.string("source"), s.string("scaling")}; }

// Entries keyed by a bit width: every key must be an integer in lo..hi.
std::map<int, Figures> by_bits(const Section& s, int lo, int hi, std::string_view what) {
  std::map<int, Figures> out;
  for (const auto& [k, node] : s.table()) {
    int bits = 0;
    const auto key = k.str();
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), bits);
    if (ec != std::errc{} || end != key.data() + key.size() || bits < lo || bits > hi)
      throw UsageError(fmt::format("{}: '{}' is invalid: expected {} bits {}..{}", flow::toml_origin(s.file(), node),
                                   s.name(key), what, lo, hi));
    const Section entry = s.sub(key);
    entry.allow({"energy_pj", "area_mm2", "latency_ns"});
    out[bits] = figures_of(entry);
  }
  return out;
}

}  // namespace

std::filesystem::path default_analog_data() { return data_path("data/reram_analog.toml"); }

AnalogData load_analog_data(const std::filesystem::path& file) {
  AnalogData d;
  d.file = file;
  const toml::table t = flow::read_toml(file, "data file");
  const Section top(file, t, "");
  top.allow({"format", "technology", "adc", "dac", "crossbar", "sample_hold"});
  const auto& fmt_node = top.need("format");
  if (fmt_node.value_exact<std::int64_t>() != 1)
    throw UsageError(fmt::format("{}: 'format' is invalid: expected 1", flow::toml_origin(file, fmt_node)));
  d.technology = top.string("technology");

  const Section adc = top.sub("adc");
  adc.allow({"source", "scaling", "bits"});
  d.adc_source = source_of(adc);
  d.adc = by_bits(adc.sub("bits"), kMinAdcBits, kMaxAdcBits, "ADC");
  for (int b = kMinAdcBits; b <= kMaxAdcBits; ++b)
    if (!d.adc.count(b))
      throw UsageError(fmt::format("{}: missing key 'adc.bits.{}': expected figures for every ADC resolution {}..{}",
                                   file.string(), b, kMinAdcBits, kMaxAdcBits));

  const Section dac = top.sub("dac");
  dac.allow({"source", "scaling", "bits"});
  d.dac_source = source_of(dac);
  d.dac = by_bits(dac.sub("bits"), 1, 32, "DAC");
  if (d.dac.empty())
    throw UsageError(fmt::format("{}: 'dac.bits' is empty: expected figures for at least one DAC width", file.string()));

  const Section xbar = top.sub("crossbar");
  xbar.allow({"source", "scaling", "rows", "cols", "energy_pj", "area_mm2", "latency_ns"});
  d.crossbar_source = source_of(xbar);
  d.crossbar_rows = xbar.integer("rows", 1, 1000000);
  d.crossbar_cols = xbar.integer("cols", 1, 1000000);
  d.crossbar = figures_of(xbar);

  const Section snh = top.sub("sample_hold");
  snh.allow({"source", "scaling", "energy_pj", "area_mm2", "latency_ns"});
  d.sample_hold_source = source_of(snh);
  d.sample_hold = figures_of(snh);
  return d;
}

AnalogCost analog_cost(const quant::ReramParams& p, const AnalogData& d) {
  try {
    quant::validate(p);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto dac = d.dac.find(p.dac_bits);
  if (dac == d.dac.end()) {
    std::vector<int> have;
    for (const auto& [bits, f] : d.dac) have.push_back(bits);
    throw UsageError(fmt::format("parameter 'dac_bits' = {} is invalid: expected one of: {} (the DAC widths with "
                                 "figures in {})", p.dac_bits, fmt::join(have, ", "), d.file.string()));
  }
  const Figures& adc = d.adc.at(p.adc_bits);
  const std::int64_t steps = quant::input_steps(p);

  AnalogCost c;
  c.arrays = std::int64_t{quant::weight_slices(p)} * quant::weight_arrays(p);
  c.conversions = steps * p.cols * c.arrays;
  c.row_drives = steps * p.rows * c.arrays;
  c.reads = steps * c.arrays;
  c.samples = steps * p.cols * c.arrays;
  // The crossbar figure is for a reference array; energy and area scale with the cell count.
  const double cells = double(p.rows) * p.cols / (double(d.crossbar_rows) * d.crossbar_cols);

  c.adc_pj = double(c.conversions) * adc.energy_pj;
  c.dac_pj = double(c.row_drives) * dac->second.energy_pj;
  c.crossbar_pj = double(c.reads) * cells * d.crossbar.energy_pj;
  c.sample_hold_pj = double(c.samples) * d.sample_hold.energy_pj;

  c.adc_mm2 = quant::adc_count(p) * adc.area_mm2;
  c.dac_mm2 = double(p.rows) * c.arrays * dac->second.area_mm2;
  c.crossbar_mm2 = double(c.arrays) * cells * d.crossbar.area_mm2;
  c.sample_hold_mm2 = double(p.cols) * c.arrays * d.sample_hold.area_mm2;

  c.cycles = quant::mvm_cycles(p);
  c.conversion_ns = double(steps) * (p.cols / p.adcs) * adc.latency_ns;
  return c;
}

}  // namespace qrtl::cost
