// A scratch folder under the system temp folder, unique to this test process, so two checkouts
// (or two ctest -j runs) testing on one machine never share files. Created on first use and
// removed when the process exits (catch_discover_tests runs one process per test case, so
// leaving them would pile up thousands of folders per run); QRTL_KEEP_SCRATCH=1 keeps them for
// debugging a failure.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <unistd.h>

inline std::filesystem::path scratch_dir(const std::string& name) {
  struct RemoveAtExit {
    std::set<std::filesystem::path> dirs;
    ~RemoveAtExit() {
      if (std::getenv("QRTL_KEEP_SCRATCH") != nullptr) return;
      std::error_code ec;  // best effort: a folder still in use must not turn exit into a crash
      for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
  };
  static RemoveAtExit cleanup;
  auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  cleanup.dirs.insert(dir);
  return dir;
}
