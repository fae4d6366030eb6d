// zkinfer command-line front end: parses arguments, runs the chosen subcommand, and turns every
// error into a message "zkinfer: error: ..." and exit code 2 (never a crash).
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <iostream>
#include <new>

#include "commands.h"
#include "common/error.h"

int main(int argc, char** argv) {
  // libgomp's default (active) wait policy spins idle workers; with more runnable threads than
  // cores (any busy machine) a spinning worker takes the core the main thread needs, costing up to
  // 4x on small proofs (BENCHMARKS.md, "Prover speed, session 2"). libgomp reads the policy only
  // when it loads, so the first run sets it and re-executes itself once. A policy the user set is
  // kept; ZKINFER_NO_REEXEC=1 disables this.
  //
  // The same re-execution asks glibc (2.35+; older ones ignore it) to back the heap with
  // transparent huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1, read only at startup; appended to
  // the user's tunables unless they set hugetlb): a proof first-touches hundreds of MB of Fr
  // vectors, and 4 KiB pages cost a page fault each (14 % of mobilenet_v2's prove CPU time) and TLB
  // misses; with huge pages its prove took 4.5-4.9 instead of 5.9-6.6 CPU s (BENCHMARKS.md, "Issue
  // 13: mobilenet_v2 prove", 2026-12-06).
  // Either setting missing triggers the one re-execution (after it both are set).
  const char* tun = std::getenv("GLIBC_TUNABLES");
  const bool need_policy = std::getenv("OMP_WAIT_POLICY") == nullptr;
  const bool need_huge = tun == nullptr || std::strstr(tun, "glibc.malloc.hugetlb") == nullptr;
  if ((need_policy || need_huge) && std::getenv("ZKINFER_NO_REEXEC") == nullptr) {
    if (need_policy) setenv("OMP_WAIT_POLICY", "passive", 1);
    if (need_huge)
      setenv("GLIBC_TUNABLES", tun == nullptr || *tun == '\0' ? "glibc.malloc.hugetlb=1" : (std::string(tun) + ":glibc.malloc.hugetlb=1").c_str(), 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then run with the default settings
  }
  // A proof allocates and frees large Fr vectors many times (lookup witnesses, fraction-tree
  // levels, sumcheck buffers, tables of committed vectors). Above glibc's mmap threshold each one
  // is mapped fresh and unmapped on free, so every reuse page-faults and is zeroed again by the
  // kernel (17 % of mobilenet_v2's prove CPU time in perf; BENCHMARKS.md, "Issue 13: mobilenet_v2
  // prove", 2026-12-06). Serve them from the heap and keep up to 1 GiB of freed memory for reuse
  // instead; the peak stays about the same (it is the peak of what is live: 542 vs 522 MB there).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  CLI::App app{"zkinfer: zero-knowledge proofs of neural-network inference"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "zkinfer 0.1.0");
  zkinfer::cli::Action action;
  zkinfer::cli::register_compile(app, action);
  zkinfer::cli::register_run(app, action);
  zkinfer::cli::register_inspect(app, action);
  zkinfer::cli::register_setup(app, action);
  zkinfer::cli::register_prove(app, action);
  zkinfer::cli::register_verify(app, action);
  zkinfer::cli::register_bench(app, action);
  zkinfer::cli::register_encode_evm(app, action);
  zkinfer::cli::register_create_evm(app, action);
  zkinfer::cli::register_test_ptau(app, action);
  zkinfer::cli::register_wrap(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!action) {
    std::cout << app.help();
    return 0;
  }
  try {
    return action();
  } catch (const zkinfer::Error& e) {
    std::cerr << "zkinfer: error: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << "zkinfer: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "zkinfer: error: " << e.what() << "\n";
  }
  return 2;
}
