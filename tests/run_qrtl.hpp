// Runs the qrtl binary under test in a scratch folder (tests of the command line).
#pragma once

#include <algorithm>
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

// `qrtl generate FAMILY --set S...` in `cwd` must be a usage error: exit code 2, one line containing
// `message`, and no output folder.
inline void expect_generate_usage_error(const std::string& family, const std::vector<std::string>& sets,
                                        const std::string& message, const std::filesystem::path& cwd) {
  std::vector<std::string> args{"generate", family, "-o", "out"};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  INFO(message);
  const auto r = run_qrtl(args, cwd);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Matchers::Contains("qrtl: error: ") && Catch::Matchers::Contains(message));
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(cwd / "out"));
}
