// Helpers for the tests of a cost data file and its loader: copies of a file with one edit, and
// the one-line UsageError naming what is wrong that the loader must raise.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "errors.hpp"
#include "flow/process.hpp"
#include "run_qrtl.hpp"

struct DataFiles {
  std::filesystem::path work;     // scratch folder of the test
  std::filesystem::path shipped;  // the data file in data/

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto p = work / name;
    qrtl::flow::write_text(p, text);
    return p;
  }

  // The shipped file with the first `from` replaced by `to`.
  std::filesystem::path mutated(const std::string& name, const std::string& from, const std::string& to) const {
    const auto p = write(name, qrtl::flow::read_text(shipped));
    replace_in_file(p, from, to);
    return p;
  }

  // `load(file)` must throw a one-line UsageError containing every part.
  template <class Load>
  void expect_error(Load load, const std::filesystem::path& file, const std::vector<std::string>& parts) const {
    try {
      load(file);
      FAIL("no error for " << file);
    } catch (const qrtl::UsageError& e) {
      const std::string msg = e.what();
      CHECK(msg.find('\n') == std::string::npos);
      for (const auto& part : parts) CHECK_THAT(msg, Catch::Matchers::Contains(part));
    }
  }
};
