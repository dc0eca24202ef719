#include "flow/verify.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <sstream>

#include "errors.hpp"
#include "flow/process.hpp"
#include "paths.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> golden_sources() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(data_path("gen/quant")))
    if (e.path().extension() == ".cpp") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

VerifyResult verify_design(const DesignDir& d, const VerifyOptions& o) {
  const std::string verilator = require_tool("verilator", "qrtl verify").string();
  require_tool("make", "qrtl verify");
  const fs::path bench = data_path("verif/tb/" + d.testbench);
  const fs::path work = d.dir / "verify";
  const fs::path obj = work / (o.waves ? "obj_fst" : "obj");
  VerifyResult res;
  res.log = work / "verify.log";
  fs::create_directories(work);
  fs::remove(res.log);

  const std::string cflags = fmt::format("-std=c++20 -O1 -I{} -I{} -I{}", d.dir.string(),
                                         data_path("gen").string(), bench.parent_path().string());
  std::vector<std::string> argv{verilator, "--cc", "--exe", "--build", "-j", std::to_string(o.jobs),
                                "--prefix", "Vdut", "--top-module", d.top, "-Mdir", obj.string(),
                                "-Wno-fatal", "-O1", "--x-assign", "unique", "--x-initial", "unique",
                                "-CFLAGS", cflags, "-MAKEFLAGS", "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1",
                                "-F", d.filelist().string(), bench.string()};
  if (o.waves) argv.push_back("--trace-fst");
  for (const auto& s : golden_sources()) argv.push_back(s);
  std::map<std::string, std::string> env;
  if (const auto ccache = find_tool("ccache"); ccache && o.use_ccache) env["OBJCACHE"] = ccache->string();
  const auto t0 = std::chrono::steady_clock::now();
  run_checked(fmt::format("Verilator build of the {} bench for {}", d.testbench, d.name), argv, work,
              res.log, env);
  res.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::string> sim{(obj / "Vdut").string(), "--vectors", std::to_string(o.vectors), "--seed",
                               std::to_string(o.seed)};
  if (o.waves) {
    sim.push_back("--fst");
    sim.push_back(fs::absolute(*o.waves).string());
  }
  const auto r = run(sim, work, res.log);
  std::istringstream is(r.output);
  std::string line;
  while (std::getline(is, line)) {
    if (line.rfind("RESULT ", 0) == 0) {
      try {
        res.result = nlohmann::json::parse(line.substr(7));
      } catch (const nlohmann::json::exception&) {
        throw ToolError(fmt::format("the bench printed a malformed RESULT line; log: {}", res.log.string()));
      }
    } else {
      res.output += line + "\n";
    }
  }
  if (res.result.is_null())
    throw ToolError(fmt::format("the bench exited {} without a RESULT line; log: {}", r.exit_code,
                                res.log.string()));
  res.pass = r.exit_code == 0 && res.result.value("status", "") == "PASS";
  res.result["build_seconds"] = res.build_seconds;
  write_text(work / "result.json", res.result.dump(2) + "\n");
  return res;
}

}  // namespace qrtl::flow
