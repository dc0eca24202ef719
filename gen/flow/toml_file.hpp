// Reading a TOML file the user gave: a missing file or a syntax error is a UsageError naming the
// file (and line:column), so every reader of user TOML reports them the same way.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace qrtl::flow {

// `what` names the file's role in messages, e.g. "config file", "data file".
toml::table read_toml(const std::filesystem::path& file, std::string_view what);

// "FILE:LINE" of a node, for messages about one key.
std::string toml_origin(const std::filesystem::path& file, const toml::node& node);

}  // namespace qrtl::flow
