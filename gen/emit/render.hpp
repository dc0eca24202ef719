// Mustache rendering of the files under templates/ (no HTML escaping: the output is Verilog,
// Markdown, C++).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace qrtl::emit {

// Renders the template at `path` (relative to the qrtl data folder, e.g. "templates/mac/acc.v.mustache")
// with `data`; throws ToolError on a missing or malformed template.
std::string render_file(const std::string& path, const nlohmann::json& data);
std::string render_text(const std::string& text, const nlohmann::json& data, const std::string& what);

}  // namespace qrtl::emit
