// Hyrax matrix commitment: parameters, row commitments, serialization and the plain opening
// (Wahby et al., S&P 2018, §6). See hyrax.h.
#include "pcs/hyrax.h"

#include <omp.h>

#include <array>
#include <bit>
#include <string>

#include "common/check.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "pcs/hyrax_generators.h"
#include "poly/mle.h"

namespace zkinfer::pcs {

FixedBaseTable::FixedBaseTable(const G1Affine& p, unsigned window_bits) : bits_(window_bits) {
  ZKINFER_CHECK(window_bits == 4 || window_bits == 8);
  const size_t windows = 256 / bits_, per = (size_t{1} << bits_) - 1;
  std::vector<G1> t(windows * per);
  G1 base(p);
  for (size_t w = 0; w < windows; ++w) {
    G1 acc = base;
    for (size_t d = 0; d < per; ++d) {
      t[w * per + d] = acc;
      acc += base;
    }
    base = acc;  // 2^bits * base
  }
  table_.resize(t.size());
  G1::batch_to_affine(t, table_);
}

G1 FixedBaseTable::mul(const Fr& k) const {
  const size_t per = (size_t{1} << bits_) - 1;
  ZKINFER_CHECK(table_.size() == (256 / bits_) * per);
  const auto bytes = k.to_bytes();  // canonical little endian
  G1 acc;
  for (size_t b = 0; b < 32; ++b) {
    if (bits_ == 8) {
      if (bytes[b]) acc += table_[b * per + bytes[b] - 1];
    } else {
      const unsigned lo = bytes[b] & 15, hi = bytes[b] >> 4;
      if (lo) acc += table_[(2 * b) * per + lo - 1];
      if (hi) acc += table_[(2 * b + 1) * per + hi - 1];
    }
  }
  return acc;
}

HyraxParams::HyraxParams(size_t max_log_cols) : max_log_cols_(max_log_cols) {
  ZKINFER_CHECK(max_log_cols <= kMaxLogCols);
  // The first kTabledGenerators, H and U from the table (pcs/hyrax_generators.h), the rest hashed as
  // curve::derive_generators does (message: the index as 8 little-endian bytes).
  const size_t n = size_t{1} << max_log_cols;
  g_ = tabled_generators(n);
  g_.resize(n);
#pragma omp parallel for schedule(dynamic, 256) if (n - kTabledGenerators >= 64)
  for (int64_t ii = static_cast<int64_t>(kTabledGenerators); ii < static_cast<int64_t>(n); ++ii) {
    std::array<uint8_t, 8> msg;
    for (size_t k = 0; k < 8; ++k) msg[k] = static_cast<uint8_t>(static_cast<uint64_t>(ii) >> (8 * k));
    g_[static_cast<size_t>(ii)] = curve::hash_to_curve(kGeneratorDomain, msg);
  }
  h_ = tabled_h();
  u_ = tabled_u();
}

const HyraxParams::Tables& HyraxParams::tables() const {
  std::call_once(tables_->once, [this] {
    tables_->h = FixedBaseTable(h_);
    tables_->u = FixedBaseTable(u_);
  });
  return *tables_;
}

G1 HyraxParams::mul_h(const Fr& k) const { return tables().h.mul(k); }
G1 HyraxParams::mul_u(const Fr& k) const { return tables().u.mul(k); }

std::span<const G1Affine> HyraxParams::g_tables(size_t log_cols) const {
  ZKINFER_CHECK(log_cols <= max_log_cols_);
  std::lock_guard<std::mutex> lock(tables_->mu);
  // A table built for more generators serves as well (its prefix).
  auto it = tables_->g.lower_bound(log_cols);
  if (it == tables_->g.end()) it = tables_->g.emplace(log_cols, curve::window_tables(g(log_cols))).first;
  return std::span<const G1Affine>(it->second).first(curve::kWindowTable * (size_t{1} << log_cols));
}

std::span<const G1Affine> HyraxParams::g(size_t log_cols) const {
  ZKINFER_CHECK(log_cols <= max_log_cols_);
  return std::span<const G1Affine>(g_).first(size_t{1} << log_cols);
}

HyraxLayout layout_for(size_t num_values, size_t log_cols) {
  ZKINFER_CHECK(num_values != 0 && std::has_single_bit(num_values));
  ZKINFER_CHECK(log_cols <= kMaxLogCols);
  HyraxLayout l;
  l.num_vars = static_cast<uint32_t>(std::countr_zero(num_values));
  l.log_cols = static_cast<uint32_t>(log_cols);
  ZKINFER_CHECK(l.num_vars <= kMaxNumVars && l.row_vars() <= kMaxRowVars);
  return l;
}

namespace {

// Commits every row: C_i = msm(G, M_i) + rho_i H. Rows run in parallel when there are at least
// as many rows as threads (each MSM then single-threaded); otherwise each MSM uses all threads.
template <class T, class RowMsm>
HyraxCommitment commit_rows(const HyraxParams& params, std::span<const T> values, size_t log_cols,
                            std::span<const Fr> blinds, RowMsm row_msm) {
  HyraxLayout layout = layout_for(values.size(), log_cols);
  ZKINFER_CHECK(layout.col_vars() <= params.max_log_cols());
  ZKINFER_CHECK(blinds.size() == layout.num_rows());
  const size_t rows = layout.num_rows(), cols = layout.num_cols();
  std::span<const G1Affine> g = params.g(layout.col_vars());
  std::vector<G1> out(rows);
  const int threads = omp_get_max_threads();
  // Tiny commitments (advice vectors of a few dozen entries) stay serial: waking the team costs
  // more than the work.
  if (threads > 1 && rows >= static_cast<size_t>(threads) && rows * cols >= 512) {
    curve::MsmOptions single;
    single.threads = 1;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < rows; ++i)
      out[i] = row_msm(g, values.subspan(i * cols, cols), single) + params.mul_h(blinds[i]);
  } else {
    for (size_t i = 0; i < rows; ++i)
      out[i] = row_msm(g, values.subspan(i * cols, cols), curve::MsmOptions{}) + params.mul_h(blinds[i]);
  }
  HyraxCommitment c;
  c.layout = layout;
  c.rows.resize(rows);
  G1::batch_to_affine(out, c.rows);
  return c;
}

}  // namespace

HyraxCommitment commit_with_blinds(const HyraxParams& params, std::span<const Fr> values,
                                   size_t log_cols, std::span<const Fr> blinds) {
  return commit_rows<Fr>(params, values, log_cols, blinds,
                         [](std::span<const G1Affine> g, std::span<const Fr> v,
                            const curve::MsmOptions& o) { return curve::msm(g, v, o); });
}

HyraxCommitment commit_with_blinds(const HyraxParams& params, std::span<const int64_t> values,
                                   size_t log_cols, std::span<const Fr> blinds) {
  return commit_rows<int64_t>(params, values, log_cols, blinds,
                              [](std::span<const G1Affine> g, std::span<const int64_t> v,
                                 const curve::MsmOptions& o) { return curve::msm_small(g, v, o); });
}

std::vector<Fr> combine_rows(std::span<const Fr> values, const HyraxLayout& layout,
                             std::span<const Fr> weights) {
  ZKINFER_CHECK(values.size() == layout.size() && weights.size() == layout.num_rows());
  const size_t rows = layout.num_rows(), cols = layout.num_cols();
  std::vector<Fr> t(cols, Fr::zero());
  // Blocks of columns in parallel; within a block, rows in order (contiguous reads).
  constexpr size_t kBlock = 64;
  const size_t blocks = (cols + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (rows * cols >= 4096 && blocks > 1)
  for (size_t blk = 0; blk < blocks; ++blk) {
    const size_t lo = blk * kBlock, hi = std::min(cols, lo + kBlock);
    for (size_t i = 0; i < rows; ++i) {
      const Fr e = weights[i];
      if (e.is_zero()) continue;
      const Fr* row = values.data() + i * cols;
      for (size_t j = lo; j < hi; ++j) t[j] += e * row[j];
    }
  }
  return t;
}

std::vector<Fr> row_combination(std::span<const Fr> values, const HyraxLayout& layout,
                                std::span<const Fr> r_row) {
  ZKINFER_CHECK(r_row.size() == layout.row_vars());
  return combine_rows(values, layout, poly::eq_table<Fr>(r_row));
}

// ---- serialization ----

void HyraxCommitment::serialize(ByteWriter& w) const {
  w.u32(layout.num_vars);
  w.u32(layout.log_cols);
  for (const G1Affine& p : rows) w.bytes(p.to_bytes());
}

HyraxCommitment HyraxCommitment::deserialize(ByteReader& r) {
  HyraxCommitment c;
  c.layout.num_vars = r.u32();
  c.layout.log_cols = r.u32();
  if (c.layout.num_vars > kMaxNumVars)
    r.fail("hyrax commitment: num_vars " + std::to_string(c.layout.num_vars) + " exceeds " +
           std::to_string(kMaxNumVars));
  if (c.layout.log_cols > kMaxLogCols)
    r.fail("hyrax commitment: log_cols " + std::to_string(c.layout.log_cols) + " exceeds " +
           std::to_string(kMaxLogCols));
  if (c.layout.row_vars() > kMaxRowVars)
    r.fail("hyrax commitment: 2^" + std::to_string(c.layout.row_vars()) + " rows is too many");
  const size_t rows = c.layout.num_rows();
  if (rows > r.remaining() / G1Affine::kBytes)
    r.fail("hyrax commitment: " + std::to_string(rows) + " rows do not fit the remaining bytes");
  c.rows.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
    if (!p) r.fail("hyrax commitment: row " + std::to_string(i) + " is not a valid point");
    c.rows.push_back(*p);
  }
  return c;
}

std::vector<uint8_t> HyraxCommitment::to_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.take();
}

HyraxCommitment HyraxCommitment::from_bytes(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "hyrax commitment");
  HyraxCommitment c = deserialize(r);
  r.expect_end();
  return c;
}

void HyraxCommitment::absorb_into(transcript::Transcript& t) const {
  t.absorb_u64("hyrax.commitment.num_vars", layout.num_vars);
  t.absorb_u64("hyrax.commitment.log_cols", layout.log_cols);
  t.absorb_many("hyrax.commitment", std::span<const G1Affine>(rows));
}

void PlainOpening::serialize(ByteWriter& w) const {
  w.u64(t.size());
  for (const Fr& x : t) w.bytes(x.to_bytes());
  w.bytes(tau.to_bytes());
}

namespace {
Fr read_fr(ByteReader& r, const char* what) {
  auto x = Fr::from_bytes(r.bytes(Fr::kBytes));
  if (!x) r.fail(std::string(what) + " is not a canonical scalar");
  return *x;
}
}  // namespace

PlainOpening PlainOpening::deserialize(ByteReader& r, size_t max_len) {
  PlainOpening o;
  const uint64_t n = r.count(Fr::kBytes, max_len);
  o.t.reserve(n);
  for (uint64_t i = 0; i < n; ++i) o.t.push_back(read_fr(r, "hyrax plain opening: t entry"));
  o.tau = read_fr(r, "hyrax plain opening: tau");
  return o;
}

// ---- plain opening ----

namespace {
void absorb_plain_statement(transcript::Transcript& tr, const HyraxCommitment& c,
                            std::span<const Fr> point, const Fr& value) {
  c.absorb_into(tr);
  tr.absorb_many("hyrax.point", point);
  tr.absorb("hyrax.plain.value", value);
}
}  // namespace

PlainOpening open_plain(const HyraxCommitment& commitment, const HyraxBlinds& blinds,
                        std::span<const Fr> values, std::span<const Fr> point,
                        transcript::Transcript& transcript) {
  const HyraxLayout& l = commitment.layout;
  ZKINFER_CHECK(point.size() == l.num_vars && values.size() == l.size());
  ZKINFER_CHECK(blinds.rho.size() == l.num_rows());
  const Fr value = poly::evaluate_mle<Fr>(values, point);
  absorb_plain_statement(transcript, commitment, point, value);
  std::span<const Fr> r_row = point.subspan(l.col_vars());
  PlainOpening o;
  o.t = row_combination(values, l, r_row);
  std::vector<Fr> eq_row = poly::eq_table<Fr>(r_row);
  o.tau = Fr::zero();
  for (size_t i = 0; i < eq_row.size(); ++i) o.tau += eq_row[i] * blinds.rho[i];
  transcript.absorb_many("hyrax.plain.t", std::span<const Fr>(o.t));
  transcript.absorb("hyrax.plain.tau", o.tau);
  return o;
}

Verdict verify_plain(const HyraxParams& params, const HyraxCommitment& commitment,
                     std::span<const Fr> point, const Fr& value, const PlainOpening& opening,
                     transcript::Transcript& transcript) {
  const HyraxLayout& l = commitment.layout;
  auto reject = [](const std::string& why) { return Verdict::reject("hyrax plain opening: " + why); };
  if (l.num_vars > kMaxNumVars || l.log_cols > kMaxLogCols || l.row_vars() > kMaxRowVars)
    return reject("commitment layout out of bounds");
  if (l.col_vars() > params.max_log_cols())
    return reject("commitment has 2^" + std::to_string(l.col_vars()) +
                  " columns, more than the parameters' generators");
  if (commitment.rows.size() != l.num_rows()) return reject("commitment row count does not match its layout");
  if (point.size() != l.num_vars)
    return reject("point has " + std::to_string(point.size()) + " coordinates, the polynomial " +
                  std::to_string(l.num_vars) + " variables");
  if (opening.t.size() != l.num_cols())
    return reject("t has " + std::to_string(opening.t.size()) + " entries, expected " +
                  std::to_string(l.num_cols()));
  absorb_plain_statement(transcript, commitment, point, value);
  transcript.absorb_many("hyrax.plain.t", std::span<const Fr>(opening.t));
  transcript.absorb("hyrax.plain.tau", opening.tau);

  std::span<const Fr> r_col = point.first(l.col_vars());
  std::span<const Fr> r_row = point.subspan(l.col_vars());
  // <t, G> + tau H - sum_i eq(r_row)_i C_i == 0, as one MSM.
  std::vector<G1Affine> bases;
  std::vector<Fr> scalars;
  bases.reserve(l.num_cols() + l.num_rows() + 1);
  scalars.reserve(bases.capacity());
  std::span<const G1Affine> g = params.g(l.col_vars());
  bases.insert(bases.end(), g.begin(), g.end());
  scalars.insert(scalars.end(), opening.t.begin(), opening.t.end());
  bases.push_back(params.h());
  scalars.push_back(opening.tau);
  std::vector<Fr> eq_row = poly::eq_table<Fr>(r_row);
  for (size_t i = 0; i < eq_row.size(); ++i) {
    bases.push_back(commitment.rows[i]);
    scalars.push_back(-eq_row[i]);
  }
  if (!curve::msm(bases, scalars).is_identity())
    return reject("<t, G> + tau H differs from the row combination of the commitment");
  std::vector<Fr> eq_col = poly::eq_table<Fr>(r_col);
  Fr v = Fr::zero();
  for (size_t j = 0; j < eq_col.size(); ++j) v += opening.t[j] * eq_col[j];
  if (v != value) return reject("<t, eq(r_col)> differs from the claimed value");
  return Verdict::accept();
}

}  // namespace zkinfer::pcs
