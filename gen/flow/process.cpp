#include "flow/process.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.hpp"

namespace qrtl::flow {

namespace fs = std::filesystem;

std::optional<fs::path> find_tool(const std::string& tool) {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      const fs::path p = fs::path(dir.empty() ? "." : dir) / tool;
      if (::access(p.c_str(), X_OK) == 0) return p;
    }
  }
  return std::nullopt;
}

fs::path require_tool(const std::string& tool, const std::string& needed_by) {
  if (auto p = find_tool(tool)) return *p;
  throw ToolError(fmt::format("{} not found on PATH (needed by {}); install it with "
                              "scripts/install-deps.sh",
                              tool, needed_by));
}

RunResult run(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& log,
              const std::map<std::string, std::string>& env) {
  fs::create_directories(log.parent_path());
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw ToolError(fmt::format("pipe: {}", std::strerror(errno)));
  const pid_t pid = ::fork();
  if (pid < 0) throw ToolError(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    if (::chdir(cwd.c_str()) != 0) _exit(126);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(pipefd[1]);
  RunResult r;
  std::array<char, 65536> buf{};
  ssize_t n;
  while ((n = ::read(pipefd[0], buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) r.output.append(buf.data(), static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

  std::ofstream os(log, std::ios::app);
  os << "$";
  for (const auto& a : argv) os << " " << a;
  os << "\n" << r.output << "[exit " << r.exit_code << "]\n";
  return r;
}

RunResult run_checked(const std::string& what, const std::vector<std::string>& argv,
                      const fs::path& cwd, const fs::path& log,
                      const std::map<std::string, std::string>& env) {
  auto r = run(argv, cwd, log, env);
  if (r.exit_code != 0) {
    // The last few lines usually name the problem; the full output stays in the log.
    std::string tail = r.output;
    std::size_t pos = tail.size();
    for (int lines = 0; lines < 12 && pos > 0; ++lines) pos = tail.rfind('\n', pos - 1);
    if (pos != std::string::npos && pos > 0) tail = tail.substr(pos + 1);
    throw ToolError(fmt::format("{} failed (exit {}); full log: {}\n{}", what, r.exit_code,
                                log.string(), tail));
  }
  return r;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw ToolError(fmt::format("cannot read '{}'", p.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) {
  std::error_code ec;
  if (!p.parent_path().empty()) fs::create_directories(p.parent_path(), ec);
  if (ec) throw ToolError(fmt::format("cannot write '{}': {}", p.string(), ec.message()));
  std::ofstream os(p, std::ios::binary);
  os << text;
  os.close();
  if (!os) throw ToolError(fmt::format("cannot write '{}'", p.string()));
}

}  // namespace qrtl::flow
