// Tests of the compile-time rewrites of graph/lower_moves.h. Each rewritten graph must compute what
// the original computes: (1) ONNX's own node tests (libonnx-testdata) for ConvTranspose, MaxPool,
// GatherND, ScatterND, ScatterElements and Scatter, lowered and run, against the expected outputs
// stored with them (the indices there are graph inputs: the one-hot path; the tests the float
// operators themselves refuse, ConvTranspose's output_shape beyond the full output and ScatterND's
// reduction mul, are left out); (2) models built here
// (constant indices: the data-movement path; repeated indices; negative ones; Concat with constant
// inputs; ConvTranspose with every attribute; MaxPool windows above the limit), lowered, against
// the original graph run by the float executor (the operators' own semantics). Every tensor the
// rewrites create has the shape the float executor gives it. Cases a rewrite does not handle
// (reduction mul, GatherND batch_dims > 0 with computed indices, non-constant ConvTranspose
// weights) keep their node.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "graph/float_executor.h"
#include "graph/lower_moves.h"
#include "graph/onnx_loader.h"
#include "onnx_build.h"
#include "graph_test_util.h"

namespace fs = std::filesystem;

namespace zkinfer::graph {
namespace {

using test_util::sorted_files;
using test_util::count_op;

using namespace zkinfer::test_onnx;

// What the quantizer runs (quant/quantizer.cc), on a graph with bound shapes. Each pass starts
// with g.tensors at capacity, so that its first new tensor reallocates the vector: a reference
// into g.tensors held across an emission then dangles, which the ASan build of this test
// (fuzz/CMakeLists.txt: rewrites_asan, run by fuzz/run.sh) reports as a use after free.
void lower_all(Graph& g) {
  for (void (*pass)(Graph&) : {lower_conv_transpose, lower_resize, lower_pool_3d, lower_lrn, lower_max_unpool}) {
    g.tensors.shrink_to_fit();
    pass(g);
  }
  g.tensors.shrink_to_fit();
  lower_large_max_pool(g, 59);
  for (void (*pass)(Graph&) : {lower_gather_scatter, lower_top_k}) {
    g.tensors.shrink_to_fit();
    pass(g);
  }
  fold_constants(g, true, true);
  g.tensors.shrink_to_fit();
  lower_concat_constants(g);
}

// Binds shapes, lowers, and checks every tensor's shape and the outputs against `want` (the
// original graph's outputs when empty). Returns the lowered graph.
Graph lower_and_compare(Graph plain, const std::vector<ops::FTensor>& in, std::vector<ops::FTensor> want = {}) {
  bind_shapes(plain, in);
  fold_constants(plain, true, true);
  if (want.empty()) want = run_float(plain, in);
  Graph low = plain;
  lower_all(low);
  const auto all = run_float_all(low, in);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].shape, low.tensors[i].shape) << "tensor '" << low.tensors[i].name << "'";
  const auto got = run_float(low, in);
  EXPECT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size() && o < want.size(); ++o) {
    EXPECT_EQ(ops::numel(got[o].shape), ops::numel(want[o].shape));
    for (size_t i = 0; i < got[o].data.size() && i < want[o].data.size(); ++i)
      EXPECT_NEAR(got[o].data[i], want[o].data[i], 1e-5 + 1e-6 * std::fabs(want[o].data[i])) << "output " << o << " entry " << i;
  }
  return low;
}

// Output "y" of the given rank, dimensions unknown (bound at load by shape inference or later).
void unknown_output(onnx::GraphProto* g, size_t rank) {
  auto* v = g->add_output();
  v->set_name("y");
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* s = tt->mutable_shape();
  for (size_t k = 0; k < rank; ++k) s->add_dim()->set_dim_param("d" + std::to_string(k));
}

ops::FTensor random_tensor(TestRng& rng, ops::Shape s) {
  ops::FTensor t(s);
  for (auto& v : t.data) v = static_cast<double>(rng.next_u64() % 2001) / 500.0 - 2.0;
  return t;
}

TEST(LowerMoves, OnnxNodeTests) {
  const fs::path root = "/usr/share/libonnx-testdata/data/node";
  if (!fs::exists(root)) GTEST_SKIP() << "libonnx-testdata is not installed (scripts/install-deps.sh)";
  // test -> the op that must be gone after lowering (empty: must stay).
  std::vector<std::pair<std::string, std::string>> tests = {
      {"test_convtranspose", "ConvTranspose"},          {"test_convtranspose_1d", "ConvTranspose"},
      {"test_convtranspose_autopad_same", "ConvTranspose"}, {"test_convtranspose_dilations", "ConvTranspose"},
      {"test_convtranspose_kernel_shape", "ConvTranspose"},
      {"test_convtranspose_pad", "ConvTranspose"},      {"test_convtranspose_pads", "ConvTranspose"},
      {"test_gathernd_example_float32", "GatherND"},    {"test_gathernd_example_int32", "GatherND"},
      {"test_gathernd_example_int32_batch_dim1", ""},   {"test_scatternd", "ScatterND"},
      {"test_scatternd_add", "ScatterND"},
      {"test_scatter_elements_with_axis", "ScatterElements"},
      {"test_scatter_elements_with_negative_indices", "ScatterElements"},
      {"test_scatter_elements_without_axis", "ScatterElements"},
      {"test_scatter_elements_with_duplicate_indices", "ScatterElements"},
      {"test_scatter_with_axis", "Scatter"},            {"test_scatter_without_axis", "Scatter"},
      {"test_top_k", "TopK"},                           {"test_top_k_negative_axis", "TopK"},
      {"test_top_k_smallest", "TopK"},
  };
  // Every Resize test (nearest, linear, cubic; scales and sizes; every coordinate mode in the
  // tests) and Upsample, their scales, sizes and roi made constants.
  const std::vector<std::string> resize_tests = {
      "test_resize_downsample_scales_cubic", "test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
      "test_resize_downsample_scales_cubic_align_corners", "test_resize_downsample_scales_linear",
      "test_resize_downsample_scales_linear_align_corners", "test_resize_downsample_scales_nearest",
      "test_resize_downsample_sizes_cubic", "test_resize_downsample_sizes_linear_pytorch_half_pixel",
      "test_resize_downsample_sizes_nearest", "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
      "test_resize_tf_crop_and_resize", "test_resize_upsample_scales_cubic",
      "test_resize_upsample_scales_cubic_A_n0p5_exclude_outside", "test_resize_upsample_scales_cubic_align_corners",
      "test_resize_upsample_scales_cubic_asymmetric", "test_resize_upsample_scales_linear",
      "test_resize_upsample_scales_linear_align_corners", "test_resize_upsample_scales_nearest",
      "test_resize_upsample_sizes_cubic", "test_resize_upsample_sizes_nearest",
      "test_resize_upsample_sizes_nearest_ceil_half_pixel", "test_resize_upsample_sizes_nearest_floor_align_corners",
      "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric"};
  for (const auto& t : resize_tests) tests.emplace_back(t, "Resize");
  tests.emplace_back("test_upsample_nearest", "Upsample");
  tests.emplace_back("test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool");
  tests.emplace_back("test_maxpool_with_argmax_2d_precomputed_strides", "MaxPool");
  tests.emplace_back("test_lrn", "LRN");
  tests.emplace_back("test_lrn_default", "LRN");
  tests.emplace_back("test_maxunpool_export_with_output_shape", "MaxUnpool");
  tests.emplace_back("test_maxunpool_export_without_output_shape", "MaxUnpool");
  size_t lowered = 0;
  for (const auto& [test, gone] : tests) {
    SCOPED_TRACE(test);
    const fs::path dir = root / test;
    ASSERT_TRUE(fs::exists(dir));
    Graph g = load_onnx_file((dir / "model.onnx").string());
    // ConvTranspose's weights and TopK's K are graph inputs in these tests: make them constants
    // (as a model's are), so that the rewrite applies.
    std::vector<ops::FTensor> in;
    for (const auto& f : sorted_files(dir / "test_data_set_0", "input_")) in.push_back(read_tensor_pb(f));
    ASSERT_EQ(in.size(), g.inputs.size());
    if (gone == "ConvTranspose" || gone == "TopK" || gone == "Resize" || gone == "Upsample" || gone == "MaxUnpool") {
      for (size_t k = 1; k < g.inputs.size(); ++k) {
        auto& w = g.tensors[g.inputs[k]];
        w.is_const = true;
        w.value = in[k];
        w.shape = in[k].shape;
      }
      g.inputs.resize(1);
      in.resize(1);
    }
    std::vector<ops::FTensor> want;
    for (const auto& f : sorted_files(dir / "test_data_set_0", "output_")) want.push_back(read_tensor_pb(f));
    const std::string op = g.nodes.at(0).op_type;
    Graph low;
    try {
      low = lower_and_compare(g, in, want);
    } catch (const Error& e) {
      ADD_FAILURE() << test << ": " << e.what();
      continue;
    }
    if (gone.empty()) {
      EXPECT_EQ(count_op(low, op), 1u) << "expected to stay";
    } else {
      EXPECT_EQ(count_op(low, gone), 0u) << "expected to be lowered";
      ++lowered;
    }
  }
  EXPECT_EQ(lowered, 50u);
}

// x [2, 4, 5, 6]: ConvTranspose with strides, pads, output_padding, dilations and groups, 2-D
// and 1-D; weights constant.
TEST(LowerMoves, ConvTransposeEveryAttribute) {
  TestRng rng(7);
  struct Case {
    std::vector<int64_t> x, w, strides, pads, out_pad, dil;
    int64_t group;
  };
  const std::vector<Case> cases = {
      {{2, 4, 5, 6}, {4, 3, 3, 2}, {2, 3}, {1, 0, 2, 1}, {1, 2}, {1, 2}, 1},
      {{1, 4, 3, 3}, {4, 1, 3, 3}, {3, 2}, {0, 1, 0, 0}, {0, 1}, {2, 1}, 2},
      {{1, 4, 4, 4}, {4, 2, 5, 5}, {2, 2}, {3, 3, 3, 3}, {0, 0}, {1, 1}, 4},  // pads beyond (k-1)d: a crop
      {{2, 3, 7}, {3, 2, 4}, {3}, {1, 2}, {2}, {2}, 1},
      {{1, 4, 5}, {4, 1, 2}, {1}, {0, 0}, {0}, {1}, 2},
  };
  for (const auto& c : cases) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("ct");
    add_init(g, "w", c.w, rnd(rng, static_cast<size_t>(ops::numel(c.w)), 1.0));
    add_init(g, "b", {c.w[1] * c.group}, rnd(rng, static_cast<size_t>(c.w[1] * c.group), 1.0));
    add_io(g->add_input(), "x", c.x);
    unknown_output(g, c.x.size());
    auto* n = add_node(g, "ConvTranspose", {"x", "w", "b"}, "y");
    set_ints(n, "strides", c.strides);
    set_ints(n, "pads", c.pads);
    set_ints(n, "output_padding", c.out_pad);
    set_ints(n, "dilations", c.dil);
    set_int(n, "group", c.group);
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "ct.onnx"), {random_tensor(rng, c.x)});
    EXPECT_EQ(count_op(low, "ConvTranspose"), 0u);
    EXPECT_EQ(count_op(low, "Conv"), 1u);
  }
}

// MaxPool windows of 64 and 63 entries (above 59): rows then columns; 7 x 8 with pads and strides.
TEST(LowerMoves, LargeMaxPoolBecomesRowsThenColumns) {
  TestRng rng(8);
  struct Case {
    std::vector<int64_t> k, s, p;
  };
  for (const auto& c : std::vector<Case>{{{8, 8}, {8, 8}, {0, 0, 0, 0}}, {{7, 9}, {2, 3}, {3, 1, 2, 4}}, {{5, 5}, {1, 1}, {0, 0, 0, 0}}}) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("mp");
    add_io(g->add_input(), "x", {1, 2, 17, 19});
    unknown_output(g, 4);
    auto* n = add_node(g, "MaxPool", {"x"}, "y");
    set_ints(n, "kernel_shape", c.k);
    set_ints(n, "strides", c.s);
    set_ints(n, "pads", c.p);
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "mp.onnx"), {random_tensor(rng, {1, 2, 17, 19})});
    EXPECT_EQ(count_op(low, "MaxPool"), c.k[0] * c.k[1] > 59 ? 2u : 1u);
  }
}

// Constant indices (data movement): GatherND (k = 1, 2, batch_dims 1, negative indices),
// ScatterND (none with a repeated index: the later wins; add; constant and computed data),
// ScatterElements (axes 0 and 1, negative indices, add). Computed indices for the same shapes.
TEST(LowerMoves, GatherScatterConstantAndComputedIndices) {
  TestRng rng(9);
  struct Case {
    std::string op;
    std::vector<int64_t> data;
    std::vector<int64_t> idx_shape, idx;
    std::vector<int64_t> upd;  // updates' shape (scatters)
    std::string reduction;
    int64_t axis, batch_dims;
    bool const_data;
  };
  const std::vector<Case> cases = {
      {"GatherND", {3, 4, 5}, {2, 1}, {2, -3}, {}, "", 0, 0, false},
      {"GatherND", {3, 4, 5}, {2, 2, 2}, {0, 1, 2, 3, -1, -4, 1, 1}, {}, "", 0, 0, false},
      {"GatherND", {2, 4, 5}, {2, 3, 1}, {0, 3, 1, 2, 2, -1}, {}, "", 0, 1, false},
      {"ScatterND", {4, 3}, {3, 1}, {2, 0, 2}, {3, 3}, "none", 0, 0, false},  // repeated: constant only
      {"ScatterND", {4, 3}, {3, 1}, {2, 0, 3}, {3, 3}, "none", 0, 0, false},
      {"ScatterND", {4, 3}, {3, 1}, {2, 0, 2}, {3, 3}, "add", 0, 0, false},  // repeated: left as is
      {"ScatterND", {4, 3}, {2, 2}, {1, 2, -1, 0}, {2}, "add", 0, 0, true},
      {"ScatterND", {6}, {2, 1}, {5, 1}, {2}, "none", 0, 0, true},
      {"ScatterElements", {3, 4}, {2, 4}, {0, 2, 1, -1, 2, 0, 0, 1}, {2, 4}, "none", 0, 0, false},
      {"ScatterElements", {3, 4}, {3, 2}, {3, 0, 1, 2, -2, 0}, {3, 2}, "add", 1, 0, true},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    for (bool computed : {false, true}) {
      // A repeated computed index with reduction none sums its updates (lower_moves.h; ONNX leaves
      // it undefined): not compared.
      if (computed && ci == 3) continue;
      SCOPED_TRACE("case " + std::to_string(ci) + (computed ? " computed" : " constant"));
      // Computed negative indices count from the end too (each component normalized before the
      // flat index; OneHot counts a negative one from the end).
      const std::vector<int64_t> iv = c.idx;
      onnx::ModelProto m;
      m.set_ir_version(8);
      m.add_opset_import()->set_version(16);
      auto* g = m.mutable_graph();
      g->set_name("gs");
      std::vector<ops::FTensor> in;
      if (c.const_data) {
        add_init(g, "x", c.data, rnd(rng, static_cast<size_t>(ops::numel(c.data)), 2.0));
      } else {
        add_io(g->add_input(), "x", c.data);
        in.push_back(random_tensor(rng, c.data));
      }
      if (computed) {
        add_io(g->add_input(), "i", c.idx_shape, onnx::TensorProto::INT64);
        ops::FTensor t(c.idx_shape, ops::DType::kInt);
        for (size_t k = 0; k < iv.size(); ++k) t.data[k] = static_cast<double>(iv[k]);
        in.push_back(t);
      } else {
        add_init_i64(g, "i", c.idx_shape, iv);
      }
      std::vector<std::string> ins = {"x", "i"};
      if (c.op != "GatherND") {
        add_io(g->add_input(), "u", c.upd);
        in.push_back(random_tensor(rng, c.upd));
        ins.push_back("u");
      }
      unknown_output(g, c.op == "GatherND" ? c.idx_shape.size() - 1 + c.data.size() - static_cast<size_t>(c.idx_shape.back() + c.batch_dims)
                                           : c.data.size());
      auto* n = add_node(g, c.op, ins, "y");
      if (!c.reduction.empty()) {
        auto* a = n->add_attribute();
        a->set_name("reduction");
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(c.reduction);
      }
      if (c.op == "ScatterElements") set_int(n, "axis", c.axis);
      if (c.op == "GatherND") set_int(n, "batch_dims", c.batch_dims);
      Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "gs.onnx"), in);
      const bool stays = (c.reduction == "add" && ci == 5 && !computed) || (c.batch_dims > 0 && computed);
      EXPECT_EQ(count_op(low, c.op), stays ? 1u : 0u);
      if (!stays) EXPECT_EQ(count_op(low, "OneHot") > 0, computed);
    }
  }
}

// TopK: largest and smallest, every axis, K from 1 to D, with ties (values on a coarse grid:
// the lower index first), values and indices against the operator's own semantics.
TEST(LowerMoves, TopKByRanks) {
  TestRng rng(11);
  for (int64_t axis : {0, 1, 2})
    for (int64_t largest : {1, 0})
      for (int64_t k : {1, 3, 5}) {
        const std::vector<int64_t> dims = {5, 5, 5};
        SCOPED_TRACE("axis " + std::to_string(axis) + " largest " + std::to_string(largest) + " k " + std::to_string(k));
        onnx::ModelProto m;
        m.set_ir_version(8);
        m.add_opset_import()->set_version(13);
        auto* g = m.mutable_graph();
        g->set_name("topk");
        add_init_i64(g, "k", {1}, {k});
        add_io(g->add_input(), "x", dims);
        unknown_output(g, 3);
        auto* v = g->add_output();
        v->set_name("i");
        v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
        for (int d = 0; d < 3; ++d) v->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("e" + std::to_string(d));
        auto* n = add_node_outs(g, "TopK", {"x", "k"}, {"y", "i"});
        set_int(n, "axis", axis);
        set_int(n, "largest", largest);
        ops::FTensor x(dims);
        for (auto& e : x.data) e = static_cast<double>(rng.next_u64() % 7) - 3;  // many ties
        Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "topk.onnx"), {x});
        EXPECT_EQ(count_op(low, "TopK"), 0u);
        EXPECT_EQ(count_op(low, "OneHot"), 1u);
      }
}

void set_str(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// Resize in every mode and coordinate mode, by scales and by sizes, with exclude_outside,
// antialias and axes (opset 18), tf_crop_and_resize with an extrapolation value; Upsample (opset
// 9): lowered, against the original node (its float semantics; ONNX's expected values are checked
// by OnnxNodeTests). Plus one plain reference: nearest, asymmetric, scale 2 repeats each entry.
TEST(LowerMoves, ResizeEveryMode) {
  TestRng rng(11);
  struct Case {
    std::string mode, ctm, nearest;
    std::vector<float> scales;
    std::vector<int64_t> sizes, axes;
    int64_t exclude = 0, antialias = 0;
    std::vector<float> roi = {};
  };
  const std::vector<Case> cases = {
      {"nearest", "half_pixel", "round_prefer_floor", {1, 1, 2, 1.5}, {}, {}},
      {"nearest", "asymmetric", "floor", {1, 1, 0.6f, 2.5f}, {}, {}},
      {"nearest", "align_corners", "ceil", {}, {1, 2, 9, 4}, {}},
      {"nearest", "tf_half_pixel_for_nn", "round_prefer_ceil", {}, {2, 2, 3, 7}, {}},
      {"nearest", "pytorch_half_pixel", "round_prefer_floor", {}, {1, 1, 1, 8}, {}},
      {"nearest", "tf_crop_and_resize", "round_prefer_floor", {}, {1, 2, 4, 4}, {}, 0, 0, {0, 0, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f}},
      {"linear", "half_pixel", "", {1, 1, 2, 2}, {}, {}},
      {"linear", "align_corners", "", {1, 1, 0.5f, 1.7f}, {}, {}},
      {"linear", "pytorch_half_pixel", "", {}, {1, 2, 1, 3}, {}},
      {"linear", "asymmetric", "", {}, {1, 2, 7, 3}, {}},
      {"linear", "half_pixel_symmetric", "", {1, 1, 1.3f, 0.7f}, {}, {}},
      {"linear", "tf_crop_and_resize", "", {}, {1, 2, 3, 5}, {}, 0, 0, {0, 0, 0.1f, -0.3f, 1, 1, 0.8f, 1.2f}},
      {"cubic", "half_pixel", "", {1, 1, 2, 0.5f}, {}, {}},
      {"cubic", "align_corners", "", {}, {1, 2, 4, 9}, {}, 1},
  };
  const ops::Shape xs = {1, 2, 5, 6};
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    SCOPED_TRACE("case " + std::to_string(ci));
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("rs");
    add_io(g->add_input(), "x", xs);
    unknown_output(g, 4);
    std::vector<std::string> ins = {"x", "", "", ""};
    if (!c.roi.empty()) {
      add_init(g, "roi", {static_cast<int64_t>(c.roi.size())}, c.roi);
      ins[1] = "roi";
    }
    if (!c.scales.empty()) {
      add_init(g, "scales", {static_cast<int64_t>(c.scales.size())}, c.scales);
      ins[2] = "scales";
      ins.pop_back();
    } else {
      add_init_i64(g, "sizes", {static_cast<int64_t>(c.sizes.size())}, c.sizes);
      ins[3] = "sizes";
    }
    auto* n = add_node(g, "Resize", ins, "y");
    set_str(n, "mode", c.mode);
    set_str(n, "coordinate_transformation_mode", c.ctm);
    if (!c.nearest.empty()) set_str(n, "nearest_mode", c.nearest);
    if (c.exclude) set_int(n, "exclude_outside", 1);
    if (c.antialias) set_int(n, "antialias", 1);
    if (!c.axes.empty()) set_ints(n, "axes", c.axes);
    if (c.ctm == "tf_crop_and_resize") {
      auto* a = n->add_attribute();
      a->set_name("extrapolation_value");
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(-1.5f);
    }
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "rs.onnx"), {random_tensor(rng, xs)});
    EXPECT_EQ(count_op(low, "Resize"), 0u);
    EXPECT_EQ(count_op(low, "MatMul") > 0, c.mode != "nearest");
  }
  // Opset 18's antialias and axes (the ONNX checker here knows Resize up to opset 13 only: the
  // graph is built directly).
  for (const std::string mode : {"linear", "cubic"}) {
    SCOPED_TRACE("antialias " + mode);
    Graph gr;
    gr.source = "antialias";
    gr.opset = 18;
    TensorInfo xt;
    xt.name = "x";
    xt.shape = xs;
    const int xi = gr.add_tensor(std::move(xt));
    gr.inputs.push_back(xi);
    TensorInfo st;
    st.name = "scales";
    st.shape = {2};
    st.is_const = true;
    st.value = ops::FTensor({2});
    st.value.data = {0.6, mode == "linear" ? 0.5 : 1.4};
    const int si = gr.add_tensor(std::move(st));
    TensorInfo yt;
    yt.name = "y";
    const int yi = gr.add_tensor(std::move(yt));
    gr.outputs.push_back(yi);
    ops::Node n;
    n.name = "rs";
    n.op_type = "Resize";
    n.opset = 18;
    n.inputs = {xi, -1, si};
    n.outputs = {yi};
    n.attrs.strings["mode"] = mode;
    n.attrs.ints["antialias"] = 1;
    n.attrs.int_lists["axes"] = {2, -1};
    gr.nodes.push_back(n);
    Graph low = lower_and_compare(gr, {random_tensor(rng, xs)});
    EXPECT_EQ(count_op(low, "Resize"), 0u);
  }
  // Upsample (opset 9), nearest, scale 2: y[h][w] = x[h / 2][w / 2].
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(9);
  auto* g = m.mutable_graph();
  g->set_name("up");
  add_io(g->add_input(), "x", {1, 1, 3, 4});
  unknown_output(g, 4);
  add_init(g, "scales", {4}, {1, 1, 2, 2});
  add_node(g, "Upsample", {"x", "scales"}, "y");
  const ops::FTensor x = random_tensor(rng, {1, 1, 3, 4});
  ops::FTensor want({1, 1, 6, 8});
  for (int64_t h = 0; h < 6; ++h)
    for (int64_t w = 0; w < 8; ++w) want.data[static_cast<size_t>(h * 8 + w)] = x.data[static_cast<size_t>(h / 2 * 4 + w / 2)];
  Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "up.onnx"), {x}, {want});
  EXPECT_EQ(count_op(low, "Upsample"), 0u);
  EXPECT_EQ(count_op(low, "Gather"), 2u);
  // Resize-10 (X, scales), asymmetric: nearest repeats as Upsample; linear along W with scale 2
  // gives x[w / 2] at even w, the mean of x[(w - 1) / 2] and its right neighbour (clamped) at odd w.
  for (const std::string mode : {"nearest", "linear"}) {
    SCOPED_TRACE("Resize-10 " + mode);
    onnx::ModelProto m10;
    m10.set_ir_version(8);
    m10.add_opset_import()->set_version(10);
    auto* g10 = m10.mutable_graph();
    g10->set_name("r10");
    add_io(g10->add_input(), "x", {1, 1, 3, 4});
    unknown_output(g10, 4);
    add_init(g10, "scales", {4}, {1, 1, mode == "nearest" ? 2.0f : 1.0f, 2});
    set_str(add_node(g10, "Resize", {"x", "scales"}, "y"), "mode", mode);
    ops::FTensor want10 = want;
    if (mode == "linear") {
      want10 = ops::FTensor({1, 1, 3, 8});
      for (int64_t h = 0; h < 3; ++h)
        for (int64_t w = 0; w < 8; ++w) {
          const double a = x.data[static_cast<size_t>(h * 4 + w / 2)], b = x.data[static_cast<size_t>(h * 4 + std::min<int64_t>(3, w / 2 + 1))];
          want10.data[static_cast<size_t>(h * 8 + w)] = w % 2 == 0 ? a : 0.5 * (a + b);
        }
    }
    Graph low10 = lower_and_compare(load_onnx_bytes(serialize(m10), "r10.onnx"), {x}, {want10});
    EXPECT_EQ(count_op(low10, "Resize"), 0u);
  }
}

// MaxPool forms the MaxPool step does not take as they are (1-D, dilations, pads not below the
// kernel, ceil_mode past the pads, one axis above 59 entries): window Gathers and block MaxPools,
// every one 2-D and undilated; against the original node.
TEST(LowerMoves, GeneralMaxPoolBecomesGathersAndBlockPools) {
  TestRng rng(12);
  struct Case {
    std::vector<int64_t> x, k, s, p, d;
    int64_t ceil;
  };
  const std::vector<Case> cases = {
      {{1, 2, 13}, {3}, {2}, {1, 2}, {2}, 1},
      {{1, 2, 9}, {4}, {1}, {0, 0}, {1}, 0},
      {{1, 2, 9, 11}, {3, 3}, {1, 2}, {2, 1, 2, 3}, {2, 3}, 0},
      {{1, 1, 7, 7}, {2, 2}, {3, 3}, {0, 0, 2, 2}, {1, 1}, 0},
      {{1, 1, 70, 3}, {64, 1}, {3, 1}, {0, 0, 0, 0}, {1, 1}, 0},
      {{1, 2, 70}, {61}, {4}, {2, 3}, {1}, 0},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    SCOPED_TRACE("case " + std::to_string(ci));
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("mp");
    add_io(g->add_input(), "x", c.x);
    unknown_output(g, c.x.size());
    auto* n = add_node(g, "MaxPool", {"x"}, "y");
    set_ints(n, "kernel_shape", c.k);
    set_ints(n, "strides", c.s);
    set_ints(n, "pads", c.p);
    set_ints(n, "dilations", c.d);
    set_int(n, "ceil_mode", c.ceil);
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "mp.onnx"), {random_tensor(rng, c.x)});
    EXPECT_GE(count_op(low, "Gather"), 1u);
    for (const auto& node : low.nodes) {
      if (node.op_type != "MaxPool") continue;
      EXPECT_EQ(low.tensors[node.inputs[0]].shape.size(), 4u);
      EXPECT_FALSE(node.attrs.has("dilations"));
      EXPECT_FALSE(node.attrs.has("pads"));
      const auto k = node.attrs.get_ints("kernel_shape");
      EXPECT_LE(k[0] * k[1], 59);
    }
  }
}

// MaxPool with its Indices output (1-D and 2-D, pads, dilations, ceil_mode, storage_order 1):
// window Gathers, ReduceMax, ArgMax, OneHot and constant positions; against the node (both
// outputs; random inputs: no ties).
TEST(LowerMoves, MaxPoolIndicesByArgMax) {
  TestRng rng(15);
  struct Case {
    std::vector<int64_t> x, k, s, p, d;
    int64_t ceil, order;
  };
  const std::vector<Case> cases = {
      {{2, 3, 6, 7}, {3, 2}, {2, 2}, {1, 0, 1, 1}, {1, 1}, 0, 0},
      {{1, 2, 7, 7}, {2, 3}, {1, 2}, {0, 1, 0, 1}, {2, 1}, 1, 1},
      {{1, 2, 11}, {4}, {3}, {2, 1}, {1}, 1, 0},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    SCOPED_TRACE("case " + std::to_string(ci));
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(12);
    auto* g = m.mutable_graph();
    g->set_name("mpi");
    add_io(g->add_input(), "x", c.x);
    unknown_output(g, c.x.size());
    auto* iv = g->add_output();
    iv->set_name("i");
    auto* tt = iv->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::INT64);
    for (size_t k = 0; k < c.x.size(); ++k) tt->mutable_shape()->add_dim()->set_dim_param("e" + std::to_string(k));
    auto* n = add_node_outs(g, "MaxPool", {"x"}, {"y", "i"});
    set_ints(n, "kernel_shape", c.k);
    set_ints(n, "strides", c.s);
    set_ints(n, "pads", c.p);
    set_ints(n, "dilations", c.d);
    set_int(n, "ceil_mode", c.ceil);
    set_int(n, "storage_order", c.order);
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "mpi.onnx"), {random_tensor(rng, c.x)});
    EXPECT_EQ(count_op(low, "MaxPool"), 0u);
    EXPECT_EQ(count_op(low, "ArgMax"), 1u);
  }
}

// 3-D MaxPool / AveragePool into a 2-D pool over (H, W) and one over D: ONNX's node tests
// (against their expected outputs) and pads, strides, dilations, ceil_mode, count_include_pad and
// SAME_UPPER (against the 3-D node); every pool left is 2-D.
TEST(LowerMoves, Pool3dBecomesTwo2dPools) {
  const fs::path root = "/usr/share/libonnx-testdata/data/node";
  auto all_2d = [](const Graph& low) {
    size_t pools = 0;
    for (const auto& node : low.nodes)
      if (node.op_type == "MaxPool" || node.op_type == "AveragePool") {
        EXPECT_EQ(low.tensors[node.inputs[0]].shape.size(), 4u) << node.name;
        ++pools;
      }
    return pools;
  };
  if (fs::exists(root)) {
    for (const std::string test : {"test_maxpool_3d_default", "test_averagepool_3d_default"}) {
      SCOPED_TRACE(test);
      Graph g = load_onnx_file((root / test / "model.onnx").string());
      std::vector<ops::FTensor> in, want;
      for (const auto& f : sorted_files(root / test / "test_data_set_0", "input_")) in.push_back(read_tensor_pb(f));
      for (const auto& f : sorted_files(root / test / "test_data_set_0", "output_")) want.push_back(read_tensor_pb(f));
      EXPECT_EQ(all_2d(lower_and_compare(g, in, want)), 2u);
    }
  }
  TestRng rng(13);
  struct Case {
    std::string op;
    std::vector<int64_t> x, k, s, p, d;
    int64_t ceil, incl;
    std::string auto_pad;
  };
  const std::vector<Case> cases = {
      {"MaxPool", {1, 2, 5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {1, 1, 0, 0, 1, 1}, {1, 1, 2}, 1, 0, ""},
      {"AveragePool", {2, 1, 5, 6, 7}, {3, 2, 2}, {2, 2, 1}, {1, 0, 1, 1, 1, 0}, {1, 1, 1}, 0, 0, ""},
      {"AveragePool", {1, 2, 4, 5, 6}, {2, 3, 3}, {1, 2, 2}, {1, 1, 1, 0, 1, 1}, {1, 1, 1}, 1, 1, ""},
      {"AveragePool", {1, 1, 6, 5, 4}, {3, 3, 2}, {2, 1, 1}, {}, {1, 1, 1}, 0, 0, "SAME_UPPER"},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    SCOPED_TRACE("case " + std::to_string(ci));
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(19);
    auto* g = m.mutable_graph();
    g->set_name("p3");
    add_io(g->add_input(), "x", c.x);
    unknown_output(g, 5);
    auto* n = add_node(g, c.op, {"x"}, "y");
    set_ints(n, "kernel_shape", c.k);
    set_ints(n, "strides", c.s);
    if (!c.p.empty()) set_ints(n, "pads", c.p);
    if (c.op == "MaxPool" || c.d != std::vector<int64_t>{1, 1, 1}) set_ints(n, "dilations", c.d);
    set_int(n, "ceil_mode", c.ceil);
    if (c.op == "AveragePool") set_int(n, "count_include_pad", c.incl);
    if (!c.auto_pad.empty()) set_str(n, "auto_pad", c.auto_pad);
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "p3.onnx"), {random_tensor(rng, c.x)});
    EXPECT_GE(all_2d(low), 2u);
  }
}

// LRN with an even and an odd window, on ranks 4 and 3, a large alpha (the normalization matters):
// Mul, a 1x1 Conv, Log, Mul, Exp, Mul; against the node.
TEST(LowerMoves, LrnBecomesSquaresBandConvAndPow) {
  TestRng rng(14);
  struct Case {
    std::vector<int64_t> x;
    int64_t size;
    float alpha, beta, bias;
  };
  for (const auto& c : std::vector<Case>{{{2, 6, 3, 2}, 4, 2.0f, 0.75f, 1.0f}, {{1, 5, 7}, 3, 0.9f, 0.5f, 2.0f}, {{1, 3, 2, 2}, 7, 1.5f, 1.2f, 0.5f}}) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("lrn");
    add_io(g->add_input(), "x", c.x);
    unknown_output(g, c.x.size());
    auto* n = add_node(g, "LRN", {"x"}, "y");
    set_int(n, "size", c.size);
    for (const auto& [name, v] : std::vector<std::pair<std::string, float>>{{"alpha", c.alpha}, {"beta", c.beta}, {"bias", c.bias}}) {
      auto* a = n->add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(v);
    }
    Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "lrn.onnx"), {random_tensor(rng, c.x)});
    EXPECT_EQ(count_op(low, "LRN"), 0u);
    EXPECT_EQ(count_op(low, "Conv"), 1u);
    EXPECT_EQ(count_op(low, "Log"), 1u);
    EXPECT_EQ(count_op(low, "Exp"), 1u);
  }
}

// Concat of constants and computed tensors: Pads and an Add of one constant.
TEST(LowerMoves, ConcatWithConstantInputs) {
  TestRng rng(10);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("cc");
  add_init(g, "c0", {2, 1, 3}, rnd(rng, 6, 1.0));
  add_init(g, "c1", {2, 2, 3}, rnd(rng, 12, 1.0));
  add_io(g->add_input(), "a", {2, 3, 3});
  add_io(g->add_input(), "b", {2, 1, 3});
  add_io(g->add_output(), "y", {2, 7, 3});
  set_int(add_node(g, "Concat", {"c0", "a", "c1", "b"}, "y"), "axis", 1);
  Graph low = lower_and_compare(load_onnx_bytes(serialize(m), "cc.onnx"),
                                {random_tensor(rng, {2, 3, 3}), random_tensor(rng, {2, 1, 3})});
  EXPECT_EQ(count_op(low, "Concat"), 0u);
  EXPECT_EQ(count_op(low, "Pad"), 2u);
}

}  // namespace
}  // namespace zkinfer::graph
