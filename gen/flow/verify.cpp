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

// The golden-model sources the design's bench links: the ones its family names, else all of them.
std::vector<std::string> golden_sources(const DesignDir& d) {
  std::vector<std::string> out;
  for (const auto& stem : d.golden) out.push_back(data_path("gen/quant/" + stem + ".cpp").string());
  if (!out.empty()) return out;
  for (const auto& e : fs::directory_iterator(data_path("gen/quant")))
    if (e.path().extension() == ".cpp") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

fs::path build_bench(const DesignDir& d, const std::vector<std::string>& verilog,
                     const std::vector<std::string>& extra, const fs::path& obj, const fs::path& log,
                     const VerifyOptions& o) {
  const std::string verilator = require_tool("verilator", "qrtl verify").string();
  require_tool("make", "qrtl verify");
  const fs::path bench = data_path("verif/tb/" + d.testbench);
  const std::string cflags = fmt::format("-std=c++20 -O1 -I{} -I{} -I{}", d.dir.string(),
                                         data_path("gen").string(), bench.parent_path().string());
  std::vector<std::string> argv{verilator, "--cc", "--exe", "--build", "-j", std::to_string(o.jobs),
                                "--prefix", "Vdut", "--top-module", d.top, "-Mdir", obj.string(),
                                "-O1", "--x-assign", "unique", "--x-initial", "unique",
                                "-CFLAGS", cflags, "-MAKEFLAGS", "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), verilog.begin(), verilog.end());
  argv.push_back(bench.string());
  for (const auto& s : golden_sources(d)) argv.push_back(s);
  std::map<std::string, std::string> env;
  if (const auto ccache = find_tool("ccache"); ccache && o.use_ccache) env["OBJCACHE"] = ccache->string();
  run_checked(fmt::format("Verilator build of the {} bench for {}", d.testbench, d.name), argv,
              log.parent_path(), log, env);
  return obj / "Vdut";
}

BenchRun run_bench(const fs::path& binary, const std::vector<std::string>& args, const fs::path& cwd,
                   const fs::path& log) {
  std::vector<std::string> argv{binary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run(argv, cwd, log);
  BenchRun res;
  std::istringstream is(r.output);
  std::string line;
  while (std::getline(is, line)) {
    if (line.rfind("RESULT ", 0) == 0) {
      try {
        res.result = nlohmann::json::parse(line.substr(7));
      } catch (const nlohmann::json::exception&) {
        throw ToolError(fmt::format("the bench printed a malformed RESULT line; log: {}", log.string()));
      }
    } else {
      res.output += line + "\n";
    }
  }
  if (res.result.is_null())
    throw ToolError(fmt::format("the bench exited {} without a RESULT line; log: {}", r.exit_code, log.string()));
  res.pass = r.exit_code == 0 && res.result.value("status", "") == "PASS";
  return res;
}

VerifyResult verify_design(const DesignDir& d, const VerifyOptions& o) {
  const fs::path work = d.dir / "verify";
  VerifyResult res;
  res.log = work / "verify.log";
  fs::create_directories(work);
  fs::remove(res.log);

  std::vector<std::string> extra{"-Wno-fatal"};
  if (o.waves) extra.push_back("--trace-fst");
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path binary = build_bench(d, {"-F", d.filelist().string()}, extra,
                                      work / (o.waves ? "obj_fst" : "obj"), res.log, o);
  const double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::string> args{"--vectors", std::to_string(o.vectors), "--seed", std::to_string(o.seed)};
  if (o.waves) {
    args.push_back("--fst");
    args.push_back(fs::absolute(*o.waves).string());
  }
  for (const auto& kv : o.opts) args.insert(args.end(), {"--opt", kv});
  static_cast<BenchRun&>(res) = run_bench(binary, args, work, res.log);
  res.build_seconds = build;
  res.result["build_seconds"] = build;
  write_text(work / "result.json", res.result.dump(2) + "\n");
  return res;
}

}  // namespace qrtl::flow
