// One table of a cost data file, read with checks: the keys it may have and typed reads of the
// required ones. Every error is a UsageError naming FILE:LINE, the dotted key, its value and what is
// allowed. Shared by the cost models (reram_analog, memory).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "flow/toml_file.hpp"

namespace qrtl::cost {

class TomlSection {
 public:
  TomlSection(const std::filesystem::path& file, const toml::table& t, std::string path)
      : file_(file), t_(t), path_(std::move(path)) {}

  void allow(std::initializer_list<std::string_view> keys) const {
    const std::set<std::string_view> ok(keys);
    for (const auto& [k, node] : t_)
      if (!ok.count(k.str()))
        throw UsageError(fmt::format("{}: unknown key '{}': expected one of: {}", flow::toml_origin(file_, node),
                                     name(k.str()), fmt::join(keys, ", ")));
  }

  const toml::node& need(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n)
      throw UsageError(fmt::format("{}:{}: missing key '{}'", file_.string(), t_.source().begin.line, name(key)));
    return *n;
  }

  // A figure: a finite number >= 0 (integers accepted).
  double figure(std::string_view key) const {
    const auto& n = need(key);
    const auto v = n.value<double>();
    if (!v || !std::isfinite(*v) || *v < 0)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected a finite number >= 0",
                                   flow::toml_origin(file_, n), name(key), text(n)));
    return *v;
  }

  int integer(std::string_view key, int lo, int hi) const {
    const auto& n = need(key);
    const auto v = n.value_exact<std::int64_t>();
    if (!v || *v < lo || *v > hi)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected an integer in {}..{}",
                                   flow::toml_origin(file_, n), name(key), text(n), lo, hi));
    return static_cast<int>(*v);
  }

  std::string string(std::string_view key) const {
    const auto& n = need(key);
    const auto v = n.value_exact<std::string>();
    if (!v || v->find_first_not_of(" \t") == std::string::npos)
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected a non-empty string",
                                   flow::toml_origin(file_, n), name(key), text(n)));
    return *v;
  }

  std::string one_of(std::string_view key, std::initializer_list<std::string_view> allowed) const {
    const auto& n = need(key);
    const auto v = n.value_exact<std::string>();
    if (!v || std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
      throw UsageError(fmt::format("{}: '{}' = {} is invalid: expected one of: {}", flow::toml_origin(file_, n),
                                   name(key), text(n), fmt::join(allowed, ", ")));
    return *v;
  }

  // The sub-table `key`, as a section named path.key.
  TomlSection sub(std::string_view key) const {
    const auto& n = need(key);
    if (const auto* t = n.as_table()) return {file_, *t, name(key)};
    throw UsageError(fmt::format("{}: '{}' is invalid: expected a table", flow::toml_origin(file_, n), name(key)));
  }

  // The tables of an array of tables (e.g. [[family]]), each as a section named key[i].
  std::vector<TomlSection> tables(std::string_view key) const {
    const auto& n = need(key);
    const auto* arr = n.as_array();
    if (!arr || arr->empty())
      throw UsageError(fmt::format("{}: '{}' is invalid: expected a non-empty array of tables ([[{}]])",
                                   flow::toml_origin(file_, n), name(key), name(key)));
    std::vector<TomlSection> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto* t = (*arr)[i].as_table();
      if (!t)
        throw UsageError(fmt::format("{}: '{}[{}]' is invalid: expected a table", flow::toml_origin(file_, (*arr)[i]),
                                     name(key), i));
      out.emplace_back(file_, *t, fmt::format("{}[{}]", name(key), i));
    }
    return out;
  }

  const toml::table& table() const { return t_; }
  const std::filesystem::path& file() const { return file_; }
  std::string origin() const { return fmt::format("{}:{}", file_.string(), t_.source().begin.line); }
  std::string name(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  static std::string text(const toml::node& n) {
    std::ostringstream os;
    if (n.is_table()) os << "a table";
    else if (n.is_array()) os << "an array";
    else n.visit([&](const auto& v) { os << v; });
    return os.str();
  }

 private:
  std::filesystem::path file_;
  const toml::table& t_;
  std::string path_;
};

}  // namespace qrtl::cost
