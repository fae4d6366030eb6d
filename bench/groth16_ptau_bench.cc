// Groth16 phase 1 from a powers-of-tau file (snark::groth16_setup_ptau, `zkinfer wrap-setup
// --srs`): the setup of a circuit whose domain is 2^k from a prepared file (the Lagrange sections
// 12-15 read and checked against the powers, pcs::verify_ptau_lagrange) and from the same file
// read without them (the group inverse NTTs, lagrange_g1 / lagrange_g2), with the read and the
// setup timed apart; the two keys must be byte-identical (same randomness). The file is the
// TEST-ONLY one of `zkinfer insecure-test-ptau` (pcs/ptau_writer.h), written first (timed).
// Figures in BENCHMARKS.md ("Issue 15: session 22, Lagrange sections").
//   build/bench/groth16_ptau_bench                          (k = 17, both paths: minutes on 2 cores)
//   build/bench/groth16_ptau_bench --benchmark_filter=/1$   (the prepared path only)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "common/random.h"
#include "pcs/ptau_writer.h"
#include "snark/groth16.h"
#include "snark/groth16_test_circuit.h"

namespace {
using namespace zkinfer;
using namespace zkinfer::snark;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The TEST-ONLY prepared file of power k (written once, removed at exit) and the circuit.
struct Case {
  std::string path;
  double write_s = 0;
  ConstraintSystem dummy;
  std::vector<uint8_t> key_prepared, key_plain;
  ~Case() { std::remove(path.c_str()); }
};

Case& get(unsigned k) {
  static std::map<unsigned, std::unique_ptr<Case>> cache;
  auto& c = cache[k];
  if (!c) {
    c = std::make_unique<Case>();
    c->path = "/tmp/zkinfer_groth16_ptau_bench_" + std::to_string(k) + ".ptau";
    const auto t = std::chrono::steady_clock::now();
    pcs::write_insecure_test_ptau_file(c->path, k, pcs::insecure_test_ptau_secrets("groth16_ptau_bench"));
    c->write_s = seconds_since(t);
    build_test_circuit(c->dummy, Fr::zero(), (size_t{1} << k) - 16, 4, 1);
  }
  return *c;
}

// range(0) = k, range(1) = 1: the prepared path, 0: the fallback.
void BM_SetupPtau(benchmark::State& s) {
  const unsigned k = static_cast<unsigned>(s.range(0));
  const bool prepared = s.range(1) != 0;
  Case& c = get(k);
  if (groth16_log_domain(c.dummy) != k) s.SkipWithError("the circuit's domain is not 2^k");
  double read_s = 0, setup_s = 0;
  for (auto _ : s) {
    pcs::PtauOptions o = groth16_ptau_options(c.dummy);
    if (!prepared) o.lagrange_power.reset();
    auto t = std::chrono::steady_clock::now();
    const pcs::Ptau ptau = pcs::read_ptau(c.path, o);
    read_s = seconds_since(t);
    if (ptau.lagrange.has_value() != prepared) s.SkipWithError("the Lagrange points were (not) read");
    TestRng rng(42);
    t = std::chrono::steady_clock::now();
    const auto pk = groth16_setup_ptau(c.dummy, ptau, [&rng] { return Fr::random(rng); });
    setup_s = seconds_since(t);
    (prepared ? c.key_prepared : c.key_plain) = groth16_pk_to_bytes(pk);
  }
  if (!c.key_prepared.empty() && !c.key_plain.empty() && c.key_prepared != c.key_plain)
    s.SkipWithError("the prepared and unprepared paths gave different keys");
  s.counters["write_ptau_s"] = c.write_s;
  s.counters["read_s"] = read_s;
  s.counters["setup_s"] = setup_s;
  s.counters["constraints"] = static_cast<double>(c.dummy.num_constraints());
}
BENCHMARK(BM_SetupPtau)->Args({17, 1})->Args({17, 0})->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
