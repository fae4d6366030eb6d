// The kzg batch opening's CPU (pcs::prove_batch) with today's layout, where the widest weight sets
// N, against the weight-rows layout planned in docs/protocol/kzg.md section 6 item 3 (each weight
// wider than 2^L is ONE item of 2^L dense full-width entries: its rows combined by public eq
// coefficients; N' = L), for the item shapes of mlp_digits, cnn_digits and lenet_5 (nonzero /
// padded entries of each item of the main group, as `zkinfer prove` on their kzg keys had them in
// session 15; small integers where the vector holds them), plus cp's pads' group (n = 10).
// BENCHMARKS.md "Issue 15: kzg prove speed (session 15, branch kzgprove)". Not built by CMake (its
// own main; not a Google Benchmark): from a Release build,
//   g++ -std=c++20 -O3 -march=native -fopenmp -DNDEBUG -Isrc -Ibuild/src bench/kzg_rows_layout.cc \
//       build/libzkinfer.a -o build/kzg_rows_layout && build/kzg_rows_layout build/test_pot16.ptau
#include <time.h>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>
#include "common/random.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
using namespace zkinfer;
using namespace zkinfer::pcs;
using field::Fr;
static double cpu() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static double wall() { timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
struct Item { size_t nz, size; bool dense_fr; };
static std::vector<Item> parse(const std::string& s, bool dense) {
  std::vector<Item> out; size_t a, b; const char* p = s.c_str(); int k;
  while (std::sscanf(p, "%zu/%zu%n", &a, &b, &k) == 2) { out.push_back({a, b, dense}); p += k; while (*p == ' ') ++p; }
  return out;
}
int main(int argc, char** argv) {
  const KzgParams params = KzgParams::from_ptau_file(argv[1], 16);
  TestRng rng(7);
  struct Layout { std::string name; std::vector<Item> items; };
  // From `[phase] group` lines (today) and the same with each weight wider than 2^L as one dense item of 2^L.
  std::vector<std::pair<Layout, Layout>> models = {
    {{"mlp N=12", parse("20/32 10/16 54/64 7/32 10/64 0/32 64/64 31/32 44/64 38/64 19/64 16/64 124/128 61/64 18/64 64/64 32/32 15/16 8/8 47/64 4095/4096 64/64 2048/2048 32/32 320/512 10/16", false)},
     {"mlp rows N'=10", parse("20/32 10/16 54/64 7/32 10/64 0/32 64/64 31/32 44/64 38/64 19/64 16/64 124/128 61/64 18/64 64/64 32/32 15/16 8/8 47/64 64/64 32/32 320/512 10/16", false)}},
    {{"cnn N=13", parse("18/32 10/16 65/128 12/64 59/128 9/64 126/128 61/64 263/512 176/512 194/512 126/512 315/512 244/512 509/512 508/512 537/1024 320/1024 495/1024 256/1024 494/1024 271/1024 1017/1024 1015/1024 18/64 64/64 32/32 3/16 128/128 64/64 144/256 16/16 4608/8192 32/32 8192/8192 64/64 640/1024 10/16", false)},
     {"cnn rows N'=10", parse("18/32 10/16 65/128 12/64 59/128 9/64 126/128 61/64 263/512 176/512 194/512 126/512 315/512 244/512 509/512 508/512 537/1024 320/1024 495/1024 256/1024 494/1024 271/1024 1017/1024 1015/1024 18/64 64/64 32/32 3/16 128/128 64/64 144/256 16/16 32/32 64/64 640/1024 10/16", false)}},
    {{"lenet N=16", parse("20/32 10/16 82/128 84/128 165/256 84/128 118/128 120/128 238/256 117/128 397/1024 400/1024 292/1024 400/1024 1600/4096 1600/4096 1600/4096 1596/4096 1594/4096 1167/2048 1176/2048 884/2048 1176/2048 4363/8192 4704/8192 4704/8192 4704/8192 4692/8192 4686/8192 1016/1024 1024/1024 64/64 32/32 128/128 8/8 256/256 328/2048 512/512 693/8192 150/512 6/8 2400/8192 16/16 47998/65536 120/128 10080/16384 84/128 840/2048 10/16", false)},
     {"lenet rows N'=13", parse("20/32 10/16 82/128 84/128 165/256 84/128 118/128 120/128 238/256 117/128 397/1024 400/1024 292/1024 400/1024 1600/4096 1600/4096 1600/4096 1596/4096 1594/4096 1167/2048 1176/2048 884/2048 1176/2048 4363/8192 4704/8192 4704/8192 4704/8192 4692/8192 4686/8192 1016/1024 1024/1024 64/64 32/32 128/128 8/8 256/256 328/2048 512/512 693/8192 150/512 6/8 2400/8192 16/16 120/128 84/128 840/2048 10/16", false)}},
  };
  // The rows layouts' combined weights: dense full-width items of 2^L.
  models[0].second.items.push_back({1024, 1024, true}); models[0].second.items.push_back({1024, 1024, true});
  models[1].second.items.push_back({1024, 1024, true}); models[1].second.items.push_back({1024, 1024, true});
  models[2].second.items.push_back({8192, 8192, true}); models[2].second.items.push_back({8192, 8192, true});
  auto run = [&](const Layout& L) {
    size_t n = 0;
    for (const auto& it : L.items) n = std::max(n, (size_t)__builtin_ctzll(it.size));
    std::deque<std::vector<Fr>> vals; std::deque<KzgCommitment> coms; std::deque<KzgBlinds> bl;
    std::vector<KzgOpeningWitness> w;
    std::vector<Fr> point(n); for (auto& x : point) x = Fr::random(rng);
    for (const auto& it : L.items) {
      std::vector<Fr> v(it.size, Fr::zero());
      for (size_t i = 0; i < it.nz; ++i) v[i] = it.dense_fr ? Fr::random(rng) : Fr::from_u64(1 + rng.next_u64() % 255);
      vals.push_back(std::move(v));
      coms.push_back({(uint32_t)n, params.g1()}); bl.push_back({Fr::random(rng)});
      w.push_back({&coms.back(), &bl.back(), vals.back(), point, ProverClaim::plain(Fr::zero())});
    }
    // cp's pads: a second group, n = 10.
    std::vector<Fr> pad(1024); for (auto& x : pad) x = Fr::random(rng);
    vals.push_back(pad); coms.push_back({10, params.g1()}); bl.push_back({Fr::random(rng)});
    std::vector<Fr> pp(10); for (auto& x : pp) x = Fr::random(rng);
    w.push_back({&coms.back(), &bl.back(), vals.back(), pp, ProverClaim::plain(Fr::zero())});
    transcript::Transcript tr("rows_bench", transcript::Encoding::kV2);
    const double c0 = cpu(), w0 = wall();
    auto proof = prove_batch(params, w, tr, random_fr(rng));
    const double c = cpu() - c0, ww = wall() - w0;
    char l[16]; FILE* f = std::fopen("/proc/loadavg", "r"); std::fscanf(f, "%15s", l); std::fclose(f);
    std::printf("%-18s N=%2zu items %2zu  prove_batch cpu %.3f s wall %.3f s  load %s\n", L.name.c_str(), n, w.size(), c, ww, l);
    std::fflush(stdout);
  };
  for (int round = 0; round < 3; ++round)
    for (const auto& [a, b] : models) { run(a); run(b); }
}
