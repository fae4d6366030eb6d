#include "common/mem_trace.h"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace zkinfer {

namespace {

// VmRSS and VmHWM of /proc/self/status, in kB (0 where unreadable).
void read_status(long* rss_kb, long* hwm_kb) {
  *rss_kb = *hwm_kb = 0;
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) *rss_kb = std::strtol(line + 6, nullptr, 10);
    if (std::strncmp(line, "VmHWM:", 6) == 0) *hwm_kb = std::strtol(line + 6, nullptr, 10);
  }
  std::fclose(f);
}

}  // namespace

bool mem_trace_on() {
  static const bool on = [] {
    const char* v = std::getenv("ZKINFER_MEM_TRACE");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
}

void mem_trace(const char* what) {
  if (!mem_trace_on()) return;
  static const auto t0 = std::chrono::steady_clock::now();
  long rss = 0, hwm = 0;
  read_status(&rss, &hwm);
  const struct mallinfo2 mi = mallinfo2();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "[mem] %8.1f s  rss %7.0f MiB  peak %7.0f MiB  heap used %7.0f MiB  free %7.0f MiB  mmap %6.0f MiB  %s\n", s,
               rss / 1024.0, hwm / 1024.0, mi.uordblks / 1048576.0, mi.fordblks / 1048576.0, mi.hblkhd / 1048576.0, what);
  std::fflush(stderr);
}

}  // namespace zkinfer
