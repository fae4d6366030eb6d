// One LogUp argument per table for many witness columns (docs/protocol/logup.md, "Batches").
//
// Users register lookups during proving (BatchProver::add) and verification (BatchVerifier::add):
// a lookup is one or two witness columns (a "segment") of 2^n rows into a public table. Segments
// into the same table (equal tables: same kind and size, same rows) share one argument: they are
// laid out in one witness of 2^N rows, largest first (so each sits at an offset that is a multiple
// of its size), the rest padded with the table's row 0, and proven with one LogUp-GKR (prover.h,
// verifier.h) against one multiplicities vector m per table. At the witness leaves the prover sends
// each segment's column values at its part of the witness point instead of the whole witness's,
// and the verifier recombines them:
//     w~(rho) = sum_e eq(offset_e / 2^n_e, rho[n_e..N)) w_e~(rho[0..n_e)) + pad · P~(rho),
// with P the indicator of the padding rows [S, 2^N) (S = the segments' total size) and pad the
// table's row 0. The claims on the segments (and on each m) go back to their owners, to be
// opened against the commitments the owners absorbed before the batch.
//
// Order: every segment's columns must be bound (committed and absorbed) before prove()/verify();
// the caller commits each table's m (from multiplicities()) and absorbs the commitments before
// prove()/verify() too. Then, per table in registration order: the batch shape, beta, alpha, the
// GKR, the segment values.
//
// Ambient use: a BatchProver / BatchVerifier made current by a Scope is where the layer protocols
// (layers/rescale.h, NlProver) register their range checks and table lookups; the owner of
// columns registered since the last assign_owner() call is set by that call (the whole-model
// prover maps owners to commitments).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/check.h"
#include "common/error.h"
#include "field/concept.h"
#include "lookup/logup.h"
#include "lookup/prover.h"
#include "lookup/table.h"
#include "lookup/verifier.h"
#include "poly/mle.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {

inline constexpr std::string_view kLabelBatchShape = "logup.batch.shape";
inline constexpr std::string_view kLabelSegmentEvals = "logup.batch.segment_evals";
inline constexpr size_t kNoOwner = SIZE_MAX;

// Whether two tables are the same (kind, size, rows).
template <field::PrimeField F>
bool same_table(const LookupTable<F>& a, const LookupTable<F>& b) {
  if (a.kind() != b.kind() || a.log_size() != b.log_size()) return false;
  if (a.kind() == LookupTable<F>::Kind::kRange) return true;
  for (size_t c = 0; c < a.num_columns(); ++c)
    for (size_t j = 0; j < a.size(); ++j)
      if (a.entry(c, j) != b.entry(c, j)) return false;
  return true;
}

// The layout of segments of 2^vars[e] rows (registration order): offsets (each a multiple of its
// segment's size: the segments are placed largest first, ties in registration order), the total
// size S and N = ceil(log2 S) (0 for S <= 1).
struct BatchLayout {
  std::vector<size_t> offsets;
  uint64_t total = 0;
  size_t num_vars = 0;

  static BatchLayout make(const std::vector<size_t>& vars) {
    BatchLayout l;
    std::vector<size_t> order(vars.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return vars[a] > vars[b]; });
    l.offsets.assign(vars.size(), 0);
    for (size_t e : order) {
      if (vars[e] > kMaxLogRows) {  // refused by deserialize() and verify()
        l.num_vars = kMaxLogRows + 1;
        return l;
      }
      l.offsets[e] = l.total;
      l.total += uint64_t{1} << vars[e];
    }
    while ((uint64_t{1} << l.num_vars) < l.total) ++l.num_vars;
    return l;
  }
};

// sum over x in [0, s) of eq(point, x) (x little-endian over the point's coordinates; s <= 2^|point|).
template <field::PrimeField F>
F prefix_indicator(std::span<const F> point, uint64_t s) {
  const size_t n = point.size();
  if (s >= (uint64_t{1} << n)) return F::one();
  F acc = F::zero(), above = F::one();  // above: prod over j > b of eq(s_j, point_j)
  for (size_t b = n; b-- > 0;) {
    const bool bit = (s >> b) & 1;
    if (bit) acc += above * (F::one() - point[b]);
    above *= bit ? point[b] : F::one() - point[b];
  }
  return acc;
}

// eq(bits of i (n_bits of them), point) for the high coordinates point[lo, lo + n_bits).
template <field::PrimeField F>
F eq_index(std::span<const F> point, size_t lo, uint64_t i) {
  F acc = F::one();
  for (size_t b = lo; b < point.size(); ++b) acc *= ((i >> (b - lo)) & 1) ? point[b] : F::one() - point[b];
  return acc;
}

// The proof of one table's argument: the GKR (without witness values) and each segment's column
// values at its point (segments in registration order, columns in order).
template <field::PrimeField F>
struct BatchTableProof {
  LogupProof<F> gkr;
  std::vector<sumcheck::Msg<F>> segment_evals;
};

// Per table: N (log2 of the witness rows), k and the number of segment values; fixes the layout.
struct BatchTableShape {
  size_t n = 0, k = 0, num_segment_evals = 0;
};

template <field::PrimeField F>
struct BatchProof {
  std::vector<BatchTableProof<F>> tables;

  void serialize(ByteWriter& w) const {
    for (const auto& t : tables) {
      t.gkr.serialize(w);
      for (const auto& e : t.segment_evals) sumcheck::write_msg<F>(w, e);
    }
  }
  static BatchProof deserialize(ByteReader& r, const std::vector<BatchTableShape>& shapes) {
    BatchProof p;
    for (const auto& s : shapes) {
      if (s.num_segment_evals > (size_t{1} << 24)) r.fail("logup batch: too many segments");
      BatchTableProof<F> t;
      t.gkr = LogupProof<F>::deserialize(r, s.n, s.k, 0);
      for (size_t i = 0; i < s.num_segment_evals; ++i) t.segment_evals.push_back(sumcheck::read_msg<F>(r));
      p.tables.push_back(std::move(t));
    }
    return p;
  }
};

// A claim the batch hands back: column `column` (0 or 1) of the segment registered by `owner`
// with id `id` has MLE value `value` at `point`.
template <field::PrimeField F>
struct SegmentClaim {
  size_t owner = kNoOwner;
  size_t id = 0;
  size_t column = 0;
  std::vector<F> point;
  sumcheck::Msg<F> value;
};
// The claim on table `table`'s multiplicities: m~(point) = value.
template <field::PrimeField F>
struct MultiplicityClaim {
  size_t table = 0;
  std::vector<F> point;
  sumcheck::Msg<F> value;
};

namespace detail {

template <field::PrimeField F>
struct SegmentInfo {
  size_t num_vars = 0;
  size_t owner = kNoOwner;
  std::vector<size_t> ids;  // one per column (the caller's names of the columns)
  size_t serial = 0;        // registration number across all tables
  std::string name;         // for messages: the owner's label and the column's name
};

// Registration bookkeeping shared by prover and verifier: owners and id shifts of pending segments.
template <class Tab>
struct Registry {
  std::vector<Tab> tabs;
  size_t num_segments = 0;
  void assign_owner(size_t owner, std::string_view label) {
    for (auto& t : tabs)
      for (auto& s : t.segments)
        if (s.owner == kNoOwner) {
          s.owner = owner;
          if (!label.empty()) s.name = std::string(label) + ": " + s.name;
        }
  }
  void shift_ids_from(size_t first_serial, size_t off) {
    for (auto& t : tabs)
      for (auto& s : t.segments)
        if (s.owner == kNoOwner && s.serial >= first_serial)
          for (auto& id : s.ids) id += off;
  }
};

// Absorbs the batch's shape: the number of tables, then per table its kind, k, columns and the
// segments' sizes (registration order).
template <field::PrimeField F>
void absorb_batch_shape(transcript::Transcript& tr, const std::vector<const LookupTable<F>*>& tables,
                        const std::vector<std::vector<size_t>>& vars) {
  ByteWriter w;
  w.u64(tables.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    w.u8(static_cast<uint8_t>(tables[t]->kind()));
    w.u64(tables[t]->log_size());
    w.u64(tables[t]->num_columns());
    w.u64(vars[t].size());
    for (size_t v : vars[t]) w.u64(v);
  }
  tr.absorb_bytes(kLabelBatchShape, w.data());
}

}  // namespace detail

template <field::PrimeField F>
struct BatchProverResult {
  BatchProof<F> proof;
  std::vector<SegmentClaim<F>> segment_claims;
  std::vector<MultiplicityClaim<F>> multiplicity_claims;
};

template <field::PrimeField F>
class BatchProver {
 public:
  // Registers a lookup of `columns` (table.num_columns() columns of the same power-of-two length)
  // into `table`; ids name the columns for their owner (returned with the claims).
  void add(const LookupTable<F>& table, std::vector<std::vector<F>> columns, std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(!prepared_ && columns.size() == table.num_columns() && ids.size() == columns.size());
    for (const auto& c : columns) ZKINFER_CHECK(c.size() == columns[0].size());
    Tab& t = tab_for(table);
    t.segments.push_back({poly::log2_exact(columns[0].size()), kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
    t.columns.push_back(std::move(columns));
  }
  // Attributes the segments registered since the last call to `owner`.
  void assign_owner(size_t owner, std::string_view label = {}) { reg_.assign_owner(owner, label); }
  // The number of segments registered so far, and: adds `off` to the ids of the segments without
  // owner registered from number `first` on (a layer made of sub-layers whose advice lists it
  // concatenates, layers/softmax.cc).
  size_t num_segments() const { return reg_.num_segments; }
  void shift_ids_from(size_t first, size_t off) { reg_.shift_ids_from(first, off); }
  size_t num_tables() const { return reg_.tabs.size(); }
  const LookupTable<F>& table(size_t t) const { return reg_.tabs[t].table; }
  bool empty() const { return reg_.tabs.empty(); }

  // Lays out every table's witness and returns its multiplicities (per table, 2^k counts), which
  // the caller commits and absorbs before prove(). No add() afterwards. missing (if non-null):
  // rows found in no table (then no valid proof exists; prove() still runs and fails to verify).
  std::vector<std::vector<uint64_t>> prepare(size_t* missing = nullptr) {
    ZKINFER_CHECK(!prepared_);
    prepared_ = true;
    std::vector<std::vector<uint64_t>> out;
    size_t miss = 0;
    for (auto& t : reg_.tabs) {
      std::vector<size_t> vars;
      for (const auto& s : t.segments) vars.push_back(s.num_vars);
      t.layout = BatchLayout::make(vars);
      const auto pad = t.table.padding_row();
      t.witness.assign(t.table.num_columns(), std::vector<F>(size_t{1} << t.layout.num_vars));
      for (size_t c = 0; c < t.witness.size(); ++c) {
        auto& w = t.witness[c];
        std::fill(w.begin() + static_cast<std::ptrdiff_t>(t.layout.total), w.end(), pad[c]);
        for (size_t e = 0; e < t.segments.size(); ++e) {
          std::copy(t.columns[e][c].begin(), t.columns[e][c].end(), w.begin() + static_cast<std::ptrdiff_t>(t.layout.offsets[e]));
          std::vector<F>().swap(t.columns[e][c]);
        }
      }
      auto m = compute_multiplicities<F>(t.table, t.witness);
      miss += m.num_missing;
      t.m = m.to_field();
      out.push_back(std::move(m.counts));
    }
    if (missing) *missing = miss;
    return out;
  }

  // After the multiplicities' commitments are absorbed: one LogUp per table.
  BatchProverResult<F> prove(transcript::Transcript& tr) {
    ZKINFER_CHECK(prepared_);
    std::vector<const LookupTable<F>*> tables;
    std::vector<std::vector<size_t>> vars;
    for (const auto& t : reg_.tabs) {
      tables.push_back(&t.table);
      vars.emplace_back();
      for (const auto& s : t.segments) {
        ZKINFER_CHECK(s.owner != kNoOwner && "lookup batch: segment without owner");
        vars.back().push_back(s.num_vars);
      }
    }
    detail::absorb_batch_shape(tr, tables, vars);
    BatchProverResult<F> res;
    for (size_t ti = 0; ti < reg_.tabs.size(); ++ti) {
      Tab& t = reg_.tabs[ti];
      auto r = lookup::detail::prove_impl<F>(t.table, t.witness, t.m, tr, lookup::detail::Cheats<F>{},
                                             lookup::detail::WitnessEvals::kNone);
      const auto& rho = r.claims.witness_point;
      BatchTableProof<F> tp;
      tp.gkr = std::move(r.proof);
      std::vector<F> vals;
      for (size_t e = 0; e < t.segments.size(); ++e) {
        const auto& s = t.segments[e];
        const std::vector<F> pt(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(s.num_vars));
        for (size_t c = 0; c < t.witness.size(); ++c) {
          const auto first = t.witness[c].begin() + static_cast<std::ptrdiff_t>(t.layout.offsets[e]);
          vals.push_back(poly::evaluate_mle<F>(std::vector<F>(first, first + (std::ptrdiff_t{1} << s.num_vars)), pt));
        }
      }
      tp.segment_evals = sumcheck::send_msgs<F>(vals);
      tr.absorb_many(kLabelSegmentEvals, tp.segment_evals);
      size_t i = 0;
      for (const auto& s : t.segments) {
        const std::vector<F> pt(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(s.num_vars));
        for (size_t c = 0; c < s.ids.size(); ++c) res.segment_claims.push_back({s.owner, s.ids[c], c, pt, tp.segment_evals[i++]});
      }
      res.multiplicity_claims.push_back({ti, r.claims.multiplicity_point, r.claims.multiplicity_eval});
      res.proof.tables.push_back(std::move(tp));
      std::vector<std::vector<F>>().swap(t.witness);
    }
    return res;
  }

  // The prover that layer protocols register with (nullptr: none; they prove their own lookups).
  static BatchProver* current() { return current_; }
  class Scope {
   public:
    explicit Scope(BatchProver* b) : prev_(current_) { current_ = b; }
    ~Scope() { current_ = prev_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    BatchProver* prev_;
  };

 private:
  struct Tab {
    LookupTable<F> table;
    std::vector<detail::SegmentInfo<F>> segments;
    std::vector<std::vector<std::vector<F>>> columns;  // per segment (until prepare())
    BatchLayout layout;
    std::vector<std::vector<F>> witness;  // per column, 2^N rows (prepare() .. prove())
    std::vector<F> m;
  };
  Tab& tab_for(const LookupTable<F>& table) {
    for (auto& t : reg_.tabs)
      if (same_table(t.table, table)) return t;
    reg_.tabs.push_back(Tab{table, {}, {}, {}, {}, {}});
    return reg_.tabs.back();
  }
  detail::Registry<Tab> reg_;
  bool prepared_ = false;
  static inline thread_local BatchProver* current_ = nullptr;
};

template <field::PrimeField F>
class BatchVerifier {
 public:
  // name (optional): the segment's name in rejection messages (with its owner's label).
  void add(const LookupTable<F>& table, size_t num_vars, std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(ids.size() == table.num_columns());
    tab_for(table).segments.push_back({num_vars, kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
  }
  void assign_owner(size_t owner, std::string_view label = {}) { reg_.assign_owner(owner, label); }
  size_t num_segments() const { return reg_.num_segments; }
  void shift_ids_from(size_t first, size_t off) { reg_.shift_ids_from(first, off); }
  size_t num_tables() const { return reg_.tabs.size(); }
  const LookupTable<F>& table(size_t t) const { return reg_.tabs[t].table; }
  bool empty() const { return reg_.tabs.empty(); }
  // The proof layout (registration is complete).
  std::vector<BatchTableShape> shapes() const {
    std::vector<BatchTableShape> out;
    for (const auto& t : reg_.tabs) {
      std::vector<size_t> vars;
      for (const auto& s : t.segments) vars.push_back(s.num_vars);
      out.push_back({BatchLayout::make(vars).num_vars, t.table.log_size(), t.segments.size() * t.table.num_columns()});
    }
    return out;
  }

  // After the multiplicities' commitments are absorbed. On acceptance fills the claims the caller
  // must check: on every segment's columns and on every table's m. Never throws on a bad proof.
  Verdict verify(const BatchProof<F>& proof, transcript::Transcript& tr, std::vector<SegmentClaim<F>>* segment_claims,
                 std::vector<MultiplicityClaim<F>>* multiplicity_claims) const {
    using M = sumcheck::Msg<F>;
    if (proof.tables.size() != reg_.tabs.size()) return Verdict::reject("logup batch: wrong number of table proofs");
    std::vector<const LookupTable<F>*> tables;
    std::vector<std::vector<size_t>> vars;
    for (const auto& t : reg_.tabs) {
      tables.push_back(&t.table);
      vars.emplace_back();
      for (const auto& s : t.segments) {
        if (s.owner == kNoOwner) return Verdict::reject("logup batch: internal: segment without owner");
        if (s.num_vars > kMaxLogRows) return Verdict::reject("logup batch: segment too large");
        vars.back().push_back(s.num_vars);
      }
    }
    detail::absorb_batch_shape(tr, tables, vars);
    std::vector<SegmentClaim<F>> sc;
    std::vector<MultiplicityClaim<F>> mc;
    for (size_t ti = 0; ti < reg_.tabs.size(); ++ti) {
      const Tab& t = reg_.tabs[ti];
      const BatchTableProof<F>& tp = proof.tables[ti];
      // A failing table names its columns: the argument shows that some row of one of them is
      // not in the table, not which.
      std::string where = "logup batch: table " + std::to_string(ti) + " (" +
                          (t.table.kind() == LookupTable<F>::Kind::kRange ? "range" : "two-column") + ", 2^" +
                          std::to_string(t.table.log_size()) + " rows; " + std::to_string(t.segments.size()) +
                          " column(s):";
      for (size_t e = 0; e < t.segments.size() && e < 8; ++e)
        where += (e ? ", " : " ") + (t.segments[e].name.empty() ? "#" + std::to_string(e) : t.segments[e].name);
      if (t.segments.size() > 8) where += ", ...";
      where += ")";
      const BatchLayout lay = BatchLayout::make(vars[ti]);
      const size_t cols = t.table.num_columns();
      if (tp.segment_evals.size() != t.segments.size() * cols) return Verdict::reject(where + ": wrong number of segment values");
      GkrLeafClaims<F> g;
      if (Verdict v = verify_gkr<F>(t.table, lay.num_vars, tp.gkr, tr, &g); !v) return v.within(where);
      tr.absorb_many(kLabelSegmentEvals, tp.segment_evals);
      const std::span<const F> rho(g.witness_point);
      // w~(rho) from the segments' values and the padding rows (table row 0).
      const F pad_sel = F::one() - prefix_indicator<F>(rho, lay.total);
      const auto pad = t.table.padding_row();
      M w = M(pad_sel * (pad[0] + (cols == 2 ? g.beta * pad[1] : F::zero())));
      for (size_t e = 0; e < t.segments.size(); ++e) {
        const auto& s = t.segments[e];
        const F sel = eq_index<F>(rho, s.num_vars, lay.offsets[e] >> s.num_vars);
        M v = tp.segment_evals[e * cols];
        if (cols == 2) v += tp.segment_evals[e * cols + 1] * g.beta;
        w += v * sel;
        const std::vector<F> pt(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(s.num_vars));
        for (size_t c = 0; c < cols; ++c) sc.push_back({s.owner, s.ids[c], c, pt, tp.segment_evals[e * cols + c]});
      }
      if (M(g.alpha) - w != g.witness_denominator)
        return Verdict::reject(where + ": segment values do not match the witness leaf denominators");
      mc.push_back({ti, std::move(g.multiplicity_point), g.multiplicity_eval});
    }
    if (segment_claims) *segment_claims = std::move(sc);
    if (multiplicity_claims) *multiplicity_claims = std::move(mc);
    return Verdict::accept();
  }

  static BatchVerifier* current() { return current_; }
  class Scope {
   public:
    explicit Scope(BatchVerifier* b) : prev_(current_) { current_ = b; }
    ~Scope() { current_ = prev_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    BatchVerifier* prev_;
  };

 private:
  struct Tab {
    LookupTable<F> table;
    std::vector<detail::SegmentInfo<F>> segments;
  };
  Tab& tab_for(const LookupTable<F>& table) {
    for (auto& t : reg_.tabs)
      if (same_table(t.table, table)) return t;
    reg_.tabs.push_back(Tab{table, {}});
    return reg_.tabs.back();
  }
  detail::Registry<Tab> reg_;
  static inline thread_local BatchVerifier* current_ = nullptr;
};

}  // namespace zkinfer::lookup
