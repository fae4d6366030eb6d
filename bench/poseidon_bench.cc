// Poseidon over BN254's Fr: native permutations and transcript absorption, and the circuit's
// constraints per absorbed element (docs/protocol/wrap.md, "Poseidon and the field transcript").
//   build/bench/poseidon_bench
// The constraint figures are counts (deterministic), reported as counters.
#include <benchmark/benchmark.h>

#include "common/random.h"
#include "hash/poseidon.h"
#include "snark/poseidon_gadget.h"
#include "transcript/poseidon_transcript.h"

namespace {

using namespace zkinfer;
using field::Fr;

void BM_PoseidonPermutation(benchmark::State& state) {
  size_t t = static_cast<size_t>(state.range(0));
  const hash::PoseidonParams& p = hash::poseidon_params(t);
  TestRng g(1);
  std::vector<Fr> s(t);
  for (Fr& x : s) x = Fr::random(g);
  for (auto _ : state) {
    hash::poseidon_permute(p, s);
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["perm/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["constraints/perm"] = static_cast<double>(snark::poseidon_permutation_constraints(p));
}
BENCHMARK(BM_PoseidonPermutation)->Arg(3)->Arg(4)->Arg(5);

// The optimized form (sparse partial rounds): what the sponge and the transcript use.
void BM_PoseidonPermutationOptimized(benchmark::State& state) {
  size_t t = static_cast<size_t>(state.range(0));
  const hash::PoseidonOptimized& o = hash::poseidon_optimized(t);
  TestRng g(1);
  std::vector<Fr> s(t);
  for (Fr& x : s) x = Fr::random(g);
  for (auto _ : state) {
    hash::poseidon_permute_optimized(o, s);
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["perm/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PoseidonPermutationOptimized)->Arg(3)->Arg(4)->Arg(5);

// Building one permutation's constraints (witness inputs), optimized form.
void BM_PoseidonGadgetBuild(benchmark::State& state) {
  size_t t = static_cast<size_t>(state.range(0));
  TestRng g(4);
  for (auto _ : state) {
    snark::ConstraintSystem cs;
    std::vector<snark::Num> s;
    for (size_t i = 0; i < t; ++i) s.push_back(cs.witness(Fr::random(g)));
    snark::poseidon_permute(cs, hash::poseidon_optimized(t), s);
    benchmark::DoNotOptimize(cs.num_constraints());
  }
}
BENCHMARK(BM_PoseidonGadgetBuild)->Arg(3)->Arg(5);

// The native transcript absorbing 64 field elements in one absorb_many and drawing a challenge.
void BM_PoseidonTranscriptAbsorb64(benchmark::State& state) {
  size_t t = static_cast<size_t>(state.range(0));
  TestRng g(2);
  std::vector<Fr> xs(64);
  for (Fr& x : xs) x = Fr::random(g);
  for (auto _ : state) {
    transcript::PoseidonTranscript tr("bench", t);
    tr.absorb_many("xs", xs);
    benchmark::DoNotOptimize(tr.challenge("r"));
  }
  state.counters["elements/s"] = benchmark::Counter(64.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PoseidonTranscriptAbsorb64)->Arg(3)->Arg(4)->Arg(5);

// Constraints of the circuit transcript per absorbed element: n witnesses in one absorb_many, then a
// challenge (n = 64: the steady state, rate t - 1 elements per permutation); and per sumcheck
// round of degree 2 (three evaluations absorbed under one label, one challenge) and per G1 point;
// "raw:": the same with absorb_raw and squeeze (no labels, no lengths).
void BM_CircuitTranscriptConstraints(benchmark::State& state) {
  size_t t = static_cast<size_t>(state.range(0));
  TestRng g(3);
  size_t per64 = 0, per_round = 0, per_point = 0, raw_round = 0, raw_point = 0;
  for (auto _ : state) {
    {
      snark::ConstraintSystem cs;
      snark::CircuitTranscript tr(cs, "bench", t);
      tr.absorb("warm", cs.witness(Fr::random(g)));  // so no S-box of the measured part sees constants
      tr.challenge("w");
      size_t before = cs.num_constraints();
      std::vector<snark::Num> xs;
      for (int i = 0; i < 64; ++i) xs.push_back(cs.witness(Fr::random(g)));
      tr.absorb_many("xs", xs);
      tr.challenge("r");
      per64 = cs.num_constraints() - before;
      before = cs.num_constraints();
      std::vector<snark::Num> round;
      for (int i = 0; i < 3; ++i) round.push_back(cs.witness(Fr::random(g)));
      tr.absorb_many("round", round);
      tr.challenge("r");
      per_round = cs.num_constraints() - before;
      before = cs.num_constraints();
      std::array<snark::Num, 4> limbs;
      for (auto& l : limbs) l = cs.witness(Fr::random(g));
      tr.absorb_g1_limbs("P", limbs);
      tr.challenge("r");
      per_point = cs.num_constraints() - before;
      before = cs.num_constraints();
      tr.absorb_raw(round);
      tr.squeeze();
      raw_round = cs.num_constraints() - before;
      before = cs.num_constraints();
      tr.absorb_raw(std::vector<snark::Num>(limbs.begin(), limbs.end()));
      tr.squeeze();
      raw_point = cs.num_constraints() - before;
    }
  }
  state.counters["constraints/element(64)"] = static_cast<double>(per64) / 64.0;
  state.counters["constraints/round(3+chal)"] = static_cast<double>(per_round);
  state.counters["constraints/G1+chal"] = static_cast<double>(per_point);
  state.counters["raw:round(3+sq)"] = static_cast<double>(raw_round);
  state.counters["raw:G1+sq"] = static_cast<double>(raw_point);
}
BENCHMARK(BM_CircuitTranscriptConstraints)->Arg(3)->Arg(4)->Arg(5)->Iterations(3);

}  // namespace
