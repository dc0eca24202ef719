// The qrtl subcommands; each returns the process exit code and throws UsageError / ToolError.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "emit/design.hpp"
#include "flow/synth.hpp"
#include "flow/verify.hpp"

namespace qrtl::cli {

struct GenerateArgs {
  std::string family;
  std::optional<std::filesystem::path> config;
  std::vector<std::string> sets;
  std::optional<std::filesystem::path> out;
  bool force = false;
};

struct RunArgs {
  std::filesystem::path out = "rtl_out";
  flow::VerifyOptions verify;
  flow::SynthOptions synth;
};

struct BenchArgs {
  std::filesystem::path out = "build/bench";
  std::uint64_t vectors = 200000;
};

struct TqEncodeArgs {
  std::filesystem::path input;
  int group = 16;
  int max_terms = 24;
  std::string encoder = "naf";
  int value_bits = 8;
  int exp_bits = 0;  // 0: derived from value_bits
  std::filesystem::path out;
};

int cmd_list(const std::string& family, bool json);
int cmd_generate(const GenerateArgs& a);
int cmd_lint(const std::filesystem::path& dir);
int cmd_verify(const std::filesystem::path& dir, const flow::VerifyOptions& o);
int cmd_synth(const std::filesystem::path& dir, const flow::SynthOptions& o);
int cmd_run(const RunArgs& a);
int cmd_bench(const BenchArgs& a);
int cmd_tq_encode(const TqEncodeArgs& a);

// A subcommand that lives in its own file (compare-*, study commands): add_* registers the
// subcommand and its options on `app`; main() calls `run` when it was given.
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};
Subcommand add_compare_mmac(CLI::App& app);
Subcommand add_reram_adc_table(CLI::App& app);
Subcommand add_reram_cost(CLI::App& app);
Subcommand add_compare_bitfusion(CLI::App& app);
Subcommand add_dnateq_search(CLI::App& app);
Subcommand add_compare_dnateq(CLI::App& app);

// Shared by generate, run and bench: parameters from a config file and --set flags, named.
struct Resolved {
  const units::Family* family;
  units::ParamSet params;
  std::filesystem::path out;
};
Resolved resolve(const GenerateArgs& a);
// Generates into a.out; prints one summary line.
Resolved generate(const GenerateArgs& a);

}  // namespace qrtl::cli
