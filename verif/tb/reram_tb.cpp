// Verilator bench for the reram MVM periphery. The crossbar is not RTL: `Crossbar` below models it
// in C++ (cell conductances from the programmed weights, column sums of DAC level x conductance,
// sample-and-hold, the column mux and one comparator per ADC against its SAR DAC level), driven
// cycle by cycle by the DUT's ports. The bench programs the crossbar with each vector's weights
// when the DUT accepts the vector (the digital periphery holds no weights).
//
// Every cycle: each SAR trial's DAC code must be the kept bits plus the trial bit (MSB first), the
// S&H must sample each input step's DAC levels (quant::dac_level), the mux must visit the columns
// in order. Every result is compared bit-exactly with the golden model and must arrive
// cycles_per_mvm cycles after its vector was accepted. Phases: reset; sar_levels (the column sums
// are forced instead of computed, so every ADC converts every level 0..max(2^adc_bits * lsb,
// largest column sum), each trial checked against quant::sar_convert, results against
// quant::mvm_from_sums); corners (extreme weights and inputs, clipping columns, zero inputs);
// backpressure; timing (back-to-back vectors exactly cycles_per_mvm apart); random.
//
// --opt weights=FILE: the random vectors use this weight matrix (quant::parse_weight_matrix format:
// rows lines of cols integers) instead of random weights; a malformed file exits 2 with the
// parser's message. --workload power: random vectors back to back (energy flow), shaped by
// tb::PowerKnobs (share of MVM slots carrying a vector; zero shares of the input elements and of the
// programmed weights, the latter only for random weights). --opt nonideal=1: random vectors
// through a non-ideal crossbar (--opt sigma=S: relative conductance variation per cell, default
// 0.02; --opt offset=O: comparator offset sigma in ADC LSBs per ADC, default 0.25; both seeded by
// --seed); the error against the ideal golden model is reported statistically (NONIDEAL line),
// not compared.
#include <cmath>
#include <deque>
#include <fstream>
#include <functional>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

#include "Vdut.h"
#include "params.hpp"
#include "quant/reram.hpp"
#include "tb_common.hpp"

namespace P = qrtl_dut;
namespace q = qrtl::quant;

namespace {

constexpr int R = static_cast<int>(P::rows);
constexpr int C = static_cast<int>(P::cols);
constexpr int A = static_cast<int>(P::adcs);
constexpr int B = static_cast<int>(P::adc_bits);
constexpr int D = static_cast<int>(P::dac_bits);
constexpr int IB = static_cast<int>(P::input_bits);
constexpr int NA = static_cast<int>(P::arrays);
constexpr int K = static_cast<int>(P::slices);
constexpr int T = static_cast<int>(P::input_steps);
constexpr int MUX = static_cast<int>(P::mux_ratio);
constexpr int NADC = static_cast<int>(P::adc_count);
constexpr int ACC = static_cast<int>(P::acc_bits);

q::ReramParams golden_params() {
  q::ReramParams p;
  p.rows = R;
  p.cols = C;
  p.weight_bits = static_cast<int>(P::weight_bits);
  p.weight_frac = static_cast<int>(P::weight_frac);
  p.input_bits = IB;
  p.input_frac = static_cast<int>(P::input_frac);
  p.acc_bits = ACC;
  p.acc_frac = static_cast<int>(P::acc_frac);
  p.cell_bits = static_cast<int>(P::cell_bits);
  p.dac_bits = D;
  p.adc_bits = B;
  p.adc_shift = static_cast<int>(P::adc_shift);
  p.adcs = A;
  p.weight_encoding = q::parse_weight_encoding(P::weight_encoding);
  return p;
}

// ADC n serves array a, slice k and column group j (the RTL's ordering).
struct AdcPos {
  int a, k, j;
};
AdcPos adc_pos(int n) { return {n / (K * A), n / A % K, n % A}; }

struct NonIdeal {
  double sigma = 0;   // relative conductance variation per cell (normal)
  double offset = 0;  // comparator offset per ADC, in ADC LSBs (normal)
};

// One input vector and how the crossbar computes it.
struct Vector {
  std::vector<std::int64_t> w;  // rows x cols, row-major
  std::vector<std::int64_t> x;
  std::optional<q::StepSums> forced;  // column sums imposed on the S&H instead of the cells'
  std::string kind;
};

// The analog side, driven by the DUT's ports each cycle. Protocol errors throw std::runtime_error.
class Crossbar {
 public:
  Crossbar(const q::ReramParams& p, NonIdeal ni, std::uint64_t seed)
      : p_(p), ni_(ni), rng_(seed), lsb_(static_cast<double>(q::adc_lsb(p))) {
    std::normal_distribution<double> n(0, 1);
    for (int k = 0; k < NADC; ++k) offset_.push_back(ni_.offset * lsb_ * n(rng_));
    held_.assign(static_cast<std::size_t>(NA * K * C), 0);
    sampled_.assign(NADC, 0);
    kept_.assign(NADC, 0);
  }

  // Programs the cells with v's weights and starts its schedule.
  void start(const Vector& v) {
    v_ = &v;
    g_.assign(static_cast<std::size_t>(NA * K * R * C), 0);
    std::normal_distribution<double> n(0, 1);
    for (int a = 0; a < NA; ++a)
      for (int k = 0; k < K; ++k)
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < C; ++c) {
            const double level = static_cast<double>(q::cell_level(p_, a, k, v.w[static_cast<std::size_t>(r * C + c)]));
            g_[cell(a, k, r, c)] = ni_.sigma > 0 ? level * (1 + ni_.sigma * n(rng_)) : level;
          }
    samples_ = conversions_ = 0;
    trial_ = -1;
  }

  // One cycle, after the DUT settled: S&H, mux and SAR sample strobes, then the comparators.
  void cycle(Vdut& d) {
    if (d.sh_sample_o) sample_and_hold(d);
    if (d.adc_sample_o) {
      if (trial_ >= 0) throw std::runtime_error(tb::strf("adc_sample_o in bit trial %d of a conversion", trial_));
      adc_sample(d);
    } else if (trial_ >= 0) {
      bit_trial(d);
    } else {
      for (int n = 0; n < NADC; ++n) tb::set_bits(d.cmp_i, static_cast<unsigned>(n), 1, 0);
    }
  }

  int samples() const { return samples_; }
  int conversions() const { return conversions_; }

 private:
  std::size_t cell(int a, int k, int r, int c) const { return static_cast<std::size_t>(((a * K + k) * R + r) * C + c); }
  std::size_t col(int a, int k, int c) const { return static_cast<std::size_t>((a * K + k) * C + c); }

  void sample_and_hold(Vdut& d) {
    const int t = samples_++;
    if (v_ == nullptr || t >= T) throw std::runtime_error("sh_sample_o outside the input steps of a vector");
    std::vector<double> level(R);
    for (int r = 0; r < R; ++r) {
      const auto got = static_cast<std::int64_t>(tb::get_bits(d.dac_o, static_cast<unsigned>(D * r), D));
      const auto want = q::dac_level(p_, t, v_->x[static_cast<std::size_t>(r)]);
      if (got != want)
        throw std::runtime_error(tb::strf("step %d: row %d DAC level %lld, expected %lld (input %lld)", t, r,
                                          static_cast<long long>(got), static_cast<long long>(want),
                                          static_cast<long long>(v_->x[static_cast<std::size_t>(r)])));
      level[static_cast<std::size_t>(r)] = static_cast<double>(got);
    }
    for (int a = 0; a < NA; ++a)
      for (int k = 0; k < K; ++k)
        for (int c = 0; c < C; ++c) {
          double s = 0;
          if (v_->forced) {
            s = static_cast<double>(v_->forced->at(a, k, t, c));
          } else {
            for (int r = 0; r < R; ++r) s += level[static_cast<std::size_t>(r)] * g_[cell(a, k, r, c)];
          }
          held_[col(a, k, c)] = s;
        }
  }

  void adc_sample(Vdut& d) {
    const auto sel = static_cast<int>(tb::get_bits(d.mux_sel_o, 0, static_cast<unsigned>(P::sel_bits)));
    const int want = conversions_ % MUX;
    if (sel != want) throw std::runtime_error(tb::strf("conversion %d: mux_sel_o = %d, expected %d", conversions_, sel, want));
    if (conversions_ / MUX >= samples_) throw std::runtime_error("ADC sample before the step's S&H sample");
    for (int n = 0; n < NADC; ++n) {
      const AdcPos ap = adc_pos(n);
      sampled_[static_cast<std::size_t>(n)] = held_[col(ap.a, ap.k, ap.j * MUX + sel)];
      kept_[static_cast<std::size_t>(n)] = 0;
      tb::set_bits(d.cmp_i, static_cast<unsigned>(n), 1, 0);
    }
    ++conversions_;
    trial_ = 0;
  }

  void bit_trial(Vdut& d) {
    const std::int64_t bit = std::int64_t{1} << (B - 1 - trial_);
    for (int n = 0; n < NADC; ++n) {
      auto& kept = kept_[static_cast<std::size_t>(n)];
      const auto code = static_cast<std::int64_t>(tb::get_bits(d.sar_code_o, static_cast<unsigned>(B * n), B));
      if (code != (kept | bit))
        throw std::runtime_error(tb::strf("ADC %d trial %d: DAC code %lld, expected kept bits %lld plus trial bit %lld", n,
                                          trial_, static_cast<long long>(code), static_cast<long long>(kept),
                                          static_cast<long long>(bit)));
      const double s = sampled_[static_cast<std::size_t>(n)];
      const bool cmp = s + offset_[static_cast<std::size_t>(n)] >= static_cast<double>(code) * lsb_;
      tb::set_bits(d.cmp_i, static_cast<unsigned>(n), 1, cmp);
      if (cmp) kept = code;
      // The golden SAR (ideal comparator) must reach the same code.
      if (trial_ == B - 1 && ni_.offset == 0 && ni_.sigma == 0 &&
          kept != q::sar_convert(static_cast<std::int64_t>(s), B, q::adc_lsb(p_)))
        throw std::runtime_error(tb::strf("ADC %d: SAR reached %lld for level %.0f, quant::sar_convert differs", n,
                                          static_cast<long long>(kept), s));
    }
    if (++trial_ == B) trial_ = -1;
  }

  q::ReramParams p_;
  NonIdeal ni_;
  std::mt19937_64 rng_;
  double lsb_;
  const Vector* v_ = nullptr;
  std::vector<double> g_;        // conductance per cell, in level units
  std::vector<double> offset_;   // comparator offset per ADC, column-sum units
  std::vector<double> held_;     // S&H output per array, slice and column
  std::vector<double> sampled_;  // per ADC: the column under conversion
  std::vector<std::int64_t> kept_;
  int samples_ = 0, conversions_ = 0, trial_ = -1;
};

struct Expected {
  Vector v;
  std::vector<std::int64_t> y;  // per column; for non-ideal vectors the ideal golden result
  std::uint64_t index = 0, accepted = 0;
  bool seen = false;
};

struct Traffic {
  double p_valid = 1.0, p_ready = 1.0;
  bool check_period = false;  // back-to-back vectors must be accepted cycles_per_mvm apart
  bool power = false;         // the power workload: idle cycles come in MVM slots (tb::Pacer)
};

using Source = std::function<bool(Vector&)>;  // fills the next vector; false when the phase is done

// Error statistics of the non-ideal mode, in output LSBs.
struct ErrorStats {
  std::uint64_t n = 0;
  double sum = 0, sum_abs = 0, sum_sq = 0, max_abs = 0;
  void add(double e) {
    ++n;
    sum += e;
    sum_abs += std::abs(e);
    sum_sq += e * e;
    max_abs = std::max(max_abs, std::abs(e));
  }
  std::string text() const {
    const double k = n ? static_cast<double>(n) : 1.0;
    return tb::strf("outputs=%llu mean_err=%.4f mean_abs_err=%.4f rms_err=%.4f max_abs_err=%.0f (output LSBs)",
                    static_cast<unsigned long long>(n), sum / k, sum_abs / k, std::sqrt(sum_sq / k), max_abs);
  }
};

class ReramBench {
 public:
  explicit ReramBench(const tb::Options& o)
      : opt_(o), knobs_(o), h_(o), rng_(o.seed), p_(golden_params()), nonideal_(o.opt_int("nonideal", 0) != 0),
        xbar_(p_, noise(o), o.seed ^ 0x5eedULL), weights_(user_weights(o, p_)) {}

  int run() {
    reset();
    if (opt_.workload == "power") {
      if (!weights_.empty() && knobs_.w_zero > 0) {
        std::fprintf(stderr, "tb: --opt weights=FILE fixes every weight; a weight zero share (w_zero_fraction or "
                             "zero_fraction = %g) cannot apply (use a_zero_fraction for the inputs)\n", knobs_.w_zero);
        std::exit(2);
      }
      if (knobs_.valid > 0) phase("power", random_vectors(opt_.vectors, true), {knobs_.valid, 1.0, false, true});
      else idle_phase("power");
      h_.write_coverage();
      return report("PASS", "");
    }
    if (nonideal_) {
      phase("nonideal", random_vectors(opt_.vectors, false), {1.0, 1.0, false});
      const std::string s = tb::strf("non-ideal crossbar (sigma=%g, offset=%g LSB) vs ideal golden: ", sigma(opt_),
                                     offset(opt_)) + stats_.text();
      std::printf("NONIDEAL %s\n", s.c_str());
      return report("PASS", s);
    }
    phase("sar_levels", sar_levels(), {1.0, 1.0, false});
    phase("corners", corners(), {1.0, 1.0, false});
    phase("backpressure", random_vectors(200, false), {0.7, 0.3, false});
    phase("timing", random_vectors(50, false), {1.0, 1.0, true});
    phase("random", random_vectors(opt_.vectors, false), {0.95, 0.9, false});
    return report("PASS", "");
  }

 private:
  static double sigma(const tb::Options& o) { return std::strtod(opt_or(o, "sigma", "0.02").c_str(), nullptr); }
  static double offset(const tb::Options& o) { return std::strtod(opt_or(o, "offset", "0.25").c_str(), nullptr); }
  static std::string opt_or(const tb::Options& o, const std::string& k, const std::string& def) {
    const auto it = o.opts.find(k);
    return it == o.opts.end() ? def : it->second;
  }
  static NonIdeal noise(const tb::Options& o) {
    if (o.opt_int("nonideal", 0) == 0) return {};
    return {sigma(o), offset(o)};
  }

  // The matrix of --opt weights=FILE, empty without it; exits 2 if it cannot be read or parsed.
  static std::vector<std::int64_t> user_weights(const tb::Options& o, const q::ReramParams& p) {
    const std::string file = opt_or(o, "weights", "");
    if (file.empty()) return {};
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "tb: cannot read weight file '%s'\n", file.c_str());
      std::exit(2);
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
      return q::parse_weight_matrix(text.str(), p);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "tb: %s: %s\n", file.c_str(), e.what());
      std::exit(2);
    }
  }

  // ---- stimulus --------------------------------------------------------------------------------
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_); }
  // Mostly uniform, with zeros and extremes mixed in.
  std::int64_t operand(std::int64_t lo, std::int64_t hi, bool plain) {
    if (plain) return uniform(lo, hi);
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (u < 0.08) return 0;
    if (u < 0.16) return lo;
    if (u < 0.24) return hi;
    return uniform(lo, hi);
  }
  Vector filled(std::int64_t w, std::int64_t x, const std::string& kind) {
    return {std::vector<std::int64_t>(static_cast<std::size_t>(R * C), w), std::vector<std::int64_t>(R, x), {}, kind};
  }
  // `plain`: the power workload's operands, uniform with zeros at the knobs' shares.
  Vector random_vector(bool plain) {
    Vector v = filled(0, 0, "random");
    if (weights_.empty())
      for (auto& w : v.w) w = plain && knobs_.zero_w(rng_) ? 0 : operand(q::min_weight(p_), q::max_weight(p_), plain);
    else
      v.w = weights_;
    for (auto& x : v.x)
      x = plain && knobs_.zero_a(rng_) ? 0 : operand(q::input_format(p_).min(), q::input_format(p_).max(), plain);
    return v;
  }

  Source random_vectors(std::uint64_t n, bool plain) {
    auto left = std::make_shared<std::uint64_t>(n);
    return [=, this](Vector& v) {
      if (*left == 0) return false;
      --*left;
      v = random_vector(plain);
      return true;
    };
  }

  // Forced column sums: ADC n's conversion (step t, column j*MUX+s) of vector i gets level
  // (i*T*MUX + t*MUX + s + 7n) mod L. Each ADC's index runs over consecutive integers, so after
  // ceil(L / (T*MUX)) vectors every ADC has converted every level below L.
  Source sar_levels() {
    const std::int64_t L = std::max(q::max_column_sum(p_), (std::int64_t{1} << B) * q::adc_lsb(p_)) + 1;
    sar_levels_ = static_cast<std::uint64_t>(L);
    const std::int64_t per = std::int64_t{T} * MUX;
    auto i = std::make_shared<std::int64_t>(0);
    return [=, this](Vector& v) {
      if (*i * per >= L) return false;
      v = random_vector(false);
      v.kind = "sar_levels";
      q::StepSums s{NA, K, T, C, std::vector<std::int64_t>(static_cast<std::size_t>(NA * K * T * C))};
      for (int n = 0; n < NADC; ++n) {
        const AdcPos ap = adc_pos(n);
        for (int t = 0; t < T; ++t)
          for (int m = 0; m < MUX; ++m)
            s.sums[s.index(ap.a, ap.k, t, ap.j * MUX + m)] = (*i * per + t * MUX + m + 7 * n) % L;
      }
      v.forced = std::move(s);
      ++*i;
      return true;
    };
  }

  // Extreme weights and inputs: every column at its largest sums (clipped when the ADC is narrower
  // than lossless), the sign step alone, zero inputs, zero weights, and a clipping/zero column mix.
  Source corners() {
    const std::int64_t wlo = q::min_weight(p_), whi = q::max_weight(p_);
    const std::int64_t xlo = q::input_format(p_).min(), xhi = q::input_format(p_).max();
    auto vs = std::make_shared<std::deque<Vector>>();
    for (const auto w : {whi, wlo, std::int64_t{0}, std::int64_t{-1}})
      for (const auto x : {xhi, xlo, std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}})
        vs->push_back(filled(std::max(w, wlo), x, "corners"));
    Vector zero_x = random_vector(false);
    std::fill(zero_x.x.begin(), zero_x.x.end(), 0);
    zero_x.kind = "corners (zero inputs)";
    vs->push_back(zero_x);
    Vector mix = filled(0, xhi, "corners (clipping columns next to zero columns)");
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; c += 2) mix.w[static_cast<std::size_t>(r * C + c)] = whi;
    vs->push_back(mix);
    return [vs](Vector& v) {
      if (vs->empty()) return false;
      v = std::move(vs->front());
      vs->pop_front();
      return true;
    };
  }

  // ---- driving and checking --------------------------------------------------------------------
  void drive_inputs(const std::vector<std::int64_t>& x) {
    auto& d = h_.dut();
    for (int r = 0; r < R; ++r)
      tb::set_bits(d.x_i, static_cast<unsigned>(IB * r), IB, static_cast<std::uint64_t>(x[static_cast<std::size_t>(r)]));
  }

  void reset() {
    auto& d = h_.dut();
    d.rst_ni = 0;
    d.in_valid_i = 1;
    d.out_ready_i = 0;
    drive_inputs(random_vector(true).x);
    for (int n = 0; n < 3; ++n) h_.tick();
    d.rst_ni = 1;
    d.in_valid_i = 0;
    h_.settle();
    if (d.out_valid_o || !d.in_ready_o) fail("reset", "after reset: out_valid_o=0 and in_ready_o=1 expected");
  }

  std::vector<std::int64_t> golden(const Vector& v) const {
    if (!v.forced) return q::mvm(p_, v.w, v.x);
    auto y = q::mvm_from_sums(p_, *v.forced, v.x);
    for (auto& e : y) e = q::to_accumulator(p_, e);
    return y;
  }

  void check_output(Expected& e) {
    auto& d = h_.dut();
    if (xbar_.samples() != T || xbar_.conversions() != T * MUX)
      fail(phase_, tb::strf("vector %llu: %d S&H samples and %d conversions, expected %d and %d",
                            static_cast<unsigned long long>(e.index), xbar_.samples(), xbar_.conversions(), T, T * MUX));
    for (int c = 0; c < C; ++c) {
      const auto got = tb::to_signed(tb::get_bits(d.y_o, static_cast<unsigned>(ACC * c), ACC), ACC, true);
      const auto want = e.y[static_cast<std::size_t>(c)];
      if (nonideal_) stats_.add(static_cast<double>(got - want));
      else if (got != want) mismatch(e, c, want, got);
    }
    results_ += static_cast<std::uint64_t>(C);
  }

  void phase(const std::string& name, const Source& next, Traffic t) {
    phase_ = name;
    auto& d = h_.dut();
    std::optional<Vector> cur;
    bool more = true;
    tb::Pacer pace(t.p_valid, t.power);
    std::uint64_t idle = 0, last_accept = 0;
    bool have_last = false;
    const std::uint64_t limit = static_cast<std::uint64_t>(P::cycles_per_mvm) + 100;
    for (;;) {
      if (!cur && more) {
        Vector v;
        if (next(v)) cur = std::move(v);
        else more = false;
      }
      if (!cur && expected_.empty()) break;
      // A vector once offered stays offered until taken (valid must not drop).
      const bool offering = pace.offer(rng_, cur.has_value(), [this] { return tb::idle_ready(h_); });
      if (offering) drive_inputs(cur->x);  // otherwise the inputs hold
      d.in_valid_i = offering;
      d.out_ready_i = tb::chance(rng_, t.p_ready);
      h_.settle();
      try {
        xbar_.cycle(d);
      } catch (const std::runtime_error& e) {
        fail(phase_, e.what());
      }
      bool progress = false;
      if (d.out_valid_o) {
        if (expected_.empty()) fail(phase_, "out_valid_o high with no vector outstanding");
        Expected& e = expected_.front();
        if (!e.seen) {
          e.seen = true;
          const auto lat = h_.cycle() - e.accepted;
          if (lat != static_cast<std::uint64_t>(P::cycles_per_mvm))
            fail(phase_, tb::strf("vector %llu: result %llu cycles after acceptance, documented cycles_per_mvm = %lld",
                                  static_cast<unsigned long long>(e.index), static_cast<unsigned long long>(lat),
                                  static_cast<long long>(P::cycles_per_mvm)));
        }
        if (d.out_ready_i) {
          check_output(e);
          expected_.pop_front();
          progress = true;
        }
      }
      if (offering && d.in_ready_o) {
        pace.taken();
        if (t.check_period && have_last && h_.cycle() - last_accept != static_cast<std::uint64_t>(P::cycles_per_mvm))
          fail(phase_, tb::strf("back-to-back vectors accepted %llu cycles apart, documented cycles_per_mvm = %lld",
                                static_cast<unsigned long long>(h_.cycle() - last_accept),
                                static_cast<long long>(P::cycles_per_mvm)));
        last_accept = h_.cycle();
        have_last = true;
        Expected e{std::move(*cur), {}, vectors_++, h_.cycle(), false};
        e.y = golden(e.v);
        expected_.push_back(std::move(e));
        xbar_.start(expected_.back().v);
        ops_ += static_cast<std::uint64_t>(R) * C;
        cur.reset();
        progress = true;
      }
      h_.tick();
      idle = progress ? 0 : pace.held() ? idle : idle + 1;
      if (idle > limit) fail(phase_, "no vector accepted and no result delivered for too long (deadlock)");
    }
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // No vector at all (valid_fraction = 0): --vectors idle cycles; the crossbar model still checks
  // that no S&H or ADC strobe fires.
  void idle_phase(const std::string& name) {
    phase_ = name;
    const auto what = tb::idle_cycles(h_, opt_.vectors, [this] {
      try {
        xbar_.cycle(h_.dut());
      } catch (const std::runtime_error& e) {
        return std::string(e.what());
      }
      return std::string();
    });
    if (!what.empty()) fail(phase_, what);
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // ---- reporting -------------------------------------------------------------------------------
  [[noreturn]] void mismatch(const Expected& e, int c, std::int64_t want, std::int64_t got) {
    std::ostringstream os;
    os << "mismatch in vector " << e.index << " (" << e.v.kind << ") at column " << c << ": x=[";
    for (int r = 0; r < R; ++r) os << (r ? " " : "") << e.v.x[static_cast<std::size_t>(r)];
    if (e.v.forced) {
      os << "] forced sums (array,slice,step)=[";
      for (int a = 0; a < NA; ++a)
        for (int k = 0; k < K; ++k)
          for (int t = 0; t < T; ++t) os << ((a || k || t) ? " " : "") << e.v.forced->at(a, k, t, c);
    } else {
      os << "] w[.][" << c << "]=[";
      for (int r = 0; r < R; ++r) os << (r ? " " : "") << e.v.w[static_cast<std::size_t>(r * C + c)];
    }
    os << "]; expected " << want << ", got " << got;
    fail(phase_, os.str());
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    tb::print_fail(opt_, h_.cycle(), where, what);
    report("FAIL", what);
    std::exit(1);
  }

  // One operation is one multiply-accumulate w*x of an MVM (rows * cols per vector); a pass is one
  // vector (MVM); the exhaustive pairs are the (ADC, level) conversions of sar_levels.
  int report(const char* status, const std::string& what) {
    tb::print_result(status, opt_,
                     {{"passes", vectors_}, {"results", results_}, {"ops", ops_},
                      {"exhaustive_pairs", sar_levels_ * NADC}, {"sar_levels", sar_levels_}},
                     "multiply-accumulate (w*x) of an MVM", h_.cycle(), h_.seconds(), phases_, what);
    return 0;
  }

  tb::Options opt_;
  tb::PowerKnobs knobs_;
  tb::Harness<Vdut> h_;
  std::mt19937_64 rng_;
  q::ReramParams p_;
  bool nonideal_;
  Crossbar xbar_;
  std::vector<std::int64_t> weights_;  // --opt weights=FILE
  std::deque<Expected> expected_;
  ErrorStats stats_;
  std::string phase_, phases_;
  std::uint64_t vectors_ = 0, results_ = 0, ops_ = 0, sar_levels_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const tb::Options o = tb::parse_args(argc, argv);
  ReramBench bench(o);
  return bench.run();
}
