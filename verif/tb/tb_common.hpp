// Shared pieces of every qrtl Verilator testbench: command line, seeded stimulus, port bit
// access for any width, clocking with optional FST dump, and the PASS/FAIL protocol that
// `qrtl verify` reads (one "RESULT {json}" line).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>

#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace tb {

struct Options {
  std::uint64_t vectors = 10000;
  std::uint64_t seed = 1;
  std::string fst;       // waveform file, empty: none
  std::string coverage;  // toggle-coverage output (gate-level power runs), empty: none
  // "full": every phase; "power": reset then random operands only (at full throughput unless
  // PowerKnobs say otherwise), the representative workload the energy flow measures toggles on.
  std::string workload = "full";
  // Family-specific settings, "--opt key=value" (e.g. the mMAC power workload's term budgets).
  std::map<std::string, std::string> opts;

  std::int64_t opt_int(const std::string& key, std::int64_t def) const {
    const auto it = opts.find(key);
    return it == opts.end() ? def : std::strtoll(it->second.c_str(), nullptr, 10);
  }
  // A share in [0, 1]; a value that does not parse or lies outside exits 2 (a usage error, so the
  // energy flow does not report a run it did not ask for).
  double opt_fraction(const std::string& key, double def) const {
    const auto it = opts.find(key);
    if (it == opts.end()) return def;
    const std::string& text = it->second;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(v >= 0 && v <= 1)) {
      std::fprintf(stderr, "tb: --opt %s=%s is invalid: expected a number in [0, 1]\n", key.c_str(), text.c_str());
      std::exit(2);
    }
    return v;
  }
};

// One Bernoulli draw, true with probability p. It always uses exactly one number of rng, so the
// rest of a seed's stream does not depend on p (p = 1: always true, p = 0: never).
inline bool chance(std::mt19937_64& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

// The power-workload knobs every family takes (--opt): valid_fraction, the share of the unit's beat
// slots that carry an input beat (Pacer; for a unit taking a beat every cycle, the share of cycles;
// 0: the unit only idles), and the shares of operands drawn as exactly 0: zero_fraction for
// activations and weights alike, overridden per kind by a_zero_fraction / w_zero_fraction.
struct PowerKnobs {
  double valid, a_zero, w_zero;

  explicit PowerKnobs(const Options& o)
      : valid(o.opt_fraction("valid_fraction", 1)),
        a_zero(o.opt_fraction("a_zero_fraction", o.opt_fraction("zero_fraction", 0))),
        w_zero(o.opt_fraction("w_zero_fraction", o.opt_fraction("zero_fraction", 0))) {}

  // Whether the next activation / weight is 0. At a zero share of 0 nothing is drawn, so the
  // default workload keeps the operands it had before these knobs existed.
  bool zero_a(std::mt19937_64& rng) const { return a_zero > 0 && chance(rng, a_zero); }
  bool zero_w(std::mt19937_64& rng) const { return w_zero > 0 && chance(rng, w_zero); }
};

inline Options parse_args(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto next = [&]() -> std::string {
      if (k + 1 >= argc) {
        std::fprintf(stderr, "tb: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++k];
    };
    if (a == "--vectors") o.vectors = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--fst") o.fst = next();
    else if (a == "--coverage") o.coverage = next();
    else if (a == "--workload") {
      o.workload = next();
      if (o.workload != "full" && o.workload != "power") {
        std::fprintf(stderr, "tb: --workload must be full or power, not '%s'\n", o.workload.c_str());
        std::exit(2);
      }
    }
    else if (a == "--opt") {
      const std::string kv = next();
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "tb: --opt expects KEY=VALUE, not '%s'\n", kv.c_str());
        std::exit(2);
      }
      o.opts[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    else if (a.rfind("+verilator", 0) == 0) continue;
    else {
      std::fprintf(stderr, "tb: unknown option '%s' (allowed: --vectors N, --seed S, --fst FILE, --coverage FILE, --workload full|power, --opt KEY=VALUE)\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

// Bits [lsb, lsb+width) of a Verilator port of any width (width <= 64).
template <class T>
std::uint64_t get_bits(const T& port, unsigned lsb, unsigned width) {
  std::uint64_t v = 0;
  if constexpr (std::is_integral_v<T>) {
    v = static_cast<std::uint64_t>(port) >> lsb;
  } else {
    for (unsigned b = 0; b < width; ++b) {
      const unsigned bit = lsb + b;
      v |= static_cast<std::uint64_t>((port[bit / 32] >> (bit % 32)) & 1U) << b;
    }
  }
  return width >= 64 ? v : v & ((std::uint64_t{1} << width) - 1);
}

template <class T>
void set_bits(T& port, unsigned lsb, unsigned width, std::uint64_t value) {
  const std::uint64_t mask = width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  value &= mask;
  if constexpr (std::is_integral_v<T>) {
    auto p = static_cast<std::uint64_t>(port);
    p = (p & ~(mask << lsb)) | (value << lsb);
    port = static_cast<T>(p);
  } else {
    for (unsigned b = 0; b < width; ++b) {
      const unsigned bit = lsb + b;
      const std::uint32_t m = 1U << (bit % 32);
      if ((value >> b) & 1U) port[bit / 32] |= m;
      else port[bit / 32] &= ~m;
    }
  }
}

// Two's-complement or unsigned interpretation of a `bits`-wide field.
inline std::int64_t to_signed(std::uint64_t v, int bits, bool is_signed) {
  if (!is_signed || bits >= 64) return static_cast<std::int64_t>(v);
  if ((v >> (bits - 1)) & 1U) return static_cast<std::int64_t>(v | (~std::uint64_t{0} << bits));
  return static_cast<std::int64_t>(v);
}

// printf-style formatting into a std::string (messages of FAIL lines).
template <class... Args>
std::string strf(const char* f, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

// A family counter of the RESULT line, in the order given.
struct Counter {
  const char* name;
  std::uint64_t value;
};

// The one line `qrtl verify` and the energy flow read: status, seed, the family's counters, the op
// that "ops" counts, cycles, timing, phases run and the failure message (quotes made safe).
inline void print_result(const char* status, const Options& o, std::initializer_list<Counter> counters,
                         const std::string& op, std::uint64_t cycles, double seconds,
                         const std::string& phases, const std::string& message) {
  std::string msg, fields;
  for (char ch : message) msg += (ch == '"' || ch == '\\') ? '\'' : ch;
  for (const auto& c : counters) fields += strf("\"%s\":%llu,", c.name, static_cast<unsigned long long>(c.value));
  std::printf("RESULT {\"status\":\"%s\",\"seed\":%llu,%s\"op\":\"%s\",\"cycles\":%llu,\"seconds\":%.3f,"
              "\"cycles_per_second\":%.0f,\"phases\":[%s],\"message\":\"%s\"}\n",
              status, static_cast<unsigned long long>(o.seed), fields.c_str(), op.c_str(),
              static_cast<unsigned long long>(cycles), seconds, seconds > 0 ? static_cast<double>(cycles) / seconds : 0.0,
              phases.c_str(), msg.c_str());
  std::fflush(stdout);
}

// The FAIL line and how to reproduce it with a waveform.
inline void print_fail(const Options& o, std::uint64_t cycle, const std::string& where, const std::string& what) {
  std::printf("FAIL seed=%llu cycle=%llu phase=%s: %s\n", static_cast<unsigned long long>(o.seed),
              static_cast<unsigned long long>(cycle), where.c_str(), what.c_str());
  std::printf("  rerun: qrtl verify DIR --seed %llu --vectors %llu --waves FILE.fst\n",
              static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(o.vectors));
}

// Decides cycle by cycle whether a phase offers its next beat (input valid). A beat once offered
// stays offered until taken (valid must not drop). Otherwise each free cycle offers it with
// probability p (one chance() draw). By slots (the power workload), a draw that fails makes the
// next beat slot of the unit empty: the bench idles for the mean cycles per beat measured while
// beats came back to back, counted from the cycle the unit is ready with valid low (a unit still
// busy with its last beat), or at once if it is not ready within a slot (a unit that only works
// while valid is high, e.g. dnateq's comparator passes). So p is the share of full-throughput
// slots carrying a beat whatever the unit's cycles per beat, and the run is about 1/p times as
// long. At p = 1 no draw fails: beats are offered as early as in the full workload.
class Pacer {
 public:
  Pacer(double p, bool by_slot) : p_(p), by_slot_(by_slot) {}

  // Before the cycle settles: whether the waiting beat (if `have`) is offered. `ready()` settles the
  // unit with valid low and returns its input ready (called only by slot, after a failed draw).
  template <class Ready>
  bool offer(std::mt19937_64& rng, bool have, Ready&& ready) {
    if (have && !offering_) {
      if (wait_ > 0) {
        if (ready()) wait_ = 0, idle_ = slot_ - 1;  // this cycle begins the empty slot
        else --wait_;                               // at 0 the wait itself was the empty slot
      } else if (idle_ > 0) {
        --idle_;
      } else if (chance(rng, p_)) {
        offering_ = true;
      } else if (by_slot_) {
        if (ready()) idle_ = slot_ - 1;
        else wait_ = slot_;
      }
    }
    offering_ = offering_ && have;
    held_ = have && !offering_;
    if (!offering_) back_to_back_ = false;
    ++since_;
    return offering_;
  }
  // The offered beat was taken this cycle.
  void taken() {
    if (back_to_back_) {
      gaps_ += since_;
      ++beats_;
      slot_ = std::max<std::uint64_t>(1, (gaps_ + beats_ / 2) / beats_);
    }
    offering_ = false;
    back_to_back_ = true;
    since_ = 0;
  }
  // This cycle the bench held a waiting beat back: not a cycle the unit owes progress in (a
  // deadlock watchdog skips it; long idle runs are the point of a low p).
  bool held() const { return held_; }

 private:
  double p_;
  bool by_slot_;
  bool offering_ = false, held_ = false, back_to_back_ = false;
  std::uint64_t wait_ = 0, idle_ = 0, slot_ = 1, since_ = 0;
  std::uint64_t gaps_ = 0, beats_ = 0;  // cycles and count of the back-to-back beat gaps so far
};

// Owns the model and its clock. Inputs are set between ticks; tick() evaluates the
// combinational settle (for sampling), then the rising edge.
template <class Dut>
class Harness {
 public:
  explicit Harness(const Options& o) : ctx_(std::make_unique<VerilatedContext>()), coverage_(o.coverage) {
    ctx_->randReset(0);
    dut_ = std::make_unique<Dut>(ctx_.get());
#if VM_TRACE_FST
    if (!o.fst.empty()) {
      ctx_->traceEverOn(true);
      trace_ = std::make_unique<VerilatedFstC>();
      dut_->trace(trace_.get(), 99);
      trace_->open(o.fst.c_str());
    }
#else
    if (!o.fst.empty()) {
      std::fprintf(stderr, "tb: built without FST support; rebuild with qrtl verify --waves\n");
      std::exit(2);
    }
#endif
    start_ = std::chrono::steady_clock::now();
  }
  ~Harness() {
#if VM_TRACE_FST
    if (trace_) trace_->close();
#endif
    dut_->final();
  }
  // Writes the toggle counts (built with --coverage-toggle) for the energy flow.
  void write_coverage() {
#if VM_COVERAGE
    if (!coverage_.empty()) ctx_->coveragep()->write(coverage_.c_str());
#endif
  }
  Dut& dut() { return *dut_; }
  std::uint64_t cycle() const { return cycle_; }

  // Settles combinational outputs for the current inputs (clock low).
  void settle() {
    dut_->clk_i = 0;
    dut_->eval();
  }
  void tick() {
    settle();
    dump(2 * cycle_);
    dut_->clk_i = 1;
    dut_->eval();
    dump(2 * cycle_ + 1);
    ++cycle_;
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  void dump(std::uint64_t t) {
#if VM_TRACE_FST
    if (trace_) trace_->dump(t);
#else
    (void)t;
#endif
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Dut> dut_;
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  std::string coverage_;
  std::uint64_t cycle_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// The unit's input ready with input valid low and the other inputs as they are (Pacer's `ready`).
template <class Dut>
bool idle_ready(Harness<Dut>& h) {
  h.dut().in_valid_i = 0;
  h.settle();
  return h.dut().in_ready_o != 0;
}

// The power workload at valid_fraction = 0: `cycles` cycles without a beat (input valid low, every
// data input held, output ready high), the unit's idle energy. `check` runs on every settled cycle
// (a family's per-cycle models) and returns a failure message, empty if fine; a result with no beat
// ever offered is one too. Returns the first failure, empty if none.
template <class Dut, class Check>
std::string idle_cycles(Harness<Dut>& h, std::uint64_t cycles, Check&& check) {
  auto& d = h.dut();
  d.in_valid_i = 0;
  d.out_ready_i = 1;
  for (std::uint64_t n = 0; n < cycles; ++n) {
    h.settle();
    if (d.out_valid_o) return "out_valid_o high although no beat was offered";
    if (std::string what = check(); !what.empty()) return what;
    h.tick();
  }
  return "";
}
template <class Dut>
std::string idle_cycles(Harness<Dut>& h, std::uint64_t cycles) {
  return idle_cycles(h, cycles, [] { return std::string(); });
}

}  // namespace tb
