#include "cost/reram_analog.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <sstream>
#include <stdexcept>

#include "errors.hpp"
#include "flow/toml_file.hpp"
#include "paths.hpp"

namespace qrtl::cost {

namespace {

constexpr int kMinAdcBits = 1, kMaxAdcBits = 9;

// Checks one table of the data file: the keys it may have, and typed reads of required ones.
class Section {
 public:
  Section(const AnalogData& d, const toml::table& t, std::string path) : d_(d), t_(t), path_(std::move(path)) {}

  void allow(std::initializer_list<std::string_view> keys) const {
    const std::set<std::string_view> ok(keys);
    for (const auto& [k, node] : t_)
      if (!ok.count(k.str()))
        throw UsageError(fmt::format("{}: unknown key '{}': expected one of: {}", flow::toml_origin(d_.file, node),
                                     name(k.str()), fmt::join(keys, ", ")));
  }

  const toml::node& need(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n)
      throw UsageError(fmt::format("{}:{}: missing key '{}'", d_.file.string(), t_.source().begin.line, name(key)));
    return *n;
  }

  const toml::table& table(std::string_view key) const {
    const auto& n = need(key);
    if (const auto* t = n.as_table()) return *t;
    throw UsageError(fmt::format("{}: '{}' is invalid: expected a table", flow::toml_origin(d_.file, n), name(key)));
  }

  // A figure: a finite number >= 0 (integers accepted).
  double figure(std::string_view key) const {
    const auto& n = need(key);
    const auto v = n.value<double>();
    if (!v || !std::isfinite(*v) || *v < 0)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected a finite number >= 0",
                                   flow::toml_origin(d_.file, n), name(key), text(n)));
    return *v;
  }

  int positive_int(std::string_view key) const {
    const auto& n = need(key);
    const auto v = n.value_exact<std::int64_t>();
    if (!v || *v < 1 || *v > 1'000'000)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected an integer in 1..1000000",
                                   flow::toml_origin(d_.file, n), name(key), text(n)));
    return static_cast<int>(*v);
  }

  std::string string(std::string_view key) const {
    const auto& n = need(key);
    const auto v = n.value_exact<std::string>();
    if (!v || v->find_first_not_of(" \t") == std::string::npos)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected a non-empty string",
                                   flow::toml_origin(d_.file, n), name(key), text(n)));
    return *v;
  }

  Figures figures() const { return {figure("energy_pj"), figure("area_mm2"), figure("latency_ns")}; }

  Source source() const { return {string("source"), string("scaling")}; }

  Section sub(std::string_view key) const { return {d_, table(key), name(key)}; }

  // Entries keyed by a bit width: every key must be an integer in lo..hi.
  std::map<int, Figures> by_bits(int lo, int hi, std::string_view what) const {
    std::map<int, Figures> out;
    for (const auto& [k, node] : t_) {
      int bits = 0;
      const auto s = k.str();
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), bits);
      if (ec != std::errc{} || end != s.data() + s.size() || bits < lo || bits > hi)
        throw UsageError(fmt::format("{}: '{}' is invalid: expected {} bits {}..{}", flow::toml_origin(d_.file, node),
                                     name(s), what, lo, hi));
      const Section entry = sub(s);
      entry.allow({"energy_pj", "area_mm2", "latency_ns"});
      out[bits] = entry.figures();
    }
    return out;
  }

 private:
  std::string name(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

  static std::string text(const toml::node& n) {
    std::ostringstream os;
    if (n.is_table()) os << "a table";
    else if (n.is_array()) os << "an array";
    else n.visit([&](const auto& v) { os << v; });
    return os.str();
  }

  const AnalogData& d_;
  const toml::table& t_;
  std::string path_;
};

}  // namespace

std::filesystem::path default_analog_data() { return data_path("data/reram_analog.toml"); }

AnalogData load_analog_data(const std::filesystem::path& file) {
  AnalogData d;
  d.file = file;
  const toml::table t = flow::read_toml(file, "data file");
  const Section top(d, t, "");
  top.allow({"format", "technology", "adc", "dac", "crossbar", "sample_hold"});
  const auto& fmt_node = top.need("format");
  if (fmt_node.value_exact<std::int64_t>() != 1)
    throw UsageError(fmt::format("{}: 'format' is invalid: expected 1", flow::toml_origin(file, fmt_node)));
  d.technology = top.string("technology");

  const Section adc = top.sub("adc");
  adc.allow({"source", "scaling", "bits"});
  d.adc_source = adc.source();
  d.adc = adc.sub("bits").by_bits(kMinAdcBits, kMaxAdcBits, "ADC");
  for (int b = kMinAdcBits; b <= kMaxAdcBits; ++b)
    if (!d.adc.count(b))
      throw UsageError(fmt::format("{}: missing key 'adc.bits.{}': expected figures for every ADC resolution {}..{}",
                                   file.string(), b, kMinAdcBits, kMaxAdcBits));

  const Section dac = top.sub("dac");
  dac.allow({"source", "scaling", "bits"});
  d.dac_source = dac.source();
  d.dac = dac.sub("bits").by_bits(1, 32, "DAC");
  if (d.dac.empty())
    throw UsageError(fmt::format("{}: 'dac.bits' is empty: expected figures for at least one DAC width", file.string()));

  const Section xbar = top.sub("crossbar");
  xbar.allow({"source", "scaling", "rows", "cols", "energy_pj", "area_mm2", "latency_ns"});
  d.crossbar_source = xbar.source();
  d.crossbar_rows = xbar.positive_int("rows");
  d.crossbar_cols = xbar.positive_int("cols");
  d.crossbar = xbar.figures();

  const Section snh = top.sub("sample_hold");
  snh.allow({"source", "scaling", "energy_pj", "area_mm2", "latency_ns"});
  d.sample_hold_source = snh.source();
  d.sample_hold = snh.figures();
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
