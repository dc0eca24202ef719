// Verilator bench for the pmac / bmac arrays: every result is compared with the golden model
// (qrtl::quant::pmac_step / bmac_step). Phases: reset, directed extremes, exhaustive operand pairs
// (operands of at most 4 bits), full-length passes, back-pressure, full-throughput timing, and
// seeded random traffic with random valid/ready. The power workload (--workload power) runs
// back-to-back random dot products shaped by tb::PowerKnobs (share of beat slots carrying a beat, zero
// operands).
#include <algorithm>
#include <deque>
#include <functional>
#include <sstream>
#include <vector>

#include "Vdut.h"
#include "params.hpp"
#include "quant/mac.hpp"
#include "tb_common.hpp"

namespace P = qrtl_dut;
namespace q = qrtl::quant;

namespace {

constexpr int R = static_cast<int>(P::rows);
constexpr int C = static_cast<int>(P::cols);
constexpr int A = static_cast<int>(P::a_bits);
constexpr int W = static_cast<int>(P::w_bits);
constexpr int ACC = static_cast<int>(P::acc_width);

q::MacArith golden_arith() {
  q::MacArith m;
  m.a = {A, P::a_signed};
  m.w = {W, P::w_signed};
  m.acc_bits = ACC;
  m.overflow = P::overflow == "saturate" ? q::Overflow::Saturate
               : P::overflow == "wrap"   ? q::Overflow::Wrap
                                         : q::Overflow::Exact;
  return m;
}

struct Beat {
  std::vector<std::int64_t> a, w;
  bool last = false;
};
using Pass = std::vector<Beat>;

struct Expected {
  std::vector<std::int64_t> acc;  // R*C, row-major
  Pass beats;
  std::size_t pass = 0;
  std::uint64_t accept_cycle = 0;
  bool seen = false;
};

struct Traffic {
  double p_valid = 1.0, p_ready = 1.0;
  bool check_timing = false;
  // The power workload: idle cycles hold the data inputs (no port toggles) and come in beat slots.
  bool power = false;
};

class MacBench {
 public:
  explicit MacBench(const tb::Options& o) : opt_(o), knobs_(o), h_(o), m_(golden_arith()), rng_(o.seed) {}

  int run() {
    if (m_.acc_signed() != static_cast<bool>(P::acc_signed) || m_.product_bits() != P::prod_bits)
      return fail_setup("header and golden model disagree on the accumulator format");
    reset();
    if (opt_.workload == "power") {
      if (knobs_.valid > 0) phase("power", power_passes(opt_.vectors), {knobs_.valid, 1.0, false, true});
      else idle_phase("power");
      h_.write_coverage();
      return report("PASS", "");
    }
    phase("directed", directed(), {1.0, 1.0, false});
    if (A <= 4 && W <= 4) {
      phase("exhaustive", exhaustive(), {1.0, 1.0, false});
      exhaustive_ = true;
    }
    phase("full_length", full_length(), {0.9, 0.9, false});
    phase("backpressure", random_passes(64, 8), {0.95, 0.1, false});
    phase("timing", random_passes(32, 8), {1.0, 1.0, true});
    phase("random", random_passes(opt_.vectors, 0), {0.85, 0.8, false});
    return report("PASS", "");
  }

 private:
  // ---- stimulus ------------------------------------------------------------------------
  std::int64_t uniform(const q::IntFormat& f) {
    return std::uniform_int_distribution<std::int64_t>(f.min(), f.max())(rng_);
  }
  std::vector<std::int64_t> extremes(const q::IntFormat& f) const {
    std::vector<std::int64_t> v{f.min(), f.max(), 0, 1, f.min() + 1, f.max() - 1};
    if (f.is_signed) v.push_back(-1);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  std::int64_t operand(const q::IntFormat& f) {
    if (std::uniform_real_distribution<double>(0, 1)(rng_) < 0.15) {
      const auto e = extremes(f);
      return e[rng_() % e.size()];
    }
    return uniform(f);
  }
  Beat random_beat() {
    Beat b;
    for (int r = 0; r < R; ++r) b.a.push_back(operand(m_.a));
    for (int c = 0; c < C; ++c) b.w.push_back(operand(m_.w));
    return b;
  }
  Pass pass_of(std::size_t len, const std::function<Beat()>& gen) {
    Pass p;
    for (std::size_t k = 0; k < len; ++k) p.push_back(gen());
    p.back().last = true;
    return p;
  }

  std::vector<Pass> directed() {
    std::vector<Pass> out;
    const auto ea = extremes(m_.a), ew = extremes(m_.w);
    for (std::size_t i = 0; i < ea.size(); ++i)
      for (std::size_t j = 0; j < ew.size(); ++j)
        out.push_back(pass_of(1, [&] {
          Beat b;
          for (int r = 0; r < R; ++r) b.a.push_back(ea[(i + r) % ea.size()]);
          for (int c = 0; c < C; ++c) b.w.push_back(ew[(j + c) % ew.size()]);
          return b;
        }));
    // Two-beat passes of opposite extremes: cancellation back to small values.
    out.push_back(pass_of(2, [&, k = 0]() mutable {
      Beat b;
      b.a.assign(R, k == 0 ? m_.a.max() : m_.a.min());
      b.w.assign(C, m_.w.max());
      ++k;
      return b;
    }));
    return out;
  }

  std::vector<Pass> exhaustive() {
    std::vector<std::int64_t> av, wv;
    for (auto v = m_.a.min(); v <= m_.a.max(); ++v) av.push_back(v);
    for (auto v = m_.w.min(); v <= m_.w.max(); ++v) wv.push_back(v);
    std::vector<Pass> out;
    for (std::size_t i = 0; i < av.size(); i += R)
      for (std::size_t j = 0; j < wv.size(); j += C)
        out.push_back(pass_of(1, [&] {
          Beat b;
          for (int r = 0; r < R; ++r) b.a.push_back(av[(i + r) % av.size()]);
          for (int c = 0; c < C; ++c) b.w.push_back(wv[(j + c) % wv.size()]);
          return b;
        }));
    pairs_ = av.size() * wv.size();
    return out;
  }

  // max_len beats of the largest-magnitude products: the exact accumulator width is tight here,
  // and a narrower (wrap / saturate) accumulator overflows.
  std::vector<Pass> full_length() {
    std::vector<Pass> out;
    const std::int64_t as[] = {m_.a.min(), m_.a.max()};
    const std::int64_t ws[] = {m_.w.min(), m_.w.max()};
    for (auto a : as)
      for (auto w : ws)
        out.push_back(pass_of(static_cast<std::size_t>(P::max_len), [&] {
          Beat b;
          b.a.assign(R, a);
          b.w.assign(C, w);
          return b;
        }));
    out.push_back(pass_of(static_cast<std::size_t>(P::max_len), [&] { return random_beat(); }));
    return out;
  }

  // Random passes totalling at least `beats` beats; lengths mostly short, some up to max_len.
  std::vector<Pass> random_passes(std::uint64_t beats, std::size_t max_len_cap) {
    const auto max_len = static_cast<std::size_t>(P::max_len);
    const std::size_t cap = max_len_cap ? std::min(max_len_cap, max_len) : max_len;
    std::vector<Pass> out;
    std::uint64_t total = 0;
    while (total < beats) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
      std::size_t hi = u < 0.7 ? std::min<std::size_t>(16, cap) : u < 0.97 ? std::min<std::size_t>(256, cap) : cap;
      const auto len = std::uniform_int_distribution<std::size_t>(1, hi)(rng_);
      out.push_back(pass_of(len, [&] { return random_beat(); }));
      total += len;
    }
    return out;
  }

  // The energy flow's workload: back-to-back dot products of min(max_len, 64) beats with uniformly
  // random operands, zeros at the knobs' shares.
  std::vector<Pass> power_passes(std::uint64_t beats) {
    const auto len = std::min<std::size_t>(64, static_cast<std::size_t>(P::max_len));
    std::vector<Pass> out;
    for (std::uint64_t total = 0; total < beats; total += len)
      out.push_back(pass_of(len, [&] {
        Beat b;
        for (int r = 0; r < R; ++r) b.a.push_back(knobs_.zero_a(rng_) ? 0 : uniform(m_.a));
        for (int c = 0; c < C; ++c) b.w.push_back(knobs_.zero_w(rng_) ? 0 : uniform(m_.w));
        return b;
      }));
    return out;
  }

  // ---- driving and checking --------------------------------------------------------------
  void drive_beat(const Beat& b, bool valid) {
    auto& d = h_.dut();
    d.in_valid_i = valid;
    d.in_last_i = b.last;
    for (int r = 0; r < R; ++r) tb::set_bits(d.a_i, r * A, A, static_cast<std::uint64_t>(b.a[r]));
    for (int c = 0; c < C; ++c) tb::set_bits(d.w_i, c * W, W, static_cast<std::uint64_t>(b.w[c]));
  }

  void reset() {
    auto& d = h_.dut();
    d.rst_ni = 0;
    d.out_ready_i = 0;
    for (int k = 0; k < 3; ++k) {
      drive_beat(random_beat(), true);
      h_.tick();
    }
    d.rst_ni = 1;
    d.in_valid_i = 0;
    h_.settle();
    if (d.out_valid_o || !d.in_ready_o) fail("reset", "after reset: out_valid_o=0 and in_ready_o=1 expected");
  }

  void accept(const Beat& b) {
    Expected& cur = building_;
    if (cur.acc.empty()) cur.acc.assign(static_cast<std::size_t>(R * C), 0);
    const bool first = cur.beats.empty();
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        auto& acc = cur.acc[static_cast<std::size_t>(r * C + c)];
        const std::int64_t base = first ? 0 : acc;
        acc = P::serial ? q::bmac_step(m_, base, b.a[r], b.w[c]) : q::pmac_step(m_, base, b.a[r], b.w[c]);
      }
    cur.beats.push_back(b);
    ++beats_;
    if (b.last) {
      cur.pass = passes_++;
      cur.accept_cycle = h_.cycle();
      expected_.push_back(std::move(cur));
      building_ = Expected{};
    }
  }

  void check_output() {
    auto& d = h_.dut();
    if (expected_.empty()) fail(phase_, "out_valid_o high with no dot product outstanding");
    const Expected& e = expected_.front();
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        const auto raw = tb::get_bits(d.acc_o, static_cast<unsigned>((r * C + c) * ACC), ACC);
        const auto got = tb::to_signed(raw, ACC, m_.acc_signed());
        const auto want = e.acc[static_cast<std::size_t>(r * C + c)];
        if (got != want) mismatch(e, r, c, want, got);
      }
    results_ += static_cast<std::uint64_t>(R * C);
    expected_.pop_front();
  }

  void phase(const std::string& name, const std::vector<Pass>& passes, Traffic t) {
    phase_ = name;
    auto& d = h_.dut();
    std::deque<const Beat*> queue;
    for (const auto& p : passes)
      for (const auto& b : p) queue.push_back(&b);
    tb::Pacer pace(t.p_valid, t.power);
    std::uint64_t idle = 0, last_accept = 0;
    bool accepted_any = false;
    const std::uint64_t limit = 64 * (static_cast<std::uint64_t>(P::latency) + P::cycles_per_beat) + 1000;
    while (!queue.empty() || !expected_.empty()) {
      // A beat once offered stays offered until taken (valid must not drop).
      const bool offering = pace.offer(rng_, !queue.empty(), [this] { return tb::idle_ready(h_); });
      if (offering) drive_beat(*queue.front(), true);
      else if (t.power) d.in_valid_i = 0;
      else drive_beat(random_beat(), false);
      d.out_ready_i = tb::chance(rng_, t.p_ready);
      h_.settle();

      bool progress = false;
      if (d.out_valid_o) {
        if (expected_.empty()) fail(phase_, "out_valid_o high with no dot product outstanding");
        Expected& e = expected_.front();
        if (!e.seen) {
          e.seen = true;
          const auto lat = h_.cycle() - e.accept_cycle;
          if (t.check_timing && lat != static_cast<std::uint64_t>(P::latency))
            fail(phase_, tb::strf("latency of pass %zu is %llu cycles, documented %lld", e.pass,
                             static_cast<unsigned long long>(lat), static_cast<long long>(P::latency)));
        }
        if (d.out_ready_i) {
          check_output();
          progress = true;
        }
      }
      if (offering && d.in_ready_o) {
        pace.taken();
        if (t.check_timing && accepted_any) {
          const auto gap = h_.cycle() - last_accept;
          if (gap != static_cast<std::uint64_t>(P::cycles_per_beat))
            fail(phase_, tb::strf("beats accepted %llu cycles apart at full throughput, documented %lld",
                             static_cast<unsigned long long>(gap), static_cast<long long>(P::cycles_per_beat)));
        }
        accepted_any = true;
        last_accept = h_.cycle();
        accept(*queue.front());
        queue.pop_front();
        progress = true;
      }
      h_.tick();
      idle = progress ? 0 : pace.held() ? idle : idle + 1;
      if (idle > limit) fail(phase_, "no beat accepted and no result delivered for too long (deadlock)");
    }
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // No beat at all (valid_fraction = 0): --vectors idle cycles.
  void idle_phase(const std::string& name) {
    phase_ = name;
    if (const auto what = tb::idle_cycles(h_, opt_.vectors); !what.empty()) fail(phase_, what);
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // ---- reporting -------------------------------------------------------------------------
  [[noreturn]] void mismatch(const Expected& e, int r, int c, std::int64_t want, std::int64_t got) {
    std::ostringstream os;
    os << "mismatch in pass " << e.pass << " at cell (" << r << "," << c << "), length "
       << e.beats.size() << ", operands (a,w):";
    for (std::size_t k = 0; k < e.beats.size() && k < 8; ++k)
      os << " (" << e.beats[k].a[r] << "," << e.beats[k].w[c] << ")";
    if (e.beats.size() > 8) os << " ...";
    os << "; expected " << want << ", got " << got;
    fail(phase_, os.str());
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    tb::print_fail(opt_, h_.cycle(), where, what);
    report("FAIL", what);
    std::exit(1);
  }
  int fail_setup(const std::string& what) {
    fail("setup", what);
  }

  // "ops" (= MACs) lets the energy flow divide by operations.
  int report(const char* status, const std::string& what) {
    const std::uint64_t macs = beats_ * static_cast<std::uint64_t>(R * C);
    tb::print_result(status, opt_,
                     {{"beats", beats_}, {"passes", passes_}, {"results", results_}, {"macs", macs}, {"ops", macs},
                      {"exhaustive_pairs", exhaustive_ ? pairs_ : 0}},
                     "MAC", h_.cycle(), h_.seconds(), phases_, what);
    return 0;
  }

  tb::Options opt_;
  tb::PowerKnobs knobs_;
  tb::Harness<Vdut> h_;
  q::MacArith m_;
  std::mt19937_64 rng_;
  std::deque<Expected> expected_;
  Expected building_;
  std::string phase_, phases_;
  std::uint64_t beats_ = 0, passes_ = 0, results_ = 0, pairs_ = 0;
  bool exhaustive_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  const tb::Options o = tb::parse_args(argc, argv);
  MacBench bench(o);
  return bench.run();
}
