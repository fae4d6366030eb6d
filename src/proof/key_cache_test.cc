// The verified-key cache (proof/key_cache.h): a key is checked in full once, recorded, and found
// again; a changed key never hits another key's entry; an entry whose content is not the key's
// record is a miss; no directory means no cache; and the cache is trusted (a poisoned entry makes
// the verifier skip the range proof of that exact key: the documented trust model), which also shows
// that a hit really skips the range proof. The kzg proving key's powers cache (PowersCheckCache):
// the same properties for KzgParams::read_powers' pairing check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/bytes.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "proof/key_cache.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

namespace fs = std::filesystem;
using testing::seed_note;
using testing::test_seed;

struct Fixture {
  quant::CompiledModel model;
  std::vector<graph::Sample> samples;
  VerifyingKey vk;
};

const Fixture& mlp() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    const std::string dir = std::string(ZKINFER_SOURCE_DIR) + "/examples/mlp_digits/";
    graph::Graph g = graph::load_onnx_file(dir + "model.onnx");
    x->samples = graph::parse_samples(graph::read_text(dir + "input.json"), "input.json", g);
    x->model = quant::quantize(std::move(g), x->samples, ops::QuantConfig{});
    x->vk = setup(x->model);
    return x;
  }();
  return *f;
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("zkinfer_key_cache_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

std::string hex(std::span<const uint8_t> b) {
  std::string s;
  for (uint8_t x : b) {
    static const char* d = "0123456789abcdef";
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// The honest record of `from` rewritten to name `to` (what only someone writing the directory by
// hand could make for a key that never passed).
std::string forged_record(const std::string& rec_of_from, const VerifyingKey& from, const VerifyingKey& to) {
  std::string rec = rec_of_from;
  auto sub = [&](const std::string& a, const std::string& b) {
    const size_t at = rec.find(a);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) rec.replace(at, a.size(), b);
  };
  sub(hex(from.digest()), hex(to.digest()));
  sub("model " + hex(from.model_digest), "model " + hex(to.model_digest));
  return rec;
}

// A key that differs from the honest one only in its weight range proof's bytes (one byte
// changed): check_key rejects it.
VerifyingKey tampered(const VerifyingKey& vk) {
  VerifyingKey t = vk;
  EXPECT_GT(t.weight_bounds.size(), 200u);
  t.weight_bounds[t.weight_bounds.size() / 2] ^= 0x40;
  return t;
}

TEST(KeyCache, CheckedOnceThenFoundAndTheProofStillVerifies) {
  const Fixture& f = mlp();
  const fs::path dir = fresh_dir("honest");
  KeyCheck a = check_key_cached(f.model, f.vk, dir);
  ASSERT_TRUE(a.verdict.ok()) << a.verdict.reason();
  EXPECT_FALSE(a.cached);
  EXPECT_TRUE(a.recorded);
  EXPECT_TRUE(fs::exists(dir / key_cache_entry_name(f.vk)));
  KeyCheck b = check_key_cached(f.model, f.vk, dir);
  ASSERT_TRUE(b.verdict.ok()) << b.verdict.reason();
  EXPECT_TRUE(b.cached);
  EXPECT_FALSE(b.recorded);
  // Only the entry was written (no temporary file left behind).
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  EXPECT_EQ(n, 1u);
  // A proof verifies after the cached key check; a changed proof is still rejected.
  SecureRng rng;
  auto trace = quant::run_int(f.model, quant::quantize_inputs(f.model, graph::make_inputs(f.model.graph, f.samples[0].inputs, "in")));
  auto proof = prove(f.model, f.vk, trace, pcs::random_fr(rng));
  EXPECT_TRUE(verify(f.model, f.vk, proof).ok());
  proof[proof.size() - 40] ^= 1;
  EXPECT_FALSE(verify(f.model, f.vk, proof).ok());
  fs::remove_all(dir);
}

TEST(KeyCache, AChangedKeyNeverHitsAndIsRejected) {
  const Fixture& f = mlp();
  const fs::path dir = fresh_dir("changed");
  ASSERT_TRUE(check_key_cached(f.model, f.vk, dir).verdict.ok());
  const VerifyingKey t = tampered(f.vk);
  EXPECT_NE(key_cache_entry_name(t), key_cache_entry_name(f.vk));
  KeyCheck c = check_key_cached(f.model, t, dir);
  EXPECT_FALSE(c.cached);
  EXPECT_FALSE(c.recorded);
  ASSERT_FALSE(c.verdict.ok());
  EXPECT_NE(c.verdict.reason().find("weight range proof"), std::string::npos) << c.verdict.reason();
  EXPECT_FALSE(fs::exists(dir / key_cache_entry_name(t)));
  // Asked again: still a miss, still rejected (a rejection is never recorded).
  KeyCheck d = check_key_cached(f.model, t, dir);
  EXPECT_FALSE(d.cached);
  EXPECT_FALSE(d.verdict.ok());
  // The honest entry renamed to the changed key's name: its content names the honest key, so it is
  // a miss too.
  fs::copy_file(dir / key_cache_entry_name(f.vk), dir / key_cache_entry_name(t));
  KeyCheck e = check_key_cached(f.model, t, dir);
  EXPECT_FALSE(e.cached);
  EXPECT_FALSE(e.verdict.ok());
  fs::remove_all(dir);
}

TEST(KeyCache, TheCacheIsTrustedForItsOwnKeyOnly) {
  const Fixture& f = mlp();
  const fs::path dir = fresh_dir("poisoned");
  // A correct entry for the honest key, used as the template of a poisoned one: whoever can write
  // the directory can vouch for a key (the trust model); the hit then skips the range proof, which
  // is what makes a hit cheap.
  ASSERT_TRUE(check_key_cached(f.model, f.vk, dir).verdict.ok());
  std::string honest;
  {
    std::ifstream in(dir / key_cache_entry_name(f.vk));
    honest.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const VerifyingKey t = tampered(f.vk);
  EXPECT_FALSE(check_key(f.model, t).ok());
  std::ofstream(dir / key_cache_entry_name(t)) << forged_record(honest, f.vk, t);
  KeyCheck p = check_key_cached(f.model, t, dir);
  EXPECT_TRUE(p.cached);
  EXPECT_TRUE(p.verdict.ok()) << "a hit skips the range proof (the cache is trusted)";
  // Other checks still run on a hit: a key for another model is rejected even with its entry.
  VerifyingKey foreign = f.vk;
  foreign.model_digest[0] ^= 1;
  ASSERT_TRUE(check_key_cached(f.model, foreign, fs::path()).verdict.ok() == false);
  std::ofstream(dir / key_cache_entry_name(foreign)) << forged_record(honest, f.vk, foreign);
  EXPECT_FALSE(check_key_cached(f.model, foreign, dir).verdict.ok());
  fs::remove_all(dir);
}

TEST(KeyCache, DefaultDirectoryFollowsTheEnvironment) {
  ::setenv("ZKINFER_KEY_CACHE", "/tmp/some/where", 1);
  EXPECT_EQ(default_key_cache_dir(), fs::path("/tmp/some/where"));
  ::setenv("ZKINFER_KEY_CACHE", "", 1);
  EXPECT_TRUE(default_key_cache_dir().empty());
  ::unsetenv("ZKINFER_KEY_CACHE");
  ::setenv("XDG_CACHE_HOME", "/x", 1);
  EXPECT_EQ(default_key_cache_dir(), fs::path("/x/zkinfer/verified-keys"));
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/h", 1);
  EXPECT_EQ(default_key_cache_dir(), fs::path("/h/.cache/zkinfer/verified-keys"));
}

// The kzg proving key's powers, as a pk file holds them, and the verifier part they are read against.
struct PowersFixture {
  pcs::KzgParams params, verifier;
  std::vector<uint8_t> bytes;
};

pcs::KzgParams verifier_of(const pcs::KzgParams& p) {
  ByteWriter vw;
  p.serialize_verifier(vw);
  ByteReader vr(vw.data());
  return pcs::KzgParams::deserialize_verifier(vr, p.form());
}

PowersFixture powers_fixture() {
  TestRng rng(test_seed() + 7);
  pcs::KzgParams p = pcs::KzgParams::insecure_from_secrets(field::Fr::random(rng), field::Fr::random(rng), 6);
  ByteWriter w;
  p.serialize_powers(w);
  pcs::KzgParams v = verifier_of(p);
  return PowersFixture{std::move(p), std::move(v), w.take()};
}

// One power replaced by another valid point (x, y of power i at 8 + 64 i): only the pairing check
// catches it.
std::vector<uint8_t> changed_power(const PowersFixture& f, size_t i) {
  std::vector<uint8_t> b = f.bytes;
  const auto q = (curve::G1(f.params.powers()[i]) + curve::G1::generator()).to_affine();
  const auto x = q.x.to_bytes(), y = q.y.to_bytes();
  std::copy(x.begin(), x.end(), b.begin() + 8 + 64 * static_cast<std::ptrdiff_t>(i));
  std::copy(y.begin(), y.end(), b.begin() + 8 + 64 * static_cast<std::ptrdiff_t>(i) + 32);
  return b;
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// Checked in full once and recorded; the second load is vouched for by the cache and gives the
// same powers as the full check (differential); without a directory nothing is cached or written.
TEST(PowersCache, CheckedOnceThenFoundWithTheSamePowers) {
  SCOPED_TRACE(seed_note());
  const PowersFixture f = powers_fixture();
  const fs::path dir = fresh_dir("powers");
  const PowersCheckCache cache(dir);
  bool cached = true;
  ByteReader r1(f.bytes);
  const pcs::KzgParams a = pcs::KzgParams::read_powers(f.verifier, r1, &cache, &cached);
  EXPECT_FALSE(cached);
  EXPECT_EQ(entries(dir), 1u);
  ByteReader r2(f.bytes);
  const pcs::KzgParams b = pcs::KzgParams::read_powers(f.verifier, r2, &cache, &cached);
  EXPECT_TRUE(cached);
  r2.expect_end();
  ASSERT_EQ(a.powers().size(), f.params.powers().size());
  ASSERT_EQ(b.powers().size(), f.params.powers().size());
  for (size_t i = 0; i < a.powers().size(); ++i) {
    EXPECT_EQ(a.powers()[i], f.params.powers()[i]);
    EXPECT_EQ(b.powers()[i], f.params.powers()[i]);
  }
  EXPECT_EQ(entries(dir), 1u);
  // No directory: a full check each time, nothing recorded.
  const PowersCheckCache none{fs::path()};
  ByteReader r3(f.bytes);
  (void)pcs::KzgParams::read_powers(f.verifier, r3, &none, &cached);
  EXPECT_FALSE(cached);
  fs::remove_all(dir);
}

// Changed powers are another digest: with the honest powers recorded they are still checked and
// rejected, and nothing is recorded for them; an entry of the right name with other content is a
// miss; a record written by hand for the changed powers (the trust model: whoever writes the
// directory) makes the load skip the pairing check, which shows a hit really skips it.
TEST(PowersCache, ChangedPowersNeverHitAndAreRejected) {
  SCOPED_TRACE(seed_note());
  const PowersFixture f = powers_fixture();
  const fs::path dir = fresh_dir("powers_changed");
  const PowersCheckCache cache(dir);
  ByteReader r0(f.bytes);
  (void)pcs::KzgParams::read_powers(f.verifier, r0, &cache);
  ASSERT_EQ(entries(dir), 1u);
  const std::vector<uint8_t> bad = changed_power(f, 5);
  bool cached = true;
  try {
    ByteReader r(bad);
    (void)pcs::KzgParams::read_powers(f.verifier, r, &cache, &cached);
    ADD_FAILURE() << "changed powers were accepted";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("not consecutive powers"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(cached);
  EXPECT_EQ(entries(dir), 1u);
  // The changed powers' entry name, holding something else: a miss (and rejected).
  const uint64_t head = (uint64_t{1} << 63) | f.params.powers().size();
  const auto bad_digest =
      pcs::KzgParams::powers_digest(f.verifier, head, std::span<const uint8_t>(bad).subspan(8));
  const fs::path entry = dir / PowersCheckCache::entry_name(bad_digest);
  {
    std::ofstream o(entry);
    o << "zkinfer checked kzg powers v1\npowers 00\n";
  }
  {
    ByteReader r(bad);
    EXPECT_THROW((void)pcs::KzgParams::read_powers(f.verifier, r, &cache, &cached), DecodeError);
  }
  // The honest record's content rewritten to the changed powers' digest: trusted.
  {
    std::ofstream o(entry);
    o << "zkinfer checked kzg powers v1\npowers " << hex(bad_digest) << "\n";
  }
  {
    ByteReader r(bad);
    (void)pcs::KzgParams::read_powers(f.verifier, r, &cache, &cached);
    EXPECT_TRUE(cached);
  }
  // Every other check is still made on a hit: a point off the curve is rejected whatever the cache says.
  std::vector<uint8_t> off = f.bytes;
  off[8 + 64 * 9 + 32] ^= 1;
  {
    ByteReader r(off);
    EXPECT_THROW((void)pcs::KzgParams::read_powers(f.verifier, r, &cache, &cached), DecodeError);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace zkinfer::proof
