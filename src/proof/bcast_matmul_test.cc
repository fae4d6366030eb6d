// MatMul with operands of different ranks and broadcast batch dims (numpy/ONNX semantics), proven
// by steps/linear.cc: [b..., m, k] x [k, n] as a plain product with A's batch dims as extra rows
// (folded), and the general case (layers/matmul.h, a_batch/b_batch) where one operand lacks some
// batch dims. For each shape family, with the second operand a weight or a second input: the
// integer executor's output equals a plain broadcasting reference; honest proofs verify in the
// default visibility and with public/fixed weights; a changed output is rejected; a batch that
// does not broadcast is refused at compile time (proof::blockers); the EVM verifier's generator
// emits the folded product and refuses the general broadcast with a clear reason.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/blockers.h"
#include "proof/evm_verifier.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "kzg_modes.h"
#include "onnx_build.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using namespace test_onnx;

struct Family {
  std::string name;
  std::vector<int64_t> a, b;  // operand dims
  bool b_weight = true;       // B an initializer (else a second graph input)
  bool folded = true;         // expected plan: a plain product (else the layer's broadcast batch)
};

// numpy broadcast of the batch dims (leading rank - 2) of a and b.
std::vector<int64_t> out_dims(const Family& f) {
  const size_t ra = f.a.size() - 2, rb = f.b.size() - 2, r = std::max(ra, rb);
  std::vector<int64_t> y(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + ra >= r ? f.a[i + ra - r] : 1, db = i + rb >= r ? f.b[i + rb - r] : 1;
    y[i] = std::max(da, db);
  }
  y.push_back(f.a[f.a.size() - 2]);
  y.push_back(f.b.back());
  return y;
}

size_t numel(const std::vector<int64_t>& d) {
  size_t n = 1;
  for (int64_t v : d) n *= static_cast<size_t>(v);
  return n;
}

// a -> MatMul(a, b) -> y; b an initializer or a second input.
std::vector<uint8_t> mm_net(const Family& f, TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("bcast_matmul");
  add_io(g->add_input(), "a", f.a);
  if (f.b_weight) {
    add_init(g, "b", f.b, rnd(rng, numel(f.b), 1.0));
  } else {
    add_io(g->add_input(), "b", f.b);
  }
  add_io(g->add_output(), "y", out_dims(f));
  add_node(g, "MatMul", {"a", "b"}, "y");
  return serialize(m);
}

std::vector<graph::Sample> samples_for(const Family& f, TestRng& rng) {
  std::vector<graph::Sample> out;
  for (int s = 0; s < 3; ++s) {
    graph::Sample x;
    for (const auto* d : {&f.a, &f.b}) {
      if (d == &f.b && f.b_weight) break;
      std::vector<double> v(numel(*d));
      for (auto& e : v) e = 2.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
      x.inputs.push_back(std::move(v));
    }
    out.push_back(std::move(x));
  }
  return out;
}

// Plain reference: Y[b, i, j] = round(sum_z A[b_a, i, z] B[b_b, z, j] / 2^k), with b_a (b_b) the
// index of b along A's (B's) batch dims, left-padded with 1s and broadcast (numpy).
std::vector<int64_t> reference(const std::vector<int64_t>& ad, const std::vector<int64_t>& bd, const std::vector<int64_t>& yd,
                               const std::vector<int64_t>& a, const std::vector<int64_t>& b, int shift) {
  const size_t r = yd.size() - 2;
  const size_t M = static_cast<size_t>(yd[r]), N = static_cast<size_t>(yd[r + 1]), K = static_cast<size_t>(ad.back());
  std::vector<int64_t> y(numel(yd));
  const size_t nb = numel(std::vector<int64_t>(yd.begin(), yd.end() - 2));
  auto own = [&](const std::vector<int64_t>& d, size_t bi) {
    const size_t ro = d.size() - 2;
    size_t at = 0, scale = 1;
    for (size_t i = r; i-- > 0;) {
      const size_t idx = bi % static_cast<size_t>(yd[i]);
      bi /= static_cast<size_t>(yd[i]);
      if (i + ro < r) continue;  // a dim the operand does not have
      const size_t od = static_cast<size_t>(d[i + ro - r]);
      if (od != 1) at += idx * scale;
      scale *= od;
    }
    return at;
  };
  for (size_t bi = 0; bi < nb; ++bi) {
    const size_t ai = own(ad, bi), bj = own(bd, bi);
    for (size_t i = 0; i < M; ++i)
      for (size_t j = 0; j < N; ++j) {
        int64_t acc = 0;
        for (size_t z = 0; z < K; ++z) acc += a[(ai * M + i) * K + z] * b[(bj * K + z) * N + j];
        if (shift > 0) acc = (acc + (int64_t{1} << (shift - 1))) >> shift;
        y[(bi * M + i) * N + j] = acc;
      }
  }
  return y;
}

quant::CompiledModel with_visibility(quant::CompiledModel m, quant::Visibility input, quant::Visibility weights,
                                     quant::Visibility output = quant::Visibility::kPublic) {
  m.visibility.input = input;
  m.visibility.weights = weights;
  m.visibility.output = output;
  quant::encode_model(m);
  return m;
}

// Proves sample s of m; the proof verifies with the executor's output, a changed output is
// rejected.
void prove_and_check(const quant::CompiledModel& m, const graph::Sample& sample, TestRng& rng) {
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  const VerifyingKey vk = setup(m);
  const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
  const auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, sample.inputs, "x")));
  std::vector<ops::ITensor> public_in;
  if (m.visibility.input == quant::Visibility::kPublic)
    for (int t : m.graph.inputs) public_in.push_back(trace.values[static_cast<size_t>(t)]);
  const auto proof = prove(m, vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  const Verdict v = verify(pub, vk, proof, &out, nullptr, public_in);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  auto bad = proof;
  bad[4 + 4 + 1 + 32 + 8] ^= 1;  // the public output's first entry
  const Verdict vb = verify(pub, vk, bad, nullptr, nullptr, public_in);
  EXPECT_FALSE(vb.ok());
}

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      // nn.Linear on a 4-D tensor after splitting heads: [1, 2, T, D] x [D, E], T = 3 (rows
      // not a power of two: the prover lays A's rows out as the padded layout's).
      {"linear_4d", {1, 2, 3, 5}, {5, 4}, true, true},
      // [B, T, D] x [D, E], B = 3 and T = 4; the weight of rank 3 with a unit batch dim.
      {"linear_3d", {3, 4, 5}, {1, 5, 2}, true, true},
      // Private second operand (a second input): [3, 3, 5] x [5, 4].
      {"input_3d_2d", {3, 3, 5}, {5, 4}, false, true},
      // The mirror: [T, D] x [B, D, E] (A broadcast along B's batch).
      {"mirror", {3, 5}, {3, 5, 2}, false, false},
      {"mirror_weight", {3, 5}, {2, 3, 5, 2}, true, false},
      // Batch dims that broadcast in both operands: [2, 1, T, D] x [1, 3, D, E] -> [2, 3, T, E].
      {"both_ways", {2, 1, 3, 4}, {1, 3, 4, 2}, false, false},
      // B broadcast along the leading dim only: [2, 3, T, D] x [3, D, E].
      {"inner_shared", {2, 3, 2, 4}, {3, 4, 3}, true, false},
  };
  return kFamilies;
}

const ops::Node* matmul_node(const quant::CompiledModel& m, size_t* index = nullptr) {
  for (size_t i = 0; i < m.graph.nodes.size(); ++i)
    if (m.graph.nodes[i].op_type == "MatMul") {
      if (index) *index = i;
      return &m.graph.nodes[i];
    }
  return nullptr;
}

class BcastMatmul : public ::testing::TestWithParam<size_t> {};

TEST_P(BcastMatmul, ExecutorMatchesReferenceAndProofsVerify) {
  const Family& f = families()[GetParam()];
  SCOPED_TRACE(f.name + " " + testing::seed_note());
  TestRng rng(testing::test_seed() + GetParam());
  graph::Graph g = graph::load_onnx_bytes(mm_net(f, rng), f.name + ".onnx");
  auto samples = samples_for(f, rng);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
  const ops::Node* n = matmul_node(m);
  ASSERT_NE(n, nullptr);
  // The integer executor against the plain broadcasting reference.
  const auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "x")));
  const auto ta = static_cast<size_t>(n->inputs[0]), tb = static_cast<size_t>(n->inputs[1]), ty = static_cast<size_t>(n->outputs[0]);
  const auto& av = m.graph.tensors[ta].is_const ? m.qconst[ta] : trace.values[ta];
  const auto& bv = m.graph.tensors[tb].is_const ? m.qconst[tb] : trace.values[tb];
  const int shift = m.scales[ta] + m.scales[tb] - m.scales[ty];
  EXPECT_EQ(trace.values[ty].shape, out_dims(f));
  EXPECT_EQ(trace.values[ty].data, reference(f.a, f.b, out_dims(f), av.data, bv.data, shift));
  // Default visibility (private input and weights), then public input with public and with
  // fixed weights.
  prove_and_check(m, samples[0], rng);
  if (f.b_weight) {
    prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kPublic), samples[1], rng);
    prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[2], rng);
  } else {
    prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[1], rng);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, BcastMatmul, ::testing::Range<size_t>(0, 7),
                         [](const ::testing::TestParamInfo<size_t>& i) { return families()[i.param].name; });

// A trace whose product is computed wrongly (one output entry changed, the rescale remainder
// with it) is rejected, in the folded and in the general case.
TEST(BcastMatmulForged, WrongProductIsRejected) {
  SCOPED_TRACE(testing::seed_note());
  for (size_t fi : {size_t{0}, size_t{5}}) {
    const Family& f = families()[fi];
    SCOPED_TRACE(f.name);
    TestRng rng(testing::test_seed() + 100 + fi);
    graph::Graph g = graph::load_onnx_bytes(mm_net(f, rng), f.name + ".onnx");
    auto samples = samples_for(f, rng);
    auto m = with_visibility(quant::quantize(std::move(g), samples, ops::QuantConfig{}), quant::Visibility::kPublic,
                             quant::Visibility::kFixed);
    const VerifyingKey vk = setup(m);
    auto in = quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "x"));
    auto trace = quant::run_int(m, in);
    const ops::Node* n = matmul_node(m);
    ASSERT_NE(n, nullptr);
    // The last entry (in the padded layout's last real block) off by one.
    auto& y = trace.values[static_cast<size_t>(n->outputs[0])].data;
    y.back() += 1;
    std::vector<uint8_t> proof;
    try {
      proof = prove(m, vk, trace, pcs::random_fr(rng));
    } catch (const Error& e) {
      continue;  // the prover refused the inconsistent trace itself
    }
    const Verdict v = verify(m, vk, proof, nullptr, nullptr, in);
    EXPECT_FALSE(v.ok());
    std::printf("%s, forged product: %s\n", f.name.c_str(), v.reason().c_str());
  }
}

// A batch that does not broadcast ([2, T, D] x [3, D, E]) is refused by the executor itself
// (numpy broadcasting fails); a product the protocol does not cover (a 1-D operand, [D] x [D, E],
// which the executor runs) is a compile-time blocker naming the node, so `compile` refuses what
// `setup` would.
TEST(BcastMatmulRefused, NonBroadcastingBatchAndVectorOperand) {
  TestRng rng(testing::test_seed());
  {
    Family f{"bad", {2, 3, 4}, {3, 4, 2}, false, false};
    graph::Graph g = graph::load_onnx_bytes(mm_net(f, rng), "bad.onnx");
    EXPECT_THROW(quant::quantize(std::move(g), samples_for(f, rng), ops::QuantConfig{}), Error);
  }
  onnx::ModelProto mp;
  mp.set_ir_version(8);
  mp.add_opset_import()->set_version(17);
  auto* g = mp.mutable_graph();
  g->set_name("vec");
  add_init(g, "b", {4, 3}, rnd(rng, 12, 1.0));
  add_io(g->add_input(), "a", {4});
  add_io(g->add_output(), "y", {3});
  add_node(g, "MatMul", {"a", "b"}, "y");
  std::vector<graph::Sample> samples(2);
  for (auto& s : samples) s.inputs = {{0.5, -0.25, 0.75, -1.0}};
  const auto m = quant::quantize(graph::load_onnx_bytes(serialize(mp), "vec.onnx"), samples, ops::QuantConfig{});
  const auto bl = blockers(m);
  ASSERT_EQ(bl.size(), 1u);
  EXPECT_EQ(bl[0].op, "MatMul");
  EXPECT_NE(bl[0].reason.find("rank-2"), std::string::npos) << bl[0].to_string();
  EXPECT_THROW(setup(m), Error);
}

// The EVM verifier generator: the folded product has a routine (the plain ZkMatmul shape); the
// general broadcast is refused with a reason naming the node.
TEST(BcastMatmulEvm, FoldedGeneratesGeneralIsRefused) {
  if (!std::filesystem::exists(ZKINFER_TEST_PTAU)) GTEST_SKIP() << "no " << ZKINFER_TEST_PTAU;
  TestRng rng(testing::test_seed());
  for (size_t fi : {size_t{0}, size_t{4}}) {
    const Family& f = families()[fi];
    SCOPED_TRACE(f.name);
    graph::Graph g = graph::load_onnx_bytes(mm_net(f, rng), f.name + ".onnx");
    auto m = with_visibility(quant::quantize(std::move(g), samples_for(f, rng), ops::QuantConfig{}), quant::Visibility::kPublic,
                             quant::Visibility::kFixed);
    const ProvingKey pk = setup_keys(m, pcs::random_fr(rng), {}, kzg_modes::test_srs(), false);
    if (f.folded) {
      EXPECT_NO_THROW(make_evm_verifier(m, pk.vk));
    } else {
      try {
        make_evm_verifier(m, pk.vk);
        ADD_FAILURE() << "the general broadcast got an EVM verifier";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("broadcast"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("MatMul"), std::string::npos) << e.what();
      }
    }
  }
}

// PyTorch's export of nn.Linear applied to a 4-D tensor after splitting heads (Debian's
// python3-torch; skipped where /usr/bin/python3 lacks torch): x[1, 3, 6] -> Reshape [1, 3, 2, 3]
// -> Transpose -> [1, 2, 3, 3] -> Linear(3, 4) (MatMul [1, 2, 3, 3] x [3, 4], then Add of the
// bias) -> y[1, 2, 3, 4]. zkinfer's float executor matches torch's output, the integer output is
// close to it, and proofs verify in the default visibility and with fixed weights.
TEST(BcastMatmulTorch, LinearOnA4dTensorProves) {
  SCOPED_TRACE(testing::seed_note());
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("zkinfer_bcast_torch_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream py(dir / "export.py");
    py << "import sys\n"
          "try:\n"
          "    import torch\n"
          "except ImportError:\n"
          "    sys.exit(77)\n"
          "class M(torch.nn.Module):\n"
          "    def __init__(s):\n"
          "        super().__init__()\n"
          "        s.lin = torch.nn.Linear(3, 4)\n"
          "    def forward(s, x):\n"
          "        return s.lin(x.reshape(1, 3, 2, 3).transpose(1, 2))\n"
          "torch.manual_seed(7)\n"
          "m = M().eval()\n"
          "x = torch.rand(1, 3, 6) * 2 - 1\n"
          "torch.onnx.export(m, x, sys.argv[1] + '/lin4d.onnx', opset_version=13, input_names=['x'], output_names=['y'])\n"
          "with open(sys.argv[1] + '/io.txt', 'w') as f:\n"
          "    f.write(' '.join(repr(float(v)) for v in x.flatten()) + '\\n')\n"
          "    f.write(' '.join(repr(float(v)) for v in m(x).detach().flatten()) + '\\n')\n";
  }
  const std::string cmd = "/usr/bin/python3 " + (dir / "export.py").string() + " " + dir.string() + " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  if (!std::filesystem::exists("/usr/bin/python3") || (WIFEXITED(rc) && WEXITSTATUS(rc) == 77)) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "/usr/bin/python3 lacks torch";
  }
  ASSERT_EQ(rc, 0) << cmd;
  std::ifstream io(dir / "io.txt");
  std::vector<double> x, want;
  for (auto* v : {&x, &want}) {
    std::string line;
    std::getline(io, line);
    std::istringstream ls(line);
    for (double d; ls >> d;) v->push_back(d);
  }
  ASSERT_EQ(x.size(), 18u);
  ASSERT_EQ(want.size(), 24u);
  graph::Graph g = graph::load_onnx_file((dir / "lin4d.onnx").string());
  std::filesystem::remove_all(dir);
  size_t matmuls = 0;
  for (const auto& n : g.nodes) matmuls += n.op_type == "MatMul";
  EXPECT_EQ(matmuls, 1u);
  {
    graph::Graph fg = g;
    const auto fin = graph::make_inputs(fg, {x}, "x");
    graph::bind_shapes(fg, fin);
    const auto fout = graph::run_float(fg, fin);
    ASSERT_EQ(fout[0].data.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(fout[0].data[i], want[i], 1e-5) << i;
  }
  TestRng rng(testing::test_seed());
  std::vector<graph::Sample> samples(3);
  samples[0].inputs = {x};
  for (size_t s = 1; s < samples.size(); ++s) {
    std::vector<double> v(18);
    for (auto& e : v) e = 2.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    samples[s].inputs = {v};
  }
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  const auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, {x}, "x")));
  const auto y = trace.outputs(m)[0];
  const double unit = std::ldexp(1.0, -m.scales[static_cast<size_t>(m.graph.outputs[0])]);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(static_cast<double>(y.data[i]) * unit, want[i], 0.05) << i;
  prove_and_check(m, samples[0], rng);
  prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[1], rng);
}

}  // namespace
}  // namespace zkinfer::proof
