// Runs a shell command for the tests that drive external tools (node, snarkjs, the CLI): its exit
// code and its output (stdout and stderr together).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace zkinfer::testing {

struct ShellResult {
  int code = -1;
  std::string out;
};

inline ShellResult sh(const std::string& cmd) {
  ShellResult r;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
  const int st = pclose(f);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace zkinfer::testing
