// One LogUp-GKR argument for all of a model's lookups, into any number of tables
// (docs/protocol/logup.md, "Batches").
//
// Users register lookups during proving (BatchProver::add) and verification (BatchVerifier::add):
// a lookup is one or two witness columns (a "segment") of 2^n rows into a public table. Equal
// tables (same kind and size, same rows) are merged; table number t (order of first
// registration) gets the tag t. All tables become one tagged table: their rows, each combined as
// gamma t + x + beta y (y = 0 for range tables), laid out largest table first (each at an offset
// that is a multiple of its size) and padded to 2^K rows with value 0 and multiplicity 0. All
// segments become one tagged witness: each row (a, b) of a segment into table t combined as
// gamma t + a + beta b, segments laid out largest first, padded to 2^N rows with table 0's row 0
// (counted in table 0's multiplicities). One fractional-sum GKR (prover.h prove_fractions,
// verifier.h verify_fractions) proves sum 1/(alpha - w_i) = sum m_j/(alpha - t_j) over the tagged
// values. At the leaves the prover sends each segment's column values at its part of the witness
// point and each table's multiplicities' value at its part of the table point, and the verifier
// recombines them:
//     w~(rho) = sum_e eq(offset_e / 2^n_e, rho[n_e..N)) (gamma tag_e + a_e~ + beta b_e~)(rho[0..n_e))
//               + (gamma 0 + row0 of table 0) (1 - I_S(rho)),
//     t~(rho) = sum_t eq(offset_t / 2^k_t, rho[k_t..K)) (gamma t + x_t~ + beta y_t~)(rho[0..k_t)),
//     m~(rho) = sum_t eq(offset_t / 2^k_t, rho[k_t..K)) m_t~(rho[0..k_t)),
// with I_S the indicator of [0, S) (S = the segments' total size). The claims on the segments and
// on each table's m go back to their owners, to be opened against the commitments the owners
// absorbed before the batch.
//
// Order: every segment's columns must be bound (committed and absorbed) before prove()/verify();
// the caller commits each table's m (from prepare()) and absorbs the commitments before
// prove()/verify() too. Then: the batch shape, beta, gamma, alpha, the GKR, the segment values,
// the multiplicity values.
//
// Model-wide use: a BatchProver / BatchVerifier named by the proof's session (zk/session.h,
// attached by the whole-model prover and verifier to their transcript and reader) is where the
// layer protocols (layers/rescale.h, NlProver) register their range checks and table lookups; the
// owner of columns registered since the last assign_owner() call is set by that call (the
// whole-model prover maps owners to commitments).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
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
inline constexpr std::string_view kLabelBatchGamma = "logup.batch.gamma";
inline constexpr std::string_view kLabelMultiplicityEvals = "logup.batch.multiplicity_evals";
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
      // Sizes above 2^kMaxLogRows in all are refused by deserialize() and verify() (and the sum
      // cannot wrap around).
      if (vars[e] > kMaxLogRows || l.total > (uint64_t{1} << kMaxLogRows)) {
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

// Per table (registration order): k (2^k rows), its number of columns and the sizes n_e of its
// segments (2^n_e rows each). Fixes the proof layout.
struct BatchTableShape {
  size_t k = 0;
  size_t num_columns = 1;
  std::vector<size_t> segments;
};

// The sizes of the batch's one argument: N (log2 of the tagged witness's rows: all segments and
// the padding), K (log2 of the tagged table's rows), and the numbers of values sent at the leaves.
struct BatchDims {
  size_t n = 0, k = 0, num_segment_evals = 0, num_tables = 0;
  bool ok = true;  // false: a size above kMaxLogRows (refused)

  static BatchDims of(const std::vector<BatchTableShape>& shapes) {
    BatchDims d;
    std::vector<size_t> seg_vars, tab_vars;
    for (const auto& s : shapes) {
      if (s.k > kMaxLogRows || s.num_columns < 1 || s.num_columns > 2) d.ok = false;
      tab_vars.push_back(s.k);
      for (size_t v : s.segments) {
        if (v > kMaxLogRows) d.ok = false;
        seg_vars.push_back(v);
      }
      d.num_segment_evals += s.segments.size() * s.num_columns;
    }
    if (!d.ok) return d;
    d.n = BatchLayout::make(seg_vars).num_vars;
    d.k = BatchLayout::make(tab_vars).num_vars;
    d.num_tables = shapes.size();
    d.ok = d.n <= kMaxLogRows && d.k <= kMaxLogRows;
    return d;
  }
};

// The batch's proof (nothing when no lookup was registered): the fractional-sum GKR (root and
// steps; no witness values), each segment's column values at its point (segments in registration
// order, columns in order), each table's multiplicities' value at its point (tables in order).
template <field::PrimeField F>
struct BatchProof {
  LogupProof<F> gkr;
  std::vector<sumcheck::Msg<F>> segment_evals;
  std::vector<sumcheck::Msg<F>> multiplicity_evals;

  bool empty() const { return multiplicity_evals.empty(); }

  void serialize(ByteWriter& w) const {
    if (empty()) return;
    gkr.serialize(w);
    for (const auto& e : segment_evals) sumcheck::write_msg<F>(w, e);
    for (const auto& e : multiplicity_evals) sumcheck::write_msg<F>(w, e);
  }
  static BatchProof deserialize(ByteReader& r, const std::vector<BatchTableShape>& shapes) {
    BatchProof p;
    if (shapes.empty()) return p;
    if (shapes.size() > (size_t{1} << 16)) r.fail("logup batch: too many tables");
    const BatchDims d = BatchDims::of(shapes);
    if (!d.ok) r.fail("logup batch: lookup too large");
    if (d.num_segment_evals > (size_t{1} << 24)) r.fail("logup batch: too many segments");
    p.gkr = LogupProof<F>::deserialize(r, d.n, d.k, 0);
    // Memory follows the bytes read.
    p.segment_evals.reserve(std::min(d.num_segment_evals, r.remaining() / sumcheck::msg_bytes<F>()));
    for (size_t i = 0; i < d.num_segment_evals; ++i) p.segment_evals.push_back(sumcheck::read_msg<F>(r));
    for (size_t i = 0; i < d.num_tables; ++i) p.multiplicity_evals.push_back(sumcheck::read_msg<F>(r));
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

// Absorbs the batch's shape: the number of tables, per table its kind, k and columns; then the
// number of segments and per segment (registration order) its table and n_e. With the tables'
// rows (public, bound by the caller's key) this fixes both layouts.
template <field::PrimeField F>
void absorb_batch_shape(transcript::Transcript& tr, const std::vector<const LookupTable<F>*>& tables,
                        const std::vector<std::pair<size_t, size_t>>& segments) {
  ByteWriter w;
  w.u64(tables.size());
  for (const auto* t : tables) {
    w.u8(static_cast<uint8_t>(t->kind()));
    w.u64(t->log_size());
    w.u64(t->num_columns());
  }
  w.u64(segments.size());
  for (const auto& [t, n] : segments) {
    w.u64(t);
    w.u64(n);
  }
  tr.absorb_bytes(kLabelBatchShape, w.data());
}

// The entry of tabs (Tab: a struct with `table`, a shared_ptr to a const LookupTable, and
// `segments`) for a table equal to `table`, appended if there is none: holding *shared (when
// non-null, a pointer to `table`) or else a copy of `table`.
template <class Tab, field::PrimeField F>
Tab& tab_for(std::vector<Tab>& tabs, const LookupTable<F>& table, std::type_identity_t<std::shared_ptr<const LookupTable<F>>>* shared) {
  for (auto& t : tabs)
    if (t.table.get() == &table || same_table(*t.table, table)) return t;
  tabs.push_back(Tab{});
  tabs.back().table = shared ? std::move(*shared) : std::make_shared<const LookupTable<F>>(table);
  return tabs.back();
}

// The tag of table t.
template <field::PrimeField F>
F table_tag(size_t t) {
  return F::from_u64(t);
}

// The segments of all tables in registration order: (table, index within the table).
template <class Tab>
std::vector<std::pair<size_t, size_t>> segments_by_serial(const std::vector<Tab>& tabs, size_t num_segments) {
  std::vector<std::pair<size_t, size_t>> out(num_segments, {SIZE_MAX, SIZE_MAX});
  for (size_t t = 0; t < tabs.size(); ++t)
    for (size_t e = 0; e < tabs[t].segments.size(); ++e) out[tabs[t].segments[e].serial] = {t, e};
  return out;
}

}  // namespace detail

template <field::PrimeField F>
struct BatchProverResult {
  BatchProof<F> proof;
  std::vector<SegmentClaim<F>> segment_claims;
  std::vector<MultiplicityClaim<F>> multiplicity_claims;
  F beta{}, gamma{}, alpha{};  // the batch's challenges (tests, diagnostics)
};

template <field::PrimeField F>
class BatchProver {
 public:
  // Registers a lookup of `columns` (table.num_columns() columns of the same power-of-two length)
  // into `table`; ids name the columns for their owner (returned with the claims).
  // A shared table is held, not copied (layers' function tables, layers/activation.h act_table);
  // a table passed by reference is copied once per distinct table.
  void add(std::shared_ptr<const LookupTable<F>> table, std::vector<std::vector<F>> columns, std::vector<size_t> ids,
           std::string name = {}) {
    ZKINFER_CHECK(table != nullptr && !prepared_ && columns.size() == table->num_columns() && ids.size() == columns.size());
    for (const auto& c : columns) ZKINFER_CHECK(c.size() == columns[0].size());
    Tab& t = detail::tab_for(reg_.tabs, *table, &table);
    t.segments.push_back({poly::log2_exact(columns[0].size()), kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
    t.columns.push_back(Cols{std::move(columns), {}});
  }
  // Attributes the segments registered since the last call to `owner`.
  void add(const LookupTable<F>& table, std::vector<std::vector<F>> columns, std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(!prepared_ && columns.size() == table.num_columns() && ids.size() == columns.size());
    for (const auto& c : columns) ZKINFER_CHECK(c.size() == columns[0].size());
    Tab& t = detail::tab_for(reg_.tabs, table, nullptr);
    t.segments.push_back({poly::log2_exact(columns[0].size()), kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
    t.columns.push_back(Cols{std::move(columns), {}});
  }
  // The same lookup of columns of small integers, borrowed: the caller keeps them alive and
  // unchanged until prove() returns. The batch holds no copy of them (a large model's digits would
  // take 32 bytes an entry as field elements); their field values are computed where needed.
  void add_small(std::shared_ptr<const LookupTable<F>> table, std::vector<std::span<const int64_t>> columns,
                 std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(table != nullptr);
    add_small_to(detail::tab_for(reg_.tabs, *table, &table), std::move(columns), std::move(ids), std::move(name));
  }
  void add_small(const LookupTable<F>& table, std::vector<std::span<const int64_t>> columns, std::vector<size_t> ids,
                 std::string name = {}) {
    add_small_to(detail::tab_for(reg_.tabs, table, nullptr), std::move(columns), std::move(ids), std::move(name));
  }
  void assign_owner(size_t owner, std::string_view label = {}) { reg_.assign_owner(owner, label); }
  // The number of segments registered so far, and: adds `off` to the ids of the segments without
  // owner registered from number `first` on (a layer made of sub-layers whose advice lists it
  // concatenates, layers/softmax.cc).
  size_t num_segments() const { return reg_.num_segments; }
  void shift_ids_from(size_t first, size_t off) { reg_.shift_ids_from(first, off); }
  size_t num_tables() const { return reg_.tabs.size(); }
  const LookupTable<F>& table(size_t t) const { return *reg_.tabs[t].table; }
  bool empty() const { return reg_.tabs.empty(); }

  // Lays out the tagged witness and returns every table's multiplicities (per table, 2^k counts;
  // the witness's padding rows count as table 0's row 0), which the caller commits and absorbs
  // before prove(). No add() afterwards. missing (if non-null): rows found in no table (then no
  // valid proof exists; prove() still runs and fails to verify).
  std::vector<std::vector<uint64_t>> prepare(size_t* missing = nullptr) {
    ZKINFER_CHECK(!prepared_);
    prepared_ = true;
    std::vector<std::vector<uint64_t>> out;
    if (reg_.tabs.empty()) return out;
    order_ = detail::segments_by_serial(reg_.tabs, reg_.num_segments);
    std::vector<size_t> vars;
    for (const auto& [t, e] : order_) vars.push_back(reg_.tabs[t].segments[e].num_vars);
    layout_ = BatchLayout::make(vars);
    size_t miss = 0;
    for (auto& t : reg_.tabs) {
      // All rows of the table's segments, counted in place (per-thread histograms when there are
      // many more rows than table entries, as compute_multiplicities).
      const LookupTable<F>& table = *t.table;
      std::vector<uint64_t> counts(table.size(), 0);
      size_t rows = 0;
      for (const auto& seg : t.columns) rows += seg.rows();
      const bool parallel = poly::go_parallel(rows) && rows >= 4 * table.size();
#pragma omp parallel if (parallel)
      {
        std::vector<uint64_t> local(table.size(), 0);
        size_t missing_here = 0;
        std::vector<F> row(table.num_columns());
        for (const auto& seg : t.columns) {
          const size_t n = seg.rows();
#pragma omp for schedule(static)
          for (size_t i = 0; i < n; ++i) {
            for (size_t c = 0; c < row.size(); ++c) row[c] = seg.at(c, i);
            if (auto j = table.find(row)) {
              ++local[*j];
            } else {
              ++missing_here;
            }
          }
        }
#pragma omp critical
        {
          for (size_t j = 0; j < local.size(); ++j) counts[j] += local[j];
          miss += missing_here;
        }
      }
      out.push_back(std::move(counts));
    }
    out[0][0] += (uint64_t{1} << layout_.num_vars) - layout_.total;  // the padding rows
    for (size_t t = 0; t < reg_.tabs.size(); ++t) {
      auto& m = reg_.tabs[t].m;
      m.resize(out[t].size());
      for (size_t j = 0; j < m.size(); ++j) m[j] = F::from_u64(out[t][j]);
    }
    if (missing) *missing = miss;
    return out;
  }

  // After the multiplicities' commitments are absorbed: the one LogUp of all tables.
  // multiplicities_override (tests of the verifier only): the counts to prove with instead of
  // prepare()'s (a prover that counts a row in another table than its own).
  BatchProverResult<F> prove(transcript::Transcript& tr,
                             const std::vector<std::vector<uint64_t>>* multiplicities_override = nullptr) {
    ZKINFER_CHECK(prepared_);
    BatchProverResult<F> res;
    if (reg_.tabs.empty()) return res;
    if (multiplicities_override) {
      ZKINFER_CHECK(multiplicities_override->size() == reg_.tabs.size());
      for (size_t t = 0; t < reg_.tabs.size(); ++t) {
        const auto& c = (*multiplicities_override)[t];
        ZKINFER_CHECK(c.size() == reg_.tabs[t].m.size());
        for (size_t j = 0; j < c.size(); ++j) reg_.tabs[t].m[j] = F::from_u64(c[j]);
      }
    }
    std::vector<const LookupTable<F>*> tables;
    for (const auto& t : reg_.tabs) tables.push_back(t.table.get());
    std::vector<std::pair<size_t, size_t>> shape;
    for (const auto& [t, e] : order_) {
      const auto& s = reg_.tabs[t].segments[e];
      ZKINFER_CHECK(s.owner != kNoOwner && "lookup batch: segment without owner");
      shape.push_back({t, s.num_vars});
    }
    detail::absorb_batch_shape(tr, tables, shape);
    const F beta = tr.challenge<F>(kLabelBeta);
    const F gamma = tr.challenge<F>(kLabelBatchGamma);
    const F alpha = tr.challenge<F>(kLabelAlpha);
    res.beta = beta;
    res.gamma = gamma;
    res.alpha = alpha;

    // Witness leaves (1, alpha - (gamma t + a + beta b)), numerators implicit: computed from the
    // columns where the GKR needs them (prover.h prove_fractions with a LeafFn), not stored.
    const auto pad = reg_.tabs[0].table->padding_row();
    const F pad_q = alpha - (pad[0] + (pad.size() == 2 ? beta * pad[1] : F::zero()));  // tag 0
    std::vector<std::pair<uint64_t, size_t>> by_offset;  // (offset, i): the segments in layout order
    for (size_t i = 0; i < order_.size(); ++i) by_offset.push_back({layout_.offsets[i], i});
    std::sort(by_offset.begin(), by_offset.end());
    std::vector<F> bases(order_.size());
    for (size_t i = 0; i < order_.size(); ++i) bases[i] = alpha - gamma * detail::table_tag<F>(order_[i].first);
    const lookup::detail::LeafFn<F> leaves = [&](size_t begin, size_t end, F* out) {
      // The segment holding `begin`: the last one starting at or before it.
      auto it = std::upper_bound(by_offset.begin(), by_offset.end(), std::pair<uint64_t, size_t>{begin, SIZE_MAX});
      size_t pos = begin;
      if (it != by_offset.begin()) --it;
      while (pos < end) {
        if (pos >= layout_.total || it == by_offset.end()) {
          std::fill(out + (pos - begin), out + (end - begin), pad_q);
          return;
        }
        const auto [off, i] = *it;
        const auto [t, e] = order_[i];
        const Cols& cols = reg_.tabs[t].columns[e];
        const size_t stop = std::min<uint64_t>(end, off + cols.rows());
        if (pos < off || pos >= stop) {  // (segments are contiguous from 0 to total)
          ++it;
          continue;
        }
        const F& base = bases[i];
        F* o = out + (pos - begin);
        const size_t r0 = pos - off, r1 = stop - off;
        if (!cols.fr.empty()) {
          for (size_t r = r0; r < r1; ++r) *o++ = base - (cols.fr.size() == 2 ? cols.fr[0][r] + beta * cols.fr[1][r] : cols.fr[0][r]);
        } else if (cols.ints.size() == 2) {
          for (size_t r = r0; r < r1; ++r) *o++ = base - (F::from_i64(cols.ints[0][r]) + beta * F::from_i64(cols.ints[1][r]));
        } else {
          for (size_t r = r0; r < r1; ++r) *o++ = base - F::from_i64(cols.ints[0][r]);
        }
        pos = stop;
        ++it;
      }
    };
    // Table leaves (-m_j, alpha - (gamma t + x_j + beta y_j)); padding (0, alpha).
    std::vector<size_t> tvars;
    for (const auto& t : reg_.tabs) tvars.push_back(t.table->log_size());
    const BatchLayout tlay = BatchLayout::make(tvars);
    detail::Level<F> tl;
    tl.p.assign(size_t{1} << tlay.num_vars, F::zero());
    tl.q.assign(size_t{1} << tlay.num_vars, alpha);
    for (size_t ti = 0; ti < reg_.tabs.size(); ++ti) {
      const Tab& t = reg_.tabs[ti];
      const F base = alpha - gamma * detail::table_tag<F>(ti);
      const size_t off = tlay.offsets[ti], rows = t.table->size();
#pragma omp parallel for schedule(static) if (poly::go_parallel(rows))
      for (size_t j = 0; j < rows; ++j) {
        tl.p[off + j] = -t.m[j];
        tl.q[off + j] = base - t.table->combined_entry(j, beta);
      }
    }
    const auto pts = lookup::detail::prove_fractions<F>(layout_.num_vars, leaves, std::move(tl), tr, lookup::detail::Cheats<F>{},
                                                       &res.proof.gkr);

    // Each segment's columns at its part of the witness point, each m at its part of the table's.
    std::vector<F> vals;
    for (const auto& [t, e] : order_) {
      const auto& s = reg_.tabs[t].segments[e];
      const std::span<const F> pt(pts.witness.data(), s.num_vars);
      const Cols& cols = reg_.tabs[t].columns[e];
      for (size_t c = 0; c < cols.num_columns(); ++c)
        vals.push_back(cols.fr.empty() ? poly::evaluate_mle<F>(cols.field(c), pt) : poly::evaluate_mle<F>(cols.fr[c], pt));
    }
    res.proof.segment_evals = sumcheck::send_msgs<F>(tr, vals);
    tr.absorb_many(kLabelSegmentEvals, res.proof.segment_evals);
    vals.clear();
    for (const auto& t : reg_.tabs) vals.push_back(poly::evaluate_mle<F>(t.m, std::span<const F>(pts.table.data(), t.table->log_size())));
    res.proof.multiplicity_evals = sumcheck::send_msgs<F>(tr, vals);
    tr.absorb_many(kLabelMultiplicityEvals, res.proof.multiplicity_evals);

    size_t i = 0;
    for (const auto& [t, e] : order_) {
      const auto& s = reg_.tabs[t].segments[e];
      const std::vector<F> pt(pts.witness.begin(), pts.witness.begin() + static_cast<std::ptrdiff_t>(s.num_vars));
      for (size_t c = 0; c < s.ids.size(); ++c) res.segment_claims.push_back({s.owner, s.ids[c], c, pt, res.proof.segment_evals[i++]});
    }
    for (size_t t = 0; t < reg_.tabs.size(); ++t) {
      const std::vector<F> pt(pts.table.begin(), pts.table.begin() + static_cast<std::ptrdiff_t>(reg_.tabs[t].table->log_size()));
      res.multiplicity_claims.push_back({t, pt, res.proof.multiplicity_evals[t]});
    }
    for (auto& t : reg_.tabs) std::vector<Cols>().swap(t.columns);
    return res;
  }


 private:
  // A segment's columns: field elements held, or small integers borrowed (add_small).
  struct Cols {
    std::vector<std::vector<F>> fr;
    std::vector<std::span<const int64_t>> ints;
    size_t num_columns() const { return fr.empty() ? ints.size() : fr.size(); }
    size_t rows() const { return fr.empty() ? ints[0].size() : fr[0].size(); }
    F at(size_t c, size_t r) const { return fr.empty() ? F::from_i64(ints[c][r]) : fr[c][r]; }
    std::vector<F> field(size_t c) const {  // (of borrowed integers)
      std::vector<F> v(ints[c].size());
      for (size_t r = 0; r < v.size(); ++r) v[r] = F::from_i64(ints[c][r]);
      return v;
    }
  };
  struct Tab {
    std::shared_ptr<const LookupTable<F>> table;
    std::vector<detail::SegmentInfo<F>> segments;
    std::vector<Cols> columns;  // per segment (until prove())
    std::vector<F> m;           // prepare() .. prove()
  };
  void add_small_to(Tab& t, std::vector<std::span<const int64_t>> columns, std::vector<size_t> ids, std::string name) {
    ZKINFER_CHECK(!prepared_ && columns.size() == t.table->num_columns() && ids.size() == columns.size());
    for (const auto& c : columns) ZKINFER_CHECK(c.size() == columns[0].size());
    t.segments.push_back({poly::log2_exact(columns[0].size()), kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
    t.columns.push_back(Cols{{}, std::move(columns)});
  }
  detail::Registry<Tab> reg_;
  std::vector<std::pair<size_t, size_t>> order_;  // segments in registration order (prepare())
  BatchLayout layout_;                            // the tagged witness (prepare())
  bool prepared_ = false;
};

template <field::PrimeField F>
class BatchVerifier {
 public:
  // name (optional): the segment's name in rejection messages (with its owner's label).
  // A shared table is held, not copied; a table passed by reference is copied once per distinct table.
  void add(std::shared_ptr<const LookupTable<F>> table, size_t num_vars, std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(table != nullptr && ids.size() == table->num_columns());
    detail::tab_for(reg_.tabs, *table, &table).segments.push_back({num_vars, kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
  }
  void add(const LookupTable<F>& table, size_t num_vars, std::vector<size_t> ids, std::string name = {}) {
    ZKINFER_CHECK(ids.size() == table.num_columns());
    detail::tab_for(reg_.tabs, table, nullptr).segments.push_back({num_vars, kNoOwner, std::move(ids), reg_.num_segments++, std::move(name)});
  }
  void assign_owner(size_t owner, std::string_view label = {}) { reg_.assign_owner(owner, label); }
  size_t num_segments() const { return reg_.num_segments; }
  void shift_ids_from(size_t first, size_t off) { reg_.shift_ids_from(first, off); }
  size_t num_tables() const { return reg_.tabs.size(); }
  const LookupTable<F>& table(size_t t) const { return *reg_.tabs[t].table; }
  bool empty() const { return reg_.tabs.empty(); }
  // The proof layout (registration is complete).
  std::vector<BatchTableShape> shapes() const {
    std::vector<BatchTableShape> out;
    for (const auto& t : reg_.tabs) {
      out.push_back({t.table->log_size(), t.table->num_columns(), {}});
      for (const auto& s : t.segments) out.back().segments.push_back(s.num_vars);
    }
    return out;
  }

  // After the multiplicities' commitments are absorbed. On acceptance fills the claims the caller
  // must check: on every segment's columns and on every table's m. Never throws on a bad proof.
  Verdict verify(const BatchProof<F>& proof, transcript::Transcript& tr, std::vector<SegmentClaim<F>>* segment_claims,
                 std::vector<MultiplicityClaim<F>>* multiplicity_claims) const {
    using M = sumcheck::Msg<F>;
    if (reg_.tabs.empty()) {
      if (!proof.empty() || !proof.segment_evals.empty() || !proof.gkr.steps.empty())
        return Verdict::reject("logup batch: a proof without lookups");
      if (segment_claims) segment_claims->clear();
      if (multiplicity_claims) multiplicity_claims->clear();
      return Verdict::accept();
    }
    const BatchDims d = BatchDims::of(shapes());
    if (!d.ok) return Verdict::reject("logup batch: lookup too large");
    if (proof.multiplicity_evals.size() != reg_.tabs.size())
      return Verdict::reject("logup batch: wrong number of multiplicity values");
    if (proof.segment_evals.size() != d.num_segment_evals) return Verdict::reject("logup batch: wrong number of segment values");
    if (!proof.gkr.witness_evals.empty()) return Verdict::reject("logup batch: unexpected witness values");
    const auto order = detail::segments_by_serial(reg_.tabs, reg_.num_segments);
    std::vector<const LookupTable<F>*> tables;
    for (const auto& t : reg_.tabs) tables.push_back(t.table.get());
    std::vector<std::pair<size_t, size_t>> shape;
    std::vector<size_t> vars, tvars;
    for (const auto& [t, e] : order) {
      const auto& s = reg_.tabs[t].segments[e];
      if (s.owner == kNoOwner) return Verdict::reject("logup batch: internal: segment without owner");
      shape.push_back({t, s.num_vars});
      vars.push_back(s.num_vars);
    }
    for (const auto& t : reg_.tabs) tvars.push_back(t.table->log_size());
    const BatchLayout lay = BatchLayout::make(vars), tlay = BatchLayout::make(tvars);
    // A rejection names the tables and (up to 8 of) the segments: the argument shows that some row
    // of some segment is outside its table, not which.
    const std::string where = describe(order);

    detail::absorb_batch_shape(tr, tables, shape);
    const F beta = tr.challenge<F>(kLabelBeta);
    const F gamma = tr.challenge<F>(kLabelBatchGamma);
    const F alpha = tr.challenge<F>(kLabelAlpha);
    FractionLeafClaims<F> leaves;
    if (Verdict v = verify_fractions<F>(lay.num_vars, tlay.num_vars, proof.gkr, tr, &leaves); !v) return v.within(where);
    if (!leaves.witness_unit && leaves.witness_p != M(F::one()))
      return Verdict::reject(where + ": logup: witness leaf numerators are not 1");

    // Witness leaves: alpha - w~(rho_W) from the segments' values, their tags and the padding rows.
    tr.absorb_many(kLabelSegmentEvals, proof.segment_evals);
    const std::span<const F> rho_w(leaves.witness_point);
    const auto pad = reg_.tabs[0].table->padding_row();
    M w = M((F::one() - prefix_indicator<F>(rho_w, lay.total)) * (pad[0] + (pad.size() == 2 ? beta * pad[1] : F::zero())));
    std::vector<SegmentClaim<F>> sc;
    size_t i = 0;
    for (size_t o = 0; o < order.size(); ++o) {
      const auto [t, e] = order[o];
      const auto& s = reg_.tabs[t].segments[e];
      const F sel = eq_index<F>(rho_w, s.num_vars, lay.offsets[o] >> s.num_vars);
      const std::vector<F> pt(rho_w.begin(), rho_w.begin() + static_cast<std::ptrdiff_t>(s.num_vars));
      M v = M(gamma * detail::table_tag<F>(t));
      for (size_t c = 0; c < s.ids.size(); ++c) {
        v += c == 0 ? proof.segment_evals[i] : proof.segment_evals[i] * beta;
        sc.push_back({s.owner, s.ids[c], c, pt, proof.segment_evals[i++]});
      }
      w += v * sel;
    }
    if (M(alpha) - w != leaves.witness_q)
      return Verdict::reject(where + ": segment values do not match the witness leaf denominators");

    // Table leaves: alpha - t~(rho_T) from the public tables and their tags; -m~(rho_T) from the
    // multiplicities' values.
    tr.absorb_many(kLabelMultiplicityEvals, proof.multiplicity_evals);
    const std::span<const F> rho_t(leaves.table_point);
    F tv = F::zero();
    M mv = M(F::zero());
    std::vector<MultiplicityClaim<F>> mc;
    for (size_t t = 0; t < reg_.tabs.size(); ++t) {
      const auto& tab = *reg_.tabs[t].table;
      const size_t k = tab.log_size();
      const F sel = eq_index<F>(rho_t, k, tlay.offsets[t] >> k);
      const std::span<const F> pt(rho_t.data(), k);
      tv += sel * (gamma * detail::table_tag<F>(t) + tab.evaluate_combined(pt, beta));
      mv += proof.multiplicity_evals[t] * sel;
      mc.push_back({t, std::vector<F>(pt.begin(), pt.end()), proof.multiplicity_evals[t]});
    }
    if (M(alpha - tv) != leaves.table_q) return Verdict::reject(where + ": logup: table leaf denominators do not match the tables");
    if (-mv != leaves.table_p)
      return Verdict::reject(where + ": multiplicity values do not match the table leaf numerators");
    if (segment_claims) *segment_claims = std::move(sc);
    if (multiplicity_claims) *multiplicity_claims = std::move(mc);
    return Verdict::accept();
  }

 private:
  struct Tab {
    std::shared_ptr<const LookupTable<F>> table;
    std::vector<detail::SegmentInfo<F>> segments;
  };
  // "logup batch (3 tables: range 2^4, range 2^6, two-column 2^4; 24 columns: a, b, ...)".
  std::string describe(const std::vector<std::pair<size_t, size_t>>& order) const {
    std::string out = "logup batch (" + std::to_string(reg_.tabs.size()) + " table" + (reg_.tabs.size() == 1 ? "" : "s") + ":";
    for (size_t t = 0; t < reg_.tabs.size() && t < 8; ++t)
      out += std::string(t ? ", " : " ") + (reg_.tabs[t].table->kind() == LookupTable<F>::Kind::kRange ? "range" : "two-column") +
             " 2^" + std::to_string(reg_.tabs[t].table->log_size());
    if (reg_.tabs.size() > 8) out += ", ...";
    out += "; " + std::to_string(order.size()) + " column(s):";
    for (size_t o = 0; o < order.size() && o < 8; ++o) {
      const auto& s = reg_.tabs[order[o].first].segments[order[o].second];
      out += (o ? ", " : " ") + (s.name.empty() ? "#" + std::to_string(o) : s.name);
    }
    if (order.size() > 8) out += ", ...";
    return out + ")";
  }
  detail::Registry<Tab> reg_;
};

}  // namespace zkinfer::lookup
