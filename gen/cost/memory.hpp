// Cost of a memory macro (SRAM or register file) kept as a hard block in synthesis: area, energy
// per read / write access, idle energy per cycle and leakage, from a data file in which every
// family and every size names its source (data/memory_macros.toml). This module only picks the
// family, interpolates between listed sizes and counts macros side by side, by the rule the data
// file states; energy = per-access figures x the accesses counted in the gate-level run (the
// memory model's reads_flip_q / writes_flip_q toggles, templates/common/memory.v.mustache).
// docs/memory.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qrtl::cost {

enum class MemoryKind { sram, regfile };

// "sram" / "regfile".
std::string_view kind_name(MemoryKind k);

// A memory a family declares: words x bits and its ports. Port sets with figures: 1RW
// (rw_ports = 1: one shared read/write port) and 1R1W (read_ports = 1, write_ports = 1).
struct MemoryMacroSpec {
  MemoryKind kind = MemoryKind::sram;
  int words = 0;
  int bits = 0;
  int read_ports = 0;   // read-only ports
  int write_ports = 0;  // write-only ports
  int rw_ports = 0;     // shared read/write ports
};

// The port set as the data file names it: "1rw", "1r1w", "1rw1r", "2r1w", ...
std::string ports_name(const MemoryMacroSpec& s);

// One listed size of a family, as in the data file.
struct MemorySize {
  int words = 0, bits = 0;
  double area_um2 = 0, read_pj = 0, write_pj = 0, idle_pj_per_cycle = 0, leakage_w = 0;
  std::string source;
};

struct MemoryFamily {
  MemoryKind kind = MemoryKind::sram;
  std::string ports;  // "1rw" | "1r1w"
  int max_macros = 1;  // most macros side by side for a wide word
  std::string source, scaling;
  std::vector<MemorySize> sizes;  // sorted by (bits, words)
};

struct MemoryData {
  std::filesystem::path file;
  std::string technology;
  std::vector<MemoryFamily> families;
};

// Reads and checks the data file. Throws UsageError naming the file (and line), the key, its value
// and what is allowed: missing file, malformed TOML, unknown or missing keys, wrong types,
// negative or non-finite figures, an unknown kind or port set, two families with the same kind
// and ports, two sizes with the same words and bits, an empty source.
MemoryData load_memory_data(const std::filesystem::path& file);

// The default data file: data/memory_macros.toml in qrtl's data folder.
std::filesystem::path default_memory_data();

// Figures of one declared memory (all macros side by side together).
struct MemoryMacroCost {
  double area_um2 = 0;
  double read_pj = 0;             // per read access, on top of the idle cycle
  double write_pj = 0;            // per write access, on top of the idle cycle
  double idle_pj_per_cycle = 0;   // per clock cycle, every cycle
  double leakage_w = 0;
  int macros = 1;                 // macros side by side (ceil(bits / macro bits))
  int macro_words = 0, macro_bits = 0;  // the size of one macro (interpolated in words or listed)
  bool interpolated = false;      // words between two listed sizes
  std::string source;             // family source + scaling + the sizes used and how

  // Energy of a run of `cycles` clock cycles with the counted accesses, at clock period
  // `period_ns` (leakage over the run time).
  double energy_pj(double cycles, double reads, double writes, double period_ns) const {
    return cycles * idle_pj_per_cycle + reads * read_pj + writes * write_pj + leakage_w * cycles * period_ns * 1e3;
  }
};

// Throws UsageError with one line "parameter 'X' = V is invalid: expected ..." naming kind, ports,
// words or bits, the value and what the data file covers (no extrapolation).
MemoryMacroCost memory_cost(const MemoryMacroSpec& spec, const MemoryData& d);

// The data for templates/common/memory.v.mustache: name, words, words_last, bits, bits_msb,
// addr_bits, addr_msb (addr_bits = max(1, ceil(log2(words)))), rw1 / r1w1 (the port set) and macro
// (true: the module carries (* blackbox *) so Yosys keeps it as a macro; false: the array is
// synthesized to flip-flops). Throws UsageError for a port set other than 1RW / 1R1W or
// words < 2 / bits < 1 (one line naming the parameter, the value and what is allowed).
nlohmann::json memory_template_data(const std::string& name, const MemoryMacroSpec& spec, bool macro);

}  // namespace qrtl::cost
