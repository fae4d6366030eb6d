// Invariant checks for zkinfer's own code. A failed ZKINFER_CHECK is a bug in zkinfer, never a
// consequence of user input: untrusted input (files, JSON, proof bytes, arguments) is reported
// through zkinfer::Error (common/error.h) or a verification Verdict instead.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace zkinfer::detail {
[[noreturn]] inline void check_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "zkinfer: internal invariant failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}
}  // namespace zkinfer::detail

#define ZKINFER_CHECK(cond)                                                          \
  do {                                                                               \
    if (!(cond)) [[unlikely]] ::zkinfer::detail::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)
