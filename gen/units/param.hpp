// Parameter declarations: one table per family drives parsing (TOML, --set), validation,
// `qrtl list`, params.json, the emitted testbench header and the docs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace qrtl::units {

using Value = std::variant<std::int64_t, bool, std::string>;

enum class Kind { Int, Bool, Enum, Ident };

struct ParamSpec {
  std::string name;
  Kind kind = Kind::Int;
  Value def;
  std::int64_t min = 0, max = 0;        // Int only
  std::vector<std::string> choices;     // Enum only
  std::string doc;

  std::string type_name() const;        // "int", "bool", "enum", "identifier"
  std::string allowed() const;          // "an integer in [1, 64]", "one of: wrap, saturate", ...
  std::string format(const Value& v) const;
};

ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::int64_t max,
                    std::string doc);
ParamSpec bool_param(std::string name, bool def, std::string doc);
ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices,
                     std::string doc);
ParamSpec ident_param(std::string name, std::string def, std::string doc);

// Values of one family's parameters, always complete (defaults filled in) and each within its
// declared range. Cross-parameter rules are the family's validate().
class ParamSet {
 public:
  explicit ParamSet(const std::vector<ParamSpec>& specs);

  // `origin` says where the value came from ("--set", "configs/x.toml:3") for error messages.
  void set(std::string_view name, const Value& v, std::string_view origin);
  void set_text(std::string_view name, std::string_view text, std::string_view origin);
  void set_assignment(std::string_view assignment);   // "key=value" from --set
  void load_toml(const std::filesystem::path& file, std::string_view family);

  std::int64_t i(std::string_view name) const;
  bool b(std::string_view name) const;
  const std::string& s(std::string_view name) const;
  const Value& value(std::string_view name) const;

  const std::vector<ParamSpec>& specs() const { return *specs_; }
  const ParamSpec& spec(std::string_view name) const;
  nlohmann::ordered_json to_json() const;            // ordered as declared
  std::vector<std::string> as_set_flags() const;     // "--set k=v" reproducing every value

 private:
  const ParamSpec* find(std::string_view name) const;
  std::string unknown_message(std::string_view name) const;
  const std::vector<ParamSpec>* specs_;
  std::map<std::string, Value, std::less<>> values_;
};

// Binds a family's typed parameter struct to its declarations, so each parameter is named once:
// the spec (name, default, range, doc) and the struct member it fills.
template <class P>
class ParamTable {
 public:
  using Member = std::variant<int P::*, bool P::*, std::string P::*>;

  ParamTable& add(ParamSpec spec, Member member) {
    specs_.push_back(std::move(spec));
    members_.push_back(member);
    return *this;
  }
  const std::vector<ParamSpec>& specs() const { return specs_; }

  P bind(const ParamSet& ps) const {
    P p{};
    for (std::size_t k = 0; k < specs_.size(); ++k) {
      const auto& name = specs_[k].name;
      std::visit(
          [&](auto m) {
            using T = std::remove_reference_t<decltype(p.*m)>;
            if constexpr (std::is_same_v<T, int>) p.*m = static_cast<int>(ps.i(name));
            else if constexpr (std::is_same_v<T, bool>) p.*m = ps.b(name);
            else p.*m = ps.s(name);
          },
          members_[k]);
    }
    return p;
  }

 private:
  std::vector<ParamSpec> specs_;
  std::vector<Member> members_;
};

// Reads the "family" key of a TOML config (empty if absent).
std::string toml_family(const std::filesystem::path& file);

}  // namespace qrtl::units
