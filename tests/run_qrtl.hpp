// Runs the qrtl binary under test in a scratch folder (tests of the command line).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "flow/process.hpp"
#include "scratch.hpp"

// Replaces the first `from` in a generated file (mutation tests); the text must be there.
inline void replace_in_file(const std::filesystem::path& p, const std::string& from, const std::string& to) {
  std::string text = qrtl::flow::read_text(p);
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  qrtl::flow::write_text(p, text);
}

inline qrtl::flow::RunResult run_qrtl(std::vector<std::string> args, const std::filesystem::path& cwd,
                                      const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), QRTL_BINARY);
  std::filesystem::create_directories(cwd);
  return qrtl::flow::run(args, cwd, cwd / "qrtl.log", env);
}
