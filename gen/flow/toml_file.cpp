#include "flow/toml_file.hpp"

#include <fmt/format.h>

#include "errors.hpp"

namespace qrtl::flow {

toml::table read_toml(const std::filesystem::path& file, std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw UsageError(fmt::format("{} '{}' does not exist or is not a file", what, file.string()));
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw UsageError(fmt::format("{}:{}:{}: malformed TOML: {}", file.string(), b.line, b.column,
                                 e.description()));
  }
}

std::string toml_origin(const std::filesystem::path& file, const toml::node& node) {
  return fmt::format("{}:{}", file.string(), node.source().begin.line);
}

}  // namespace qrtl::flow
