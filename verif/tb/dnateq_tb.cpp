// Verilator bench for the dnateq unit: every dot product is compared bit for bit with the DNA-TEQ
// golden model — quant::quantize_fp16 of each FP16 activation against the layer's boundaries,
// quant::count_exponents, then quant::postprocess_fp16 or quant::postprocess_fixed — and the
// documented latency is checked. Layers are random quantizers (base, scale, offset per tensor)
// turned into hardware parameters by quant::make_hardware_params / make_fixed_params and written
// through the configuration port. Every run covers every run-time bit-width 3..max_bits with
// directed dot products (zero activations, zero weights, negative activations, all-equal
// exponents, the counter maxima: max_len pairs on one counter, both signs) and random ones
// (activations drawn per interval, on boundaries, and FP16 specials: ±0, subnormals, inf, NaN),
// then back-pressure, latency, random layer switching and bad configuration writes (sticky
// cfg_err_o). Weight codes carry random junk above their n+1 bits.
// The power workload (--workload power) runs random dot products at one bit-width: --opt bits=N
// (default max_bits), --opt len=L pairs per dot product (default min(max_len, 16)), shaped by
// tb::PowerKnobs (share of pair slots carrying a pair, default all; zero shares of the activations,
// +0, and of the weights, the zero code). --opt params=FILE (FP16 designs) replaces the random
// layers by a hardware parameter file (quant::format_hardware_params) in the random and power
// phases; a file the design cannot hold (bits > max_bits, counts not matching its bits) is an error
// with exit code 2.
#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <optional>
#include <sstream>
#include <vector>

#include "Vdut.h"
#include "params.hpp"
#include "quant/dnateq.hpp"
#include "quant/fp16.hpp"
#include "tb_common.hpp"

namespace P = qrtl_dut;
namespace q = qrtl::quant;
namespace f16 = qrtl::quant::fp16;

namespace {

constexpr int MB = static_cast<int>(P::max_bits);
constexpr bool kFixed = P::post == "fixed";
constexpr bool kPre = P::precompute_weight_terms;
constexpr int IDX = static_cast<int>(P::cfg_index_bits);
constexpr int OUT = static_cast<int>(P::out_bits);
constexpr int CW = static_cast<int>(P::counter_bits);
constexpr int TW = static_cast<int>(P::term_bits);
// Configuration regions (address bits above the index).
enum Region : unsigned { kBits = 0, kCoef = 1, kBoundary = 2, kLut = 3 };

std::int64_t latency(int bits) {
  constexpr std::array<std::int64_t, 5> l{P::latency_3, P::latency_4, P::latency_5, P::latency_6, P::latency_7};
  return l[static_cast<std::size_t>(bits - 3)];
}
std::int64_t cycles_per_pair(int bits) {
  constexpr std::array<std::int64_t, 5> c{P::cycles_per_pair_3, P::cycles_per_pair_4, P::cycles_per_pair_5,
                                          P::cycles_per_pair_6, P::cycles_per_pair_7};
  return c[static_cast<std::size_t>(bits - 3)];
}

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "tb: %s\n", what.c_str());
  std::exit(2);
}

// One layer as the hardware holds it.
struct Layer {
  int bits = 0;
  std::optional<q::ExpQuantizer> qa, qw;  // absent for a parameter file
  q::DnateqHardwareParams hw;
  q::FixedPostParams fx;

  std::string text() const {
    std::ostringstream os;
    os << "layer bits=" << bits;
    if (qa) os << " base=" << qa->base << " a(alpha=" << qa->scale << " beta=" << qa->offset << ") w(alpha=" << qw->scale
               << " beta=" << qw->offset << ")";
    return os.str();
  }
};

// A dot product and what the golden model expects of it.
struct Dot {
  std::vector<f16::Bits> a;
  std::vector<q::ExpCode> w;
  std::vector<std::uint64_t> junk;  // weight bits above n + 1
  std::uint64_t wterm = 0;          // precomputed T2 (term width) and weight sign sum
  std::int64_t wsum = 0;
  std::uint64_t want = 0;
  q::ExpCounters counters;
  std::size_t id = 0;
  std::uint64_t last_accept = 0;
  bool seen = false;
};

struct Traffic {
  double p_valid = 1.0, p_ready = 1.0;
  bool serial = false;  // one dot product at a time; checks latency and cycles per pair
  // The power workload: idle cycles hold the data inputs (no port toggles) and come in pair slots.
  bool power = false;
};

class DnateqBench {
 public:
  explicit DnateqBench(const tb::Options& o) : opt_(o), knobs_(o), h_(o), rng_(o.seed) {
    const auto it = o.opts.find("params");
    if (it != o.opts.end()) file_layer_ = load_file(it->second);
  }

  int run() {
    reset();
    if (opt_.workload == "power") {
      const auto bits = opt_.opt_int("bits", file_layer_ ? file_layer_->bits : MB);
      if (bits < 3 || bits > MB)
        usage_error(tb::strf("power workload bits=%lld is not supported: expected 3..%d (max_bits)",
                             static_cast<long long>(bits), MB));
      const auto len = opt_.opt_int("len", std::min<std::int64_t>(P::max_len, 16));
      if (len < 1 || len > P::max_len)
        usage_error(tb::strf("power workload len=%lld is invalid: expected 1..%lld (max_len)", static_cast<long long>(len),
                             static_cast<long long>(P::max_len)));
      const Layer layer = file_layer_ ? *file_layer_ : random_layer(static_cast<int>(bits));
      if (file_layer_ && file_layer_->bits != bits) usage_error("power workload bits= differs from the params file's bits");
      configure(layer);
      if (knobs_.valid > 0) {
        std::vector<Dot> dots;
        for (std::uint64_t k = 0; k < opt_.vectors; ++k) dots.push_back(random_dot(layer, len, true));
        phase("power", layer, std::move(dots), {knobs_.valid, 1.0, false, true});
      } else {
        idle_phase("power");
      }
      h_.write_coverage();
      return report("PASS", "");
    }
    if (file_layer_) {
      configure(*file_layer_);
      phase("file", *file_layer_, random_dots(*file_layer_, opt_.vectors, 32), {0.9, 0.9, false});
      return report("PASS", "");
    }
    for (int bits = 3; bits <= MB; ++bits) {
      const Layer layer = random_layer(bits);
      configure(layer);
      phase(tb::strf("directed_%d", bits), layer, directed(layer), {1.0, 1.0, false});
      phase(tb::strf("timing_%d", bits), layer, random_dots(layer, 40, 8), {1.0, 1.0, true});
      phase(tb::strf("backpressure_%d", bits), layer, random_dots(layer, 60, 12), {0.6, 0.3, false});
    }
    // Random layers at every bit-width in turn, `vectors` dot products in all.
    const std::uint64_t per_layer = 50;
    for (std::uint64_t done = 0, k = 0; done < opt_.vectors; ++k) {
      const Layer layer = random_layer(3 + static_cast<int>(k % static_cast<std::uint64_t>(MB - 2)));
      configure(layer);
      const std::uint64_t n = std::min(per_layer, opt_.vectors - done);
      phase("random", layer, random_dots(layer, n, 24), {0.9, 0.85, false});
      done += n;
    }
    config_errors();
    return report("PASS", "");
  }

 private:
  // ---- layers ----------------------------------------------------------------------------------
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

  // A quantizer of the given base: scale log-uniform in [1/16, 2], offset between the lowest legal
  // value (the smallest level at 0) and the scale.
  q::ExpQuantizer random_quantizer(int bits, double base) {
    const double alpha = log_uniform(1.0 / 16, 2.0);
    const double lowest = -alpha * std::pow(base, -q::max_exponent(bits));
    const double beta = rng_() % 4 == 0 ? 0.0 : uniform(lowest, alpha);
    return {bits, base, alpha, beta};
  }

  // b^(2E) log-uniform up to 65504 (FP16 LUT) or what the fixed-point LUT entries can hold.
  Layer random_layer(int bits) {
    const int e = q::max_exponent(bits);
    double cap = 65504;
    if constexpr (kFixed) cap = std::min(cap, std::ldexp(1.0, static_cast<int>(P::lut_bits - P::lut_frac)) - 1);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      Layer l;
      l.bits = bits;
      const double base = std::pow(log_uniform(2.0, cap), 1.0 / (2 * e));
      l.qa = random_quantizer(bits, base);
      l.qw = random_quantizer(bits, base);
      try {
        l.hw = q::make_hardware_params(*l.qa, *l.qw);
        if constexpr (kFixed) {
          l.fx = q::make_fixed_params(*l.qa, *l.qw, {static_cast<int>(P::lut_frac), static_cast<int>(P::coef_frac),
                                                      static_cast<int>(P::out_frac)},
                                      P::max_len);
          if (!fits_fixed(l.fx)) continue;
        }
      } catch (const std::invalid_argument&) {
        continue;  // e.g. two boundaries equal after rounding to FP16
      }
      ++layers_;
      return l;
    }
    fail("setup", "no random layer fits the design (generator or bench bug)");
  }

  static bool fits_fixed(const q::FixedPostParams& fx) {
    for (const auto v : fx.lut)
      if (v < 0 || v >= (std::int64_t{1} << P::lut_bits)) return false;
    const std::int64_t c = std::int64_t{1} << (P::coef_bits - 1);
    return std::all_of(fx.coefficients.begin(), fx.coefficients.end(), [c](auto v) { return v >= -c && v < c; });
  }

  // A hardware parameter file; its bit-width must be one the design supports.
  Layer load_file(const std::string& path) {
    if constexpr (kFixed)
      usage_error("--opt params=" + path + ": a fixed-point design (post = fixed) takes its LUT and coefficients "
                  "in fixed point; a parameter file holds FP16 values (use an FP16 design)");
    Layer l;
    try {
      l.hw = q::read_hardware_params(path);
    } catch (const std::exception& e) {
      usage_error(std::string("--opt params: ") + e.what());  // the message names the file
    }
    if (l.hw.bits > MB)
      usage_error(tb::strf("--opt params=%s: the layer has bits = %d but this design holds bit-widths 3..%d "
                           "(max_bits); regenerate with max_bits >= %d",
                           path.c_str(), l.hw.bits, MB, l.hw.bits));
    l.bits = l.hw.bits;
    return l;
  }

  // ---- stimulus --------------------------------------------------------------------------------
  // An FP16 activation: in a random interval (0: ±0), on a boundary or just below one, or special.
  f16::Bits activation(const Layer& l) {
    const auto& b = l.hw.boundaries;
    const auto k = static_cast<int>(b.size());
    const f16::Bits sign = rng_() % 3 == 0 ? f16::kSignBit : 0;
    const unsigned pick = static_cast<unsigned>(rng_() % 20);
    if (pick == 0) return static_cast<f16::Bits>(sign | 0x7C00);  // infinity
    if (pick == 1) return static_cast<f16::Bits>(sign | (0x7C01 + rng_() % 0x3FF));  // NaN
    if (pick == 2) return static_cast<f16::Bits>(sign | (rng_() % 0x400));           // subnormal or zero
    if (pick <= 4) {
      const auto j = static_cast<std::size_t>(rng_() % static_cast<std::uint64_t>(k));
      return static_cast<f16::Bits>(sign | (b[j] - (rng_() % 2)));  // on B_j, or just below
    }
    const int i = static_cast<int>(rng_() % static_cast<std::uint64_t>(k + 1));
    if (i == 0) return sign;  // ±0
    const unsigned lo = b[static_cast<std::size_t>(i - 1)];
    const unsigned hi = i == k ? 0x7BFFU : b[static_cast<std::size_t>(i)] - 1U;
    return static_cast<f16::Bits>(sign | (hi <= lo ? lo : lo + rng_() % (hi - lo + 1)));
  }
  q::ExpCode weight(int bits) {
    if (rng_() % 10 == 0) return {false, q::zero_exponent(bits)};
    const int e = q::max_exponent(bits);
    return {rng_() % 2 == 0, static_cast<int>(rng_() % static_cast<std::uint64_t>(2 * e + 1)) - e};
  }

  Dot make_dot(const Layer& l, std::vector<f16::Bits> a, std::vector<q::ExpCode> w) {
    Dot d;
    d.a = std::move(a);
    d.w = std::move(w);
    for (std::size_t i = 0; i < d.a.size(); ++i) d.junk.push_back(rng_());
    expect(l, d);
    return d;
  }
  // `power`: the power workload's pairs, zeros (+0, the zero code) at the knobs' shares.
  Dot random_dot(const Layer& l, std::int64_t len, bool power = false) {
    std::vector<f16::Bits> a;
    std::vector<q::ExpCode> w;
    for (std::int64_t i = 0; i < len; ++i) {
      a.push_back(power && knobs_.zero_a(rng_) ? f16::Bits{0} : activation(l));
      w.push_back(power && knobs_.zero_w(rng_) ? q::ExpCode{false, q::zero_exponent(l.bits)} : weight(l.bits));
    }
    return make_dot(l, std::move(a), std::move(w));
  }
  // `count` dot products of 1..min(max_len, cap) pairs, one in 64 min(max_len, 256) long (the
  // directed phase covers max_len itself).
  std::vector<Dot> random_dots(const Layer& l, std::uint64_t count, std::int64_t cap) {
    std::vector<Dot> dots;
    const std::int64_t hi = std::min<std::int64_t>(P::max_len, cap);
    for (std::uint64_t k = 0; k < count; ++k) {
      const std::int64_t len = rng_() % 64 == 0 ? std::min<std::int64_t>(P::max_len, 256)
                                                : std::uniform_int_distribution<std::int64_t>(1, hi)(rng_);
      dots.push_back(random_dot(l, len));
    }
    return dots;
  }

  // Corner cases at the layer's bit-width.
  std::vector<Dot> directed(const Layer& l) {
    std::vector<Dot> dots;
    const int e = q::max_exponent(l.bits);
    const std::int64_t len = std::min<std::int64_t>(P::max_len, 24);
    const auto k = l.hw.boundaries.size();
    auto fill = [&](std::int64_t n, const std::function<f16::Bits(std::int64_t)>& a,
                    const std::function<q::ExpCode(std::int64_t)>& w) {
      std::vector<f16::Bits> av;
      std::vector<q::ExpCode> wv;
      for (std::int64_t i = 0; i < n; ++i) {
        av.push_back(a(i));
        wv.push_back(w(i));
      }
      dots.push_back(make_dot(l, std::move(av), std::move(wv)));
    };
    const f16::Bits top = l.hw.boundaries[k - 1];  // an activation in the top interval (exponent E)
    const f16::Bits low = l.hw.boundaries[0];      // the lowest nonzero interval (exponent -E)
    // Zero activations (+0 and -0) and zero weights.
    fill(len, [&](std::int64_t i) { return static_cast<f16::Bits>(i % 2 ? f16::kSignBit : 0); },
         [&](std::int64_t) { return weight(l.bits); });
    fill(len, [&](std::int64_t) { return activation(l); },
         [&](std::int64_t) { return q::ExpCode{rng_() % 2 == 0, q::zero_exponent(l.bits)}; });
    // Negative activations only.
    fill(len, [&](std::int64_t) { return static_cast<f16::Bits>(activation(l) | f16::kSignBit); },
         [&](std::int64_t) { return weight(l.bits); });
    // All-equal exponents: every pair on one by_sum counter, for the extreme and middle exponents.
    for (const int ew : {-e, 0, e})
      for (const f16::Bits a : {top, low, static_cast<f16::Bits>(top | f16::kSignBit)})
        fill(len, [&](std::int64_t) { return a; }, [&](std::int64_t) { return q::ExpCode{false, ew}; });
    // Counter maxima: max_len pairs on one counter, positive and negative.
    fill(P::max_len, [&](std::int64_t) { return top; }, [&](std::int64_t) { return q::ExpCode{false, e}; });
    fill(P::max_len, [&](std::int64_t) { return low; }, [&](std::int64_t) { return q::ExpCode{true, -e}; });
    // Alternating signs: the counters swing up and down and end near 0.
    fill(P::max_len, [&](std::int64_t) { return top; }, [&](std::int64_t i) { return q::ExpCode{i % 2 == 1, e}; });
    return dots;
  }

  // ---- golden model ----------------------------------------------------------------------------
  void expect(const Layer& l, Dot& d) {
    std::vector<q::ExpCode> codes;
    for (const auto x : d.a) codes.push_back(q::quantize_fp16(l.hw.boundaries, x));
    d.counters = q::count_exponents(l.bits, codes, d.w);
    if constexpr (kPre) {
      // The offline weight-only terms assume every activation positive and nonzero.
      const std::vector<q::ExpCode> ones(d.w.size(), q::ExpCode{false, 0});
      const q::ExpCounters wc = q::count_exponents(l.bits, ones, d.w);
      d.counters.by_weight = wc.by_weight;
      d.counters.sign_sum = wc.sign_sum;
      d.wsum = wc.sign_sum;
    }
    if constexpr (kFixed) {
      const q::FixedPostParams& fx = l.fx;
      d.want = static_cast<std::uint64_t>(q::postprocess_fixed(fx, d.counters));
      if constexpr (kPre) {
        const int e = q::max_exponent(l.bits);
        std::int64_t t2 = 0;
        for (std::size_t k = 0; k < d.counters.by_weight.size(); ++k)
          t2 += d.counters.by_weight[k] * fx.lut[k + static_cast<std::size_t>(e)];
        d.wterm = static_cast<std::uint64_t>(t2);
      }
    } else {
      const q::Fp16Trace t = q::postprocess_fp16(l.hw, d.counters);
      d.want = t.result;
      d.wterm = t.terms[2];
    }
  }

  // ---- driving ---------------------------------------------------------------------------------
  void cfg_write(unsigned region, unsigned index, std::uint64_t data) {
    auto& d = h_.dut();
    d.in_valid_i = 0;
    d.cfg_valid_i = 1;
    d.cfg_addr_i = (region << IDX) | index;
    tb::set_bits(d.cfg_data_i, 0, static_cast<unsigned>(P::cfg_data_bits), data);
    h_.settle();
    if (!d.cfg_ready_o) fail(phase_, "cfg_ready_o low while the unit is idle");
    h_.tick();
    d.cfg_valid_i = 0;
    ++cfg_writes_;
  }

  // Waits for the unit to drain, then writes the layer (bit-width, coefficients, boundaries, LUT).
  void configure(const Layer& l) {
    auto& d = h_.dut();
    d.in_valid_i = 0;
    d.out_ready_i = 1;
    for (int n = 0; n < 2000; ++n) {
      h_.settle();
      if (d.cfg_ready_o) break;
      h_.tick();
    }
    cfg_write(kBits, 0, static_cast<std::uint64_t>(l.bits));
    for (unsigned j = 0; j < 4; ++j)
      cfg_write(kCoef, j, kFixed ? static_cast<std::uint64_t>(l.fx.coefficients[j]) : l.hw.coefficients[j]);
    for (std::size_t j = 0; j < l.hw.boundaries.size(); ++j)
      cfg_write(kBoundary, static_cast<unsigned>(j), l.hw.boundaries[j]);
    for (std::size_t j = 0; j < l.hw.lut.size(); ++j)
      cfg_write(kLut, static_cast<unsigned>(j), kFixed ? static_cast<std::uint64_t>(l.fx.lut[j]) : l.hw.lut[j]);
    if (d.cfg_err_o) fail(phase_, "cfg_err_o set by a valid layer");
  }

  void drive_pair(const Layer& l, const Dot& dot, std::size_t i, bool valid) {
    auto& d = h_.dut();
    d.in_valid_i = valid;
    d.in_last_i = i + 1 == dot.a.size();
    d.a_i = dot.a[i];
    const unsigned code_bits = static_cast<unsigned>(l.bits + 1);
    std::uint64_t w = q::pack(dot.w[i], l.bits);
    if (static_cast<int>(code_bits) <= MB) w |= dot.junk[i] << code_bits;
    tb::set_bits(d.w_i, 0, static_cast<unsigned>(MB + 1), w);
    drive_weight_terms(d, dot);
  }
  // The precomputed-terms ports exist only in such designs: a template, so the other designs never
  // instantiate the body.
  template <class D>
  static void drive_weight_terms(D& d, const Dot& dot) {
    if constexpr (kPre) {
      tb::set_bits(d.wterm_i, 0, static_cast<unsigned>(TW), dot.wterm);
      tb::set_bits(d.wsum_i, 0, static_cast<unsigned>(CW), static_cast<std::uint64_t>(dot.wsum));
    }
  }

  void reset() {
    auto& d = h_.dut();
    d.rst_ni = 0;
    d.cfg_valid_i = 0;
    d.in_valid_i = 1;  // ignored during reset
    d.out_ready_i = 0;
    for (int n = 0; n < 3; ++n) h_.tick();
    d.rst_ni = 1;
    d.in_valid_i = 0;
    h_.settle();
    if (d.out_valid_o || !d.cfg_ready_o || d.cfg_err_o)
      fail("reset", "after reset: out_valid_o=0, cfg_ready_o=1 and cfg_err_o=0 expected");
  }

  void check_output(const Layer& l, Dot& e) {
    const auto got = tb::get_bits(h_.dut().out_o, 0, static_cast<unsigned>(OUT));
    const auto mask = OUT >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << OUT) - 1;
    if (got != (e.want & mask)) mismatch(l, e, got);
    ++results_;
  }

  void phase(const std::string& name, const Layer& l, std::vector<Dot> dots, Traffic t) {
    phase_ = name;
    auto& d = h_.dut();
    std::deque<Dot*> pending;  // accepted, result outstanding
    std::size_t next = 0, pair = 0;
    tb::Pacer pace(t.p_valid, t.power);
    std::uint64_t idle = 0, last_pair_accept = 0;
    const std::uint64_t limit = 4000;
    for (;;) {
      const bool have = next < dots.size() && !(t.serial && !pending.empty());
      if (!have && pending.empty()) break;
      const bool offering = pace.offer(rng_, have, [this] { return tb::idle_ready(h_); });
      if (offering || (have && !t.power)) drive_pair(l, dots[next], pair, offering);
      else d.in_valid_i = 0;
      d.out_ready_i = tb::chance(rng_, t.p_ready);
      h_.settle();

      bool progress = false;
      if (d.out_valid_o) {
        if (pending.empty()) fail(phase_, "out_valid_o high with no dot product outstanding");
        Dot& e = *pending.front();
        if (!e.seen) {
          e.seen = true;
          const auto lat = h_.cycle() - e.last_accept;
          if (t.serial && lat != static_cast<std::uint64_t>(latency(l.bits)))
            fail(phase_, tb::strf("result of dot product %zu came %llu cycles after its last pair, documented %lld",
                                  e.id, static_cast<unsigned long long>(lat), static_cast<long long>(latency(l.bits))));
        }
        if (d.out_ready_i) {
          check_output(l, e);
          pending.pop_front();
          progress = true;
        }
      }
      if (offering && d.in_ready_o) {
        pace.taken();
        Dot& cur = dots[next];
        if (t.serial && pair > 0 && h_.cycle() - last_pair_accept != static_cast<std::uint64_t>(cycles_per_pair(l.bits)))
          fail(phase_, tb::strf("pair %zu of dot product %zu accepted %llu cycles after the previous one, documented %lld",
                                pair, dots_, static_cast<unsigned long long>(h_.cycle() - last_pair_accept),
                                static_cast<long long>(cycles_per_pair(l.bits))));
        last_pair_accept = h_.cycle();
        ++pairs_;
        progress = true;
        if (++pair == cur.a.size()) {
          cur.id = dots_++;
          cur.last_accept = h_.cycle();
          pending.push_back(&cur);
          ++next;
          pair = 0;
        }
      }
      h_.tick();
      idle = progress ? 0 : pace.held() ? idle : idle + 1;
      if (idle > limit) fail(phase_, "no pair accepted and no result delivered for too long (deadlock)");
    }
    if (std::find(phase_names_.begin(), phase_names_.end(), name) == phase_names_.end()) {
      phase_names_.push_back(name);
      phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
    }
  }

  // No pair at all (valid_fraction = 0): --vectors idle cycles with the layer configured.
  void idle_phase(const std::string& name) {
    phase_ = name;
    if (const auto what = tb::idle_cycles(h_, opt_.vectors); !what.empty()) fail(phase_, what);
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // Writes the hardware must refuse: a bit-width outside 3..max_bits and addresses past the
  // tables. Each sets the sticky cfg_err_o, which only reset clears; the layer keeps working.
  void config_errors() {
    phase_ = "config_errors";
    auto& d = h_.dut();
    const Layer layer = random_layer(MB);
    configure(layer);
    const std::vector<std::pair<unsigned, std::uint64_t>> bad = {
        {kBits << IDX, 2}, {kBits << IDX, static_cast<std::uint64_t>(MB + 1)}, {(kBits << IDX) | 1U, 3},
        {(kCoef << IDX) | 4U, 0}, {(kBoundary << IDX) | static_cast<unsigned>(P::boundaries), 0},
        {(kLut << IDX) | ((1U << IDX) - 1U), 0}};
    for (const auto& [addr, data] : bad) {
      if (addr >> IDX == kLut && ((1U << IDX) - 1U) < P::lut_entries) continue;  // no free LUT address
      cfg_write(addr >> IDX, addr & ((1U << IDX) - 1U), data);
      h_.settle();
      if (!d.cfg_err_o)
        fail(phase_, tb::strf("cfg_err_o not set by a write of %llu to address 0x%x", static_cast<unsigned long long>(data), addr));
      d.rst_ni = 0;
      h_.tick();
      d.rst_ni = 1;
      h_.settle();
      if (d.cfg_err_o) fail(phase_, "cfg_err_o not cleared by reset");
      // Reset restores bit-width max_bits; the refused write must not have changed the tables.
      phase("config_errors", layer, random_dots(layer, 5, 8), {1.0, 1.0, false});
    }
  }

  // ---- reporting -------------------------------------------------------------------------------
  [[noreturn]] void mismatch(const Layer& l, const Dot& e, std::uint64_t got) {
    std::ostringstream os;
    os << "mismatch in dot product " << e.id << " (" << e.a.size() << " pairs), " << l.text() << "; pairs (a, w):";
    for (std::size_t i = 0; i < std::min<std::size_t>(e.a.size(), 8); ++i)
      os << tb::strf(" (0x%04x, %s)", e.a[i],
                     q::is_zero(e.w[i], l.bits) ? "0"
                                                : tb::strf("%sb^%d", e.w[i].negative ? "-" : "+", e.w[i].exponent).c_str());
    if (e.a.size() > 8) os << " ...";
    os << "; sign_sum=" << e.counters.sign_sum;
    if constexpr (!kFixed) {
      const q::Fp16Trace t = q::postprocess_fp16(l.hw, e.counters);
      os << tb::strf("; golden T=[0x%04x 0x%04x 0x%04x 0x%04x] P=[0x%04x 0x%04x 0x%04x 0x%04x]", t.terms[0],
                     t.terms[1], t.terms[2], t.terms[3], t.products[0], t.products[1], t.products[2], t.products[3]);
    }
    os << tb::strf("; expected 0x%llx, got 0x%llx", static_cast<unsigned long long>(e.want),
                   static_cast<unsigned long long>(got));
    fail(phase_, os.str());
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    tb::print_fail(opt_, h_.cycle(), where, what);
    report("FAIL", what);
    std::exit(1);
  }

  // One operation is one activation-weight pair counted (the work of one MAC of a linear unit).
  int report(const char* status, const std::string& what) {
    tb::print_result(status, opt_,
                     {{"passes", dots_}, {"results", results_}, {"pairs", pairs_}, {"ops", pairs_},
                      {"layers", layers_}, {"cfg_writes", cfg_writes_}},
                     "activation-weight pair", h_.cycle(), h_.seconds(), phases_, what);
    return 0;
  }

  tb::Options opt_;
  tb::PowerKnobs knobs_;
  tb::Harness<Vdut> h_;
  std::mt19937_64 rng_;
  std::optional<Layer> file_layer_;
  std::string phase_, phases_;
  std::vector<std::string> phase_names_;
  std::uint64_t dots_ = 0, results_ = 0, pairs_ = 0, layers_ = 0, cfg_writes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const tb::Options o = tb::parse_args(argc, argv);
  DnateqBench bench(o);
  return bench.run();
}
