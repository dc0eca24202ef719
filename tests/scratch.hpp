// A scratch folder under the system temp folder, unique to this test process, so two checkouts
// (or two ctest -j runs) testing on one machine never share files. Created on first use.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}
