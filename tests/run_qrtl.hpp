// Runs the qrtl binary under test in a scratch folder (tests of the command line).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "flow/process.hpp"

inline qrtl::flow::RunResult run_qrtl(std::vector<std::string> args, const std::filesystem::path& cwd,
                                      const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), QRTL_BINARY);
  std::filesystem::create_directories(cwd);
  return qrtl::flow::run(args, cwd, cwd / "qrtl.log", env);
}
