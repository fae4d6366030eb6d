// Commit-and-prove values with padded field-element messages (see cp.h for the protocol).
#include "zk/cp.h"

#include "zk/cp_defer.h"
#include "zk/session.h"

#include <algorithm>
#include <array>
#include <bit>
#include <optional>
#include <utility>

#include "common/check.h"
#include "curve/msm.h"
#include "pcs/hyrax_eval.h"
#include "pcs/kzg.h"
#include "zk/wire.h"

namespace zkinfer::cp {

namespace {

// A failed check of the end section (verifier).
struct Rejection {
  std::string why;
};

constexpr std::string_view kLabelClaim = "cp.claim";
constexpr std::string_view kLabelProduct = "cp.product";
constexpr std::string_view kLabelProdTau = "cp.prod.tau";
constexpr std::string_view kLabelProdRound = "cp.prod.round";
constexpr std::string_view kLabelProdR = "cp.prod.r";
constexpr std::string_view kLabelProdAbc = "cp.prod.abc";
constexpr std::string_view kLabelProdAlpha = "cp.prod.alpha";
constexpr std::string_view kLabelProdE = "cp.prod.e";
constexpr std::string_view kLabelProdZ = "cp.prod.z";
constexpr std::string_view kLabelZeroRho = "cp.zero.rho";
constexpr std::string_view kLabelPad2 = "cp.pad2";
constexpr std::string_view kLabelPadRound = "cp.pad.round";
constexpr std::string_view kLabelPadR = "cp.pad.r";
constexpr std::string_view kLabelPadClaim = "cp.pad.claim";
constexpr std::string_view kLabelDotDelta = "cp.dot.delta";
constexpr std::string_view kLabelDotE = "cp.dot.e";
constexpr std::string_view kLabelDotZ = "cp.dot.z";
// Verifier only, on copies of the transcript: the weights of the deferred group checks.
constexpr std::string_view kLabelDeferWeight = "cp.defer.weight";

size_t ceil_log2(size_t n) {
  size_t k = 0;
  while ((size_t{1} << k) < n) ++k;
  return k;
}

// eq(point, x) for every x in {0,1}^n, variable i the bit i of the index.
std::vector<Fr> eq_table(std::span<const Fr> point) {
  std::vector<Fr> t{Fr::one()};
  for (const Fr& p : point) {
    const size_t h = t.size();
    t.resize(2 * h);
    for (size_t j = 0; j < h; ++j) {
      t[j + h] = t[j] * p;
      t[j] -= t[j + h];
    }
  }
  return t;
}

// t[j] <- t[2j] + r (t[2j+1] - t[2j]): binds the lowest variable.
void fold(std::vector<Fr>& t, const Fr& r) {
  const size_t h = t.size() / 2;
  for (size_t j = 0; j < h; ++j) t[j] = t[2 * j] + r * (t[2 * j + 1] - t[2 * j]);
  t.resize(h);
}

// Lagrange weights at r of the nodes 0, 1, .., d.
std::vector<Fr> lagrange_at(const Fr& r, size_t d) {
  std::vector<Fr> w(d + 1);
  for (size_t i = 0; i <= d; ++i) {
    Fr num = Fr::one(), den = Fr::one();
    for (size_t j = 0; j <= d; ++j) {
      if (j == i) continue;
      num *= r - Fr::from_u64(j);
      den *= Fr::from_i64(static_cast<int64_t>(i) - static_cast<int64_t>(j));
    }
    w[i] = num * den.inverse();
  }
  return w;
}

// kzg pads' chunks (zk/cp.h): chunk k holds 2^(b + k) pads while that is at most 2^cap (cap: the
// SRS's max_vars), then 2^cap each: lengths B, 2B, 4B, .., 2^cap, 2^cap, ..
struct Chunks {
  size_t b, cap;
  size_t doublings() const { return cap - b; }
  size_t len(size_t k) const { return k <= doublings() ? size_t{1} << (b + k) : size_t{1} << cap; }
  size_t geometric_end() const { return (size_t{1} << (cap + 1)) - (size_t{1} << b); }
  size_t start(size_t k) const {
    if (k <= doublings() + 1) return (size_t{1} << (b + k)) - (size_t{1} << b);
    return geometric_end() + ((k - doublings() - 1) << cap);
  }
  size_t of(size_t slot) const {
    if (slot < geometric_end()) return static_cast<size_t>(std::bit_width((slot >> b) + 1)) - 1;
    return doublings() + 1 + ((slot - geometric_end()) >> cap);
  }
  // log2 of the longest of the first k chunks (k >= 1).
  size_t vars(size_t k) const { return b + std::min(k - 1, doublings()); }
};

Chunks chunks_of(size_t log_first, const pcs::KzgParams& kzg) {
  return {log_first, std::max(log_first, kzg.max_vars())};
}

}  // namespace

Context::Context(const pcs::HyraxParams& pp, size_t log_row, RandomFr random)
    : pp_(pp), mode_(Mode::kProve), random_(std::move(random)), log_row_(log_row), row_len_(size_t{1} << log_row) {
  ZKINFER_CHECK(log_row >= 1 && log_row <= pp.max_log_cols());
}
Context::Context(const pcs::HyraxParams& pp, size_t log_row)
    : pp_(pp), mode_(Mode::kVerify), log_row_(log_row), row_len_(size_t{1} << log_row) {
  ZKINFER_CHECK(log_row >= 1 && log_row <= pp.max_log_cols());
}
Context::Context(const pcs::HyraxParams& pp, const pcs::KzgParams& kzg, size_t log_first, RandomFr random)
    : pp_(pp), kzg_(&kzg), mode_(Mode::kProve), random_(std::move(random)),
      log_row_(std::max<size_t>(1, std::min(log_first, kzg.max_vars()))), row_len_(size_t{1} << log_row_) {
  ZKINFER_CHECK(log_first >= 1 && log_first < 32);
}
Context::Context(const pcs::HyraxParams& pp, const pcs::KzgParams& kzg, size_t log_first)
    : pp_(pp), kzg_(&kzg), mode_(Mode::kVerify), log_row_(std::max<size_t>(1, std::min(log_first, kzg.max_vars()))),
      row_len_(size_t{1} << log_row_) {
  ZKINFER_CHECK(log_first >= 1 && log_first < 32);
}

// Hyrax rows: row i holds slots [iB, (i+1)B). kzg chunks: chunk k holds [B (2^k - 1), B (2^(k+1) - 1))
// up to the SRS's length, then chunks of that length (Chunks).
bool Context::starts_row(size_t slot) const {
  if (!kzg_) return slot % row_len_ == 0;
  const Chunks c = chunks_of(log_row_, *kzg_);
  return c.start(c.of(slot)) == slot;
}
size_t Context::row_of(size_t slot) const {
  if (!kzg_) return slot / row_len_;
  return chunks_of(log_row_, *kzg_).of(slot);
}
size_t Context::rows_for(size_t n) const { return n == 0 ? 0 : row_of(n - 1) + 1; }

// ---- Val ----

std::vector<uint8_t> Val::to_bytes() const {
  if (pub_) {
    auto b = v_.to_bytes();
    return {b.begin(), b.end()};
  }
  if (msg_ >= 0) {
    ZKINFER_CHECK(ctx_ != nullptr);
    return ctx_->encoding(static_cast<uint32_t>(msg_));
  }
  return {};
}

void Val::compact() {
  std::sort(lc_.begin(), lc_.end(), [](const LinTerm& a, const LinTerm& b) { return a.atom < b.atom; });
  size_t out = 0;
  for (size_t i = 0; i < lc_.size();) {
    LinTerm t = lc_[i++];
    while (i < lc_.size() && lc_[i].atom == t.atom) t.coeff += lc_[i++].coeff;
    if (!t.coeff.is_zero()) lc_[out++] = t;
  }
  lc_.resize(out);
}

Context* Val::context_of(const Val& a, const Val& b) {
  Context* c = a.pub_ ? b.ctx_ : a.ctx_;
  ZKINFER_CHECK(c != nullptr);  // hidden values exist only under a context
  ZKINFER_CHECK((a.pub_ || a.ctx_ == c) && (b.pub_ || b.ctx_ == c) && "hidden values of two contexts");
  return c;
}

Val& Val::operator+=(const Val& o) {
  if (!o.pub_) ctx_ = context_of(*this, o);
  v_ += o.v_;
  if (!o.lc_.empty()) {
    const size_t before = lc_.size();
    lc_.insert(lc_.end(), o.lc_.begin(), o.lc_.end());
    if (lc_.size() > 48 && lc_.size() > 2 * before) compact();
  }
  msg_ = -1;
  pub_ = pub_ && o.pub_;
  return *this;
}

Val& Val::operator-=(const Val& o) { return *this += -o; }

Val& Val::operator*=(const Fr& k) {
  v_ *= k;
  for (auto& t : lc_) t.coeff *= k;
  msg_ = -1;
  return *this;
}

Val Val::operator-() const {
  Val r = *this;
  r.v_ = -r.v_;
  for (auto& t : r.lc_) t.coeff = -t.coeff;
  r.msg_ = -1;
  return r;
}

Val& Val::operator*=(const Val& o) {
  if (o.pub_) return *this *= o.v_;
  if (pub_) {
    const Fr k = v_;
    *this = o;
    return *this *= k;
  }
  Context* c = context_of(*this, o);
  *this = c->product(*this, o);
  return *this;
}

bool operator==(const Val& a, const Val& b) {
  Val d = a - b;
  if (d.pub_) return d.v_.is_zero();
  Context* c = d.ctx_;
  ZKINFER_CHECK(c != nullptr);
  d.compact();
  return c->record_zero(d);
}

// ---- messages ----

void Context::new_row() {
  ZKINFER_CHECK(mode_ == Mode::kProve);
  if (kzg_) {  // the next chunk, of 2^k B pads, as its own polynomial over the first powers
    if (sent_.size() < pads_.size()) return;
    const size_t k = rows_.size(), len = chunks_of(log_row_, *kzg_).len(k);
    if (!kzg_->has_powers() || len > kzg_->powers().size())
      throw Error("zero knowledge: the pads of " + std::to_string(pads_.size() + len) +
                  " messages need a chunk of " + std::to_string(len) + " powers of tau; the SRS has " +
                  std::to_string(kzg_->has_powers() ? kzg_->powers().size() : 0));
    std::vector<Fr> fresh(len);
    for (Fr& x : fresh) x = random_();
    const Fr blind = random_();
    rows_.push_back((curve::msm(kzg_->powers(len), fresh) + G1(kzg_->beta_g1()) * blind).to_affine());
    row_blinds_.push_back(blind);
    pads_.insert(pads_.end(), fresh.begin(), fresh.end());
    return;
  }
  // Rows are made in growing batches (committed in parallel); unused ones are never written.
  const size_t have = pads_.size() / row_len_;
  if (sent_.size() / row_len_ < have) return;
  const size_t batch = std::min<size_t>(std::max<size_t>(have, 1), 16);
  std::vector<Fr> fresh(batch * row_len_);
  for (Fr& x : fresh) x = random_();
  std::vector<Fr> blinds(batch);
  for (Fr& x : blinds) x = random_();
  // Straus over the generators' precomputed window tables (a few hundred full-width scalars a
  // row: cheaper than Pippenger with per-call buckets).
  const auto tables = pp_.g_tables(log_row_);
  std::vector<G1> pts(batch);
#pragma omp parallel for schedule(static) if (batch > 1)
  for (size_t i = 0; i < batch; ++i)
    pts[i] = curve::msm_tables(tables, std::span<const Fr>(fresh).subspan(i * row_len_, row_len_)) + pp_.mul_h(blinds[i]);
  std::vector<G1Affine> aff(batch);
  G1::batch_to_affine(pts, aff);
  pads_.insert(pads_.end(), fresh.begin(), fresh.end());
  row_blinds_.insert(row_blinds_.end(), blinds.begin(), blinds.end());
  rows_.insert(rows_.end(), aff.begin(), aff.end());
}

Val Context::message_atom(uint32_t id) const {
  Val x;
  x.pub_ = false;
  x.ctx_ = const_cast<Context*>(this);
  x.msg_ = static_cast<int32_t>(id);
  x.lc_.push_back({atom_id(kMsgKind, id), Fr::one()});
  if (mode_ == Mode::kProve) x.v_ = hidden_[id];
  return x;
}

Val Context::ped_atom(uint32_t l) const {
  Val x;
  x.pub_ = false;
  x.ctx_ = const_cast<Context*>(this);
  x.lc_.push_back({atom_id(kPedKind, l), Fr::one()});
  if (mode_ == Mode::kProve) x.v_ = ped_v_[l];
  return x;
}

Val Context::send(const Fr& v) {
  ZKINFER_CHECK(mode_ == Mode::kProve && !finished_);
  const auto id = static_cast<uint32_t>(sent_count_++);
  ZKINFER_CHECK(id <= kIndexMask);
  hidden_.push_back(v);
  slot_of_.push_back(-1);
  if (relations_) return message_atom(id);
  Val x;
  x.pub_ = false;
  x.ctx_ = this;
  x.msg_ = static_cast<int32_t>(id);
  x.v_ = v;
  return x;
}

std::vector<uint8_t> Context::encoding(uint32_t id) {
  ZKINFER_CHECK(id < slot_of_.size());
  std::vector<uint8_t> out;
  if (slot_of_[id] < 0) {  // first absorption: the next slot, with its row's commitment
    const size_t slot = sent_.size();
    if (starts_row(slot)) {
      if (mode_ == Mode::kProve) {
        new_row();
      } else if (row_of(slot) >= rows_.size()) {
        throw DecodeError("zero-knowledge messages: more messages than pad rows");
      }
      auto b = rows_[row_of(slot)].to_bytes();
      out.insert(out.end(), b.begin(), b.end());
    }
    slot_of_[id] = static_cast<int64_t>(slot);
    sent_.push_back(mode_ == Mode::kProve ? hidden_[id] + pads_[slot] : read_sent_[id]);
  }
  auto b = sent_[static_cast<size_t>(slot_of_[id])].to_bytes();
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

void Context::write(ByteWriter& w, const Val& msg) {
  ZKINFER_CHECK(mode_ == Mode::kProve);
  ZKINFER_CHECK(msg.msg_ >= 0 && "only a message can be written");
  const auto id = static_cast<uint32_t>(msg.msg_);
  // Its pad is the one of its rank among absorbed messages: it must have been absorbed.
  ZKINFER_CHECK(slot_of_[id] >= 0 && "a message written before it was absorbed");
  written_ids_.push_back(id);
  zk::write_scalar(w, sent_[static_cast<size_t>(slot_of_[id])]);
}

Val Context::read(ByteReader& r) {
  const Fr s = zk::read_scalar(r, "proof value");
  if (mode_ == Mode::kProve) {  // the prover's replay: the k-th message it wrote
    if (read_count_ >= written_ids_.size()) r.fail("replay: more messages than the prover wrote");
    const uint32_t id = written_ids_[read_count_++];
    if (!(sent_[static_cast<size_t>(slot_of_[id])] == s)) r.fail("replay: a message the prover did not send");
    return message_atom(id);
  }
  ZKINFER_CHECK(!finished_);
  const auto id = static_cast<uint32_t>(read_count_);
  if (id > kIndexMask) r.fail("too many messages");
  ++read_count_;
  read_sent_.push_back(s);
  slot_of_.push_back(-1);
  return message_atom(id);
}

std::vector<uint8_t> Context::rows_block() const {
  ZKINFER_CHECK(mode_ == Mode::kProve && finished_);
  const size_t used = rows_for(sent_.size());
  ByteWriter w;
  w.u32(static_cast<uint32_t>(used));
  for (size_t i = 0; i < used; ++i) zk::write_point(w, rows_[i]);
  return w.data();
}

void Context::read_rows(ByteReader& r) {
  ZKINFER_CHECK(mode_ == Mode::kVerify && rows_.empty());
  const uint32_t n = r.u32();
  if (n > r.remaining() / G1Affine::kBytes) r.fail("pad rows: count exceeds the proof");
  rows_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) rows_.push_back(zk::read_point(r, "pad row commitment"));
}

Val Context::product(const Val& a, const Val& b) {
  ZKINFER_CHECK(!finished_);
  Val x;
  x.pub_ = false;
  x.ctx_ = this;
  if (!relations_) {  // the prover's first pass: the value only
    x.v_ = a.v_ * b.v_;
    return x;
  }
  const auto k = static_cast<uint32_t>(products_.size());
  ZKINFER_CHECK(k <= kIndexMask);
  products_.push_back({a, b});
  products_.back().x.compact();
  products_.back().y.compact();
  x.lc_.push_back({atom_id(kProdKind, k), Fr::one()});
  if (mode_ == Mode::kProve) x.v_ = a.v_ * b.v_;
  return x;
}

bool Context::record_zero(const Val& d) {
  ZKINFER_CHECK(!finished_);
  if (!relations_) return d.v_.is_zero();
  zeros_.push_back(d);
  // The prover's replay answers like the verifier (a false equality surfaces in the end section,
  // as it would for the verifier); it counts them for diagnostics and tests.
  if (mode_ == Mode::kProve && !d.v_.is_zero()) ++false_equalities_;
  return true;
}

pcs::ProverClaim Context::bind_claim(const Val& x, ByteWriter& w, transcript::Transcript& tr) {
  ZKINFER_CHECK(mode_ == Mode::kProve && relations_ && !finished_);
  if (x.is_public()) return pcs::ProverClaim::plain(x.value());
  const Fr t = random_();
  const G1Affine p = (pp_.mul_u(x.v_) + pp_.mul_h(t)).to_affine();
  zk::write_point(w, p);
  tr.absorb(kLabelClaim, p);
  const auto l = static_cast<uint32_t>(ped_.size());
  ped_.push_back(p);
  ped_v_.push_back(x.v_);
  ped_s_.push_back(t);
  record_zero(x - ped_atom(l));
  return {x.v_, t, p};
}

pcs::EvalClaim Context::bind_claim(const Val& x, ByteReader& r, transcript::Transcript& tr) {
  ZKINFER_CHECK(mode_ == Mode::kVerify && !finished_);
  if (x.is_public()) return pcs::EvalClaim::plain(x.value());
  const G1Affine p = zk::read_point(r, "committed claim");
  tr.absorb(kLabelClaim, p);
  const auto l = static_cast<uint32_t>(ped_.size());
  ped_.push_back(p);
  record_zero(x - ped_atom(l));
  return pcs::EvalClaim::committed(p);
}

// ---- the end section ----

// An affine form c + sum msg[j] x_j + sum ped[l] p_l with dense coefficients.
struct Context::Dense {
  Fr c = Fr::zero();
  std::vector<Fr> msg, ped;
};

void Context::prove_finish(transcript::Transcript& tr, ByteWriter& w) {
  ZKINFER_CHECK(mode_ == Mode::kProve && !finished_);
  ZKINFER_CHECK(relations_);
  try {
    finish(tr, &w, nullptr, nullptr);
  } catch (const Rejection& e) {
    throw Error("zero-knowledge end section (prover): " + e.why);
  }
}

Verdict Context::verify_finish(transcript::Transcript& tr, ByteReader& r, DeferredChecks* defer) {
  ZKINFER_CHECK(mode_ == Mode::kVerify && !finished_);
  try {
    finish(tr, nullptr, &r, defer);
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("zero-knowledge end section: ") + e.what());
  } catch (const Rejection& e) {
    return Verdict::reject("zero-knowledge checks: " + e.why);
  }
}

Val Context::emit(const Fr& v, ByteWriter& w, transcript::Transcript& tr, std::string_view label) {
  Val x = send(v);
  tr.absorb(label, x);
  write(w, x);
  return x;
}

Val Context::take(ByteReader& r, transcript::Transcript& tr, std::string_view label) {
  Val x = read(r);
  tr.absorb(label, x);
  return x;
}

void Context::finish(transcript::Transcript& tr, ByteWriter* w, ByteReader* r, DeferredChecks* defer) {
  const bool prover = mode_ == Mode::kProve;
  // Verifier: the group equations go to the caller's collector, if any (zk/cp_defer.h).
  ZKINFER_CHECK(!prover || defer == nullptr);
  auto reject = [&](const std::string& why) { throw Rejection{why}; };
  auto msg = [&](const Fr& v, std::string_view label) { return prover ? emit(v, *w, tr, label) : take(*r, tr, label); };
  auto point_io = [&](const G1Affine& p, std::string_view label, const char* what) {
    G1Affine q = p;
    if (prover) {
      zk::write_point(*w, p);
    } else {
      q = zk::read_point(*r, what);
    }
    tr.absorb(label, q);
    return q;
  };
  auto scalars_io = [&](std::vector<Fr> xs, size_t n, std::string_view label, const char* what) {
    if (prover) {
      for (const Fr& x : xs) zk::write_scalar(*w, x);
    } else {
      xs.resize(n);
      for (Fr& x : xs) x = zk::read_scalar(*r, what);
    }
    tr.absorb_many(label, xs);
    return xs;
  };

  // 1. Product values, as padded messages.
  const size_t np = products_.size();
  product_msg_.resize(np);
  std::vector<Fr> zval(prover ? np : 0);
  for (size_t k = 0; k < zval.size(); ++k) zval[k] = products_[k].x.v_ * products_[k].y.v_;
  for (const auto& [k, v] : forged_products_)
    if (k < zval.size()) zval[k] = v;
  for (size_t k = 0; k < np; ++k) {
    const Val z = msg(prover ? zval[k] : Fr::zero(), kLabelProduct);
    product_msg_[k] = static_cast<uint32_t>(z.msg_);
  }

  // Slots of atoms, the prover's values, and the dense accumulation of affine forms (message
  // coefficients by slot).
  auto slot_of_atom = [&](uint32_t kind, uint32_t i) -> size_t {
    const uint32_t id = kind == kProdKind ? product_msg_[i] : i;
    if (slot_of_[id] < 0) reject("a relation on a message that was never absorbed");
    return static_cast<size_t>(slot_of_[id]);
  };
  auto atom_value = [&](uint32_t atom) -> Fr {
    const uint32_t kind = atom >> kKindShift, i = atom & kIndexMask;
    if (kind == kMsgKind) return hidden_[i];
    if (kind == kProdKind) return hidden_[product_msg_[i]];
    return ped_v_[i];
  };
  auto new_dense = [&] {
    Dense d;
    d.msg.assign(sent_.size(), Fr::zero());
    d.ped.assign(ped_.size(), Fr::zero());
    return d;
  };
  auto add = [&](Dense& d, const Val& x, const Fr& k) {
    Fr c = x.v_;
    for (const auto& t : x.lc_) {
      const uint32_t kind = t.atom >> kKindShift, i = t.atom & kIndexMask;
      const Fr kc = k * t.coeff;
      if (kind == kPedKind) {
        d.ped[i] += kc;
      } else {
        d.msg[slot_of_atom(kind, i)] += kc;
      }
      if (prover) c -= t.coeff * atom_value(t.atom);
    }
    d.c += k * c;
  };
  auto to_val = [&](const Dense& d) {
    Val x;
    x.pub_ = false;
    x.ctx_ = this;
    x.v_ = d.c;
    std::vector<uint32_t> id_of_slot(sent_.size(), 0);
    std::vector<Fr> hidden_by_slot(prover ? sent_.size() : 0);
    for (size_t id = 0; id < slot_of_.size(); ++id)
      if (slot_of_[id] >= 0) {
        id_of_slot[static_cast<size_t>(slot_of_[id])] = static_cast<uint32_t>(id);
        if (prover) hidden_by_slot[static_cast<size_t>(slot_of_[id])] = hidden_[id];
      }
    for (size_t j = 0; j < d.msg.size(); ++j)
      if (!d.msg[j].is_zero()) {
        x.lc_.push_back({atom_id(kMsgKind, id_of_slot[j]), d.msg[j]});
        if (prover) x.v_ += d.msg[j] * hidden_by_slot[j];
      }
    for (size_t l = 0; l < d.ped.size(); ++l)
      if (!d.ped[l].is_zero()) {
        x.lc_.push_back({atom_id(kPedKind, static_cast<uint32_t>(l)), d.ped[l]});
        if (prover) x.v_ += d.ped[l] * ped_v_[l];
      }
    if (x.lc_.empty()) x.pub_ = true;
    return x;
  };

  // 2. One sumcheck for every product: sum_k eq(tau, k) (X_k Y_k - Z_k) = 0.
  if (np > 0) {
    const size_t kappa = std::max<size_t>(1, ceil_log2(np));
    const size_t size = size_t{1} << kappa;
    const auto tau = tr.challenges<Fr>(kLabelProdTau, kappa);
    std::vector<Fr> tx, ty, tz, te;
    if (prover) {
      tx.assign(size, Fr::zero());
      ty.assign(size, Fr::zero());
      tz.assign(size, Fr::zero());
      for (size_t k = 0; k < np; ++k) {
        tx[k] = products_[k].x.v_;
        ty[k] = products_[k].y.v_;
        tz[k] = zval[k];
      }
      te = eq_table(tau);
    }
    Val e = Val(Fr::zero());
    std::vector<Fr> rs;
    for (size_t i = 0; i < kappa; ++i) {
      std::array<Fr, 4> p{};
      if (prover) {
        const size_t h = tx.size() / 2;
        for (size_t j = 0; j < h; ++j) {
          const Fr dx = tx[2 * j + 1] - tx[2 * j], dy = ty[2 * j + 1] - ty[2 * j];
          const Fr dz = tz[2 * j + 1] - tz[2 * j], de = te[2 * j + 1] - te[2 * j];
          Fr x = tx[2 * j], y = ty[2 * j], z = tz[2 * j], q = te[2 * j];
          for (size_t t = 0; t < 4; ++t) {
            if (t > 0) {
              x += dx;
              y += dy;
              z += dz;
              q += de;
            }
            p[t] += q * (x * y - z);
          }
        }
      }
      const Val p0 = msg(p[0], kLabelProdRound);
      const Val p2 = msg(p[2], kLabelProdRound);
      const Val p3 = msg(p[3], kLabelProdRound);
      const Fr ri = tr.challenge<Fr>(kLabelProdR);
      rs.push_back(ri);
      const auto lw = lagrange_at(ri, 3);
      const Val p1 = e - p0;
      e = p0 * lw[0] + p1 * lw[1] + p2 * lw[2] + p3 * lw[3];
      if (prover) {
        fold(tx, ri);
        fold(ty, ri);
        fold(tz, ri);
        fold(te, ri);
      }
    }
    Fr eq_tr = Fr::one();
    for (size_t i = 0; i < kappa; ++i) eq_tr *= tau[i] * rs[i] + (Fr::one() - tau[i]) * (Fr::one() - rs[i]);
    const auto er = eq_table(rs);
    Dense dx = new_dense(), dy = new_dense(), dz = new_dense();
    for (size_t k = 0; k < np; ++k) {
      add(dx, products_[k].x, er[k]);
      add(dy, products_[k].y, er[k]);
      dz.msg[slot_of_atom(kProdKind, static_cast<uint32_t>(k))] += er[k];
    }
    const Val a = to_val(dx), b = to_val(dy), zr = to_val(dz);
    if (a.is_public() || b.is_public()) {
      Val ab = a.is_public() ? b * a.v_ : a * b.v_;
      record_zero(e - (ab - zr) * eq_tr);
    } else {
      // Pedersen A, B, C = ab U + .. and Hyrax's proof of product.
      std::array<Fr, 3> val{}, bl{};
      std::array<G1Affine, 3> pts{};
      if (prover) {
        val = {a.v_, b.v_, a.v_ * b.v_};
        for (size_t i = 0; i < 3; ++i) {
          bl[i] = random_();
          pts[i] = (pp_.mul_u(val[i]) + pp_.mul_h(bl[i])).to_affine();
        }
      }
      for (auto& q : pts) q = point_io(q, kLabelProdAbc, "product commitment");
      std::array<Fr, 5> bb{};
      std::array<G1Affine, 3> first{};
      if (prover) {
        for (Fr& x : bb) x = random_();
        first[0] = (pp_.mul_u(bb[0]) + pp_.mul_h(bb[1])).to_affine();
        first[1] = (pp_.mul_u(bb[2]) + pp_.mul_h(bb[3])).to_affine();
        first[2] = (pp_.mul_u(bb[0] * val[1]) + pp_.mul_h(bb[0] * bl[1] + bb[4])).to_affine();
      }
      for (auto& q : first) q = point_io(q, kLabelProdAlpha, "proof of product");
      const Fr pe = tr.challenge<Fr>(kLabelProdE);
      std::vector<Fr> z;
      if (prover)
        z = {bb[0] + pe * val[0], bb[1] + pe * bl[0], bb[2] + pe * val[1], bb[3] + pe * bl[1],
             bb[4] + pe * (bl[2] - val[0] * bl[1])};
      z = scalars_io(std::move(z), 5, kLabelProdZ, "proof of product");
      if (!prover && defer) {
        // alpha_i + e X_i - (..) = 0 for the three equations below, each with its own weight
        // (every term is absorbed: pts, first, z).
        transcript::Transcript fork = tr;
        const char* what = "the proof of product of the product sumcheck does not hold";
        const std::array<std::array<std::pair<G1Affine, Fr>, 4>, 3> eqs{{
            {{{first[0], Fr::one()}, {pts[0], pe}, {pp_.u(), -z[0]}, {pp_.h(), -z[1]}}},
            {{{first[1], Fr::one()}, {pts[1], pe}, {pp_.u(), -z[2]}, {pp_.h(), -z[3]}}},
            {{{first[2], Fr::one()}, {pts[2], pe}, {pts[1], -z[0]}, {pp_.h(), -z[4]}}},
        }};
        for (const auto& eq : eqs) {
          const Fr wt = pcs::nonzero_challenge(fork, kLabelDeferWeight);
          DeferredCheck dc{what, {}, {}};
          for (const auto& [pt, k] : eq) dc.rest.add(pt, wt * k);
          defer->append(std::move(dc));
        }
      } else if (!prover) {
        const G1 u(pp_.u()), hh(pp_.h());
        const G1 A(pts[0]), B(pts[1]), C(pts[2]);
        const bool ok = (G1(first[0]) + A * pe) == (u * z[0] + hh * z[1]) &&
                        (G1(first[1]) + B * pe) == (u * z[2] + hh * z[3]) &&
                        (G1(first[2]) + C * pe) == (B * z[0] + hh * z[4]);
        if (!ok) reject("the proof of product of the product sumcheck does not hold");
      }
      const auto l0 = static_cast<uint32_t>(ped_.size());
      for (size_t i = 0; i < 3; ++i) {
        ped_.push_back(pts[i]);
        if (prover) {
          ped_v_.push_back(val[i]);
          ped_s_.push_back(bl[i]);
        }
      }
      record_zero(a - ped_atom(l0));
      record_zero(b - ped_atom(l0 + 1));
      record_zero(e - (ped_atom(l0 + 2) - zr) * eq_tr);
    }
  }
  finished_ = true;

  // 3. Every equality, batched: D = sum rho^i D_i = 0, i.e. <W, m> = T0 + sum_l ped_l p_l.
  const size_t nmsg = sent_.size();
  if (!prover && rows_for(nmsg) != rows_.size()) reject("the pad rows do not match the messages");
  const Fr rho = tr.challenge<Fr>(kLabelZeroRho);
  Dense d = new_dense();
  {
    Fr pw = Fr::one();
    for (const Val& z : zeros_) {
      add(d, z, pw);
      pw *= rho;
    }
  }
  if (nmsg == 0) {  // nothing hidden was sent: every relation is between public values
    for (const Fr& x : d.ped)
      if (!x.is_zero()) reject("committed claims without messages");
    if (!d.c.is_zero()) reject("a relation does not hold");
    return;
  }
  Fr t0 = d.c;
  for (size_t j = 0; j < nmsg; ++j) t0 += d.msg[j] * sent_[j];
  const size_t nrows = rows_for(nmsg);
  const size_t nrows_p2 = size_t{1} << ceil_log2(nrows);
  // The pad sumcheck's tables: Hyrax rows: one pair (W, M) over the 2^rows x B matrix (column bits
  // low, row bits high): sum_y W(y) M(y). kzg chunks: one pair (W_k, m_k) per chunk, each the
  // chunk's slots at positions [0, 2^k B) zero-padded to the longest chunk's 2^P:
  // sum_y sum_k W_k(y) m_k(y), so every pad is read from its own chunk's polynomial only.
  const size_t nu = kzg_ ? chunks_of(log_row_, *kzg_).vars(nrows) : log_row_ + ceil_log2(nrows);
  if (kzg_ && nu > kzg_->max_vars()) reject("the pad chunks exceed the setup's powers of tau");
  const size_t ntab = kzg_ ? nrows : 1;
  std::vector<std::vector<Fr>> tws(ntab, std::vector<Fr>(size_t{1} << nu, Fr::zero())), tms(prover ? ntab : 0);
  const std::optional<Chunks> chunks = kzg_ ? std::optional<Chunks>(chunks_of(log_row_, *kzg_)) : std::nullopt;
  for (size_t j = 0; j < nmsg; ++j) {
    const size_t k = chunks ? chunks->of(j) : 0;
    tws[k][chunks ? j - chunks->start(k) : j] = d.msg[j];
  }
  if (prover) {
    for (size_t k = 0; k < ntab; ++k) {
      const size_t start = chunks ? chunks->start(k) : 0;
      const size_t len = chunks ? chunks->len(k) : nrows * row_len_;
      tms[k].assign(pads_.begin() + static_cast<std::ptrdiff_t>(start),
                    pads_.begin() + static_cast<std::ptrdiff_t>(start + len));
      tms[k].resize(size_t{1} << nu, Fr::zero());
    }
  }
  // P* = sum_l ped_l P_l and its opening.
  Fr pstar_v = Fr::zero(), pstar_s = Fr::zero();
  if (prover)
    for (size_t l = 0; l < ped_.size(); ++l) {
      pstar_v += d.ped[l] * ped_v_[l];
      pstar_s += d.ped[l] * ped_s_[l];
    }

  // 4. The pad sumcheck over the pad matrix, its messages padded by m2 (committed as C2).
  const size_t log_b2 = std::max<size_t>(1, ceil_log2(2 * nu));
  if (log_b2 > pp_.max_log_cols()) reject("too many pad rows");
  const size_t b2 = size_t{1} << log_b2;
  std::vector<Fr> m2;
  Fr rho2 = Fr::zero();
  G1Affine c2{};
  if (prover) {
    m2.resize(b2);
    for (Fr& x : m2) x = random_();
    rho2 = random_();
    const std::array<Fr, 1> bl{rho2};
    c2 = pcs::commit_with_blinds(pp_, m2, log_b2, bl).rows[0];
  }
  c2 = point_io(c2, kLabelPad2, "pad commitment");
  // e = c + alpha p* - <gamma, m2>
  Fr ec = t0, ealpha = Fr::one();
  std::vector<Fr> gamma(b2, Fr::zero());
  std::vector<Fr> rp;
  for (size_t i = 0; i < nu; ++i) {
    std::vector<Fr> sent(2);
    if (prover) {
      Fr p0 = Fr::zero(), p2 = Fr::zero();
      for (size_t k = 0; k < ntab; ++k) {
        const auto& tw = tws[k];
        const auto& tm = tms[k];
        const size_t h = tw.size() / 2;
        for (size_t j = 0; j < h; ++j) {
          p0 += tw[2 * j] * tm[2 * j];
          const Fr w2 = tw[2 * j + 1].doubled() - tw[2 * j], m2v = tm[2 * j + 1].doubled() - tm[2 * j];
          p2 += w2 * m2v;
        }
      }
      sent = {p0 + m2[2 * i], p2 + m2[2 * i + 1]};
    }
    sent = scalars_io(std::move(sent), 2, kLabelPadRound, "pad sumcheck value");
    const Fr ri = tr.challenge<Fr>(kLabelPadR);
    rp.push_back(ri);
    const auto lw = lagrange_at(ri, 2);
    // e' = L1 e + (L0 - L1) p0 + L2 p2, p0 = u - m2[2i], p2 = w - m2[2i+1].
    const Fr k0 = lw[0] - lw[1];
    ec = lw[1] * ec + k0 * sent[0] + lw[2] * sent[1];
    ealpha *= lw[1];
    for (Fr& g : gamma) g *= lw[1];
    gamma[2 * i] += k0;
    gamma[2 * i + 1] += lw[2];
    for (auto& tw : tws) fold(tw, ri);
    for (auto& tm : tms) fold(tm, ri);
  }
  // Hyrax rows: V = M(r'), the relation's coefficient W(r'). kzg chunks: V = sum_k W_k(r') m_k(r'),
  // coefficient 1 (the value at r' of sum_k W_k(r') m_k, committed as C* = sum_k W_k(r') C_k).
  std::vector<Fr> w_chunk(ntab);
  for (size_t k = 0; k < ntab; ++k) w_chunk[k] = tws[k][0];
  const Fr w_at = kzg_ ? Fr::one() : w_chunk[0];
  Fr v = Fr::zero(), tv = Fr::zero();
  G1Affine vpt{};
  if (prover) {
    if (kzg_) {
      for (size_t k = 0; k < ntab; ++k) v += w_chunk[k] * tms[k][0];
    } else {
      v = tms[0][0];
    }
    tv = random_();
    vpt = (pp_.mul_u(v) + pp_.mul_h(tv)).to_affine();
  }
  vpt = point_io(vpt, kLabelPadClaim, "pad claim");

  // 5. <gamma, m2> = y, Y = ec U + alpha P* - W(r') V: Hyrax's proof of dot product over C2.
  const auto g2 = pp_.g(log_b2);
  std::vector<Fr> dd;
  Fr rd = Fr::zero(), rb = Fr::zero();
  std::array<G1Affine, 2> db{};
  if (prover) {
    dd.resize(b2);
    for (Fr& x : dd) x = random_();
    rd = random_();
    rb = random_();
    Fr gd = Fr::zero();
    for (size_t k = 0; k < b2; ++k) gd += gamma[k] * dd[k];
    db[0] = (curve::msm(g2, dd) + pp_.mul_h(rd)).to_affine();
    db[1] = (pp_.mul_u(gd) + pp_.mul_h(rb)).to_affine();
  }
  for (auto& q : db) q = point_io(q, kLabelDotDelta, "proof of dot product");
  const Fr de = tr.challenge<Fr>(kLabelDotE);
  std::vector<Fr> dz;
  if (prover) {
    const Fr ry = ealpha * pstar_s - w_at * tv;
    dz.resize(b2 + 2);
    for (size_t k = 0; k < b2; ++k) dz[k] = de * m2[k] + dd[k];
    dz[b2] = de * rho2 + rd;
    dz[b2 + 1] = de * ry + rb;
  }
  dz = scalars_io(std::move(dz), b2 + 2, kLabelDotZ, "proof of dot product");
  if (!prover) {
    // e C2 + delta = <z, G> + z_d H
    std::vector<G1Affine> bases(g2.begin(), g2.end());
    std::vector<Fr> sc(dz.begin(), dz.begin() + static_cast<std::ptrdiff_t>(b2));
    bases.push_back(pp_.h());
    sc.push_back(dz[b2]);
    bases.push_back(c2);
    sc.push_back(-de);
    bases.push_back(db[0]);
    sc.push_back(-Fr::one());
    const char* what1 = "the pad relation's proof of dot product does not hold";
    if (!defer && !curve::msm(bases, sc).is_identity()) reject(what1);
    // e Y + beta = <z, gamma> U + z_b H, Y = ec U + alpha P* - W(r') V
    Fr zg = Fr::zero();
    for (size_t k = 0; k < b2; ++k) zg += dz[k] * gamma[k];
    std::vector<G1Affine> b2s;
    std::vector<Fr> s2;
    for (size_t l = 0; l < ped_.size(); ++l)
      if (!d.ped[l].is_zero()) {
        b2s.push_back(ped_[l]);
        s2.push_back(de * ealpha * d.ped[l]);
      }
    b2s.push_back(vpt);
    s2.push_back(-(de * w_at));
    b2s.push_back(pp_.u());
    s2.push_back(de * ec - zg);
    b2s.push_back(pp_.h());
    s2.push_back(-dz[b2 + 1]);
    b2s.push_back(db[1]);
    s2.push_back(Fr::one());
    const std::string what2 = "a committed relation does not hold (" + std::to_string(np) + " products, " +
                              std::to_string(zeros_.size()) + " equalities, " + std::to_string(nmsg) + " messages)";
    if (defer) {
      // Both checks into the caller's batch (every term is absorbed: C2, V, delta, beta, z), the
      // first one's generator scalars separately (the batch sums them per generator).
      transcript::Transcript fork = tr;
      const Fr w1 = pcs::nonzero_challenge(fork, kLabelDeferWeight);
      const Fr w2 = pcs::nonzero_challenge(fork, kLabelDeferWeight);
      DeferredCheck d1{what1, {}, {}};
      d1.gen_scalars.resize(b2);
      for (size_t k = 0; k < b2; ++k) d1.gen_scalars[k] = w1 * sc[k];
      for (size_t k = b2; k < bases.size(); ++k) d1.rest.add(bases[k], w1 * sc[k]);
      DeferredCheck d2{what2, {}, {}};
      for (size_t k = 0; k < b2s.size(); ++k) d2.rest.add(b2s[k], w2 * s2[k]);
      defer->append(std::move(d1));
      defer->append(std::move(d2));
    } else if (!curve::msm(b2s, s2).is_identity()) {
      reject(what2);
    }
  }

  // 6. The pad matrix's (kzg: C*'s) opening at r' with the committed claim V (done by the caller's
  // batch).
  pad_point_ = rp;
  pad_claim_point_ = vpt;
  if (prover) {
    pad_claim_v_ = v;
    pad_claim_s_ = tv;
  }
  if (kzg_) {
    const std::vector<G1Affine> coms(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(nrows));
    kzg_pad_vars_ = static_cast<uint32_t>(nu);
    kzg_pad_com_ = curve::msm(coms, w_chunk).to_affine();
    if (prover) {
      kzg_pad_blind_ = Fr::zero();
      pad_values_.assign(size_t{1} << nu, Fr::zero());
      for (size_t k = 0; k < ntab; ++k) {
        kzg_pad_blind_ += w_chunk[k] * row_blinds_[k];
        const size_t start = chunks->start(k), len = chunks->len(k);
        for (size_t i = 0; i < len; ++i) pad_values_[i] += w_chunk[k] * pads_[start + i];
      }
    }
    return;
  }
  pad_com_.layout = pcs::HyraxLayout{static_cast<uint32_t>(nu), static_cast<uint32_t>(log_row_)};
  pad_com_.rows.assign(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(nrows));
  pad_com_.rows.resize(nrows_p2, G1Affine::identity());
  if (prover) {
    pad_blinds_.rho.assign(row_blinds_.begin(), row_blinds_.begin() + static_cast<std::ptrdiff_t>(nrows));
    pad_blinds_.rho.resize(nrows_p2, Fr::zero());
    pad_values_.assign(pads_.begin(), pads_.begin() + static_cast<std::ptrdiff_t>(nrows * row_len_));
    pad_values_.resize(nrows_p2 * row_len_, Fr::zero());
  }
}

std::string DeferredChecks::failing(const pcs::HyraxParams& pp) const {
  const auto g = pp.g();
  for (const DeferredCheck& c : checks_) {
    pcs::MsmTerms all = c.rest;
    ZKINFER_CHECK(c.gen_scalars.size() <= g.size());
    for (size_t k = 0; k < c.gen_scalars.size(); ++k) all.add(g[k], c.gen_scalars[k]);
    if (!all.evaluate().is_identity()) return c.what;
  }
  return "";
}

bool Context::has_pad_opening() const { return finished_ && (kzg_ ? kzg_pad_vars_ > 0 : !pad_com_.rows.empty()); }

Context::KzgPadOpening Context::kzg_pad_opening() const {
  ZKINFER_CHECK(kzg_ != nullptr && has_pad_opening());
  KzgPadOpening o;
  o.num_vars = kzg_pad_vars_;
  o.commitment = kzg_pad_com_;
  o.point = pad_point_;
  o.claim = pad_claim_point_;
  if (mode_ == Mode::kProve) {
    o.blind = kzg_pad_blind_;
    o.values = pad_values_;
    o.v = pad_claim_v_;
    o.t = pad_claim_s_;
  }
  return o;
}

pcs::OpeningWitness Context::pad_opening_witness() const {
  ZKINFER_CHECK(mode_ == Mode::kProve && has_pad_opening() && !kzg_);
  return {&pad_com_, &pad_blinds_, pad_values_, pad_point_, pcs::ProverClaim{pad_claim_v_, pad_claim_s_, pad_claim_point_}};
}

pcs::OpeningClaim Context::pad_opening_claim() const {
  ZKINFER_CHECK(mode_ == Mode::kVerify && has_pad_opening() && !kzg_);
  return {&pad_com_, pad_point_, pcs::EvalClaim::committed(pad_claim_point_)};
}

// ---- messages ----

Val send(const transcript::Transcript& tr, const Fr& v) {
  Context* c = zk_of(tr);
  return c ? c->send(v) : Val(v);
}

std::vector<Val> send_many(const transcript::Transcript& tr, std::span<const Fr> vs) {
  Context* c = zk_of(tr);
  std::vector<Val> out;
  out.reserve(vs.size());
  for (const Fr& v : vs) out.push_back(c ? c->send(v) : Val(v));
  return out;
}

void write(ByteWriter& w, const Val& msg) {
  if (msg.is_public()) {
    zk::write_scalar(w, msg.value());
    return;
  }
  ZKINFER_CHECK(msg.context() != nullptr);
  msg.context()->write(w, msg);
}

Val read(ByteReader& r) {
  Context* c = zk_of(r);
  if (!c) return Val(zk::read_scalar(r, "proof value"));
  return c->read(r);
}

std::vector<Fr> values(std::span<const Val> xs) {
  std::vector<Fr> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.push_back(x.value());
  return out;
}

}  // namespace zkinfer::cp
