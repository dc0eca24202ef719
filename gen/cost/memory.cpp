#include "cost/memory.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <sstream>

#include "errors.hpp"
#include "cost/toml_section.hpp"
#include "flow/toml_file.hpp"
#include "paths.hpp"

namespace qrtl::cost {

namespace {

constexpr int kMaxWords = 1 << 24, kMaxBits = 4096, kMaxMacros = 64;

using Section = TomlSection;

MemoryKind parse_kind(const std::string& s) { return s == "regfile" ? MemoryKind::regfile : MemoryKind::sram; }

int ceil_div(int a, int b) { return (a + b - 1) / b; }

double lerp(double a, double b, double t) { return a + (b - a) * t; }

}  // namespace

std::string_view kind_name(MemoryKind k) { return k == MemoryKind::regfile ? "regfile" : "sram"; }

std::string ports_name(const MemoryMacroSpec& s) {
  std::string out;
  if (s.rw_ports > 0) out += fmt::format("{}rw", s.rw_ports);
  if (s.read_ports > 0) out += fmt::format("{}r", s.read_ports);
  if (s.write_ports > 0) out += fmt::format("{}w", s.write_ports);
  return out.empty() ? "none" : out;
}

std::filesystem::path default_memory_data() { return data_path("data/memory_macros.toml"); }

MemoryData load_memory_data(const std::filesystem::path& file) {
  MemoryData d;
  d.file = file;
  const toml::table t = flow::read_toml(file, "data file");
  const Section top(file, t, "");
  top.allow({"format", "technology", "family"});
  const auto& fmt_node = top.need("format");
  if (fmt_node.value_exact<std::int64_t>() != 1)
    throw UsageError(fmt::format("{}: 'format' is invalid: expected 1", flow::toml_origin(file, fmt_node)));
  d.technology = top.string("technology");

  for (const Section& fs : top.tables("family")) {
    fs.allow({"kind", "ports", "max_macros", "source", "scaling", "size"});
    MemoryFamily f;
    f.kind = parse_kind(fs.one_of("kind", {"sram", "regfile"}));
    f.ports = fs.one_of("ports", {"1rw", "1r1w"});
    f.max_macros = fs.integer("max_macros", 1, kMaxMacros);
    f.source = fs.string("source");
    f.scaling = fs.string("scaling");
    for (const auto& other : d.families)
      if (other.kind == f.kind && other.ports == f.ports)
        throw UsageError(fmt::format("{}: family kind '{}' ports '{}' is given twice: expected one family per kind "
                                     "and port set", fs.origin(), kind_name(f.kind), f.ports));
    for (const Section& ss : fs.tables("size")) {
      ss.allow({"words", "bits", "area_um2", "read_pj", "write_pj", "idle_pj_per_cycle", "leakage_w", "source"});
      MemorySize s;
      s.words = ss.integer("words", 2, kMaxWords);
      s.bits = ss.integer("bits", 1, kMaxBits);
      s.area_um2 = ss.figure("area_um2");
      s.read_pj = ss.figure("read_pj");
      s.write_pj = ss.figure("write_pj");
      s.idle_pj_per_cycle = ss.figure("idle_pj_per_cycle");
      s.leakage_w = ss.figure("leakage_w");
      s.source = ss.string("source");
      for (const auto& o : f.sizes)
        if (o.words == s.words && o.bits == s.bits)
          throw UsageError(fmt::format("{}: size {} words x {} bits is given twice in family {} {}", ss.origin(),
                                       s.words, s.bits, kind_name(f.kind), f.ports));
      f.sizes.push_back(std::move(s));
    }
    std::sort(f.sizes.begin(), f.sizes.end(),
              [](const MemorySize& a, const MemorySize& b) { return std::tie(a.bits, a.words) < std::tie(b.bits, b.words); });
    d.families.push_back(std::move(f));
  }
  return d;
}

MemoryMacroCost memory_cost(const MemoryMacroSpec& spec, const MemoryData& d) {
  const std::string kind(kind_name(spec.kind));
  // Kind: a family of that kind must exist.
  std::vector<std::string> kinds;
  for (const auto& f : d.families)
    if (std::find(kinds.begin(), kinds.end(), kind_name(f.kind)) == kinds.end()) kinds.emplace_back(kind_name(f.kind));
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    throw UsageError(fmt::format("parameter 'kind' = {} is invalid: expected one of: {} (the kinds with figures in {}; "
                                 "build a {} from flip-flops instead)",
                                 kind, fmt::join(kinds, ", "), d.file.string(), kind));
  // Ports.
  const std::string ports = ports_name(spec);
  const MemoryFamily* fam = nullptr;
  std::vector<std::string> port_sets;
  for (const auto& f : d.families)
    if (f.kind == spec.kind) {
      port_sets.push_back(f.ports);
      if (f.ports == ports) fam = &f;
    }
  if (spec.read_ports < 0 || spec.write_ports < 0 || spec.rw_ports < 0 || !fam)
    throw UsageError(fmt::format("parameter 'ports' = {} is invalid: expected one of: {} (the port sets with figures "
                                 "for {} in {})",
                                 ports, fmt::join(port_sets, ", "), kind, d.file.string()));
  const std::string what = fmt::format("{} {}", kind, fam->ports);

  // Widths and their word ranges.
  std::vector<int> widths;
  for (const auto& s : fam->sizes)
    if (std::find(widths.begin(), widths.end(), s.bits) == widths.end()) widths.push_back(s.bits);
  auto words_range = [&](int w) {
    int lo = kMaxWords, hi = 0;
    for (const auto& s : fam->sizes)
      if (s.bits == w) lo = std::min(lo, s.words), hi = std::max(hi, s.words);
    return std::pair{lo, hi};
  };
  auto ranges_text = [&] {
    std::vector<std::string> parts;
    for (int w : widths) {
      const auto [lo, hi] = words_range(w);
      parts.push_back(lo == hi ? fmt::format("{} (macros of {} bits)", lo, w)
                               : fmt::format("{}..{} (macros of {} bits)", lo, hi, w));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  auto bits_text = [&] {
    std::vector<std::string> parts;
    for (int w : widths) parts.push_back(fmt::format("1..{} (up to {} macros of {} bits)", w * fam->max_macros, fam->max_macros, w));
    return fmt::format("{}", fmt::join(parts, ", "));
  };

  std::vector<int> in_range;  // widths whose listed words cover spec.words
  for (int w : widths) {
    const auto [lo, hi] = words_range(w);
    if (spec.words >= lo && spec.words <= hi) in_range.push_back(w);
  }
  if (in_range.empty())
    throw UsageError(fmt::format("parameter 'words' = {} is invalid: expected {} for {} (the sizes with figures in {}; "
                                 "no extrapolation)",
                                 spec.words, ranges_text(), what, d.file.string()));
  int best_w = 0, best_k = 0;
  for (int w : in_range) {
    if (spec.bits < 1) break;
    const int k = ceil_div(spec.bits, w);
    if (k > fam->max_macros) continue;
    // Fewest macros; on a tie, the fewest unused columns.
    if (best_w == 0 || k < best_k || (k == best_k && w * k < best_w * best_k)) best_w = w, best_k = k;
  }
  if (best_w == 0)
    throw UsageError(fmt::format("parameter 'bits' = {} is invalid: expected {} for {} at {} words (in {})", spec.bits,
                                 bits_text(), what, spec.words, d.file.string()));

  // Interpolate in words between the neighbouring listed sizes of width best_w.
  const MemorySize *below = nullptr, *above = nullptr;
  for (const auto& s : fam->sizes) {
    if (s.bits != best_w) continue;
    if (s.words <= spec.words && (!below || s.words > below->words)) below = &s;
    if (s.words >= spec.words && (!above || s.words < above->words)) above = &s;
  }
  MemoryMacroCost c;
  c.macros = best_k;
  c.macro_bits = best_w;
  c.macro_words = spec.words;
  MemorySize one = *below;
  std::string sizes_text;
  if (below->words == spec.words) {
    sizes_text = fmt::format("listed size {} x {}: {}", below->words, below->bits, below->source);
  } else {
    c.interpolated = true;
    const double t = double(spec.words - below->words) / double(above->words - below->words);
    one.area_um2 = lerp(below->area_um2, above->area_um2, t);
    one.read_pj = lerp(below->read_pj, above->read_pj, t);
    one.write_pj = lerp(below->write_pj, above->write_pj, t);
    one.idle_pj_per_cycle = lerp(below->idle_pj_per_cycle, above->idle_pj_per_cycle, t);
    one.leakage_w = lerp(below->leakage_w, above->leakage_w, t);
    sizes_text = fmt::format("interpolated linearly in words between listed sizes {} x {} ({}) and {} x {} ({})",
                             below->words, below->bits, below->source, above->words, above->bits, above->source);
  }
  c.area_um2 = one.area_um2 * best_k;
  c.read_pj = one.read_pj * best_k;
  c.write_pj = one.write_pj * best_k;
  c.idle_pj_per_cycle = one.idle_pj_per_cycle * best_k;
  c.leakage_w = one.leakage_w * best_k;
  c.source = fmt::format("{} {} words x {} bits = {} macro(s) of {} x {} side by side; {}. Family source: {} "
                         "Scaling: {} (data file {})",
                         what, spec.words, spec.bits, best_k, spec.words, best_w, sizes_text, fam->source, fam->scaling,
                         d.file.string());
  return c;
}

nlohmann::json memory_template_data(const std::string& name, const MemoryMacroSpec& spec, bool macro) {
  const std::string ports = ports_name(spec);
  if (ports != "1rw" && ports != "1r1w")
    throw UsageError(fmt::format("parameter 'ports' = {} is invalid: expected one of: 1rw, 1r1w", ports));
  if (spec.words < 2 || spec.words > kMaxWords)
    throw UsageError(fmt::format("parameter 'words' = {} is invalid: expected 2..{}", spec.words, kMaxWords));
  if (spec.bits < 1 || spec.bits > kMaxBits)
    throw UsageError(fmt::format("parameter 'bits' = {} is invalid: expected 1..{}", spec.bits, kMaxBits));
  int addr_bits = 1;
  while ((std::int64_t{1} << addr_bits) < spec.words) ++addr_bits;
  return {{"name", name},
          {"words", spec.words},
          {"words_last", spec.words - 1},
          {"bits", spec.bits},
          {"bits_msb", spec.bits - 1},
          {"addr_bits", addr_bits},
          {"addr_msb", addr_bits - 1},
          {"rw1", ports == "1rw"},
          {"r1w1", ports == "1r1w"},
          {"macro", macro}};
}

}  // namespace qrtl::cost
