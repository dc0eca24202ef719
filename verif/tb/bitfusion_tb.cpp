// Verilator bench for the bitfusion arrays: every column result is compared with the Bit Fusion
// golden model (qrtl::quant::fusion_unit_output of each unit's P products, with the golden
// brick_mapping of the beat's mode), and the schedule with the documented latency. Phases: reset,
// exhaustive (every operand set of one unit, for each mode and signedness whose operand space is
// at most 2^20 bits, on the units of row 0), directed extremes, full-length passes of the extreme
// products (the accumulator width is derived for them), mode switching on every beat,
// back-pressure, full-throughput timing, random traffic, and unsupported modes (contribute 0,
// sticky mode_err_o) where the ports can express one. Operands are driven at their lane width
// (quant::lane_bits); bus bits beyond a mode's P operands carry random junk, so a brick reading
// them, or an idle brick not isolated, shows as a mismatch.
// The power workload (--workload power) runs random passes in one mode: --opt a_bits=B --opt
// w_bits=B --opt a_signed=0|1 --opt w_signed=0|1 (default: the widest supported pair, signed if
// supported), shaped by tb::PowerKnobs (share of beat slots carrying a beat, zero operands).
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

#include "Vdut.h"
#include "params.hpp"
#include "quant/bitfusion.hpp"
#include "quant/intmath.hpp"
#include "tb_common.hpp"

namespace P = qrtl_dut;
namespace q = qrtl::quant;

namespace {

constexpr int R = static_cast<int>(P::rows);
constexpr int C = static_cast<int>(P::cols);
constexpr int ABUS = static_cast<int>(P::a_bus_bits);
constexpr int WBUS = static_cast<int>(P::w_bus_bits);
constexpr int ACC = static_cast<int>(P::acc_width);
constexpr int kExhaustiveBits = 20;  // a unit's operand space up to 2^20 sets is swept completely

const q::IntFormat kAcc{ACC, P::acc_signed != 0};

int bits_of_code(int code) { return 2 * (code + 1); }
// Port code of a `bits`-bit operand; -1 if no code means that width.
int code_of_bits(std::int64_t bits) { return bits >= 2 && bits <= 8 && bits % 2 == 0 ? static_cast<int>(bits / 2 - 1) : -1; }
bool code_supported(int code) { return (P::precision_mask >> code) & 1; }

q::FusionUnit make_unit() {
  q::FusionUnit u;
  u.rows = static_cast<int>(P::brick_rows);
  u.cols = static_cast<int>(P::brick_cols);
  u.pow2_only = P::pow2_only;
  u.precisions.clear();
  for (int c = 0; c < 4; ++c)
    if (code_supported(c)) u.precisions.push_back(bits_of_code(c));
  return u;
}

// A run-time mode as driven on the ports.
struct Mode {
  int a_code = 3, w_code = 3;
  bool a_signed = false, w_signed = false;

  int a_bits() const { return bits_of_code(a_code); }
  int w_bits() const { return bits_of_code(w_code); }
  // Bus bits per operand: under pow2_only a 6-bit operand is driven sign/zero-extended to 8.
  int a_lane() const { return q::lane_bits(a_bits(), P::pow2_only); }
  int w_lane() const { return q::lane_bits(w_bits(), P::pow2_only); }
  q::Mode golden() const { return {a_bits(), w_bits(), a_signed, w_signed}; }
  q::IntFormat a_format() const { return {a_bits(), a_signed}; }
  q::IntFormat w_format() const { return {w_bits(), w_signed}; }
  bool supported() const {
    return code_supported(a_code) && code_supported(w_code) && (P::signed_ops || (!a_signed && !w_signed));
  }
  bool operator==(const Mode&) const = default;
  std::string text() const {
    return std::to_string(a_bits()) + "x" + std::to_string(w_bits()) + " (a " + (a_signed ? "signed" : "unsigned") +
           ", w " + (w_signed ? "signed" : "unsigned") + ")";
  }
};

// One beat: a mode and, for a supported mode, its P operands per unit.
struct Beat {
  Mode mode;
  int products = 0;             // P of the mode, 0 when unsupported
  std::vector<std::int64_t> a;  // [R][P]
  std::vector<std::int64_t> w;  // [R][C][P]
  std::uint64_t junk = 0;       // seeds the bits beyond the operands (all bits if unsupported)
  bool last = false;

  std::int64_t& act(int r, int p) { return a[static_cast<std::size_t>(r * products + p)]; }
  std::int64_t& wt(int r, int c, int p) { return w[static_cast<std::size_t>((r * C + c) * products + p)]; }
};
using Source = std::function<bool(Beat&)>;  // fills the next beat; false when the phase is done

struct Expected {
  std::vector<std::int64_t> acc;  // per column
  std::size_t pass = 0, beats = 0;
  Beat first;
  std::uint64_t last_accept = 0;
  bool seen = false;
};

struct Traffic {
  double p_valid = 1.0, p_ready = 1.0;
  bool check_timing = false;
  // The power workload: idle cycles hold the data inputs (no port toggles) and come in beat slots.
  bool power = false;
};

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Random bits on all `width` bits of a port (a word at a time: this runs on every cycle).
template <class T>
void fill_junk(T& port, int width, std::uint64_t seed) {
  if constexpr (std::is_integral_v<T>) {
    tb::set_bits(port, 0, static_cast<unsigned>(width), splitmix(seed));
  } else {
    for (int lsb = 0; lsb < width; lsb += 32) {
      const int n = std::min(32, width - lsb);
      port[static_cast<std::size_t>(lsb / 32)] = static_cast<std::uint32_t>(splitmix(seed) & ((std::uint64_t{1} << n) - 1));
    }
  }
}

// The f.bits-bit field of `index` at bit `offset`, read in format f.
std::int64_t field(std::uint64_t index, int offset, const q::IntFormat& f) {
  const auto raw = static_cast<std::uint64_t>(index >> offset) & ((std::uint64_t{1} << f.bits) - 1);
  return tb::to_signed(raw, f.bits, f.is_signed);
}

class BitfusionBench {
 public:
  explicit BitfusionBench(const tb::Options& o) : opt_(o), knobs_(o), h_(o), rng_(o.seed), unit_(make_unit()) {
    for (const int a : unit_.precisions)
      for (const int w : unit_.precisions) mappings_.emplace(std::pair{a, w}, q::brick_mapping(unit_, a, w));
    for (int ac = 0; ac < 4; ++ac)
      for (int wc = 0; wc < 4; ++wc)
        for (const bool as : {false, true})
          for (const bool ws : {false, true}) {
            const Mode m{ac, wc, as, ws};
            (m.supported() ? modes_ : bad_modes_).push_back(m);
          }
  }

  int run() {
    reset();
    if (opt_.workload == "power") {
      const int widest = unit_.precisions.back();
      const auto ab = opt_.opt_int("a_bits", widest), wb = opt_.opt_int("w_bits", widest);
      const Mode m{code_of_bits(ab), code_of_bits(wb), opt_.opt_int("a_signed", P::signed_ops) != 0,
                   opt_.opt_int("w_signed", P::signed_ops) != 0};
      if (m.a_code < 0 || m.w_code < 0 || !m.supported())
        fail("setup", tb::strf("power workload mode a_bits=%lld w_bits=%lld a_signed=%d w_signed=%d is not supported: "
                               "precisions %s%s", static_cast<long long>(ab), static_cast<long long>(wb),
                               m.a_signed, m.w_signed, std::string(P::precisions).c_str(),
                               P::signed_ops ? "" : ", unsigned only"));
      if (knobs_.valid > 0)
        phase("power", random_passes(opt_.vectors, 8, [m] { return m; }, true), {knobs_.valid, 1.0, false, true});
      else
        idle_phase("power");
      h_.write_coverage();
      return report("PASS", "");
    }
    phase("exhaustive", exhaustive(), {1.0, 1.0, false});
    phase("directed", directed(), {1.0, 1.0, false});
    phase("full_length", full_length(), {0.9, 0.9, false});
    phase("mode_switch", mode_switch(2000), {0.9, 0.9, false});
    phase("backpressure", random_passes(500, 16, any_mode()), {0.95, 0.1, false});
    phase("timing", random_passes(500, 16, any_mode()), {1.0, 1.0, true});
    phase("random", random_passes(opt_.vectors, 64, any_mode()), {0.85, 0.8, false});
    unsupported_modes();
    return report("PASS", "");
  }

 private:
  // ---- stimulus --------------------------------------------------------------------------------
  const q::BrickMapping& mapping(const Mode& m) const { return mappings_.at({m.a_bits(), m.w_bits()}); }

  std::int64_t uniform(const q::IntFormat& f) {
    return std::uniform_int_distribution<std::int64_t>(f.min(), f.max())(rng_);
  }
  // Mostly uniform, with zeros and extremes mixed in.
  std::int64_t operand(const q::IntFormat& f) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (u < 0.08) return 0;
    if (u < 0.16) return f.min();
    if (u < 0.24) return f.max();
    return uniform(f);
  }

  // A beat of mode m with zero operands (P per unit; none for an unsupported mode).
  Beat make_beat(const Mode& m) {
    Beat b;
    b.mode = m;
    b.junk = rng_();
    if (!m.supported()) return b;
    b.products = mapping(m).products;
    b.a.resize(static_cast<std::size_t>(R * b.products));
    b.w.resize(static_cast<std::size_t>(R * C * b.products));
    return b;
  }
  // Random operands with zeros and extremes mixed in, or (`plain`: the power workload) uniform with
  // zeros at the knobs' shares.
  Beat random_beat(const Mode& m, bool plain = false) {
    Beat b = make_beat(m);
    for (auto& x : b.a) x = !plain ? operand(m.a_format()) : knobs_.zero_a(rng_) ? 0 : uniform(m.a_format());
    for (auto& x : b.w) x = !plain ? operand(m.w_format()) : knobs_.zero_w(rng_) ? 0 : uniform(m.w_format());
    return b;
  }

  std::function<Mode()> any_mode() {
    return [this] { return modes_[rng_() % modes_.size()]; };
  }

  // Passes totalling at least `beats` beats, 1..min(max_len, cap) beats each, modes from `mode`;
  // `plain`: the power workload's operands (random_beat).
  Source random_passes(std::uint64_t beats, std::int64_t cap, std::function<Mode()> mode, bool plain = false) {
    const auto hi = std::min<std::int64_t>(P::max_len, cap);
    auto left = std::make_shared<std::int64_t>(0);
    auto total = std::make_shared<std::uint64_t>(0);
    return [=, this](Beat& b) {
      if (*left == 0) {
        if (*total >= beats) return false;
        *left = std::uniform_int_distribution<std::int64_t>(1, hi)(rng_);
      }
      b = random_beat(mode(), plain);
      b.last = --*left == 0;
      ++*total;
      return true;
    };
  }

  // Every operand set of one unit, for each supported mode and signedness with P*(a+w) <= 20 bits.
  // A set is an index: the P weights in its low P*w_bits, the P activations above. Row 0's units
  // share their activations, so a beat gives its columns consecutive sets with the same
  // activation part (the other rows get zero activations); one beat per pass.
  Source exhaustive() {
    auto sweeps = std::make_shared<std::vector<Mode>>();
    for (const auto& m : modes_) {
      const int bits = mapping(m).products * (m.a_bits() + m.w_bits());
      if (bits <= kExhaustiveBits) {
        sweeps->push_back(m);
        exhaustive_sets_ += std::uint64_t{1} << bits;
      }
    }
    auto k = std::make_shared<std::size_t>(0);
    auto index = std::make_shared<std::uint64_t>(0);
    return [=, this](Beat& b) {
      if (*k == sweeps->size()) return false;
      const Mode& m = (*sweeps)[*k];
      b = random_beat(m);
      const int n = b.products;
      const std::uint64_t nw = std::uint64_t{1} << (n * m.w_bits());
      const std::uint64_t a_part = *index / nw, w0 = *index % nw;
      const std::uint64_t take = std::min<std::uint64_t>(C, nw - w0);
      for (int p = 0; p < n; ++p) {
        b.act(0, p) = field(a_part, p * m.a_bits(), m.a_format());
        for (int r = 1; r < R; ++r) b.act(r, p) = 0;
        for (int c = 0; c < C; ++c)
          b.wt(0, c, p) = field(w0 + std::min<std::uint64_t>(static_cast<std::uint64_t>(c), take - 1),
                                p * m.w_bits(), m.w_format());
      }
      b.last = true;
      *index += take;
      if (*index >> (n * (m.a_bits() + m.w_bits()))) {
        *index = 0;
        ++*k;
      }
      return true;
    };
  }

  // Per mode and signedness: every operand at one value, for the corner and small values.
  Source directed() {
    auto beats = std::make_shared<std::deque<Beat>>();
    for (const auto& m : modes_) {
      const auto fa = m.a_format(), fw = m.w_format();
      std::vector<std::int64_t> as{fa.min(), fa.max(), 0, 1}, ws{fw.min(), fw.max(), 0, 1};
      if (fa.is_signed) as.push_back(-1);
      if (fw.is_signed) ws.push_back(-1);
      for (const auto x : as)
        for (const auto y : ws) {
          Beat b = make_beat(m);
          std::fill(b.a.begin(), b.a.end(), x);
          std::fill(b.w.begin(), b.w.end(), y);
          b.last = true;
          beats->push_back(std::move(b));
        }
    }
    return [beats](Beat& b) {
      if (beats->empty()) return false;
      b = std::move(beats->front());
      beats->pop_front();
      return true;
    };
  }

  // Per mode and signedness: max_len beats of the operand corner with the largest and with the
  // smallest product, the values the accumulator width is derived for.
  Source full_length() {
    auto plan = std::make_shared<std::deque<std::pair<Mode, std::pair<std::int64_t, std::int64_t>>>>();
    for (const auto& m : modes_) {
      const auto fa = m.a_format(), fw = m.w_format();
      std::pair<std::int64_t, std::int64_t> lo{0, 0}, hi{0, 0};
      for (const auto x : {fa.min(), fa.max()})
        for (const auto y : {fw.min(), fw.max()}) {
          if (x * y < lo.first * lo.second) lo = {x, y};
          if (x * y > hi.first * hi.second) hi = {x, y};
        }
      plan->push_back({m, hi});
      if (lo.first * lo.second < 0) plan->push_back({m, lo});
    }
    auto n = std::make_shared<std::int64_t>(0);
    return [=, this](Beat& b) {
      if (plan->empty()) return false;
      const auto& [m, xy] = plan->front();
      b = make_beat(m);
      std::fill(b.a.begin(), b.a.end(), xy.first);
      std::fill(b.w.begin(), b.w.end(), xy.second);
      b.last = ++*n == P::max_len;
      if (b.last) {
        *n = 0;
        plan->pop_front();
      }
      return true;
    };
  }

  // Every beat in a mode other than its predecessor's, also inside a dot product.
  Source mode_switch(std::uint64_t beats) {
    auto prev = std::make_shared<std::optional<Mode>>();
    auto pick = [this, prev] {
      Mode m = modes_[rng_() % modes_.size()];
      while (modes_.size() > 1 && *prev && m == **prev) m = modes_[rng_() % modes_.size()];
      *prev = m;
      return m;
    };
    return random_passes(beats, 16, pick);
  }

  // Modes outside the generated set, mixed into passes of supported ones: they must contribute 0
  // and raise mode_err_o one cycle after acceptance, which stays set until reset.
  void unsupported_modes() {
    if (bad_modes_.empty()) return;  // every port value is a supported mode
    const auto bad = [this] { return bad_modes_[rng_() % bad_modes_.size()]; };
    auto mixed = [this, bad] { return rng_() % 3 == 0 ? bad() : modes_[rng_() % modes_.size()]; };
    phase("unsupported_mode", random_passes(400, 8, mixed), {0.9, 0.9, false});
    phase("unsupported_only", random_passes(20, 4, bad), {1.0, 1.0, false});
    phase("after_error", random_passes(200, 8, any_mode()), {0.9, 0.9, false});
    if (!h_.dut().mode_err_o) fail("after_error", "mode_err_o not set after unsupported modes");
    auto& d = h_.dut();
    d.rst_ni = 0;
    h_.tick();
    d.rst_ni = 1;
    h_.settle();
    err_since_.reset();
    if (d.mode_err_o) fail("after_error", "mode_err_o not cleared by reset");
  }

  // ---- golden model ----------------------------------------------------------------------------
  // Column c's share of a beat: its units' outputs; an unsupported mode contributes 0.
  std::int64_t beat_column(Beat& b, int c) const {
    if (!b.mode.supported()) return 0;
    const auto n = static_cast<std::size_t>(b.products);
    std::int64_t sum = 0;
    for (int r = 0; r < R; ++r) {
      const std::span<const std::int64_t> a(&b.act(r, 0), n), w(&b.wt(r, c, 0), n);
      sum += q::fusion_unit_output(b.mode.golden(), mapping(b.mode), a, w);
    }
    return sum;
  }

  // ---- driving and checking --------------------------------------------------------------------
  void drive(Beat& b, bool valid) {
    auto& d = h_.dut();
    d.in_valid_i = valid;
    d.in_last_i = b.last;
    d.a_prec_i = static_cast<std::uint8_t>(b.mode.a_code);
    d.w_prec_i = static_cast<std::uint8_t>(b.mode.w_code);
    d.a_signed_i = b.mode.a_signed;
    d.w_signed_i = b.mode.w_signed;
    fill_junk(d.a_i, R * ABUS, b.junk);
    fill_junk(d.w_i, R * C * WBUS, ~b.junk);
    const int ab = b.mode.a_lane(), wb = b.mode.w_lane();
    for (int r = 0; r < R; ++r)
      for (int p = 0; p < b.products; ++p) {
        tb::set_bits(d.a_i, static_cast<unsigned>(ABUS * r + ab * p), ab, static_cast<std::uint64_t>(b.act(r, p)));
        for (int c = 0; c < C; ++c)
          tb::set_bits(d.w_i, static_cast<unsigned>(WBUS * (C * r + c) + wb * p), wb,
                       static_cast<std::uint64_t>(b.wt(r, c, p)));
      }
  }

  void reset() {
    auto& d = h_.dut();
    d.rst_ni = 0;
    d.out_ready_i = 0;
    for (int n = 0; n < 3; ++n) {
      Beat b = random_beat(modes_.front());
      drive(b, true);
      h_.tick();
    }
    d.rst_ni = 1;
    d.in_valid_i = 0;
    h_.settle();
    if (d.out_valid_o || !d.in_ready_o || d.mode_err_o)
      fail("reset", "after reset: out_valid_o=0, in_ready_o=1 and mode_err_o=0 expected");
  }

  void accept(Beat& b) {
    Expected& cur = building_;
    if (cur.beats == 0) {
      cur.acc.assign(static_cast<std::size_t>(C), 0);
      cur.first = b;
    }
    for (int c = 0; c < C; ++c) cur.acc[static_cast<std::size_t>(c)] += beat_column(b, c);
    ++cur.beats;
    ++beats_;
    if (b.mode.supported()) ops_ += static_cast<std::uint64_t>(R * C * b.products);
    else if (!err_since_) err_since_ = h_.cycle();
    if (b.last) {
      for (int c = 0; c < C; ++c)
        if (!kAcc.holds(cur.acc[static_cast<std::size_t>(c)]))
          fail(phase_, "a dot product of at most max_len beats does not fit acc_width (generator bug)");
      cur.pass = passes_++;
      cur.last_accept = h_.cycle();
      expected_.push_back(std::move(cur));
      building_ = Expected{};
    }
  }

  void check_output() {
    auto& d = h_.dut();
    const Expected& e = expected_.front();
    for (int c = 0; c < C; ++c) {
      const auto raw = tb::get_bits(d.acc_o, static_cast<unsigned>(c * ACC), ACC);
      const auto got = tb::to_signed(raw, ACC, kAcc.is_signed);
      const auto want = e.acc[static_cast<std::size_t>(c)];
      if (got != want) mismatch(e, c, want, got);
    }
    results_ += static_cast<std::uint64_t>(C);
    expected_.pop_front();
  }

  void phase(const std::string& name, const Source& next, Traffic t) {
    phase_ = name;
    auto& d = h_.dut();
    std::optional<Beat> cur;
    bool more = true;
    tb::Pacer pace(t.p_valid, t.power);
    std::uint64_t idle = 0;
    const std::uint64_t limit = 1000;
    Beat idle_beat = random_beat(modes_.front());
    for (;;) {
      if (!cur && more) {
        Beat b;
        if (next(b)) cur = std::move(b);
        else more = false;
      }
      if (!cur && expected_.empty()) break;
      // A beat once offered stays offered until taken (valid must not drop).
      const bool offering = pace.offer(rng_, cur.has_value(), [this] { return tb::idle_ready(h_); });
      if (offering) {
        drive(*cur, true);
      } else if (t.power) {
        d.in_valid_i = 0;
      } else {
        idle_beat.junk = rng_();
        drive(idle_beat, false);
      }
      d.out_ready_i = tb::chance(rng_, t.p_ready);
      h_.settle();

      const bool err_want = err_since_ && h_.cycle() > *err_since_;
      if (static_cast<bool>(d.mode_err_o) != err_want)
        fail(phase_, err_want ? "mode_err_o dropped or did not rise after an unsupported mode"
                              : "mode_err_o set although every accepted mode was supported");
      if (t.check_timing && offering && !d.in_ready_o) fail(phase_, "in_ready_o low at full throughput");
      bool progress = false;
      if (d.out_valid_o) {
        if (expected_.empty()) fail(phase_, "out_valid_o high with no dot product outstanding");
        Expected& e = expected_.front();
        if (!e.seen) {
          e.seen = true;
          const auto lat = h_.cycle() - e.last_accept;
          if (t.check_timing && lat != static_cast<std::uint64_t>(P::latency))
            fail(phase_, tb::strf("result of pass %zu came %llu cycles after its last beat, documented %lld", e.pass,
                             static_cast<unsigned long long>(lat), static_cast<long long>(P::latency)));
        }
        if (d.out_ready_i) {
          check_output();
          progress = true;
        }
      }
      if (offering && d.in_ready_o) {
        pace.taken();
        accept(*cur);
        cur.reset();
        progress = true;
      }
      h_.tick();
      idle = progress ? 0 : pace.held() ? idle : idle + 1;
      if (idle > limit) fail(phase_, "no beat accepted and no result delivered for too long (deadlock)");
    }
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // No beat at all (valid_fraction = 0): --vectors idle cycles, mode_err_o staying low.
  void idle_phase(const std::string& name) {
    phase_ = name;
    const auto what = tb::idle_cycles(h_, opt_.vectors, [this] {
      return std::string(h_.dut().mode_err_o ? "mode_err_o set although no beat was offered" : "");
    });
    if (!what.empty()) fail(phase_, what);
    phases_ += (phases_.empty() ? "" : ",") + std::string("\"") + name + "\"";
  }

  // ---- reporting -------------------------------------------------------------------------------
  [[noreturn]] void mismatch(const Expected& e, int c, std::int64_t want, std::int64_t got) {
    Beat b = e.first;
    std::ostringstream os;
    os << "mismatch in pass " << e.pass << " at column " << c << ", " << e.beats << " beat(s); first beat mode "
       << b.mode.text();
    if (b.mode.supported()) {
      os << " P=" << b.products;
      for (int r = 0; r < R; ++r) {
        os << " row " << r << ": a=[";
        for (int p = 0; p < b.products; ++p) os << (p ? " " : "") << b.act(r, p);
        os << "] w=[";
        for (int p = 0; p < b.products; ++p) os << (p ? " " : "") << b.wt(r, c, p);
        os << "]";
      }
    }
    os << "; expected " << want << ", got " << got;
    fail(phase_, os.str());
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    tb::print_fail(opt_, h_.cycle(), where, what);
    report("FAIL", what);
    std::exit(1);
  }

  // One operation is one multiply-accumulate a*w of a supported beat.
  int report(const char* status, const std::string& what) {
    tb::print_result(status, opt_,
                     {{"beats", beats_}, {"passes", passes_}, {"results", results_}, {"ops", ops_},
                      {"exhaustive_pairs", exhaustive_sets_}},
                     "multiply-accumulate (a*w)", h_.cycle(), h_.seconds(), phases_, what);
    return 0;
  }

  tb::Options opt_;
  tb::PowerKnobs knobs_;
  tb::Harness<Vdut> h_;
  std::mt19937_64 rng_;
  q::FusionUnit unit_;
  std::map<std::pair<int, int>, q::BrickMapping> mappings_;
  std::vector<Mode> modes_, bad_modes_;  // port values inside / outside the generated set
  std::deque<Expected> expected_;
  Expected building_;
  std::optional<std::uint64_t> err_since_;  // cycle the first unsupported beat was accepted
  std::string phase_, phases_;
  std::uint64_t beats_ = 0, passes_ = 0, results_ = 0, ops_ = 0, exhaustive_sets_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const tb::Options o = tb::parse_args(argc, argv);
  BitfusionBench bench(o);
  return bench.run();
}
