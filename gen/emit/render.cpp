#include "emit/render.hpp"

#include <fmt/format.h>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <sstream>

#include "errors.hpp"
#include "paths.hpp"

namespace qrtl::emit {

namespace {

namespace mu = kainjow::mustache;

mu::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mu::data d{mu::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, to_data(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mu::data d{mu::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string: return mu::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mu::data{j.get<bool>() ? mu::data::type::bool_true : mu::data::type::bool_false};
    case nlohmann::json::value_t::null: return mu::data{mu::data::type::bool_false};
    default: return mu::data{j.dump()};
  }
}

// Mustache's "standalone tag" rule, which kainjow does not implement: a line holding only a
// section, inverted, closing, comment or set-delimiter tag vanishes with its newline.
bool standalone_tag(std::string_view line) {
  const auto b = line.find_first_not_of(" \t");
  const auto e = line.find_last_not_of(" \t\r");
  if (b == std::string_view::npos) return false;
  line = line.substr(b, e - b + 1);
  for (auto [open, close] : {std::pair{"{{", "}}"}, std::pair{"<%", "%>"}}) {
    const std::string_view o{open}, c{close};
    if (line.size() > o.size() + c.size() && line.starts_with(o) && line.ends_with(c) &&
        std::string_view("#^/=!").find(line[o.size()]) != std::string_view::npos &&
        line.find(o, o.size()) == std::string_view::npos)
      return true;
  }
  return false;
}

std::string strip_standalone(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    const auto end = nl == std::string::npos ? text.size() : nl + 1;
    const std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    if (standalone_tag(line)) out += line.substr(line.find_first_not_of(" \t"));
    else out.append(text, pos, end - pos);
    pos = end;
  }
  return out;
}

}  // namespace

std::string render_text(const std::string& text, const nlohmann::json& data, const std::string& what) {
  mu::mustache tmpl{strip_standalone(text)};
  if (!tmpl.is_valid()) throw ToolError(fmt::format("template {}: {}", what, tmpl.error_message()));
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  std::string out = tmpl.render(to_data(data));
  if (!tmpl.is_valid()) throw ToolError(fmt::format("template {}: {}", what, tmpl.error_message()));
  return out;
}

std::string render_file(const std::string& path, const nlohmann::json& data) {
  const auto file = data_path(path);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) throw ToolError(fmt::format("cannot read template '{}'", file.string()));
  return render_text(ss.str(), data, path);
}

}  // namespace qrtl::emit
