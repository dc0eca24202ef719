#include "units/param.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "errors.hpp"
#include "flow/toml_file.hpp"

namespace qrtl::units {

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t k = 0; k < v.size(); ++k) out += (k ? std::string(sep) : "") + v[k];
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 48) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::string ParamSpec::type_name() const {
  switch (kind) {
    case Kind::Int: return "int";
    case Kind::Bool: return "bool";
    case Kind::Enum: return "enum";
    case Kind::Ident: return "identifier";
  }
  return "?";
}

std::string ParamSpec::allowed() const {
  switch (kind) {
    case Kind::Int: return fmt::format("an integer in [{}, {}]", min, max);
    case Kind::Bool: return "true or false";
    case Kind::Enum: return "one of: " + join(choices, ", ");
    case Kind::Ident:
      return "a Verilog identifier: a letter, then letters, digits or '_', at most 48 characters";
  }
  return "";
}

std::string ParamSpec::format(const Value& v) const {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::int64_t max,
                    std::string doc) {
  return {std::move(name), Kind::Int, def, min, max, {}, std::move(doc)};
}
ParamSpec bool_param(std::string name, bool def, std::string doc) {
  return {std::move(name), Kind::Bool, def, 0, 0, {}, std::move(doc)};
}
ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices,
                     std::string doc) {
  return {std::move(name), Kind::Enum, std::move(def), 0, 0, std::move(choices), std::move(doc)};
}
ParamSpec ident_param(std::string name, std::string def, std::string doc) {
  return {std::move(name), Kind::Ident, std::move(def), 0, 0, {}, std::move(doc)};
}

ParamSet::ParamSet(const std::vector<ParamSpec>& specs) : specs_(&specs) {
  for (const auto& s : specs) values_[s.name] = s.def;
}

const ParamSpec* ParamSet::find(std::string_view name) const {
  for (const auto& s : *specs_)
    if (s.name == name) return &s;
  return nullptr;
}

const ParamSpec& ParamSet::spec(std::string_view name) const {
  if (const auto* s = find(name)) return *s;
  throw UsageError(unknown_message(name));
}

std::string ParamSet::unknown_message(std::string_view name) const {
  std::vector<std::string> names;
  for (const auto& s : *specs_) names.push_back(s.name);
  return fmt::format("unknown parameter '{}'; allowed: {}", name, join(names, ", "));
}

void ParamSet::set(std::string_view name, const Value& v, std::string_view origin) {
  const ParamSpec& s = spec(name);
  auto bad = [&](std::string_view shown) {
    return UsageError(fmt::format("{}: parameter '{}' = {} is invalid: expected {}", origin, name,
                                  shown, s.allowed()));
  };
  switch (s.kind) {
    case Kind::Int: {
      auto* i = std::get_if<std::int64_t>(&v);
      if (!i) throw bad(s.format(v) + (std::holds_alternative<bool>(v) ? " (a bool)" : " (a string)"));
      if (*i < s.min || *i > s.max) throw bad(std::to_string(*i));
      break;
    }
    case Kind::Bool:
      if (!std::holds_alternative<bool>(v)) throw bad(s.format(v));
      break;
    case Kind::Enum: {
      auto* str = std::get_if<std::string>(&v);
      if (!str) throw bad(s.format(v));
      if (std::find(s.choices.begin(), s.choices.end(), *str) == s.choices.end())
        throw bad("'" + *str + "'");
      break;
    }
    case Kind::Ident: {
      auto* str = std::get_if<std::string>(&v);
      if (!str || !is_identifier(*str)) throw bad("'" + s.format(v) + "'");
      break;
    }
  }
  values_[s.name] = v;
}

void ParamSet::set_text(std::string_view name, std::string_view text, std::string_view origin) {
  const ParamSpec& s = spec(name);
  switch (s.kind) {
    case Kind::Int: {
      std::int64_t v = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (text.empty() || ec != std::errc() || ptr != end)
        throw UsageError(fmt::format("{}: parameter '{}' = '{}' is not an integer: expected {}",
                                     origin, name, text, s.allowed()));
      set(name, v, origin);
      return;
    }
    case Kind::Bool:
      if (text == "true" || text == "1") return set(name, true, origin);
      if (text == "false" || text == "0") return set(name, false, origin);
      throw UsageError(fmt::format("{}: parameter '{}' = '{}' is invalid: expected {}", origin,
                                   name, text, s.allowed()));
    case Kind::Enum:
    case Kind::Ident: set(name, std::string(text), origin); return;
  }
}

void ParamSet::set_assignment(std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw UsageError(fmt::format("--set '{}': expected KEY=VALUE", assignment));
  set_text(assignment.substr(0, eq), assignment.substr(eq + 1), "--set");
}

namespace {

std::string type_of(const toml::node& node) {
  std::ostringstream os;
  os << node.type();
  return os.str();
}

}  // namespace

std::string toml_family(const std::filesystem::path& file) {
  const auto t = flow::read_toml(file, "config file");
  if (const auto* f = t.get("family")) {
    if (auto s = f->value<std::string>()) return *s;
    throw UsageError(fmt::format("{}: key 'family' must be a string", file.string()));
  }
  return {};
}

void ParamSet::load_toml(const std::filesystem::path& file, std::string_view family) {
  const auto t = flow::read_toml(file, "config file");
  for (const auto& [key, node] : t) {
    const std::string origin = flow::toml_origin(file, node);
    if (key.str() == "family") {
      auto f = node.value<std::string>();
      if (!f || *f != family)
        throw UsageError(fmt::format("{}: config is for family '{}', not '{}'", origin,
                                     f.value_or("?"), family));
      continue;
    }
    if (!find(key.str())) throw UsageError(origin + ": " + unknown_message(key.str()));
    if (auto i = node.value_exact<std::int64_t>()) set(key.str(), *i, origin);
    else if (auto b = node.value_exact<bool>()) set(key.str(), *b, origin);
    else if (auto s = node.value_exact<std::string>()) set(key.str(), *s, origin);
    else
      throw UsageError(fmt::format("{}: parameter '{}' has a value of type {}: expected {}", origin,
                                   key.str(), type_of(node), spec(key.str()).allowed()));
  }
}

std::int64_t ParamSet::i(std::string_view name) const { return std::get<std::int64_t>(value(name)); }
bool ParamSet::b(std::string_view name) const { return std::get<bool>(value(name)); }
const std::string& ParamSet::s(std::string_view name) const { return std::get<std::string>(value(name)); }
const Value& ParamSet::value(std::string_view name) const {
  return values_.find(spec(name).name)->second;
}

nlohmann::ordered_json ParamSet::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& s : *specs_) {
    std::visit([&](const auto& x) { out[s.name] = x; }, value(s.name));
  }
  return out;
}

std::vector<std::string> ParamSet::as_set_flags() const {
  std::vector<std::string> out;
  for (const auto& s : *specs_) out.push_back("--set " + s.name + "=" + s.format(value(s.name)));
  return out;
}

}  // namespace qrtl::units
