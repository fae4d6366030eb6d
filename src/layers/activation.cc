// ReLU and tabulated activations fused with the preceding rescale. See activation.h and
// docs/protocol/nonlinear.md, sections 3 and 4.
#include "layers/activation.h"

#include <algorithm>
#include <bit>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::padded_i64;
using detail::pow2_fr;

namespace {

std::vector<Fr> fr_of(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

// y = rescale(x, k) with the executor's rounding (k = 0: y = x).
int64_t rescale(int64_t x, size_t k) {
  if (k == 0) return x;
  return (x + (int64_t{1} << (k - 1))) >> k;
}

// The claim on the layer input given y~(z): x~(z) = 2^k y~(z) + r~(z) - 2^(k-1) I~(z).
// Over any field type F (messages sumcheck::Msg<F>).
template <class F>
sumcheck::Msg<F> input_value(size_t k, const sumcheck::Msg<F>& y, const sumcheck::Msg<F>& r, const F& ind) {
  if (k == 0) return y;
  return F(pow2_fr(k)) * y + r - F(pow2_fr(k - 1)) * ind;
}

std::optional<std::string> bad_common(std::span<const size_t> dims, size_t shift, size_t bits) {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (shift > 61) return std::string("shift above 61");
  if (bits < 1 || bits > 60) return std::string("bit bound out of range [1, 60]");
  return std::nullopt;
}

template <class F>
sumcheck::Composition<F> relu_zero_check() {
  using T = sumcheck::Term<F>;
  return sumcheck::Composition<F>(3, {T{F::one(), {0, 1, 2}}});
}

// eq . [a (hi - idx) + gamma b (idx - lo)], factors (eq, a, b, idx).
template <class F>
sumcheck::Composition<F> clamp_zero_check(const F& lo, const F& hi, const F& gamma) {
  using T = sumcheck::Term<F>;
  return sumcheck::Composition<F>(
      4, {T{hi, {0, 1}}, T{-F::one(), {0, 1, 3}}, T{gamma, {0, 2, 3}}, T{-(gamma * lo), {0, 2}}});
}

lookup::LookupTable<Fr> build_act_table(const TableActParams& p) {
  const auto& values = p.table_values();
  const size_t n = next_pow2(values.size());
  std::vector<Fr> in(n), out(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t j = std::min(i, values.size() - 1);  // padding repeats the last row
    in[i] = Fr::from_i64(p.lo + static_cast<int64_t>(j));
    out[i] = Fr::from_i64(values[j]);
  }
  return lookup::LookupTable<Fr>::two_column(std::move(in), std::move(out));
}

}  // namespace

namespace detail {
std::atomic<size_t> act_table_cache_rows{size_t{1} << 20};
}

std::shared_ptr<const lookup::LookupTable<Fr>> act_table(const TableActParams& p) {
  // Keyed by the whole content (lo and every value), compared in full on a hash match: a hit is
  // the table build_act_table(p) would build.
  struct Entry {
    int64_t lo;
    std::vector<int64_t> values;
    std::shared_ptr<const lookup::LookupTable<Fr>> table;
  };
  static std::mutex mu;
  static std::multimap<uint64_t, Entry> cache;
  static std::deque<std::multimap<uint64_t, Entry>::iterator> order;  // oldest first
  static size_t cached_rows = 0;
  const size_t kMaxCachedRows = detail::act_table_cache_rows;
  const auto& values = p.table_values();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ static_cast<uint64_t>(p.lo) ^ (values.size() << 32);
  for (int64_t v : values) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ull + (h >> 29);
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto [it, end] = cache.equal_range(h); it != end; ++it)
      if (it->second.lo == p.lo && it->second.values == values) return it->second.table;
  }
  auto t = std::make_shared<const lookup::LookupTable<Fr>>(build_act_table(p));
  if (t->size() > kMaxCachedRows) return t;
  std::lock_guard<std::mutex> lock(mu);
  for (auto [it, end] = cache.equal_range(h); it != end; ++it)  // built meanwhile by another thread
    if (it->second.lo == p.lo && it->second.values == values) return it->second.table;
  while (cached_rows + t->size() > kMaxCachedRows) {
    cached_rows -= order.front()->second.table->size();
    cache.erase(order.front());
    order.pop_front();
  }
  order.push_back(cache.emplace(h, Entry{p.lo, values, t}));
  cached_rows += t->size();
  return t;
}

// ---------------- ReLU ----------------

ReluProver::ReluProver(const ReluParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_out)
    : params_(params) {
  if (auto why = bad_common(params.dims, params.shift, params.bits)) throw Error("relu: " + *why);
  shape_ = PaddedShape(params.dims);
  if (x.size() != shape_.unpadded_size() || (!forced_out.empty() && forced_out.size() != x.size()))
    throw Error("relu: tensor size does not match the shape");
  const size_t N = x.size();
  std::vector<int64_t> neg(N), rem(N);
  out_.resize(N);
  for (size_t i = 0; i < N; ++i) {
    const int64_t y = rescale(x[i], params.shift);
    if (params.shift > 0) rem[i] = x[i] + (int64_t{1} << (params.shift - 1)) - (y << params.shift);
    out_[i] = forced_out.empty() ? (y > 0 ? y : 0) : forced_out[i];
    neg[i] = out_[i] - y;
  }
  outp_ = padded_i64(shape_, out_);
  negp_ = padded_i64(shape_, neg);
  r_out_ = nl_.add_range("relu.out", outp_, params.bits);
  r_neg_ = nl_.add_range("relu.neg", negp_, params.bits);
  if (params.shift > 0) r_rem_ = nl_.add_range("relu.rem", padded_i64(shape_, rem), params.shift);
}

NonlinearProof ReluProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                 std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "relu.claim", out_claims);
  in_claims->clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    nl_.send_range_eval(r_out_, c.point, tr);  // equals c.value for an honest claim
    const cp::Val n = nl_.send_range_eval(r_neg_, c.point, tr);
    const cp::Val r = params_.shift > 0 ? nl_.send_range_eval(r_rem_, c.point, tr) : Fr::zero();
    in_claims->push_back({c.point, input_value<Fr>(params_.shift, c.value - n, r, indicator_mle(shape_, c.point))});
  }
  // Zero-check: out . neg = 0 on the hypercube.
  const auto tau = tr.challenges<Fr>("relu.tau", shape_.num_vars());
  auto res = sumcheck::prove_with_eq<Fr>(relu_zero_check<Fr>(), tau, {{}, fr_of(outp_), fr_of(negp_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  nl_.send_range_eval(r_out_, res.point, tr);
  nl_.send_range_eval(r_neg_, res.point, tr);
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

namespace {
struct ReluRanges {
  size_t out, neg, rem;
};
template <class F>
ReluRanges relu_register(detail::NlVerifierT<F>& nv, const ReluParams& p, size_t n) {
  ReluRanges r{};
  r.out = nv.add_range("relu.out", n, p.bits);
  r.neg = nv.add_range("relu.neg", n, p.bits);
  if (p.shift > 0) r.rem = nv.add_range("relu.rem", n, p.shift);
  return r;
}
}  // namespace

std::vector<AdviceShape> relu_advice_shapes(const ReluParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  relu_register(nv, params, PaddedShape(params.dims).num_vars());
  return nv.advice;
}

ProofLayout relu_proof_layout(const ReluParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  const size_t per =
      2 * range_eval_count(n, params.bits) + (params.shift > 0 ? range_eval_count(n, params.shift) : 0);
  l.num_evals = num_claims * per + 2 * range_eval_count(n, params.bits);
  append_range_layout(l, n, params.bits);
  append_range_layout(l, n, params.bits);
  if (params.shift > 0) append_range_layout(l, n, params.shift);
  l.sumchecks.push_back({n, 3, 3});
  return l;
}

template <field::PrimeField F>
Verdict verify_relu_as(const ReluParams& params, std::span<const ClaimT<F>> out_claims, const NonlinearProofT<F>& proof,
                       transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                       std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_common(params.dims, params.shift, params.bits)) return Verdict::reject("relu: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("relu: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const ReluRanges rr = relu_register(nv, params, n);
  absorb_claims(tr, "relu.claim", out_claims);
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    M o{}, ng{}, r{};
    if (!nv.recv_range_eval(rr.out, c.point, tr, &o) || !nv.recv_range_eval(rr.neg, c.point, tr, &ng) ||
        (params.shift > 0 && !nv.recv_range_eval(rr.rem, c.point, tr, &r)))
      return Verdict::reject("relu: claim " + std::to_string(i) + ": missing evaluations");
    if (o != c.value) return Verdict::reject("relu: claim " + std::to_string(i) + ": output != its digits");
    ins.push_back({c.point, input_value<F>(params.shift, c.value - ng, r, indicator_mle(shape, c.point))});
  }
  const auto tau = tr.challenges<F>("relu.tau", n);
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(relu_zero_check<F>(), n, tau, tr, &sub, "relu: zero-check out . neg = 0"); !v) return v;
  M o{}, ng{};
  if (!nv.recv_range_eval(rr.out, sub.point, tr, &o) || !nv.recv_range_eval(rr.neg, sub.point, tr, &ng))
    return Verdict::reject("relu: zero-check: missing evaluations");
  if (o != sub.final_evals[1]) return Verdict::reject("relu: zero-check: out(rho) != its digits");
  if (ng != sub.final_evals[2]) return Verdict::reject("relu: zero-check: neg(rho) != its digits");
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("relu");
  if (Verdict v = nv.finished(); !v) return v.within("relu");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_relu_as<Fr>(const ReluParams&, std::span<const Claim>, const NonlinearProof&, transcript::Transcript&,
                                    std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_relu_as<snark::CFr>(const ReluParams&, std::span<const ClaimT<snark::CFr>>,
                                            const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                            std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_relu(const ReluParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                    transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_relu_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

// ---------------- tabulated activations ----------------

namespace {
std::optional<std::string> bad_table(const TableActParams& p) {
  if (auto why = bad_common(p.dims, p.shift, p.excess_bits)) return why;
  if (p.values.empty() || p.values.size() > (size_t{1} << 24)) return std::string("table size out of range");
  if (p.wider) {
    if (p.wider->size() < p.values.size() || p.wider->size() > (size_t{1} << 24))
      return std::string("wider table size out of range");
    if (!std::equal(p.values.begin(), p.values.end(), p.wider->begin()))
      return std::string("the wider table does not extend the node's table");
  }
  return std::nullopt;
}
}  // namespace

size_t TableActParams::headroom_bits() const {
  return std::max<size_t>(1, static_cast<size_t>(std::bit_width(values.size() - 1)));
}

namespace {
struct TableIds {
  size_t idx, out, a, b, rem, head;
};
// with_table: register the table lookup too (advice_shapes needs only the advice: no table).
template <class F>
TableIds table_register(detail::NlVerifierT<F>& nv, const TableActParams& p, size_t n, bool with_table) {
  TableIds t{};
  t.idx = nv.add_advice("table.idx", n);
  t.out = nv.add_advice("table.out", n);
  t.a = nv.add_range("table.above", n, p.excess_bits);
  t.b = nv.add_range("table.below", n, p.excess_bits);
  if (p.shift > 0) t.rem = nv.add_range("table.rem", n, p.shift);
  if (p.wider) t.head = nv.add_range("table.headroom", n, p.headroom_bits());
  if (with_table) nv.add_table_lookup(t.idx, t.out, act_table(p));
  return t;
}
}  // namespace

TableActProver::TableActProver(const TableActParams& params, std::span<const int64_t> x,
                               std::span<const int64_t> forced_idx)
    : params_(params) {
  if (auto why = bad_table(params)) throw Error("table activation: " + *why);
  shape_ = PaddedShape(params.dims);
  if (x.size() != shape_.unpadded_size() || (!forced_idx.empty() && forced_idx.size() != x.size()))
    throw Error("table activation: tensor size does not match the shape");
  const size_t N = x.size();
  const int64_t lo = params.lo, hi = lo + static_cast<int64_t>(params.values.size()) - 1;
  std::vector<int64_t> idx(N), a(N), b(N), rem(N);
  out_.resize(N);
  for (size_t i = 0; i < N; ++i) {
    const int64_t y = rescale(x[i], params.shift);
    if (params.shift > 0) rem[i] = x[i] + (int64_t{1} << (params.shift - 1)) - (y << params.shift);
    idx[i] = forced_idx.empty() ? (y < lo ? lo : (y > hi ? hi : y)) : forced_idx[i];
    a[i] = y > idx[i] ? y - idx[i] : 0;
    b[i] = y < idx[i] ? idx[i] - y : 0;
    // A forced index outside the table reads its first or last row.
    const auto& tv = params.table_values();
    const int64_t j = std::min(std::max(idx[i], lo), lo + static_cast<int64_t>(tv.size()) - 1);
    out_[i] = tv[static_cast<size_t>(j - lo)];
  }
  // Padding rows of idx/out hold the table row (lo, T[0]); the claims correct for it.
  std::vector<int64_t> idxp(shape_.size(), lo), outp(shape_.size(), params.values[0]);
  {
    std::vector<int64_t> ind = padded_i64(shape_, std::vector<int64_t>(N, 1));
    auto ip = padded_i64(shape_, idx), op = padded_i64(shape_, out_);
    for (size_t j = 0; j < ind.size(); ++j)
      if (ind[j]) {
        idxp[j] = ip[j];
        outp[j] = op[j];
      }
  }
  ap_ = padded_i64(shape_, a);
  bp_ = padded_i64(shape_, b);
  a_idx_ = nl_.add_advice("table.idx", std::move(idxp));
  a_out_ = nl_.add_advice("table.out", std::move(outp));
  r_a_ = nl_.add_range("table.above", ap_, params.excess_bits);
  r_b_ = nl_.add_range("table.below", bp_, params.excess_bits);
  if (params.shift > 0) r_rem_ = nl_.add_range("table.rem", padded_i64(shape_, rem), params.shift);
  if (params.wider) {  // hi - idx on every row (padding rows: hi - lo)
    std::vector<int64_t> head(shape_.size());
    for (size_t j = 0; j < head.size(); ++j) head[j] = hi - nl_.advice[a_idx_].values[j];
    r_head_ = nl_.add_range("table.headroom", head, params.headroom_bits());
  }
  nl_.add_table_lookup(a_idx_, a_out_, act_table(params));
}

NonlinearProof TableActProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                     std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "table.claim", out_claims);
  const Fr lo = Fr::from_i64(params_.lo);
  const Fr hi = Fr::from_i64(params_.lo + static_cast<int64_t>(params_.values.size()) - 1);
  in_claims->clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    const Fr ind = indicator_mle(shape_, c.point);
    nl_.send_eval(a_out_, c.point, tr);
    const cp::Val iv = nl_.send_eval(a_idx_, c.point, tr);
    const cp::Val av = nl_.send_range_eval(r_a_, c.point, tr);
    const cp::Val bv = nl_.send_range_eval(r_b_, c.point, tr);
    const cp::Val r = params_.shift > 0 ? nl_.send_range_eval(r_rem_, c.point, tr) : Fr::zero();
    const cp::Val y = iv - lo * (Fr::one() - ind) + av - bv;
    in_claims->push_back({c.point, input_value<Fr>(params_.shift, y, r, ind)});
  }
  const auto tau = tr.challenges<Fr>("table.tau", shape_.num_vars());
  const Fr gamma = tr.challenge<Fr>("table.gamma");
  auto res = sumcheck::prove_with_eq<Fr>(clamp_zero_check(lo, hi, gamma), tau,
                                         {{}, fr_of(ap_), fr_of(bp_), nl_.fr(a_idx_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  nl_.send_range_eval(r_a_, res.point, tr);
  nl_.send_range_eval(r_b_, res.point, tr);
  if (params_.wider) nl_.send_range_eval(r_head_, res.point, tr);  // = hi - idx(rho)
  nl_.claims.push_back({a_idx_, {res.point, res.final_evals[3]}});
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> table_act_advice_shapes(const TableActParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  table_register(nv, params, PaddedShape(params.dims).num_vars(), false);
  return nv.advice;
}

ProofLayout table_act_proof_layout(const TableActParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  const size_t per = 2 + 2 * range_eval_count(n, params.excess_bits) +
                     (params.shift > 0 ? range_eval_count(n, params.shift) : 0);
  l.num_evals = num_claims * per + 2 * range_eval_count(n, params.excess_bits) +
                (params.wider ? range_eval_count(n, params.headroom_bits()) : 0);
  append_range_layout(l, n, params.excess_bits);
  append_range_layout(l, n, params.excess_bits);
  if (params.shift > 0) append_range_layout(l, n, params.shift);
  if (params.wider) append_range_layout(l, n, params.headroom_bits());
  l.lookups.push_back({n, ceil_log2(params.table_values().size()), 2});
  l.sumchecks.push_back({n, 3, 4});
  return l;
}

template <field::PrimeField F>
Verdict verify_table_act_as(const TableActParams& params, std::span<const ClaimT<F>> out_claims,
                            const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                            std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_table(params)) return Verdict::reject("table activation: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("table activation: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const TableIds t = table_register(nv, params, n, true);
  absorb_claims(tr, "table.claim", out_claims);
  const F lo = F(Fr::from_i64(params.lo));
  const F hi = F(Fr::from_i64(params.lo + static_cast<int64_t>(params.values.size()) - 1));
  const F t0 = F(Fr::from_i64(params.values[0]));
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const F ind = indicator_mle(shape, c.point);
    M ov{}, iv{}, av{}, bv{}, r{};
    if (!nv.recv_eval(t.out, c.point, tr, &ov) || !nv.recv_eval(t.idx, c.point, tr, &iv) ||
        !nv.recv_range_eval(t.a, c.point, tr, &av) || !nv.recv_range_eval(t.b, c.point, tr, &bv) ||
        (params.shift > 0 && !nv.recv_range_eval(t.rem, c.point, tr, &r)))
      return Verdict::reject("table activation: claim " + std::to_string(i) + ": missing evaluations");
    if (ov - t0 * (F::one() - ind) != c.value)
      return Verdict::reject("table activation: claim " + std::to_string(i) + ": output != lookup output column");
    const M y = iv - lo * (F::one() - ind) + av - bv;
    ins.push_back({c.point, input_value<F>(params.shift, y, r, ind)});
  }
  const auto tau = tr.challenges<F>("table.tau", n);
  const F gamma = tr.challenge<F>("table.gamma");
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(clamp_zero_check<F>(lo, hi, gamma), n, tau, tr, &sub, "table activation: clamp zero-check");
      !v)
    return v;
  M av{}, bv{};
  if (!nv.recv_range_eval(t.a, sub.point, tr, &av) || !nv.recv_range_eval(t.b, sub.point, tr, &bv))
    return Verdict::reject("table activation: clamp zero-check: missing evaluations");
  if (av != sub.final_evals[1]) return Verdict::reject("table activation: clamp zero-check: a(rho) != its digits");
  if (bv != sub.final_evals[2]) return Verdict::reject("table activation: clamp zero-check: b(rho) != its digits");
  if (params.wider) {  // idx <= hi: hi - idx has digits in [0, 2^headroom_bits)
    M hv{};
    if (!nv.recv_range_eval(t.head, sub.point, tr, &hv)) return Verdict::reject("table activation: headroom: missing evaluations");
    if (hv != hi - sub.final_evals[3]) return Verdict::reject("table activation: headroom: hi - idx(rho) != its digits");
  }
  nv.claims.push_back({t.idx, {sub.point, sub.final_evals[3]}});
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("table activation");
  if (Verdict v = nv.finished(); !v) return v.within("table activation");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_table_act_as<Fr>(const TableActParams&, std::span<const Claim>, const NonlinearProof&,
                                         transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_table_act_as<snark::CFr>(const TableActParams&, std::span<const ClaimT<snark::CFr>>,
                                                 const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                                 std::vector<ClaimT<snark::CFr>>*,
                                                 std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_table_act(const TableActParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                         transcript::Transcript& tr, std::vector<Claim>* in_claims,
                         std::vector<AdviceClaim>* advice_claims) {
  return verify_table_act_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
