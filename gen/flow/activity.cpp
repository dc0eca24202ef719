#include "flow/activity.hpp"

#include <fmt/format.h>
#include <sstream>

#include "errors.hpp"
#include "flow/process.hpp"

namespace qrtl::flow {

std::map<std::string, std::uint64_t> read_toggle_counts(const std::filesystem::path& coverage,
                                                        const std::string& top) {
  // Each point: C '<\1key\2value...>' count; toggle points of the top module have
  // page = v_toggle/<top> and o = the signal bit.
  std::map<std::string, std::uint64_t> out;
  std::istringstream is(read_text(coverage));
  std::string line;
  const std::string page = "v_toggle/" + top;
  while (std::getline(is, line)) {
    if (line.rfind("C '", 0) != 0) continue;
    const auto close = line.rfind('\'');
    if (close == std::string::npos || close < 3) continue;
    const std::string keys = line.substr(3, close - 3);
    std::map<std::string, std::string> kv;
    std::size_t pos = 0;
    while ((pos = keys.find('\1', pos)) != std::string::npos) {
      const auto sep = keys.find('\2', pos);
      const auto next = keys.find('\1', pos + 1);
      if (sep == std::string::npos) break;
      kv[keys.substr(pos + 1, sep - pos - 1)] = keys.substr(sep + 1, (next == std::string::npos ? keys.size() : next) - sep - 1);
      pos = sep;
    }
    if (kv["page"] != page) continue;
    out[kv["o"]] += std::stoull(line.substr(close + 1));
  }
  if (out.empty())
    throw ToolError(fmt::format("no toggle coverage for module {} in {}", top, coverage.string()));
  return out;
}

}  // namespace qrtl::flow
