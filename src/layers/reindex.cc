// Re-indexing layers: Transpose, Slice, Pad, Reshape, Concat. See reindex.h and
// docs/protocol/layers.md, section 8.
#include "layers/reindex.h"

#include <algorithm>

#include "common/check.h"
#include "layers/rescale.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "zk/session.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::pow2_fr;

namespace {

constexpr size_t kMaxMapEntries = size_t{1} << 28;

std::vector<size_t> pick(const std::vector<size_t>& dims, const std::vector<size_t>& axes) {
  std::vector<size_t> out;
  for (size_t a : axes) out.push_back(dims[a]);
  return out;
}

// The padded index of every row-major unpadded entry of s.
std::vector<size_t> padded_positions(const PaddedShape& s) {
  const size_t n = s.unpadded_size();
  std::vector<size_t> out(n);
  std::vector<size_t> idx(s.rank(), 0);
  for (size_t i = 0; i < n; ++i) {
    out[i] = s.index(idx);
    for (size_t d = s.rank(); d-- > 0;) {
      if (++idx[d] < s.dims()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// The variables of contiguous increasing axes of shape s: [first, first + count).
std::pair<size_t, size_t> axis_vars(const PaddedShape& s, const std::vector<size_t>& axes) {
  if (axes.empty()) return {0, 0};
  const size_t first = s.offsets()[axes.back()];
  size_t count = 0;
  for (size_t a : axes) count += s.log_sizes()[a];
  return {first, count};
}

template <class F>
std::vector<F> sub(std::span<const F> p, std::pair<size_t, size_t> r) {
  return std::vector<F>(p.begin() + static_cast<std::ptrdiff_t>(r.first),
                        p.begin() + static_cast<std::ptrdiff_t>(r.first + r.second));
}
template <class F>
std::vector<F> sub(const std::vector<F>& p, std::pair<size_t, size_t> r) {
  return sub<F>(std::span<const F>(p), r);
}

bool contiguous(const std::vector<size_t>& axes) {
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1) return false;
  return true;
}

// A group needs no sumcheck: the identity of one axis, or a total map between unit axes.
bool is_free(const ReindexGroup& g, const ReindexMap& m) {
  if (g.identity) return true;
  size_t vars = 0;
  for (size_t a : g.y_axes) vars += ceil_log2(m.y_dims[a]);
  for (size_t a : g.x_axes) vars += ceil_log2(m.x_dims[a]);
  return vars == 0 && g.map.size() == 1 && g.map[0] == 0;
}

// Per group: y's and x's sub-shapes and the variable ranges.
struct GroupInfo {
  PaddedShape ys, xs;
  std::pair<size_t, size_t> yv, xv;
  bool free = false;
};

std::vector<GroupInfo> group_info(const ReindexMap& m) {
  const PaddedShape ys(m.y_dims), xs(m.x_dims);
  std::vector<GroupInfo> out;
  for (const auto& g : m.groups) {
    GroupInfo gi;
    gi.ys = PaddedShape(pick(m.y_dims, g.y_axes));
    gi.xs = PaddedShape(pick(m.x_dims, g.x_axes));
    gi.yv = axis_vars(ys, g.y_axes);
    gi.xv = axis_vars(xs, g.x_axes);
    gi.free = is_free(g, m);
    out.push_back(std::move(gi));
  }
  return out;
}

// The non-free groups in increasing order of their x variables (the sumcheck's variable order).
std::vector<size_t> sumcheck_groups(const ReindexMap& m, const std::vector<GroupInfo>& gi) {
  std::vector<size_t> ids;
  for (size_t i = 0; i < m.groups.size(); ++i)
    if (!gi[i].free) ids.push_back(i);
  std::sort(ids.begin(), ids.end(), [&](size_t a, size_t b) { return gi[a].xv.first < gi[b].xv.first; });
  return ids;
}

bool all_free(const std::vector<GroupInfo>& gi) {
  return std::all_of(gi.begin(), gi.end(), [](const GroupInfo& g) { return g.free; });
}

// sum over sourced t of eq(z_g, ypad(t)) eq(r_g, xpad(map t)); r_g empty and xs of rank 0 allowed.
template <class F>
F group_selector(const ReindexGroup& g, const GroupInfo& gi, std::span<const F> zg, std::span<const F> rg) {
  const auto ez = poly::eq_table<F>(zg), er = poly::eq_table<F>(rg);
  const auto ypos = padded_positions(gi.ys), xpos = padded_positions(gi.xs);
  F acc = F::zero();
  for (size_t t = 0; t < g.map.size(); ++t)
    if (g.map[t] >= 0) acc += ez[ypos[t]] * er[xpos[static_cast<size_t>(g.map[t])]];
  return acc;
}

// sum over sourced t of eq(z_g, ypad(t)): the MLE of the group's "has a source" indicator.
template <class F>
F group_sourced(const ReindexGroup& g, const GroupInfo& gi, std::span<const F> zg) {
  if (g.identity) return eq_prefix_sum(zg, gi.ys.dims()[0]);
  const auto ez = poly::eq_table<F>(zg);
  const auto ypos = padded_positions(gi.ys);
  F acc = F::zero();
  for (size_t t = 0; t < g.map.size(); ++t)
    if (g.map[t] >= 0) acc += ez[ypos[t]];
  return acc;
}

// v - c * (MLE of the unsourced entries of y at z).
template <class F>
sumcheck::Msg<F> sourced_target(const ReindexMap& m, const std::vector<GroupInfo>& gi, const ClaimT<F>& c) {
  if (m.pad_value == 0) return c.value;
  const PaddedShape ys(m.y_dims);
  F src = F::one();
  for (size_t i = 0; i < m.groups.size(); ++i)
    src *= group_sourced<F>(m.groups[i], gi[i], sub<F>(c.point, gi[i].yv));
  return c.value - F(Fr::from_i64(m.pad_value)) * (detail::indicator_mle(ys, c.point) - src);
}

// The x point: identity groups' x variables from z, the others' from rho (in sumcheck order).
template <class F>
std::vector<F> x_point(const ReindexMap& m, const std::vector<GroupInfo>& gi, const std::vector<size_t>& sc,
                       std::span<const F> z, std::span<const F> rho) {
  std::vector<F> p(PaddedShape(m.x_dims).num_vars());
  for (size_t i = 0; i < m.groups.size(); ++i)
    if (m.groups[i].identity) {
      auto zs = sub<F>(z, gi[i].yv);
      std::copy(zs.begin(), zs.end(), p.begin() + static_cast<std::ptrdiff_t>(gi[i].xv.first));
    }
  size_t at = 0;
  for (size_t i : sc) {
    for (size_t k = 0; k < gi[i].xv.second; ++k) p[gi[i].xv.first + k] = rho[at + k];
    at += gi[i].xv.second;
  }
  return p;
}

template <class F = Fr>
sumcheck::Composition<F> prod2() { return sumcheck::Composition<F>::product(2); }

}  // namespace

std::optional<std::string> ReindexMap::invalid() const {
  if (auto why = PaddedShape::invalid(x_dims)) return "x: " + *why;
  if (auto why = PaddedShape::invalid(y_dims)) return "y: " + *why;
  std::vector<int> ys(y_dims.size(), 0), xs(x_dims.size(), 0);
  size_t entries = 0;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    const std::string where = "group " + std::to_string(gi) + ": ";
    for (size_t a : g.y_axes) {
      if (a >= y_dims.size()) return where + "y axis out of range";
      ++ys[a];
    }
    for (size_t a : g.x_axes) {
      if (a >= x_dims.size()) return where + "x axis out of range";
      ++xs[a];
    }
    if (!contiguous(g.y_axes) || !contiguous(g.x_axes)) return where + "axes not contiguous and increasing";
    if (g.identity) {
      if (g.y_axes.size() != 1 || g.x_axes.size() != 1 || !g.map.empty() ||
          y_dims[g.y_axes[0]] != x_dims[g.x_axes[0]])
        return where + "malformed identity";
      continue;
    }
    size_t ny = 1, nx = 1;
    for (size_t a : g.y_axes) ny *= y_dims[a];
    for (size_t a : g.x_axes) nx *= x_dims[a];
    if (g.map.size() != ny) return where + "map size differs from the y sub-shape";
    entries += ny;
    if (entries > kMaxMapEntries) return std::string("maps too large");
    for (int64_t v : g.map)
      if (v < -1 || v >= static_cast<int64_t>(nx)) return where + "source index out of range";
  }
  for (int c : ys)
    if (c != 1) return std::string("y axes not partitioned by the groups");
  for (int c : xs)
    if (c != 1) return std::string("x axes not partitioned by the groups");
  return std::nullopt;
}

size_t ReindexMap::sumcheck_vars() const {
  size_t n = 0;
  const PaddedShape xs(x_dims);
  for (const auto& g : groups)
    if (!is_free(g, *this))
      for (size_t a : g.x_axes) n += xs.log_sizes()[a];
  return n;
}

std::vector<int64_t> ReindexMap::apply(std::span<const int64_t> x) const {
  if (auto why = invalid()) throw Error("reindex: " + *why);
  const PaddedShape xs(x_dims), ys(y_dims);
  if (x.size() != xs.unpadded_size()) throw Error("reindex: x size does not match its shape");
  // Row-major strides of x's axes.
  std::vector<size_t> xstride(x_dims.size(), 1);
  for (size_t a = x_dims.size(); a-- > 1;) xstride[a - 1] = xstride[a] * x_dims[a];
  std::vector<int64_t> y(ys.unpadded_size());
  std::vector<size_t> idx(y_dims.size(), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    bool ok = true;
    size_t off = 0;
    for (const auto& g : groups) {
      if (g.identity) {
        off += idx[g.y_axes[0]] * xstride[g.x_axes[0]];
        continue;
      }
      size_t t = 0;
      for (size_t a : g.y_axes) t = t * y_dims[a] + idx[a];
      const int64_t s = g.map[t];
      if (s < 0) {
        ok = false;
        break;
      }
      size_t rem = static_cast<size_t>(s);
      for (size_t k = g.x_axes.size(); k-- > 0;) {
        const size_t a = g.x_axes[k];
        off += (rem % x_dims[a]) * xstride[a];
        rem /= x_dims[a];
      }
    }
    y[i] = ok ? x[off] : pad_value;
    for (size_t d = y_dims.size(); d-- > 0;) {
      if (++idx[d] < y_dims[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

// ---- constructors ----

ReindexMap transpose_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& perm) {
  if (perm.size() != x_dims.size()) throw Error("transpose: perm length differs from the rank");
  ReindexMap m;
  m.x_dims = x_dims;
  std::vector<bool> seen(x_dims.size(), false);
  for (size_t d = 0; d < perm.size(); ++d) {
    if (perm[d] >= x_dims.size() || seen[perm[d]]) throw Error("transpose: perm is not a permutation");
    seen[perm[d]] = true;
    m.y_dims.push_back(x_dims[perm[d]]);
    m.groups.push_back({{d}, {perm[d]}, true, {}});
  }
  return m;
}

ReindexMap slice_map(const std::vector<size_t>& x_dims, std::vector<int64_t> starts, std::vector<int64_t> ends,
                     std::vector<int64_t> axes, std::vector<int64_t> steps) {
  const int64_t r = static_cast<int64_t>(x_dims.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw Error("slice: starts/ends/axes/steps lengths differ");
  std::vector<int64_t> st(x_dims.size(), 0), step(x_dims.size(), 1), cnt(x_dims.begin(), x_dims.end());
  std::vector<bool> touched(x_dims.size(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
    if (a < 0 || a >= r) throw Error("slice: axis out of range");
    const int64_t d = static_cast<int64_t>(x_dims[static_cast<size_t>(a)]);
    int64_t s = starts[i], e = ends[i], k = steps[i];
    if (k == 0) throw Error("slice: step 0");
    if (s < 0) s += d;
    if (e < 0) e += d;
    int64_t c;
    if (k > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      c = e > s ? (e - s + k - 1) / k : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      c = s > e ? (s - e + (-k) - 1) / (-k) : 0;
    }
    if (c == 0) throw Error("slice: empty output");
    st[static_cast<size_t>(a)] = s;
    step[static_cast<size_t>(a)] = k;
    cnt[static_cast<size_t>(a)] = c;
    touched[static_cast<size_t>(a)] = true;
  }
  ReindexMap m;
  m.x_dims = x_dims;
  for (size_t a = 0; a < x_dims.size(); ++a) {
    m.y_dims.push_back(static_cast<size_t>(cnt[a]));
    ReindexGroup g{{a}, {a}, false, {}};
    if (!touched[a] || (st[a] == 0 && step[a] == 1 && static_cast<size_t>(cnt[a]) == x_dims[a])) {
      g.identity = true;
    } else {
      for (int64_t t = 0; t < cnt[a]; ++t) g.map.push_back(st[a] + t * step[a]);
    }
    m.groups.push_back(std::move(g));
  }
  return m;
}

ReindexMap pad_map(const std::vector<size_t>& x_dims, const std::vector<int64_t>& pads, int64_t value,
                   const std::string& mode) {
  const size_t r = x_dims.size();
  if (pads.size() != 2 * r) throw Error("pad: pads length differs from twice the rank");
  if (mode != "constant" && mode != "edge" && mode != "reflect") throw Error("pad: unsupported mode " + mode);
  ReindexMap m;
  m.x_dims = x_dims;
  m.pad_value = mode == "constant" ? value : 0;
  for (size_t a = 0; a < r; ++a) {
    const int64_t b = pads[a], e = pads[a + r], d = static_cast<int64_t>(x_dims[a]);
    if (std::abs(b) > (int64_t{1} << 31) || std::abs(e) > (int64_t{1} << 31)) throw Error("pad: pad too large");
    const int64_t n = d + b + e;
    if (n <= 0) throw Error("pad: empty output");
    if (mode == "reflect" && (b >= d || e >= d) && (b > 0 || e > 0)) throw Error("pad: reflect padding larger than the input");
    m.y_dims.push_back(static_cast<size_t>(n));
    ReindexGroup g{{a}, {a}, false, {}};
    if (b == 0 && e == 0) {
      g.identity = true;
    } else {
      for (int64_t t = 0; t < n; ++t) {
        int64_t s = t - b;
        if (s < 0 || s >= d) {
          if (mode == "edge") s = s < 0 ? 0 : d - 1;
          else if (mode == "reflect") s = s < 0 ? -s : 2 * (d - 1) - s;
          else s = -1;
        }
        g.map.push_back(s);
      }
    }
    m.groups.push_back(std::move(g));
  }
  return m;
}

ReindexMap reshape_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& y_dims) {
  size_t px = 1, py = 1;
  for (size_t d : x_dims) px *= d;
  for (size_t d : y_dims) py *= d;
  if (px != py) throw Error("reshape: element counts differ");
  ReindexMap m;
  m.x_dims = x_dims;
  m.y_dims = y_dims;
  size_t i = 0, j = 0;
  while (i < x_dims.size() || j < y_dims.size()) {
    if (i < x_dims.size() && x_dims[i] == 1) {
      m.groups.push_back({{}, {i}, false, {0}});
      ++i;
      continue;
    }
    if (j < y_dims.size() && y_dims[j] == 1) {
      m.groups.push_back({{j}, {}, false, {0}});
      ++j;
      continue;
    }
    if (i >= x_dims.size() || j >= y_dims.size()) throw Error("reshape: shapes do not align");
    ReindexGroup g;
    size_t gx = x_dims[i], gy = y_dims[j];
    g.x_axes.push_back(i++);
    g.y_axes.push_back(j++);
    while (gx != gy) {
      if (gx < gy) {
        if (i >= x_dims.size()) throw Error("reshape: shapes do not align");
        gx *= x_dims[i];
        g.x_axes.push_back(i++);
      } else {
        if (j >= y_dims.size()) throw Error("reshape: shapes do not align");
        gy *= y_dims[j];
        g.y_axes.push_back(j++);
      }
    }
    if (g.x_axes.size() == 1 && g.y_axes.size() == 1) {
      g.identity = true;
    } else {
      if (gx > kMaxMapEntries) throw Error("reshape: block too large");
      g.map.resize(gx);
      for (size_t t = 0; t < gx; ++t) g.map[t] = static_cast<int64_t>(t);
    }
    m.groups.push_back(std::move(g));
  }
  return m;
}

ReindexMap gather_map(const std::vector<size_t>& x_dims, size_t axis, const std::vector<int64_t>& indices,
                      const std::vector<size_t>& idx_dims) {
  if (axis >= x_dims.size()) throw Error("gather: axis out of range");
  size_t n = 1;
  for (size_t d : idx_dims) n *= d;
  if (n != indices.size() || n == 0) throw Error("gather: indices do not match their shape");
  const int64_t d = static_cast<int64_t>(x_dims[axis]);
  ReindexMap m;
  m.x_dims = x_dims;
  for (size_t a = 0; a < axis; ++a) {
    m.y_dims.push_back(x_dims[a]);
    m.groups.push_back({{a}, {a}, true, {}});
  }
  ReindexGroup g;
  g.x_axes = {axis};
  for (size_t k = 0; k < idx_dims.size(); ++k) {
    g.y_axes.push_back(axis + k);
    m.y_dims.push_back(idx_dims[k]);
  }
  for (int64_t j : indices) {
    if (j < -d || j >= d) throw Error("gather: index out of range");
    g.map.push_back(j < 0 ? j + d : j);
  }
  m.groups.push_back(std::move(g));
  for (size_t a = axis + 1; a < x_dims.size(); ++a) {
    const size_t ya = m.y_dims.size();
    m.y_dims.push_back(x_dims[a]);
    m.groups.push_back({{ya}, {a}, true, {}});
  }
  return m;
}

ReindexMap expand_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& y_dims) {
  if (x_dims.size() > y_dims.size()) throw Error("expand: output rank below the input's");
  const size_t off = y_dims.size() - x_dims.size();
  ReindexMap m;
  m.x_dims = x_dims;
  m.y_dims = y_dims;
  for (size_t d = 0; d < y_dims.size(); ++d) {
    if (y_dims[d] == 0 || y_dims[d] > kMaxMapEntries) throw Error("expand: bad output dimension");
    if (d < off) {
      m.groups.push_back({{d}, {}, false, std::vector<int64_t>(y_dims[d], 0)});
      continue;
    }
    const size_t xd = x_dims[d - off];
    if (xd == y_dims[d]) {
      m.groups.push_back({{d}, {d - off}, true, {}});
    } else if (xd == 1) {
      m.groups.push_back({{d}, {d - off}, false, std::vector<int64_t>(y_dims[d], 0)});
    } else {
      throw Error("expand: shapes do not broadcast");
    }
  }
  return m;
}

ReindexMap tile_map(const std::vector<size_t>& x_dims, const std::vector<int64_t>& repeats) {
  if (repeats.size() != x_dims.size()) throw Error("tile: repeats length differs from the rank");
  ReindexMap m;
  m.x_dims = x_dims;
  for (size_t a = 0; a < x_dims.size(); ++a) {
    if (repeats[a] < 1 || x_dims[a] * static_cast<size_t>(repeats[a]) > kMaxMapEntries)
      throw Error("tile: repeats out of range");
    const size_t n = x_dims[a] * static_cast<size_t>(repeats[a]);
    m.y_dims.push_back(n);
    if (repeats[a] == 1) {
      m.groups.push_back({{a}, {a}, true, {}});
      continue;
    }
    ReindexGroup g{{a}, {a}, false, {}};
    for (size_t t = 0; t < n; ++t) g.map.push_back(static_cast<int64_t>(t % x_dims[a]));
    m.groups.push_back(std::move(g));
  }
  return m;
}

ReindexMap trilu_map(const std::vector<size_t>& x_dims, bool upper, int64_t k) {
  const size_t r = x_dims.size();
  if (r < 2) throw Error("trilu: input of rank below 2");
  const size_t rows = x_dims[r - 2], cols = x_dims[r - 1];
  if (rows * cols > kMaxMapEntries) throw Error("trilu: matrix too large");
  ReindexMap m;
  m.x_dims = x_dims;
  m.y_dims = x_dims;
  for (size_t a = 0; a + 2 < r; ++a) m.groups.push_back({{a}, {a}, true, {}});
  ReindexGroup g{{r - 2, r - 1}, {r - 2, r - 1}, false, {}};
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) {
      const int64_t d = static_cast<int64_t>(j) - static_cast<int64_t>(i);
      const bool keep = upper ? d >= k : d <= k;
      g.map.push_back(keep ? static_cast<int64_t>(i * cols + j) : -1);
    }
  m.groups.push_back(std::move(g));
  return m;
}

// ---- proof ----

template <>
void ReindexProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& s : sumchecks) s.serialize(w);
}

template <field::PrimeField F>
ReindexProofT<F> ReindexProofT<F>::deserialize(ByteReader& r, const ReindexMap& m, size_t num_claims) {
  if (m.invalid()) r.fail("reindex: bad map");
  if (num_claims > 1024) r.fail("reindex: too many claims");
  ReindexProofT<F> p;
  if (all_free(group_info(m))) return p;
  for (size_t i = 0; i < num_claims; ++i)
    p.sumchecks.push_back(sumcheck::Proof<F>::deserialize(r, m.sumcheck_vars(), 2, 2));
  return p;
}
template ReindexProofT<Fr> ReindexProofT<Fr>::deserialize(ByteReader&, const ReindexMap&, size_t);
template ReindexProofT<snark::CFr> ReindexProofT<snark::CFr>::deserialize(ByteReader&, const ReindexMap&, size_t);

std::vector<Claim> prove_reindex(const ReindexMap& m, std::span<const int64_t> x, std::span<const Claim> y_claims,
                                 transcript::Transcript& tr, ReindexProof* proof) {
  if (auto why = m.invalid()) throw Error("reindex: " + *why);
  const PaddedShape xs(m.x_dims), ys(m.y_dims);
  if (x.size() != xs.unpadded_size()) throw Error("reindex: x size does not match its shape");
  for (const auto& c : y_claims) ZKINFER_CHECK(c.point.size() == ys.num_vars());
  *proof = ReindexProof{};
  absorb_claims(tr, "reindex.claim", y_claims);
  const auto gi = group_info(m);
  const auto sc = sumcheck_groups(m, gi);
  std::vector<Claim> out;
  if (all_free(gi)) {
    for (const auto& c : y_claims) out.push_back({x_point<Fr>(m, gi, sc, c.point, {}), c.value});
    return out;
  }
  const auto xt = padded_table(xs, x);
  const size_t R = m.sumcheck_vars();
  // For each x axis: its identity group's y axis (SIZE_MAX: not identity).
  std::vector<size_t> id_y(m.x_dims.size(), SIZE_MAX);
  for (const auto& g : m.groups)
    if (g.identity) id_y[g.x_axes[0]] = g.y_axes[0];
  // Bit position of each non-identity x axis in the sumcheck index.
  std::vector<size_t> red_pos(m.x_dims.size(), SIZE_MAX);
  {
    size_t at = 0;
    for (size_t i : sc)
      for (size_t k = m.groups[i].x_axes.size(); k-- > 0;) {
        red_pos[m.groups[i].x_axes[k]] = at;
        at += xs.log_sizes()[m.groups[i].x_axes[k]];
      }
  }
  const auto xpos = padded_positions(xs);
  for (const auto& c : y_claims) {
    const auto zparts = split_point(ys, c.point);
    // f(b') = sum over the identity axes' b of eq(z, b) x(b, b').
    std::vector<std::vector<Fr>> eqa(m.x_dims.size());
    for (size_t a = 0; a < m.x_dims.size(); ++a)
      if (id_y[a] != SIZE_MAX) eqa[a] = poly::eq_table<Fr>(zparts[id_y[a]]);
    std::vector<Fr> f(size_t{1} << R, Fr::zero());
    for (size_t b : xpos) {
      Fr w = xt[b];
      if (w.is_zero()) continue;
      size_t red = 0;
      for (size_t a = 0; a < m.x_dims.size(); ++a) {
        const size_t coord = (b >> xs.offsets()[a]) & (xs.padded()[a] - 1);
        if (id_y[a] != SIZE_MAX) w *= eqa[a][coord];
        else if (red_pos[a] != SIZE_MAX) red |= coord << red_pos[a];
      }
      f[red] += w;
    }
    // P(b') = prod over the sumcheck groups of P_g(b'_g).
    std::vector<Fr> P{Fr::one()};
    for (size_t i : sc) {
      const auto& g = m.groups[i];
      const auto ez = poly::eq_table<Fr>(sub<Fr>(c.point, gi[i].yv));
      const auto ypos = padded_positions(gi[i].ys), gxpos = padded_positions(gi[i].xs);
      std::vector<Fr> pg(gi[i].xs.size(), Fr::zero());
      for (size_t t = 0; t < g.map.size(); ++t)
        if (g.map[t] >= 0) pg[gxpos[static_cast<size_t>(g.map[t])]] += ez[ypos[t]];
      std::vector<Fr> np(P.size() * pg.size());
      for (size_t hi = 0; hi < pg.size(); ++hi)
        for (size_t lo = 0; lo < P.size(); ++lo) np[hi * P.size() + lo] = pg[hi] * P[lo];
      P = std::move(np);
    }
    auto res = sumcheck::prove<Fr>(prod2(), {std::move(P), std::move(f)}, tr);
    out.push_back({x_point<Fr>(m, gi, sc, c.point, res.point), res.final_evals[1]});
    proof->sumchecks.push_back(std::move(res.proof));
  }
  return out;
}

template <field::PrimeField F>
Verdict verify_reindex_as(const ReindexMap& m, std::span<const ClaimT<F>> y_claims, const ReindexProofT<F>& proof,
                          transcript::Transcript& tr, std::vector<ClaimT<F>>* x_claims) {
  if (auto why = m.invalid()) return Verdict::reject("reindex: " + *why);
  const PaddedShape ys(m.y_dims);
  for (const auto& c : y_claims)
    if (c.point.size() != ys.num_vars()) return Verdict::reject("reindex: claim point has the wrong size");
  const auto gi = group_info(m);
  const auto sc = sumcheck_groups(m, gi);
  const bool free = all_free(gi);
  if (proof.sumchecks.size() != (free ? 0 : y_claims.size()))
    return Verdict::reject("reindex: wrong number of sumchecks");
  absorb_claims(tr, "reindex.claim", y_claims);
  std::vector<ClaimT<F>> out;
  const size_t R = m.sumcheck_vars();
  for (size_t ci = 0; ci < y_claims.size(); ++ci) {
    const ClaimT<F>& c = y_claims[ci];
    if (free) {
      out.push_back({x_point<F>(m, gi, sc, c.point, {}), c.value});
      continue;
    }
    const std::string where = "reindex: claim " + std::to_string(ci);
    sumcheck::Subclaim<F> s;
    if (Verdict v = sumcheck::verify<F>(prod2<F>(), R, sourced_target<F>(m, gi, c), proof.sumchecks[ci], tr, &s); !v)
      return v.within(where);
    F sel = F::one();
    size_t at = 0;
    for (size_t i : sc) {
      const std::span<const F> rg(s.point.data() + at, gi[i].xv.second);
      sel *= group_selector<F>(m.groups[i], gi[i], sub<F>(c.point, gi[i].yv), rg);
      at += gi[i].xv.second;
    }
    if (s.final_evals[0] != sumcheck::Msg<F>(sel)) return Verdict::reject(where + ": selector value mismatch");
    out.push_back({x_point<F>(m, gi, sc, c.point, s.point), s.final_evals[1]});
  }
  *x_claims = std::move(out);
  return Verdict::accept();
}

template Verdict verify_reindex_as<Fr>(const ReindexMap&, std::span<const Claim>, const ReindexProof&,
                                       transcript::Transcript&, std::vector<Claim>*);
template Verdict verify_reindex_as<snark::CFr>(const ReindexMap&, std::span<const ClaimT<snark::CFr>>,
                                               const ReindexProofT<snark::CFr>&, transcript::Transcript&,
                                               std::vector<ClaimT<snark::CFr>>*);

Verdict verify_reindex(const ReindexMap& m, std::span<const Claim> y_claims, const ReindexProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* x_claims) {
  return verify_reindex_as<Fr>(m, y_claims, proof, tr, x_claims);
}

// ---- Concat ----

std::optional<std::string> ConcatParams::invalid() const {
  if (in_dims.empty() || in_dims.size() > 4096) return std::string("concat: number of inputs out of range");
  const size_t r = in_dims[0].size();
  if (axis >= r) return std::string("concat: axis out of range");
  if (!up.empty() && up.size() != in_dims.size()) return std::string("concat: up has the wrong length");
  for (size_t e : up)
    if (e > 40) return std::string("concat: scale exponent above 40");
  size_t total = 0;
  for (const auto& d : in_dims) {
    if (d.size() != r) return std::string("concat: inputs differ in rank");
    if (auto why = PaddedShape::invalid(d)) return "concat: " + *why;
    for (size_t i = 0; i < r; ++i)
      if (i != axis && d[i] != in_dims[0][i]) return std::string("concat: inputs differ off the axis");
    total += d[axis];
  }
  auto od = in_dims[0];
  od[axis] = total;
  if (auto why = PaddedShape::invalid(od)) return "concat: output: " + *why;
  if (total > kMaxMapEntries) return std::string("concat: axis too long");
  return std::nullopt;
}

std::vector<size_t> ConcatParams::out_dims() const {
  auto od = in_dims.at(0);
  od[axis] = 0;
  for (const auto& d : in_dims) od[axis] += d[axis];
  return od;
}

ReindexMap ConcatParams::part(size_t j) const {
  const auto od = out_dims();
  size_t off = 0;
  for (size_t k = 0; k < j; ++k) off += in_dims[k][axis];
  ReindexMap m;
  m.x_dims = in_dims[j];
  m.y_dims = od;
  for (size_t a = 0; a < od.size(); ++a) {
    ReindexGroup g{{a}, {a}, a != axis, {}};
    if (a == axis) {
      g.map.assign(od[a], -1);
      for (size_t t = 0; t < in_dims[j][a]; ++t) g.map[off + t] = static_cast<int64_t>(t);
    }
    m.groups.push_back(std::move(g));
  }
  return m;
}

template <>
void ConcatProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& e : parts) cp::write(w, e);
  for (const auto& p : inputs) p.serialize(w);
}

template <field::PrimeField F>
ConcatProofT<F> ConcatProofT<F>::deserialize(ByteReader& r, const ConcatParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("concat: bad parameters");
  if (num_claims > 1024) r.fail("concat: too many claims");
  ConcatProofT<F> out;
  for (size_t i = 0; i < num_claims * p.in_dims.size(); ++i) out.parts.push_back(sumcheck::read_msg<F>(r));
  for (size_t j = 0; j < p.in_dims.size(); ++j)
    out.inputs.push_back(ReindexProofT<F>::deserialize(r, p.part(j), num_claims));
  return out;
}
template ConcatProofT<Fr> ConcatProofT<Fr>::deserialize(ByteReader&, const ConcatParams&, size_t);
template ConcatProofT<snark::CFr> ConcatProofT<snark::CFr>::deserialize(ByteReader&, const ConcatParams&, size_t);

std::vector<std::vector<Claim>> prove_concat(const ConcatParams& p, std::span<const std::span<const int64_t>> xs,
                                             std::span<const Claim> y_claims, transcript::Transcript& tr,
                                             ConcatProof* proof) {
  if (auto why = p.invalid()) throw Error(*why);
  if (xs.size() != p.in_dims.size()) throw Error("concat: wrong number of inputs");
  const PaddedShape ys(p.out_dims());
  *proof = ConcatProof{};
  absorb_claims(tr, "concat.claim", y_claims);
  const size_t m = p.in_dims.size();
  std::vector<std::vector<Fr>> parts_t(m);
  for (size_t j = 0; j < m; ++j) parts_t[j] = padded_table(ys, p.part(j).apply(xs[j]));
  std::vector<std::vector<Claim>> per(m);
  for (const auto& c : y_claims)
    for (size_t j = 0; j < m; ++j) {
      const cp::Val s = cp::send(tr, poly::evaluate_mle<Fr>(parts_t[j], c.point));
      tr.absorb("concat.part", s);
      proof->parts.push_back(s);
      per[j].push_back({c.point, s});
    }
  std::vector<std::vector<Claim>> out(m);
  for (size_t j = 0; j < m; ++j) {
    ReindexProof rp;
    out[j] = prove_reindex(p.part(j), xs[j], per[j], tr, &rp);
    proof->inputs.push_back(std::move(rp));
  }
  return out;
}

template <field::PrimeField F>
Verdict verify_concat_as(const ConcatParams& p, std::span<const ClaimT<F>> y_claims, const ConcatProofT<F>& proof,
                         transcript::Transcript& tr, std::vector<std::vector<ClaimT<F>>>* x_claims) {
  if (auto why = p.invalid()) return Verdict::reject(*why);
  const PaddedShape ys(p.out_dims());
  const size_t m = p.in_dims.size();
  for (const auto& c : y_claims)
    if (c.point.size() != ys.num_vars()) return Verdict::reject("concat: claim point has the wrong size");
  if (proof.parts.size() != m * y_claims.size() || proof.inputs.size() != m)
    return Verdict::reject("concat: wrong number of parts");
  absorb_claims(tr, "concat.claim", y_claims);
  std::vector<std::vector<ClaimT<F>>> per(m);
  for (size_t ci = 0; ci < y_claims.size(); ++ci) {
    sumcheck::Msg<F> sum{};
    for (size_t j = 0; j < m; ++j) {
      const sumcheck::Msg<F> s = proof.parts[ci * m + j];
      tr.absorb("concat.part", s);
      sum += (p.up.empty() ? Fr::one() : pow2_fr(p.up[j])) * s;
      per[j].push_back({y_claims[ci].point, s});
    }
    if (sum != y_claims[ci].value)
      return Verdict::reject("concat: claim " + std::to_string(ci) + ": parts do not sum to the claim");
  }
  std::vector<std::vector<ClaimT<F>>> out(m);
  for (size_t j = 0; j < m; ++j)
    if (Verdict v = verify_reindex_as<F>(p.part(j), per[j], proof.inputs[j], tr, &out[j]); !v)
      return v.within("concat: input " + std::to_string(j));
  *x_claims = std::move(out);
  return Verdict::accept();
}

template Verdict verify_concat_as<Fr>(const ConcatParams&, std::span<const Claim>, const ConcatProof&,
                                      transcript::Transcript&, std::vector<std::vector<Claim>>*);
template Verdict verify_concat_as<snark::CFr>(const ConcatParams&, std::span<const ClaimT<snark::CFr>>,
                                              const ConcatProofT<snark::CFr>&, transcript::Transcript&,
                                              std::vector<std::vector<ClaimT<snark::CFr>>>*);

Verdict verify_concat(const ConcatParams& p, std::span<const Claim> y_claims, const ConcatProof& proof,
                      transcript::Transcript& tr, std::vector<std::vector<Claim>>* x_claims) {
  return verify_concat_as<Fr>(p, y_claims, proof, tr, x_claims);
}

}  // namespace zkinfer::layers
