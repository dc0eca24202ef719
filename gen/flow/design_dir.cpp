#include "flow/design_dir.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "flow/process.hpp"
#include "units/family.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

DesignDir load_design(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UsageError(fmt::format("'{}' is not a folder; expected a design folder made by qrtl generate",
                                 dir.string()));
  const fs::path manifest = dir / "params.json";
  if (!fs::is_regular_file(manifest, ec))
    throw UsageError(fmt::format("'{}' is not a qrtl design folder: it has no params.json "
                                 "(make one with qrtl generate)",
                                 dir.string()));
  DesignDir d;
  d.dir = fs::absolute(dir).lexically_normal();
  try {
    d.manifest = nlohmann::json::parse(read_text(manifest));
    if (d.manifest.at("format").get<int>() != 1)
      throw UsageError(fmt::format("{}: unsupported format {}; this qrtl reads format 1",
                                   manifest.string(), d.manifest.at("format").dump()));
    d.family = d.manifest.at("family").get<std::string>();
    d.name = d.manifest.at("name").get<std::string>();
    d.top = d.manifest.at("top").get<std::string>();
    d.testbench = d.manifest.at("testbench").get<std::string>();
    d.golden = d.manifest.value("golden", std::vector<std::string>{});
    for (const auto& m : d.manifest.at("modules")) d.rtl.push_back(d.dir / m.at("file").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{} is damaged: {}; regenerate the design", manifest.string(), e.what()));
  }
  for (const auto& f : d.rtl)
    if (!fs::is_regular_file(f, ec))
      throw UsageError(fmt::format("design folder '{}' lacks '{}' listed in params.json; regenerate it",
                                   dir.string(), f.string()));
  return d;
}

units::ParamSet params_of(const DesignDir& d) {
  units::ParamSet ps(units::find_family(d.family).specs());
  const std::string origin = (d.dir / "params.json").string();
  for (const auto& [k, v] : d.manifest.at("params").items())
    ps.set_text(k, v.is_string() ? v.get<std::string>() : v.dump(), origin);
  return ps;
}

}  // namespace qrtl::flow
