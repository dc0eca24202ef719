// Verilator bench for the mmac arrays: every result is compared with the term-quantization golden
// model (qrtl::quant::tq_dot on each group, weights through the golden term-memory writer), and the
// schedule with term_pairs_per_group: a group occupies max(1, ceil(pairs / lanes)) cycles and the
// result follows pipe_latency cycles later. Phases: reset, directed values at full budgets, every
// run-time budget pair (k, ka) on random and directed data, exhaustive groups (operands <= 4 bits,
// g <= 2) at every budget pair, full-length passes, back-pressure, full-throughput timing, random
// traffic with random budgets, and budgets above the maximum (clamped, budget_err_o raised).
// The power workload (--workload power) runs random groups at budgets --opt k=K --opt ka=KA, shaped
// by tb::PowerKnobs (share of group slots carrying a group, zero operands).
#include <algorithm>
#include <deque>
#include <functional>
#include <sstream>
#include <vector>

#include "Vdut.h"
#include "params.hpp"
#include "quant/intmath.hpp"
#include "quant/tq.hpp"
#include "tb_common.hpp"

namespace P = qrtl_dut;
namespace q = qrtl::quant;

namespace {

constexpr int R = static_cast<int>(P::rows);
constexpr int C = static_cast<int>(P::cols);
constexpr int G = static_cast<int>(P::group);
constexpr int A = static_cast<int>(P::a_bits);
constexpr int K = static_cast<int>(P::max_w_terms);
constexpr int KA = static_cast<int>(P::max_a_terms);
constexpr int L = static_cast<int>(P::lanes);
constexpr int EB = static_cast<int>(P::entry_bits);
constexpr int RES = static_cast<int>(P::acc_width);

const q::IntFormat kA{A, P::a_signed};
const q::IntFormat kW{static_cast<int>(P::w_bits), P::w_signed};
const q::Encoder kEnc = q::parse_encoder(P::encoder);

// One beat: a group of G positions for every row (activations) and column (weights).
struct Group {
  std::vector<std::vector<std::int64_t>> a;  // [R][G]
  std::vector<std::vector<std::int64_t>> w;  // [C][G]
  int k = K, ka = KA;                        // run-time budgets as driven
  bool last = false;
};
using Pass = std::vector<Group>;

struct Expected {
  std::vector<std::int64_t> acc;  // R*C, row-major
  Pass groups;
  std::size_t pass = 0;
  std::uint64_t done_cycle = 0;  // cycle the last group's term stage ends
  bool seen = false;
};

struct Traffic {
  double p_valid = 1.0, p_ready = 1.0;
  bool check_timing = false;
  // The power workload: idle cycles hold the data inputs (no port toggles) and come in group slots.
  bool power = false;
};

int clamp_budget(int b, int max) { return std::min(b, max); }

class MmacBench {
 public:
  explicit MmacBench(const tb::Options& o) : opt_(o), knobs_(o), h_(o), rng_(o.seed) {}

  int run() {
    reset();
    if (opt_.workload == "power") {
      const int k = static_cast<int>(opt_.opt_int("k", K)), ka = static_cast<int>(opt_.opt_int("ka", KA));
      if (k < 1 || k > K || ka < 1 || ka > KA)
        fail("setup", tb::strf("power workload budgets k=%d ka=%d outside 1..%d / 1..%d", k, ka, K, KA));
      if (knobs_.valid > 0) phase("power", power_passes(opt_.vectors, k, ka), {knobs_.valid, 1.0, false, true});
      else idle_phase("power");
      h_.write_coverage();
      return report("PASS", "");
    }
    phase("directed", directed(K, KA), {1.0, 1.0, false});
    phase("budgets", every_budget(), {1.0, 1.0, false});
    if (A <= 4 && P::w_bits <= 4 && G <= 2) {
      phase("exhaustive", exhaustive(), {1.0, 1.0, false});
      exhaustive_ = true;
    }
    phase("full_length", full_length(), {0.9, 0.9, false});
    phase("backpressure", random_passes(64, 4), {0.95, 0.1, false});
    phase("timing", random_passes(64, 4), {1.0, 1.0, true});
    phase("random", random_passes(opt_.vectors, 0), {0.85, 0.8, false});
    if (h_.dut().budget_err_o) fail("random", "budget_err_o set although every budget was within range");
    over_budget();
    return report("PASS", "");
  }

 private:
  // ---- stimulus ------------------------------------------------------------------------
  std::int64_t uniform(const q::IntFormat& f) {
    return std::uniform_int_distribution<std::int64_t>(f.min(), f.max())(rng_);
  }
  // Values that stress the encoder: extremes, one-hot powers of two, and the value with the most
  // terms (alternating bit patterns), with their negatives where they fit.
  static std::vector<std::int64_t> specials(const q::IntFormat& f) {
    std::vector<std::int64_t> v{0, 1, f.min(), f.max(), f.min() + 1, f.max() - 1};
    for (std::int64_t p = 1; p <= f.max(); p *= 2) v.push_back(p);
    std::int64_t most = 0;
    std::size_t most_terms = 0;
    for (auto x = f.min(); x <= f.max(); ++x)
      if (const auto n = q::encode(x, kEnc).size(); n > most_terms) most = x, most_terms = n;
    v.push_back(most);
    if (f.is_signed) {
      const auto n = v.size();
      for (std::size_t i = 0; i < n; ++i)
        if (f.holds(-v[i])) v.push_back(-v[i]);
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  std::int64_t operand(const q::IntFormat& f, const std::vector<std::int64_t>& sp) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (u < 0.1) return 0;  // zeros: values without terms
    if (u < 0.25) return sp[rng_() % sp.size()];
    return uniform(f);
  }
  Group random_group(int k, int ka) {
    Group g;
    g.k = k;
    g.ka = ka;
    g.a.assign(R, std::vector<std::int64_t>(G));
    g.w.assign(C, std::vector<std::int64_t>(G));
    for (auto& row : g.a)
      for (auto& x : row) x = operand(kA, spec_a_);
    for (auto& col : g.w)
      for (auto& x : col) x = operand(kW, spec_w_);
    return g;
  }
  Pass pass_of(std::size_t len, const std::function<Group()>& gen) {
    Pass p;
    for (std::size_t n = 0; n < len; ++n) p.push_back(gen());
    p.back().last = true;
    return p;
  }
  int random_k() { return std::uniform_int_distribution<int>(1, K)(rng_); }
  int random_ka() { return std::uniform_int_distribution<int>(1, KA)(rng_); }

  // Every group filled from one special value per row / column (rotating), plus all-zero groups.
  std::vector<Pass> directed(int k, int ka) {
    std::vector<Pass> out;
    const std::size_t n = std::max(spec_a_.size(), spec_w_.size());
    for (std::size_t s = 0; s < n; ++s)
      out.push_back(pass_of(1, [&] {
        Group g = random_group(k, ka);
        for (int r = 0; r < R; ++r)
          for (int i = 0; i < G; ++i) g.a[r][i] = spec_a_[(s + r + i) % spec_a_.size()];
        for (int c = 0; c < C; ++c)
          for (int i = 0; i < G; ++i) g.w[c][i] = spec_w_[(s + c + 2 * i) % spec_w_.size()];
        return g;
      }));
    out.push_back(pass_of(2, [&] {
      Group g = random_group(k, ka);
      for (auto& row : g.a) std::fill(row.begin(), row.end(), 0);
      return g;
    }));
    out.push_back(pass_of(2, [&] {
      Group g = random_group(k, ka);
      for (auto& col : g.w) std::fill(col.begin(), col.end(), 0);
      return g;
    }));
    return out;
  }

  // Each budget pair: the directed groups and a few random multi-group passes.
  std::vector<Pass> every_budget() {
    std::vector<Pass> out;
    for (int k = 1; k <= K; ++k)
      for (int ka = 1; ka <= KA; ++ka) {
        for (auto& p : directed(k, ka)) out.push_back(std::move(p));
        for (int n = 0; n < 3; ++n) out.push_back(pass_of(1 + rng_() % 3, [&] { return random_group(k, ka); }));
      }
    return out;
  }

  // All (activation group, weight group) pairs at every budget pair, R x C pairs per beat.
  std::vector<Pass> exhaustive() {
    auto all_groups = [](const q::IntFormat& f) {
      std::vector<std::vector<std::int64_t>> out{{}};
      for (int i = 0; i < G; ++i) {
        std::vector<std::vector<std::int64_t>> next;
        for (const auto& prefix : out)
          for (auto v = f.min(); v <= f.max(); ++v) {
            next.push_back(prefix);
            next.back().push_back(v);
          }
        out = std::move(next);
      }
      return out;
    };
    const auto ag = all_groups(kA), wg = all_groups(kW);
    std::vector<Pass> out;
    for (int k = 1; k <= K; ++k)
      for (int ka = 1; ka <= KA; ++ka)
        for (std::size_t i = 0; i < ag.size(); i += R)
          for (std::size_t j = 0; j < wg.size(); j += C)
            out.push_back(pass_of(1, [&] {
              Group g;
              g.k = k;
              g.ka = ka;
              for (int r = 0; r < R; ++r) g.a.push_back(ag[(i + r) % ag.size()]);
              for (int c = 0; c < C; ++c) g.w.push_back(wg[(j + c) % wg.size()]);
              return g;
            }));
    pairs_ = ag.size() * wg.size();
    return out;
  }

  // groups_max groups of the values with the largest quantized products: the result width is
  // derived for exactly this.
  std::vector<Pass> full_length() {
    std::vector<Pass> out;
    const std::int64_t as[] = {kA.min(), kA.max()};
    const std::int64_t ws[] = {kW.min(), kW.max()};
    for (auto a : as)
      for (auto w : ws)
        out.push_back(pass_of(static_cast<std::size_t>(P::groups_max), [&] {
          Group g = random_group(K, KA);
          for (auto& row : g.a) std::fill(row.begin(), row.end(), a);
          for (auto& col : g.w) std::fill(col.begin(), col.end(), w);
          return g;
        }));
    out.push_back(pass_of(static_cast<std::size_t>(P::groups_max), [&] { return random_group(random_k(), random_ka()); }));
    return out;
  }

  // Random passes totalling at least `groups` groups, with random budgets per group.
  std::vector<Pass> random_passes(std::uint64_t groups, std::size_t cap) {
    const auto max_groups = static_cast<std::size_t>(P::groups_max);
    const std::size_t hi = cap ? std::min(cap, max_groups) : max_groups;
    std::vector<Pass> out;
    for (std::uint64_t total = 0; total < groups;) {
      const auto len = std::uniform_int_distribution<std::size_t>(1, hi)(rng_);
      const bool fixed = rng_() % 2 == 0;  // a sub-model: one budget pair for the whole pass
      const int k = random_k(), ka = random_ka();
      out.push_back(pass_of(len, [&] { return fixed ? random_group(k, ka) : random_group(random_k(), random_ka()); }));
      total += len;
    }
    return out;
  }

  // The energy flow's workload: back-to-back dot products of uniformly random operands (zeros at the
  // knobs' shares) at one budget pair, min(groups_max, 8) groups each.
  std::vector<Pass> power_passes(std::uint64_t groups, int k, int ka) {
    const auto len = std::min<std::size_t>(8, static_cast<std::size_t>(P::groups_max));
    std::vector<Pass> out;
    for (std::uint64_t total = 0; total < groups; total += len)
      out.push_back(pass_of(len, [&] {
        Group g = random_group(k, ka);
        for (auto& row : g.a)
          for (auto& x : row) x = knobs_.zero_a(rng_) ? 0 : uniform(kA);
        for (auto& col : g.w)
          for (auto& x : col) x = knobs_.zero_w(rng_) ? 0 : uniform(kW);
        return g;
      }));
    return out;
  }

  // Budgets above the maximum, where the ports can express them: the hardware clamps to the
  // maximum and raises the sticky budget_err_o.
  void over_budget() {
    const int k_port_max = (1 << P::k_bits) - 1, ka_port_max = (1 << P::ka_bits) - 1;
    if (k_port_max == K && ka_port_max == KA) return;  // no out-of-range budget is representable
    std::vector<Pass> passes;
    for (int n = 0; n < 4; ++n)
      passes.push_back(pass_of(2, [&] { return random_group(k_port_max, ka_port_max); }));
    phase("over_budget", passes, {1.0, 1.0, false});
    if (!h_.dut().budget_err_o) fail("over_budget", "budget_err_o not raised by a budget above the maximum");
    h_.dut().rst_ni = 0;
    h_.tick();
    h_.dut().rst_ni = 1;
    h_.settle();
    if (h_.dut().budget_err_o) fail("over_budget", "budget_err_o not cleared by reset");
  }

  // ---- golden model --------------------------------------------------------------------------
  static std::int64_t group_dot(const Group& g, int r, int c) {
    return q::tq_dot(g.w[c], g.a[r], G, clamp_budget(g.k, K), clamp_budget(g.ka, KA), kEnc, kEnc);
  }
  // Term-stage cycles of a group: the slowest cell's pairs over the lanes, at least one.
  static std::uint64_t group_cycles(const Group& g) {
    int most = 0;
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        most = std::max(most, q::term_pairs_per_group(g.w[c], g.a[r], G, clamp_budget(g.k, K),
                                                      clamp_budget(g.ka, KA), kEnc, kEnc)[0]);
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>((most + L - 1) / L));
  }

  // ---- driving and checking --------------------------------------------------------------
  void drive(const Group& g, bool valid) {
    auto& d = h_.dut();
    d.in_valid_i = valid;
    d.in_last_i = g.last;
    tb::set_bits(d.k_i, 0, static_cast<unsigned>(P::k_bits), static_cast<std::uint64_t>(g.k));
    tb::set_bits(d.ka_i, 0, static_cast<unsigned>(P::ka_bits), static_cast<std::uint64_t>(g.ka));
    for (int r = 0; r < R; ++r)
      for (int i = 0; i < G; ++i)
        tb::set_bits(d.a_i, static_cast<unsigned>(A * (G * r + i)), A, static_cast<std::uint64_t>(g.a[r][i]));
    for (int c = 0; c < C; ++c) {
      const auto words = q::term_memory_words(g.w[c], G, K, kEnc, static_cast<int>(P::entry_exp_bits));
      for (int j = 0; j < K; ++j)
        tb::set_bits(d.wt_i, static_cast<unsigned>(EB * (K * c + j)), EB, words[static_cast<std::size_t>(j)]);
    }
  }

  void reset() {
    auto& d = h_.dut();
    d.rst_ni = 0;
    d.out_ready_i = 0;
    for (int n = 0; n < 3; ++n) {
      drive(random_group(K, KA), true);
      h_.tick();
    }
    d.rst_ni = 1;
    d.in_valid_i = 0;
    h_.settle();
    if (d.out_valid_o || !d.in_ready_o || d.budget_err_o)
      fail("reset", "after reset: out_valid_o=0, in_ready_o=1 and budget_err_o=0 expected");
  }

  // Returns the cycles the group occupies the term stage.
  std::uint64_t accept(const Group& g) {
    Expected& cur = building_;
    if (cur.acc.empty()) cur.acc.assign(static_cast<std::size_t>(R * C), 0);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) cur.acc[static_cast<std::size_t>(r * C + c)] += group_dot(g, r, c);
    cur.groups.push_back(g);
    ++groups_;
    const auto n = group_cycles(g);
    term_cycles_ += n;
    if (g.last) {
      cur.pass = passes_++;
      cur.done_cycle = h_.cycle() + n;
      expected_.push_back(std::move(cur));
      building_ = Expected{};
    }
    return n;
  }

  void check_output() {
    auto& d = h_.dut();
    const Expected& e = expected_.front();
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        const auto raw = tb::get_bits(d.acc_o, static_cast<unsigned>((r * C + c) * RES), RES);
        const auto got = tb::to_signed(raw, RES, true);
        const auto want = e.acc[static_cast<std::size_t>(r * C + c)];
        if (got != want) mismatch(e, r, c, want, got);
      }
    results_ += static_cast<std::uint64_t>(R * C);
    expected_.pop_front();
  }

  void phase(const std::string& name, const std::vector<Pass>& passes, Traffic t) {
    phase_ = name;
    auto& d = h_.dut();
    std::deque<const Group*> queue;
    for (const auto& p : passes)
      for (const auto& g : p) queue.push_back(&g);
    tb::Pacer pace(t.p_valid, t.power);
    bool accepted_any = false;
    std::uint64_t idle = 0, last_accept = 0, last_cycles = 0;
    const std::uint64_t limit = 4 * static_cast<std::uint64_t>(K * KA) + 1000;
    const Group idle_group = random_group(K, KA);
    while (!queue.empty() || !expected_.empty()) {
      // A group once offered stays offered until taken (valid must not drop).
      const bool offering = pace.offer(rng_, !queue.empty(), [this] { return tb::idle_ready(h_); });
      if (offering) drive(*queue.front(), true);
      else if (t.power) d.in_valid_i = 0;
      else drive(idle_group, false);
      d.out_ready_i = tb::chance(rng_, t.p_ready);
      h_.settle();

      bool progress = false;
      if (d.out_valid_o) {
        if (expected_.empty()) fail(phase_, "out_valid_o high with no dot product outstanding");
        Expected& e = expected_.front();
        if (!e.seen) {
          e.seen = true;
          const auto lat = h_.cycle() - e.done_cycle;
          if (t.check_timing && lat != static_cast<std::uint64_t>(P::pipe_latency))
            fail(phase_, tb::strf("result of pass %zu came %llu cycles after its last group's term stage, documented %lld",
                             e.pass, static_cast<unsigned long long>(lat), static_cast<long long>(P::pipe_latency)));
        }
        if (d.out_ready_i) {
          check_output();
          progress = true;
        }
      }
      if (offering && d.in_ready_o) {
        pace.taken();
        if (t.check_timing && accepted_any && h_.cycle() - last_accept != last_cycles)
          fail(phase_, tb::strf("groups accepted %llu cycles apart, expected max(1, ceil(pairs/%d)) = %llu",
                           static_cast<unsigned long long>(h_.cycle() - last_accept), L,
                           static_cast<unsigned long long>(last_cycles)));
        accepted_any = true;
        last_accept = h_.cycle();
        last_cycles = accept(*queue.front());
        queue.pop_front();
        progress = true;
      }
      h_.tick();
      idle = progress ? 0 : pace.held() ? idle : idle + 1;
      if (idle > limit) fail(phase_, "no group accepted and no result delivered for too long (deadlock)");
    }
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // No group at all (valid_fraction = 0): --vectors idle cycles.
  void idle_phase(const std::string& name) {
    phase_ = name;
    if (const auto what = tb::idle_cycles(h_, opt_.vectors); !what.empty()) fail(phase_, what);
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // ---- reporting -------------------------------------------------------------------------
  [[noreturn]] void mismatch(const Expected& e, int r, int c, std::int64_t want, std::int64_t got) {
    std::ostringstream os;
    os << "mismatch in pass " << e.pass << " at cell (" << r << "," << c << "), " << e.groups.size()
       << " group(s); first group k=" << e.groups[0].k << " ka=" << e.groups[0].ka << " a=[";
    for (int i = 0; i < G; ++i) os << (i ? " " : "") << e.groups[0].a[r][i];
    os << "] w=[";
    for (int i = 0; i < G; ++i) os << (i ? " " : "") << e.groups[0].w[c][i];
    os << "]; expected " << want << ", got " << got;
    fail(phase_, os.str());
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    tb::print_fail(opt_, h_.cycle(), where, what);
    report("FAIL", what);
    std::exit(1);
  }

  // One operation is one group dot product (g weights x g activations) of one cell.
  int report(const char* status, const std::string& what) {
    tb::print_result(status, opt_,
                     {{"groups", groups_}, {"passes", passes_}, {"results", results_},
                      {"ops", groups_ * R * C}, {"term_cycles", term_cycles_},
                      {"exhaustive_pairs", exhaustive_ ? pairs_ : 0}},
                     tb::strf("group dot product (g=%d)", G), h_.cycle(), h_.seconds(), phases_, what);
    return 0;
  }

  tb::Options opt_;
  tb::PowerKnobs knobs_;
  tb::Harness<Vdut> h_;
  std::mt19937_64 rng_;
  const std::vector<std::int64_t> spec_a_ = specials(kA), spec_w_ = specials(kW);
  std::deque<Expected> expected_;
  Expected building_;
  std::string phase_, phases_;
  std::uint64_t groups_ = 0, passes_ = 0, results_ = 0, pairs_ = 0, term_cycles_ = 0;
  bool exhaustive_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  const tb::Options o = tb::parse_args(argc, argv);
  MmacBench bench(o);
  return bench.run();
}
