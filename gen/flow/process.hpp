// Running external tools (verilator, iverilog, yosys, make) with their output kept in a log.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qrtl::flow {

std::optional<std::filesystem::path> find_tool(const std::string& tool);
// Absolute path of `tool` on PATH; throws ToolError "TOOL not found ... (needed by WHAT)".
std::filesystem::path require_tool(const std::string& tool, const std::string& needed_by);

struct RunResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv in `cwd`, output appended to `log` (and returned). Never throws on a non-zero exit.
RunResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
              const std::filesystem::path& log, const std::map<std::string, std::string>& env = {});

// run(), but a non-zero exit throws ToolError "WHAT failed (exit N); log: LOG" plus the log's tail.
RunResult run_checked(const std::string& what, const std::vector<std::string>& argv,
                      const std::filesystem::path& cwd, const std::filesystem::path& log,
                      const std::map<std::string, std::string>& env = {});

std::string read_text(const std::filesystem::path& p);
void write_text(const std::filesystem::path& p, const std::string& text);

}  // namespace qrtl::flow
