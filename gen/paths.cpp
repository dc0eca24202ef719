#include "paths.hpp"

#include <cstdlib>
#include <fmt/format.h>

#include "errors.hpp"

namespace qrtl {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("QRTL_DATA_DIR"); env && *env) return env;
  return QRTL_SOURCE_DIR;
}

std::filesystem::path data_path(std::string_view sub) {
  auto p = data_dir() / sub;
  std::error_code ec;
  if (!std::filesystem::exists(p, ec))
    throw ToolError(fmt::format("qrtl data file '{}' is missing (data folder: {}; set QRTL_DATA_DIR "
                                "to the qrtl source tree)",
                                p.string(), data_dir().string()));
  return p;
}

std::string_view version() { return QRTL_VERSION; }

}  // namespace qrtl
