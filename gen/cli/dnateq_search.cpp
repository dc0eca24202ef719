// `qrtl dnateq-search`: DNA-TEQ's offline search (seed 004: Algorithm 1 for the base, step 4 for
// the bit-width against RMAE thresholds, first layer stricter) on tensor traces in CSV or .npy,
// writing per layer the parameter file the hardware loads (activation boundaries, base-power LUT,
// coefficients) plus search.json. With --synthetic it prints the exponential-vs-uniform RMAE at
// equal bits on the seeded synthetic tensors of docs/dnateq.md instead.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <regex>

#include "cli/commands.hpp"
#include "emit/design.hpp"
#include "errors.hpp"
#include "flow/design_dir.hpp"
#include "quant/dnateq.hpp"
#include "quant/synthetic.hpp"

namespace qrtl::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

const emit::OutputKind kSearchFolder{"dnateq-search", "search.json"};

struct SearchArgs {
  std::vector<std::string> layers;  // [NAME=]ACTIVATIONS,WEIGHTS in network order
  fs::path out;
  bool force = false;
  double threshold = quant::SearchOptions{}.weight_threshold;
  double first_layer_factor = quant::SearchOptions{}.first_layer_factor;
  int bits = 0;       // given only with --bits
  double base = 0;    // given only with --base
  bool synthetic = false;
  std::vector<fs::path> check;  // parameter files to validate instead of searching
  fs::path design;              // --check against this dnateq design folder
  std::size_t values = 10'000;
  std::uint64_t seed = 1;
};

// The golden model reports bad input as std::invalid_argument; for the user it is a usage error.
template <class F>
auto usage_errors(const std::string& context, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw UsageError(context.empty() ? std::string(e.what()) : context + ": " + e.what());
  }
}

std::string fmt_num(double v) { return fmt::format("{:g}", v); }

void validate_bits_base(const SearchArgs& a, bool bits_given, bool base_given) {
  using quant::kDnateqMaxBits, quant::kDnateqMinBits;
  if (bits_given && (a.bits < kDnateqMinBits || a.bits > kDnateqMaxBits))
    throw UsageError(fmt::format("--bits {} is invalid: expected {}..{} (DNA-TEQ exponent bits)", a.bits,
                                 kDnateqMinBits, kDnateqMaxBits));
  if (!base_given) return;
  if (!std::isfinite(a.base) || a.base <= 1)
    throw UsageError(fmt::format("--base {} is invalid: expected a finite number > 1", fmt_num(a.base)));
  if (!bits_given)
    throw UsageError(fmt::format("--base {} needs --bits: the allowed bases depend on the bit-width", fmt_num(a.base)));
  if (a.base > quant::max_base(a.bits))
    throw UsageError(fmt::format("--base {} is invalid with --bits {}: expected 1 < base <= {:.6g} (every LUT entry "
                                 "b^k, |k| <= {}, must be a finite FP16)",
                                 fmt_num(a.base), a.bits, quant::max_base(a.bits), 2 * quant::max_exponent(a.bits)));
}

quant::SearchOptions search_options(const SearchArgs& a) {
  if (!std::isfinite(a.threshold) || a.threshold <= 0 || a.threshold >= 1)
    throw UsageError(fmt::format("--threshold {} is invalid: expected 0 < T_w < 1 (the weights' RMAE limit, e.g. 0.04)",
                                 fmt_num(a.threshold)));
  if (!(a.first_layer_factor > 0 && a.first_layer_factor <= 1))
    throw UsageError(fmt::format("--first-layer-factor {} is invalid: expected 0 < factor <= 1",
                                 fmt_num(a.first_layer_factor)));
  quant::SearchOptions o;
  o.weight_threshold = a.threshold;
  o.first_layer_factor = a.first_layer_factor;
  return o;
}

// --- Layers and their traces ---------------------------------------------------------------------

struct Layer {
  std::string name;
  fs::path activation_file, weight_file;
  std::vector<double> activations, weights;
};

std::vector<Layer> parse_layer_flags(const std::vector<std::string>& flags) {
  // NAME becomes a file name, so it is kept to identifier-like characters.
  static const std::regex form(R"((?:([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})=)?([^,]+),([^,]+))");
  std::vector<Layer> layers;
  for (const auto& f : flags) {
    std::smatch m;
    if (!std::regex_match(f, m, form))
      throw UsageError(fmt::format("--layer '{}' is invalid: expected [NAME=]ACTIVATIONS,WEIGHTS (two tensor files, "
                                   "CSV or .npy; NAME of letters, digits, '_', '.', '-')",
                                   f));
    Layer l;
    l.name = m[1].matched ? m[1].str() : fmt::format("layer{}", layers.size());
    l.activation_file = m[2].str();
    l.weight_file = m[3].str();
    for (const auto& other : layers)
      if (other.name == l.name)
        throw UsageError(fmt::format("--layer '{}': layer name '{}' is used twice: expected unique names", f, l.name));
    layers.push_back(std::move(l));
  }
  if (layers.empty())
    throw UsageError("no layers: expected at least one --layer [NAME=]ACTIVATIONS,WEIGHTS (or --synthetic)");
  return layers;
}

// Reads and checks one trace, naming the file: finite, non-empty, not all zero (scale and RMAE
// need a nonzero magnitude).
std::vector<double> load_trace(const fs::path& file, const std::string& tensor) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw UsageError(fmt::format("{} file '{}' does not exist or is not a file", tensor, file.string()));
  auto values = usage_errors("", [&] { return quant::read_tensor(file.string()).values; });
  usage_errors(file.string(), [&] { quant::validate_tensor(tensor, values); });
  if (std::all_of(values.begin(), values.end(), [](double v) { return v == 0; }))
    throw UsageError(fmt::format("{}: tensor '{}' has no nonzero value: expected at least one", file.string(), tensor));
  return values;
}

// --- Search --------------------------------------------------------------------------------------

struct LayerResult {
  quant::LayerQuantization q;
  std::string base_from;  // "activations", "weights" (the lower RSS ran Algorithm 1) or "--base"
  double activation_uniform = 0, weight_uniform = 0;  // RMAE of uniform quantization at the same bits
  quant::DnateqHardwareParams params;
};

// --bits without --base: Algorithm 1 at that bit-width; with --base: only Eq. 4-5 at that base.
quant::LayerQuantization at_fixed_bits(const quant::LayerTensors& t, const SearchArgs& a, bool base_given,
                                       bool first, const quant::SearchOptions& o) {
  quant::LayerQuantization q;
  if (base_given) {
    q.activations = quant::fit_scale_offset(t.activations, a.bits, a.base);
    q.weights = quant::fit_scale_offset(t.weights, a.bits, a.base);
    q.activation_error = quant::quantization_rmae(q.activations, t.activations);
    q.weight_error = quant::quantization_rmae(q.weights, t.weights);
  } else {
    q = quant::quantize_layer(t, a.bits, o);
  }
  q.weight_threshold = o.weight_threshold * (first ? o.first_layer_factor : 1.0);
  q.activation_threshold = quant::activation_threshold(q.weight_threshold, t);
  q.meets_thresholds = q.weight_error <= q.weight_threshold && q.activation_error <= q.activation_threshold;
  return q;
}

std::vector<LayerResult> run_search(const std::vector<Layer>& layers, const SearchArgs& a, bool bits_given,
                                    bool base_given, const quant::SearchOptions& o) {
  std::vector<LayerResult> out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const quant::LayerTensors t{l.activations, l.weights};
    usage_errors("layer '" + l.name + "'", [&] {
      LayerResult r;
      r.q = bits_given ? at_fixed_bits(t, a, base_given, i == 0, o) : quant::search_layer(t, i == 0, o);
      r.base_from = base_given ? "--base" : r.q.base_from_weights ? "weights" : "activations";
      const int n = r.q.weights.bits;
      r.activation_uniform = quant::rmae(l.activations, quant::uniform_quantize(l.activations, n));
      r.weight_uniform = quant::rmae(l.weights, quant::uniform_quantize(l.weights, n));
      r.params = quant::make_hardware_params(r.q.activations, r.q.weights);
      out.push_back(std::move(r));
    });
  }
  return out;
}

// --- Output --------------------------------------------------------------------------------------

ordered_json tensor_json(const fs::path& file, std::size_t count, const quant::ExpQuantizer& q, double rmae,
                         double threshold, double uniform) {
  return {{"file", file.string()}, {"values", count},        {"scale", q.scale},
          {"offset", q.offset},    {"rmae", rmae},           {"threshold", threshold},
          {"uniform_rmae", uniform}};
}

std::string params_file(const Layer& l) { return l.name + ".params"; }

ordered_json search_json(const std::vector<Layer>& layers, const std::vector<LayerResult>& results,
                         const quant::SearchOptions& o, const quant::Compression& c) {
  ordered_json js = ordered_json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const LayerResult& r = results[i];
    js.push_back({{"name", l.name},
                  {"bits", r.q.weights.bits},
                  {"base", r.q.weights.base},
                  {"base_from", r.base_from},
                  {"meets_thresholds", r.q.meets_thresholds},
                  {"params", params_file(l)},
                  {"activations", tensor_json(l.activation_file, l.activations.size(), r.q.activations,
                                              r.q.activation_error, r.q.activation_threshold, r.activation_uniform)},
                  {"weights", tensor_json(l.weight_file, l.weights.size(), r.q.weights, r.q.weight_error,
                                          r.q.weight_threshold, r.weight_uniform)}});
  }
  return {{"format", 1},
          {"weight_threshold", o.weight_threshold},
          {"first_layer_factor", o.first_layer_factor},
          {"layers", js},
          {"compression_vs_int8",
           {{"average_bits", c.average_bits},
            {"size_ratio", c.size_ratio},
            {"saving", c.saving},
            {"size_ratio_with_sign", c.size_ratio_with_sign}}}};
}

std::string summary_table(const std::vector<Layer>& layers, const std::vector<LayerResult>& results,
                          const quant::Compression& c) {
  std::string md =
      "| layer | bits | base | base from | RMAE act. (T_a) | uniform act. | RMAE wgt. (T_w) | uniform wgt. | "
      "size vs INT8 |\n|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& r = results[i];
    const int n = r.q.weights.bits;
    md += fmt::format("| {} | {}{} | {:.4f} | {} | {:.4f} ({:.4f}) | {:.4f} | {:.4f} ({:.4f}) | {:.4f} | "
                      "{}/8 = {:.1f} % |\n",
                      layers[i].name, n, r.q.meets_thresholds ? "" : " (!)", r.q.weights.base, r.base_from,
                      r.q.activation_error, r.q.activation_threshold, r.activation_uniform, r.q.weight_error,
                      r.q.weight_threshold, r.weight_uniform, n, 100.0 * n / 8);
  }
  md += fmt::format("\naverage {:.2f} bits: {:.1f} % smaller than INT8 (seed 004's compression ratio, exponent bits); "
                    "{:.1f} % with the sign bit stored\n",
                    c.average_bits, 100 * c.saving, 100 * (1 - c.size_ratio_with_sign));
  bool all_met = true;
  for (const auto& r : results) all_met = all_met && r.q.meets_thresholds;
  if (!all_met) md += "(!) no bit-width up to 7 meets this layer's thresholds (or --bits was fixed too low)\n";
  return md;
}

int search(const SearchArgs& a, bool bits_given, bool base_given) {
  validate_bits_base(a, bits_given, base_given);
  const quant::SearchOptions o = search_options(a);
  if (a.out.empty()) throw UsageError("--out DIR is required: the folder that receives the parameter files");
  std::vector<Layer> layers = parse_layer_flags(a.layers);
  for (Layer& l : layers) {
    l.activations = load_trace(l.activation_file, l.name + " activations");
    l.weights = load_trace(l.weight_file, l.name + " weights");
  }
  // Everything is computed before anything is written: a bad layer leaves no output behind.
  const auto results = run_search(layers, a, bits_given, base_given, o);
  std::vector<quant::LayerQuantization> qs;
  for (const auto& r : results) qs.push_back(r.q);
  const quant::Compression c = quant::compression_vs_int8(qs);

  emit::FileSet files;
  for (std::size_t i = 0; i < layers.size(); ++i)
    files[params_file(layers[i])] = quant::format_hardware_params(results[i].params);
  files[kSearchFolder.marker] = search_json(layers, results, o, c).dump(2) + "\n";
  emit::write_atomically(a.out, files, a.force, kSearchFolder);

  const std::string how = bits_given ? fmt::format("bits fixed at {}{}", a.bits,
                                                   base_given ? fmt::format(", base {}", fmt_num(a.base)) : "")
                                     : "bits 3..7";
  fmt::print("dnateq-search: {} layer(s), T_w = {} (first layer x{}), {}\n\n{}\nwrote {} parameter file(s) and {} "
             "to {}\n",
             layers.size(), fmt_num(o.weight_threshold), fmt_num(o.first_layer_factor), how,
             summary_table(layers, results, c), layers.size(), kSearchFolder.marker, a.out.string());
  return 0;
}

// --- Synthetic comparison ------------------------------------------------------------------------

int synthetic(const SearchArgs& a) {
  if (a.values < 2 || a.values > 10'000'000)
    throw UsageError(fmt::format("--values {} is invalid: expected 2..10000000", a.values));
  const quant::SearchOptions o = search_options(a);
  std::string md = fmt::format(
      "Exponential (Algorithm 1) vs uniform quantization at equal bits: RMAE on {} synthetic values per tensor\n"
      "(std::mt19937_64, seed {} + index: exponential ±Exp(1), normal N(0,1), uniform U(-1,1)); both store n + 1 bits.\n\n"
      "| tensor | n | base | RMAE exp. | RMAE uniform | exp./uniform |\n|---|---|---|---|---|---|\n",
      a.values, a.seed);
  const quant::Distribution shapes[] = {quant::Distribution::Exponential, quant::Distribution::Normal,
                                        quant::Distribution::Uniform};
  for (const auto d : shapes) {
    const auto x = quant::synthetic_tensor(d, a.seed + static_cast<std::uint64_t>(d), a.values);
    for (int n = quant::kDnateqMinBits; n <= quant::kDnateqMaxBits; ++n) {
      const quant::BaseSearch s = quant::search_base(x, n, o);
      const double uni = quant::rmae(x, quant::uniform_quantize(x, n));
      md += fmt::format("| {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.2f} |\n", quant::name_of(d), n, s.quantizer.base,
                        s.error, uni, s.error / uni);
    }
  }
  fmt::print("{}", md);
  return 0;
}

// --- Checking parameter files ---------------------------------------------------------------------

// The largest bit-width a dnateq design folder holds; it loads FP16 parameter files only with
// post = fp16 (a fixed-point design takes its LUT and coefficients in fixed point).
int design_max_bits(const fs::path& dir) {
  const auto d = flow::load_design(dir);
  if (d.family != "dnateq")
    throw UsageError(fmt::format("--design '{}' is a {} design: expected a dnateq design folder", dir.string(), d.family));
  const auto& p = d.manifest["params"];
  if (p.value("post", "") != "fp16")
    throw UsageError(fmt::format("--design '{}' has post = {}: parameter files hold FP16 values, expected post = fp16",
                                 dir.string(), p.value("post", "?")));
  return p["max_bits"].get<int>();
}

int check_files(const SearchArgs& a) {
  const int max_bits = a.design.empty() ? quant::kDnateqMaxBits : design_max_bits(a.design);
  for (const auto& f : a.check) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec))
      throw UsageError(fmt::format("parameter file '{}' does not exist or is not a file", f.string()));
    const auto p = usage_errors("", [&] { return quant::read_hardware_params(f.string()); });
    if (p.bits > max_bits)
      throw UsageError(fmt::format("{}: bits = {} does not fit design '{}': expected 3..{} (its max_bits)", f.string(),
                                   p.bits, a.design.string(), max_bits));
    fmt::print("{}: bits {}, {} boundaries, {} LUT entries, 4 coefficients: OK{}\n", f.string(), p.bits,
               p.boundaries.size(), p.lut.size(), a.design.empty() ? "" : " for " + a.design.string());
  }
  return 0;
}

}  // namespace

Subcommand add_dnateq_search(CLI::App& app) {
  auto a = std::make_shared<SearchArgs>();
  auto* c = app.add_subcommand("dnateq-search",
                               "DNA-TEQ offline search on tensor traces (CSV/.npy): per-layer bits, base, RMAE; writes "
                               "the hardware parameter files");
  c->add_option("--layer", a->layers,
                "[NAME=]ACTIVATIONS,WEIGHTS: one layer's tensor files (CSV or .npy), repeatable, in network order "
                "(the first layer gets the stricter thresholds)");
  c->add_option("-o,--out", a->out, "output folder: NAME.params per layer and search.json (written atomically)");
  c->add_flag("-f,--force", a->force, "replace an existing dnateq-search output folder");
  c->add_option("--threshold", a->threshold, "T_w, the largest weight RMAE of a layer (T_a follows by Eq. 7)");
  c->add_option("--first-layer-factor", a->first_layer_factor, "the first layer's thresholds are this times T_w, T_a");
  auto* bits = c->add_option("--bits", a->bits, "fix the bit-width (3..7) instead of the smallest one meeting the thresholds");
  auto* base = c->add_option("--base", a->base, "fix the base (> 1, needs --bits) instead of Algorithm 1");
  c->add_flag("--synthetic", a->synthetic,
              "print exponential-vs-uniform RMAE at bits 3..7 on seeded synthetic exponential/normal/uniform tensors");
  c->add_option("--check", a->check, "validate these parameter files (counts for their bit-width, order, ranges) "
                                     "instead of searching");
  c->add_option("--design", a->design, "--check: the dnateq design folder the files must fit (max_bits, post = fp16)");
  c->add_option("--values", a->values, "--synthetic: values per tensor (default 10000)");
  c->add_option("--seed", a->seed, "--synthetic: seed of the first tensor (default 1, the docs' table)");
  return {c, [a, bits, base] {
            if (a->synthetic + !a->check.empty() + !a->layers.empty() > 1)
              throw UsageError("--synthetic, --check and --layer are different modes: give one of them");
            if (!a->design.empty() && a->check.empty())
              throw UsageError("--design applies to --check only: it names the design the parameter files must fit");
            if (a->synthetic) return synthetic(*a);
            if (!a->check.empty()) return check_files(*a);
            return search(*a, bits->count() > 0, base->count() > 0);
          }};
}

}  // namespace qrtl::cli
