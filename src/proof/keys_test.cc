// Keys a verifier can trust without trusting who made them (docs/PROOF.md, section 4; docs/PROTOCOL.md,
// section 9): committed weights out of their declared width or not integers are rejected through the
// weight range proof; every byte of a verifying key file is covered by its digest; decoding small
// files with huge counts stays in bounded memory; a proof with nothing to open round-trips; a Pow's
// private constant never reaches a key.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "hash/keccak.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "proof/weight_bounds.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "proof_offsets.h"
#include "test_seed.h"

// The largest single allocation since the last reset (this test binary replaces operator new).
static std::atomic<size_t> g_max_alloc{0};
void* operator new(size_t n) {
  size_t cur = g_max_alloc.load(std::memory_order_relaxed);
  while (n > cur && !g_max_alloc.compare_exchange_weak(cur, n, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace zkinfer::proof {
namespace {

using field::Fr;
using testing::seed_note;
using testing::test_seed;

std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}
std::string ezkl(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SHARED_DIR) + "/models/ezkl/" + name + "/" + file;
}

quant::CompiledModel compile_file(const std::string& onnx, const std::string& input, std::vector<graph::Sample>* out = nullptr) {
  graph::Graph g = graph::load_onnx_file(onnx);
  auto samples = graph::parse_samples(graph::read_text(input), "input.json", g);
  auto m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  if (out) *out = samples;
  quant::encode_model(m);
  return m;
}

quant::Trace run(const quant::CompiledModel& m, const std::vector<graph::Sample>& samples) {
  return quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input.json")));
}

struct Honest {
  quant::CompiledModel model;
  std::vector<graph::Sample> samples;
  VerifyingKey vk;
};

Honest mlp() {
  Honest h;
  h.model = compile_file(example("mlp_digits", "model.onnx"), example("mlp_digits", "input.json"), &h.samples);
  h.vk = setup(h.model);
  return h;
}

// The first committed weight tensor of the model (with padded: the first whose padded size
// exceeds its size) and its item.
size_t first_weight(const quant::CompiledModel& m, const VerifyingKey& vk, WeightBoundItem* item, bool padded = false) {
  auto items = weight_bound_items(m, vk);
  EXPECT_FALSE(items.empty());
  for (const auto& it : items) {
    const layers::PaddedShape s(it.bound.dims);
    if (padded && s.size() == s.unpadded_size()) continue;
    for (size_t t = 0; t < m.graph.tensors.size(); ++t)
      if (m.graph.tensors[t].name == it.name) {
        *item = it;
        return t;
      }
  }
  ADD_FAILURE() << "no committed weight";
  return 0;
}

// A key as a dishonest key-maker would make it: weight tensor t committed as the field values `w`
// (padded table), and a weight range proof made with the digits' v forced to `v` (empty: no proof).
VerifyingKey dishonest_key(const quant::CompiledModel& m, const VerifyingKey& honest, size_t t, std::span<const Fr> w,
                           std::span<const int64_t> v, TestRng& rng) {
  VerifyingKey vk = honest;
  const auto& params = key_params(m, honest);
  const auto& lay = pcs::HyraxScheme::as_hyrax(*honest.weights[t])->layout;
  std::vector<Fr> zero(lay.num_rows(), Fr::zero());
  vk.weights[t] = pcs::HyraxScheme::wrap(pcs::commit_with_blinds(params, w, lay.log_cols, zero));
  vk.weight_bounds.clear();
  if (v.empty()) return vk;
  auto items = weight_bound_items(m, vk);
  std::vector<std::vector<int64_t>> values;
  std::vector<WeightBoundWitness> wit;
  for (const auto& it : items) {
    size_t id = 0;
    while (m.graph.tensors[id].name != it.name) ++id;
    (void)id;
    wit.push_back({});
  }
  // Every other tensor: honest values (the model's committed values: its qconst, no BatchNormalization here).
  for (size_t i = 0; i < items.size(); ++i) {
    size_t id = 0;
    while (m.graph.tensors[id].name != items[i].name) ++id;
    if (id == t) {
      wit[i].field_values = w;
      wit[i].forced_v = v;
    } else {
      wit[i].values = m.qconst[id].data;
    }
  }
  vk.weight_bounds = prove_weight_bounds(params, items, wit, vk.statement_digest(), pcs::random_fr(rng));
  return vk;
}

std::vector<Fr> padded_fr(const quant::CompiledModel& m, size_t t, std::span<const int64_t> vals) {
  std::vector<size_t> dims;
  for (int64_t d : m.graph.tensors[t].shape) dims.push_back(d < 1 ? 1 : static_cast<size_t>(d));
  return layers::padded_table(layers::PaddedShape(dims), vals);
}
std::vector<int64_t> padded_v(const quant::CompiledModel& m, size_t t, std::span<const int64_t> vals, size_t bits) {
  std::vector<size_t> dims;
  for (int64_t d : m.graph.tensors[t].shape) dims.push_back(d < 1 ? 1 : static_cast<size_t>(d));
  std::vector<int64_t> shifted(vals.begin(), vals.end());
  for (auto& x : shifted) x += int64_t{1} << bits;
  return layers::detail::padded_i64(layers::PaddedShape(dims), shifted);
}

void expect_rejected(const Verdict& v, const std::string& part) {
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.reason().find(part), std::string::npos) << v.reason();
}

// read_binary reads in 64 KiB blocks: empty files, exact multiples of the block and sizes around
// them come back byte for byte; a missing file is an error naming it.
TEST(Files, ReadBinaryBlockBoundaries) {
  const std::string path = ::testing::TempDir() + "zkinfer_read_binary_test.bin";
  for (size_t n : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{200003}}) {
    std::vector<uint8_t> bytes(n);
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>((i * 131 + n) >> 3);
    write_binary(path, bytes);
    EXPECT_EQ(read_binary(path), bytes) << n;
  }
  std::remove(path.c_str());
  try {
    (void)read_binary(path);
    ADD_FAILURE() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(KeysTest, HonestKeysPassAndCarryAWeightRangeProof) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Honest h = mlp();
  ASSERT_FALSE(h.vk.weight_bounds.empty());
  Verdict v = check_key(h.model, h.vk);
  ASSERT_TRUE(v.ok()) << v.reason();
  // With secret blinds (the CLI's setup), and the key as a verifier reads it from its file.
  ProvingKey pk = setup_keys(h.model, pcs::random_fr(rng));
  auto file = encode_vk_file(pk.vk, quant::encode_public_model(h.model));
  VkFile f = decode_vk_file(file);
  v = check_key(f.model, f.vk);
  ASSERT_TRUE(v.ok()) << v.reason();
  auto trace = run(h.model, h.samples);
  auto proof = prove(h.model, pk, trace, pcs::random_fr(rng));
  v = verify(f.model, f.vk, proof);
  ASSERT_TRUE(v.ok()) << v.reason();
  // Two setups of the same weights give different range proofs (fresh blinds and masks).
  ProvingKey pk2 = setup_keys(h.model, pcs::random_fr(rng));
  EXPECT_NE(pk.vk.weight_bounds, pk2.vk.weight_bounds);
  std::printf("mlp_digits: vk %zu bytes, of which the weight range proof %zu bytes\n", pk.vk.size_bytes(),
              pk.vk.weight_bounds.size());
}

// The weight range proof in groups (weight_bounds.h, "Groups"): with a budget of one entry every
// weight is a group of its own; the groups verify under the same budget only, and swapped,
// truncated or changed groups are rejected.
TEST(KeysTest, WeightRangeProofInGroups) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Honest h = mlp();
  ProvingKey pk = setup_keys(h.model, pcs::random_fr(rng));
  const auto items = weight_bound_items(h.model, pk.vk);
  ASSERT_GE(items.size(), 3u);
  std::vector<WeightBoundWitness> wit;
  for (const auto& it : items) {
    size_t id = 0;
    while (h.model.graph.tensors[id].name != it.name) ++id;
    wit.push_back({h.model.qconst[id].data, std::as_const(pk.blinds)[id]});
  }
  const auto& params = key_params(h.model, pk.vk);
  const auto ctx = pk.vk.statement_digest();

  // The grouping: consecutive, greedy, by padded size; against a brute-force replay of the rule.
  for (size_t budget : {size_t{1}, size_t{64}, size_t{1024}, size_t{1} << 14, kWeightBoundsGroupEntries}) {
    const auto groups = weight_bound_groups(items, budget);
    size_t next = 0;
    for (const auto& [b, e] : groups) {
      ASSERT_EQ(b, next);
      ASSERT_LT(b, e);
      size_t sum = 0;
      for (size_t i = b; i < e; ++i) sum += layers::PaddedShape(items[i].bound.dims).size();
      if (e - b > 1) EXPECT_LE(sum, budget);
      if (e < items.size()) EXPECT_GT(sum + layers::PaddedShape(items[e].bound.dims).size(), budget);
      next = e;
    }
    EXPECT_EQ(next, items.size());
  }
  ASSERT_EQ(weight_bound_groups(items, 1).size(), items.size());
  ASSERT_EQ(weight_bound_groups(items).size(), 1u);

  const auto grouped = prove_weight_bounds(params, items, wit, ctx, pcs::random_fr(rng), nullptr, 1);
  Verdict v = verify_weight_bounds(params, items, grouped, ctx, nullptr, 1);
  ASSERT_TRUE(v.ok()) << v.reason();
  // Read under another grouping (the default: one group), the bytes are not a proof.
  EXPECT_FALSE(verify_weight_bounds(params, items, grouped, ctx, nullptr).ok());
  // The one-group proof under a budget that splits it, likewise.
  EXPECT_FALSE(verify_weight_bounds(params, items, pk.vk.weight_bounds, ctx, nullptr, 1).ok());
  ASSERT_TRUE(verify_weight_bounds(params, items, pk.vk.weight_bounds, ctx, nullptr).ok());

  // Split into the groups' byte strings.
  std::vector<std::vector<uint8_t>> parts;
  {
    ByteReader r(grouped);
    for (size_t g = 0; g < items.size(); ++g) {
      const uint64_t len = r.u64();
      auto b = r.bytes(static_cast<size_t>(len));
      parts.emplace_back(b.begin(), b.end());
    }
    ASSERT_EQ(r.remaining(), 0u);
  }
  auto join = [](const std::vector<std::vector<uint8_t>>& ps) {
    ByteWriter w;
    for (const auto& p : ps) {
      w.u64(p.size());
      w.bytes(p);
    }
    return w.take();
  };
  ASSERT_EQ(join(parts), grouped);
  // Two groups swapped: each is bound to its index (and to its own items).
  auto swapped = parts;
  std::swap(swapped[0], swapped[1]);
  expect_rejected(verify_weight_bounds(params, items, join(swapped), ctx, nullptr, 1), "group 1 of");
  // A group from another proof of the same key (fresh masks) in place of one: still a valid group,
  // accepted (each group is a whole proof of its items); from another key's context: rejected.
  const auto other = prove_weight_bounds(params, items, wit, ctx, pcs::random_fr(rng), nullptr, 1);
  EXPECT_NE(other, grouped);
  const auto other_ctx_digest = [&] {
    auto c = ctx;
    c[0] ^= 1;
    return c;
  }();
  const auto foreign = prove_weight_bounds(params, items, wit, other_ctx_digest, pcs::random_fr(rng), nullptr, 1);
  {
    ByteReader r(other);
    const uint64_t len = r.u64();
    auto b = r.bytes(static_cast<size_t>(len));
    auto mixed = parts;
    mixed[0].assign(b.begin(), b.end());
    ASSERT_NE(mixed[0], parts[0]);
    v = verify_weight_bounds(params, items, join(mixed), ctx, nullptr, 1);
    EXPECT_TRUE(v.ok()) << v.reason();
  }
  {
    ByteReader r(foreign);
    const uint64_t len = r.u64();
    auto b = r.bytes(static_cast<size_t>(len));
    auto mixed = parts;
    mixed[0].assign(b.begin(), b.end());
    expect_rejected(verify_weight_bounds(params, items, join(mixed), ctx, nullptr, 1), "group 1 of");
  }
  // A changed byte in the last group, a truncated proof, a trailing byte, a length that overruns.
  auto changed = parts;
  changed.back()[changed.back().size() / 2] ^= 0x10;
  expect_rejected(verify_weight_bounds(params, items, join(changed), ctx, nullptr, 1),
                  "group " + std::to_string(items.size()) + " of");
  auto truncated = grouped;
  truncated.pop_back();
  EXPECT_FALSE(verify_weight_bounds(params, items, truncated, ctx, nullptr, 1).ok());
  auto trailing = grouped;
  trailing.push_back(0);
  expect_rejected(verify_weight_bounds(params, items, trailing, ctx, nullptr, 1), "trailing");
  auto overrun = grouped;
  overrun[7] = 0x7f;
  EXPECT_FALSE(verify_weight_bounds(params, items, overrun, ctx, nullptr, 1).ok());
}

TEST(KeysTest, OutOfRangeCommittedWeightIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Honest h = mlp();
  WeightBoundItem item;
  const size_t t = first_weight(h.model, h.vk, &item);
  const int64_t lim = int64_t{1} << item.bound.bits;
  std::vector<int64_t> cheat = h.model.qconst[t].data;
  cheat[5] = lim + 3;  // a weight beyond its declared width

  // An honest setup refuses the model.
  quant::CompiledModel cm = h.model;
  cm.qconst[t].data = cheat;
  try {
    setup(cm);
    ADD_FAILURE() << "setup accepted an out-of-range weight";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside its declared width"), std::string::npos) << e.what();
  }

  const auto w = padded_fr(h.model, t, cheat);
  // (1) No range proof: the key is refused, and so is a proof made with it (which verified before).
  VerifyingKey none = dishonest_key(h.model, h.vk, t, w, {}, rng);
  expect_rejected(check_key(h.model, none), "no weight range proof");
  auto trace = run(cm, h.samples);
  auto proof = prove(cm, none, trace, pcs::random_fr(rng));
  expect_rejected(verify(h.model, none, proof), "no weight range proof");
  // (2) The honest key's range proof on the cheat commitment: bound to other commitments.
  VerifyingKey reused = none;
  reused.weight_bounds = h.vk.weight_bounds;
  expect_rejected(check_key(h.model, reused), "weight range proof");
  // (3) A range proof over digits of the true (out-of-range) value: the digit range check fails.
  VerifyingKey wide = dishonest_key(h.model, h.vk, t, w, padded_v(h.model, t, cheat, item.bound.bits), rng);
  expect_rejected(check_key(h.model, wide), "weight range proof");
  // (4) Digits of the wrapped value (cheat - 2^(bits+1), in range): the claim does not match the commitment.
  std::vector<int64_t> wrapped = cheat;
  wrapped[5] -= 2 * lim;
  VerifyingKey wrap = dishonest_key(h.model, h.vk, t, w, padded_v(h.model, t, wrapped, item.bound.bits), rng);
  expect_rejected(check_key(h.model, wrap), "weight range proof");
  expect_rejected(verify(h.model, wrap, prove(cm, wrap, trace, pcs::random_fr(rng))), "weight range proof");
}

TEST(KeysTest, NonIntegerCommittedWeightIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Honest h = mlp();
  WeightBoundItem item;
  const size_t t = first_weight(h.model, h.vk, &item);
  auto w = padded_fr(h.model, t, h.model.qconst[t].data);
  w[7] = Fr::from_u64(2).inverse();  // 1/2: a field element, not an integer
  const auto honest_v = padded_v(h.model, t, h.model.qconst[t].data, item.bound.bits);
  VerifyingKey none = dishonest_key(h.model, h.vk, t, w, {}, rng);
  expect_rejected(check_key(h.model, none), "no weight range proof");
  VerifyingKey vk = dishonest_key(h.model, h.vk, t, w, honest_v, rng);
  expect_rejected(check_key(h.model, vk), "weight range proof");
  // A non-zero padding entry (the layer protocols assume zeros there) is rejected too.
  WeightBoundItem pitem;
  const size_t pt = first_weight(h.model, h.vk, &pitem, true);
  auto pw = padded_fr(h.model, pt, h.model.qconst[pt].data);
  ASSERT_NE(pw.size(), h.model.qconst[pt].data.size()) << "the test needs a tensor with padding";
  pw.back() = Fr::one();
  auto pv = padded_v(h.model, pt, h.model.qconst[pt].data, pitem.bound.bits);
  pv.back() = 1 + (int64_t{1} << pitem.bound.bits);  // v = w + 2^bits there: in range
  VerifyingKey pad = dishonest_key(h.model, h.vk, pt, pw, pv, rng);
  expect_rejected(check_key(h.model, pad), "weight range proof");
}

TEST(KeysTest, EveryByteOfTheKeyFileIsCovered) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  // mlp_digits with fixed weights: the embedded model's float part carries the float weights, which
  // `run` reads; with private weights: commitments and the range proof.
  for (auto vis : {quant::Visibility::kFixed, quant::Visibility::kPrivate}) {
    SCOPED_TRACE(quant::visibility_name(vis));
    auto m = compile_file(example("mlp_digits", "model.onnx"), example("mlp_digits", "input.json"));
    m.visibility.weights = vis;
    quant::encode_model(m);
    const VerifyingKey vk = setup(m);
    const auto file = encode_vk_file(vk, quant::encode_public_model(m));
    const auto d = vk.digest();
    // Every byte, except that inside the weight range proof (copied verbatim into the key and
    // hashed by digest()) every 61st is enough to show it and keeps the test short.
    ByteWriter head;
    VerifyingKey statement = vk;
    statement.weight_bounds.clear();
    statement.serialize(head);
    const size_t wb_begin = head.data().size(), wb_end = wb_begin + vk.weight_bounds.size();
    size_t decoded = 0, tried = 0;
    for (size_t i = 0; i < file.size(); i += (i >= wb_begin && i + 61 < wb_end) ? 61 : 1) {
      ++tried;
      auto b = file;
      b[i] ^= static_cast<uint8_t>(1u << (i % 8));
      try {
        VkFile f = decode_vk_file(b);
        ++decoded;
        // Decoded: the key differs (so every proof made for the original names another key).
        ASSERT_NE(f.vk.digest(), d) << "byte " << i << " of " << file.size() << " changed and nothing noticed";
      } catch (const std::exception&) {
      }
    }
    std::printf("%zu-byte key file: %zu changed bytes rejected (%zu decoded into another key)\n", file.size(), tried, decoded);
  }
}

// Decoding costs what the file is worth: small files with huge counts are refused without a large
// allocation (this binary tracks the largest single allocation).
TEST(KeysTest, SmallFilesWithHugeCountsDecodeInBoundedMemory) {
  constexpr size_t kLimit = 64u << 20;
  auto vk_bytes = [](uint64_t ntensors, uint64_t count, uint64_t wb_len) {
    ByteWriter w;
    for (char c : std::string("ZKVK")) w.u8(static_cast<uint8_t>(c));
    w.u32(kKeyVersionHyrax);
    w.u8(0);                                // backend: hyrax
    for (int i = 0; i < 64; ++i) w.u8(0);  // model digest, model file digest
    w.u64(ntensors);
    w.u64(count);
    w.u64(wb_len);
    return w.take();
  };
  auto expect_bounded = [&](const char* what, auto&& fn) {
    g_max_alloc = 0;
    try {
      fn();
    } catch (const std::exception&) {
    }
    EXPECT_LT(g_max_alloc.load(), kLimit) << what << ": " << g_max_alloc.load() << " bytes in one allocation";
  };
  // A 100-byte key that claims 2^24 tensors (today's limit) and no commitment.
  const auto small = vk_bytes(uint64_t{1} << 24, 0, 0);
  EXPECT_LT(small.size(), 128u);
  expect_bounded("vk with 2^24 tensors", [&] {
    ByteReader r(small, "vk");
    VerifyingKey vk = VerifyingKey::deserialize(r);
    EXPECT_EQ(vk.weights.size(), size_t{1} << 24);
  });
  expect_bounded("vk file with 2^24 tensors", [&] { decode_vk_file(small); });
  expect_bounded("vk with a huge commitment count", [&] { decode_vk_file(vk_bytes(1 << 20, uint64_t{1} << 40, 0)); });
  expect_bounded("vk with a huge range proof length", [&] { decode_vk_file(vk_bytes(4, 0, uint64_t{1} << 40)); });
  // A proving key: the same key, then a blind count and one huge row count.
  {
    ByteWriter w;
    for (char c : std::string("ZKPK")) w.u8(static_cast<uint8_t>(c));
    w.u32(kProofVersion);
    auto vk = vk_bytes(uint64_t{1} << 24, 0, 0);
    w.bytes(vk);
    w.u64(0);
    const auto pk = w.take();
    expect_bounded("pk with 2^24 tensors", [&] {
      ProvingKey k = decode_pk_file(pk);
      EXPECT_EQ(k.blinds.size(), size_t{1} << 24);
    });
  }
  // A proof a few bytes long against a real model: its layout comes from the model, its memory from
  // its bytes.
  Honest h = mlp();
  ByteWriter pw;
  for (char c : std::string("ZKPF")) pw.u8(static_cast<uint8_t>(c));
  pw.u32(kProofVersion);
  pw.u8(0);  // backend: hyrax
  const auto d = h.vk.digest();
  pw.bytes(d);
  pw.u64(10);
  const auto proof = pw.take();
  expect_bounded("truncated proof", [&] { EXPECT_FALSE(verify(h.model, h.vk, proof).ok()); });
}

// A proof with nothing to open (public input, fixed weights, data-movement ops only) proves and
// verifies, and a changed output is still rejected.
TEST(KeysTest, ProofWithNothingToOpenRoundTrips) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<graph::Sample> samples;
  auto m = compile_file(ezkl("1l_flatten", "network.onnx"), ezkl("1l_flatten", "input.json"), &samples);
  for (const auto& n : m.graph.nodes) ASSERT_TRUE(n.op_type == "Flatten" || n.op_type == "Reshape") << n.op_type;
  m.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
  quant::encode_model(m);
  ASSERT_FALSE(unsupported(m)) << *unsupported(m);
  const VerifyingKey vk = setup(m);
  EXPECT_TRUE(vk.weight_bounds.empty());
  auto trace = run(m, samples);
  auto proof = prove(m, vk, trace, pcs::random_fr(rng));
  std::vector<ops::ITensor> in;
  for (int t : m.graph.inputs) in.push_back(trace.values[t]);
  ops::ITensor out;
  Verdict v = verify(m, vk, proof, &out, nullptr, in);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  // The output follows the header: change its first value.
  auto bad = proof;
  bad[testing::kFirstOutputByte] ^= 1;  // the first packed byte (after the count and the width)
  EXPECT_FALSE(verify(m, vk, bad, nullptr, nullptr, in).ok());
  auto longer = proof;
  longer.push_back(0);
  EXPECT_FALSE(verify(m, vk, longer, nullptr, nullptr, in).ok());
}

// A Pow's table is computed from its constant operand: with private weights no key is made (the
// constant would be in it); with fixed weights it is public by choice and proves.
TEST(KeysTest, PowConstantNeverReachesAPrivateKey) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<graph::Sample> samples;
  auto m = compile_file(ezkl("1l_powf", "network.onnx"), ezkl("1l_powf", "input.json"), &samples);
  ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
  auto why = unsupported(m);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("would be public in the verifying key"), std::string::npos) << *why;
  EXPECT_THROW(setup(m), Error);
  m.visibility.weights = quant::Visibility::kFixed;
  quant::encode_model(m);
  ASSERT_FALSE(unsupported(m));
  const VerifyingKey vk = setup(m);
  auto trace = run(m, samples);
  auto proof = prove(m, vk, trace, pcs::random_fr(rng));
  Verdict v = verify(m, vk, proof);
  ASSERT_TRUE(v.ok()) << v.reason();
}

}  // namespace
}  // namespace zkinfer::proof
