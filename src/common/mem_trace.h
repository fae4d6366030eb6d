// Memory trace at phase boundaries (ZKINFER_MEM_TRACE=1): one line on stderr per call with the
// process's resident set (VmRSS), its peak so far (VmHWM), the heap's bytes in use and free
// (mallinfo2) and the seconds since the first call. Off (one getenv, cached) unless the variable is
// set; for profiling large proofs (BENCHMARKS.md, GPT-2's peak memory).
#pragma once

namespace zkinfer {

bool mem_trace_on();
void mem_trace(const char* what);

}  // namespace zkinfer
