// Non-linear layer machinery (advice, digit range checks) and the rescale layer. See rescale.h and
// docs/protocol/nonlinear.md.
#include "layers/rescale.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"
#include "lookup/batch.h"
#include "poly/mle.h"
#include "sumcheck/proof.h"
#include "zk/session.h"

namespace zkinfer::layers {

size_t LayerAdvice::num_vars() const { return poly::log2_exact(values.size()); }

template <>
void NonlinearProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& e : evals) cp::write(w, e);
  for (const auto& m : multiplicities)
    for (const auto& e : m) cp::write(w, e);
  lookups.serialize(w);
  for (const auto& s : sumchecks) s.serialize(w);
}

std::vector<ProofLayout::Table> ProofLayout::tables() const {
  std::vector<Table> out;
  for (const auto& l : lookups) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Table& t) { return t.k == l.k && t.cols == l.cols; });
    if (it == out.end()) {
      out.push_back({l.k, l.cols, {}});
      it = out.end() - 1;
    }
    it->segments.push_back(l.n);
  }
  return out;
}

template <field::PrimeField F>
NonlinearProofT<F> deserialize_proof(ByteReader& r, const ProofLayout& layout) {
  NonlinearProofT<F> p;
  if (layout.num_evals > (size_t{1} << 20)) r.fail("nonlinear: too many evaluations");
  p.evals.reserve(std::min<size_t>(layout.num_evals, r.remaining() / cp::kMessageBytes));  // memory follows the bytes
  for (size_t i = 0; i < layout.num_evals; ++i) p.evals.push_back(sumcheck::read_msg<F>(r));
  // Under a model-wide batch (the reader's session) the layer's lookups are proven there
  // (lookup/batch.h): nothing here.
  if (lookup_verifier_as<F>(r) == nullptr) {
    std::vector<lookup::BatchTableShape> shapes;
    for (const auto& t : layout.tables()) {
      if (t.k > kDigitBits + 8 || t.segments.size() > 64) r.fail("nonlinear: unsupported lookup shape");
      std::vector<sumcheck::Msg<F>> m;
      for (size_t j = 0; j < (size_t{1} << t.k); ++j) m.push_back(sumcheck::read_msg<F>(r));
      p.multiplicities.push_back(std::move(m));
      for (size_t n : t.segments)
        if (n > lookup::kMaxLogRows) r.fail("nonlinear: lookup too large");
      shapes.push_back({t.k, t.cols, t.segments});
    }
    p.lookups = lookup::BatchProof<F>::deserialize(r, shapes);
  }
  for (const auto& s : layout.sumchecks)
    // Every non-linear sumcheck is a zero-check or product with eq (prove_with_eq): d - 1 values
    // per round.
    p.sumchecks.push_back(sumcheck::Proof<F>::deserialize(r, s.n, s.degree - 1, s.factors));
  return p;
}
template NonlinearProofT<Fr> deserialize_proof<Fr>(ByteReader&, const ProofLayout&);
template NonlinearProofT<snark::CFr> deserialize_proof<snark::CFr>(ByteReader&, const ProofLayout&);

DigitPlan DigitPlan::make(size_t bits, size_t num_vars) {
  ZKINFER_CHECK(bits >= 1 && bits <= kMaxRangeBits && num_vars <= 40);
  auto plan_for = [&](size_t w) {
    DigitPlan p;
    p.bits = bits;
    p.num_vars = num_vars;
    p.digit_bits = w;
    p.num_low = (bits - 1) / w;
    p.top_bits = bits - w * p.num_low;
    p.low_vars = p.num_low == 0 ? 0 : ceil_log2(p.num_low);
    if (p.num_low == 0) p.digit_bits = bits;  // a single digit: its width is the bound
    return p;
  };
  auto cost = [&](const DigitPlan& p) {
    const double n = std::ldexp(1.0, static_cast<int>(num_vars));
    double c = n + std::ldexp(1.0, static_cast<int>(p.top_bits)) + kDigitOverhead;
    if (p.num_low > 0)
      c += std::ldexp(1.0, static_cast<int>(num_vars + p.low_vars)) + std::ldexp(1.0, static_cast<int>(p.digit_bits)) +
           static_cast<double>(kDigitOverhead * p.num_low);
    return c;
  };
  DigitPlan best = plan_for(kDigitBits);
  double best_cost = cost(best);
  for (size_t w = kDigitBits - 1; w >= 1; --w) {
    DigitPlan p = plan_for(w);
    if (double c = cost(p); c < best_cost) best = p, best_cost = c;
  }
  return best;
}

void append_range_layout(ProofLayout& l, size_t n, size_t bits) {
  const DigitPlan p = DigitPlan::make(bits, n);
  if (p.num_low > 0) l.lookups.push_back({n + p.low_vars, p.digit_bits, 1});
  l.lookups.push_back({n, p.top_bits, 1});
}

size_t range_eval_count(size_t n, size_t bits) { return DigitPlan::make(bits, n).num_digits(); }

namespace detail {

Fr pow2_fr(size_t e) {
  ZKINFER_CHECK(e < 256);
  Fr r = Fr::one(), two = Fr::from_u64(2);
  for (size_t i = 0; i < e; ++i) r *= two;
  return r;
}

namespace {
std::vector<Fr> to_fr(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}
template <class F>
std::vector<F> with_digit(const std::vector<F>& z, size_t j, size_t vars) {
  std::vector<F> p(z.begin(), z.end());
  for (size_t b = 0; b < vars; ++b) p.push_back((j >> b) & 1 ? F::one() : F::zero());
  return p;
}
}  // namespace

size_t NlProver::add_advice(std::string name, std::vector<int64_t> padded) {
  ZKINFER_CHECK(!padded.empty() && (padded.size() & (padded.size() - 1)) == 0);
  advice.push_back({std::move(name), std::move(padded)});
  fr_.emplace_back();
  return advice.size() - 1;
}

const std::vector<Fr>& NlProver::fr(size_t a) {
  if (fr_[a].empty()) fr_[a] = to_fr(advice[a].values);
  return fr_[a];
}

size_t NlProver::add_range(const std::string& name, std::span<const int64_t> values, size_t bits) {
  Range rg;
  rg.n = poly::log2_exact(values.size());
  rg.plan = DigitPlan::make(bits, rg.n);
  const size_t N = values.size();
  if (rg.plan.num_low > 0) {
    const uint64_t mask = (uint64_t{1} << rg.plan.digit_bits) - 1;
    std::vector<int64_t> low(N << rg.plan.low_vars, 0);
    for (size_t j = 0; j < rg.plan.num_low; ++j)
      for (size_t i = 0; i < N; ++i)
        low[j * N + i] = static_cast<int64_t>((static_cast<uint64_t>(values[i]) >> rg.plan.low_shift(j)) & mask);
    rg.low = add_advice(name + ".lo", std::move(low));
  }
  std::vector<int64_t> top(N);
  const size_t sh = rg.plan.top_shift();
  // The top digit keeps all high bits (arithmetic shift), so an out-of-range value gives an
  // out-of-range top digit and the honest-looking proof fails.
  for (size_t i = 0; i < N; ++i) top[i] = sh == 0 ? values[i] : (values[i] >> sh);
  // (An out-of-range digit of a dishonest witness is in no table: the lookup then fails.)
  rg.top = add_advice(name + ".hi", std::move(top));
  ranges_.push_back(rg);
  return ranges_.size() - 1;
}

void NlProver::add_table_lookup(size_t a_in, size_t a_out, std::shared_ptr<const lookup::LookupTable<Fr>> table) {
  ZKINFER_CHECK(table != nullptr);
  tables_.push_back({a_in, a_out, std::move(table)});
}

cp::Val NlProver::send_eval(size_t a, const std::vector<Fr>& point, transcript::Transcript& tr) {
  const cp::Val v = cp::send(tr, poly::evaluate_mle<Fr>(fr(a), point));
  proof.evals.push_back(v);
  tr.absorb("nonlinear.eval", v);
  claims.push_back({a, {point, v}});
  return v;
}

cp::Val NlProver::send_range_eval(size_t id, const std::vector<Fr>& point, transcript::Transcript& tr) {
  const Range& rg = ranges_[id];
  cp::Val acc;
  for (size_t j = 0; j < rg.plan.num_low; ++j)
    acc += pow2_fr(rg.plan.low_shift(j)) * send_eval(rg.low, with_digit(point, j, rg.plan.low_vars), tr);
  acc += pow2_fr(rg.plan.top_shift()) * send_eval(rg.top, point, tr);
  return acc;
}

void NlProver::register_lookups(lookup::BatchProver<Fr>& b) {
  // The lookups are the last use of the Fr tables (every caller's prove ends with prove_lookups):
  // they are released, and the batch borrows the advice's small integers instead (the layer's
  // advice lives, unchanged, until the batch is proven: the whole-model prover keeps its layer
  // provers to the end, and a standalone batch is proven below), so that a large model's proof
  // holds no Fr copy (32 bytes an entry) of its digit vectors until the batch is proven.
  auto take = [&](std::initializer_list<size_t> as) {
    std::vector<std::span<const int64_t>> cols;
    for (size_t a : as) {
      std::vector<Fr>().swap(fr_[a]);
      cols.push_back(advice[a].values);
    }
    return cols;
  };
  for (const Range& rg : ranges_) {
    if (rg.plan.num_low > 0)
      b.add_small(lookup::LookupTable<Fr>::range(rg.plan.digit_bits), take({rg.low}), {rg.low}, advice[rg.low].name);
    b.add_small(lookup::LookupTable<Fr>::range(rg.plan.top_bits), take({rg.top}), {rg.top}, advice[rg.top].name);
  }
  for (const auto& t : tables_) b.add_small(t.table, take({t.in, t.out}), {t.in, t.out}, advice[t.in].name);
}

void NlProver::prove_lookups(transcript::Transcript& tr) {
  if (auto* b = lookup_prover_of(tr)) {  // the model-wide batch proves them
    register_lookups(*b);
    return;
  }
  // Standalone: one batch of this layer's lookups; the multiplicities are sent (absorbed before
  // any LogUp challenge) and the verifier evaluates their MLEs itself.
  lookup::BatchProver<Fr> b;
  register_lookups(b);
  b.assign_owner(0);
  for (const auto& counts : b.prepare()) {
    std::vector<Fr> m(counts.size());
    for (size_t j = 0; j < counts.size(); ++j) m[j] = Fr::from_u64(counts[j]);
    proof.multiplicities.push_back(cp::send_many(tr, m));
    tr.absorb_many(kLabelMultiplicities, proof.multiplicities.back());
  }
  auto res = b.prove(tr);
  for (auto& c : res.segment_claims) claims.push_back({c.id, {std::move(c.point), c.value}});
  proof.lookups = std::move(res.proof);
}

// ---- verifier ----

template <field::PrimeField F>
size_t NlVerifierT<F>::add_advice(std::string name, size_t num_vars) {
  advice.push_back({std::move(name), num_vars});
  return advice.size() - 1;
}

template <field::PrimeField F>
size_t NlVerifierT<F>::add_range(const std::string& name, size_t num_vars, size_t bits) {
  Range rg;
  rg.plan = DigitPlan::make(bits, num_vars);
  rg.n = num_vars;
  if (rg.plan.num_low > 0) {
    rg.low = add_advice(name + ".lo", num_vars + rg.plan.low_vars);
  }
  rg.top = add_advice(name + ".hi", num_vars);
  ranges_.push_back(rg);
  return ranges_.size() - 1;
}

template <field::PrimeField F>
void NlVerifierT<F>::add_table_lookup(size_t a_in, size_t a_out, std::shared_ptr<const lookup::LookupTable<Fr>> table) {
  ZKINFER_CHECK(table != nullptr);
  tables_.push_back({a_in, a_out, std::move(table)});
}

template <field::PrimeField F>
bool NlVerifierT<F>::recv_eval(size_t a, const std::vector<F>& point, transcript::Transcript& tr, M* out) {
  if (next_eval_ >= p_.evals.size()) return false;
  const M v = p_.evals[next_eval_++];
  tr.absorb("nonlinear.eval", v);
  claims.push_back({a, {point, v}});
  *out = v;
  return true;
}

template <field::PrimeField F>
bool NlVerifierT<F>::recv_range_eval(size_t id, const std::vector<F>& point, transcript::Transcript& tr, M* out) {
  const Range& rg = ranges_[id];
  M acc{}, e{};
  for (size_t j = 0; j < rg.plan.num_low; ++j) {
    if (!recv_eval(rg.low, with_digit(point, j, rg.plan.low_vars), tr, &e)) return false;
    acc += F(pow2_fr(rg.plan.low_shift(j))) * e;
  }
  if (!recv_eval(rg.top, point, tr, &e)) return false;
  *out = acc + F(pow2_fr(rg.plan.top_shift())) * e;
  return true;
}

template <field::PrimeField F>
Verdict NlVerifierT<F>::verify_zero_check(const sumcheck::Composition<F>& comp, size_t n, std::span<const F> tau,
                                          transcript::Transcript& tr, sumcheck::Subclaim<F>* sub, const std::string& what) {
  const sumcheck::Proof<F>* sp = next_sumcheck();
  if (sp == nullptr) return Verdict::reject(what + ": missing");
  if (tau.size() != n) return Verdict::reject(what + ": eq point has the wrong size");
  if (Verdict v = sumcheck::verify_with_eq<F>(comp, tau, M{}, *sp, tr, sub); !v) return v.within(what);
  if (sub->final_evals.empty() || sub->final_evals[0] != M(poly::eq_eval<F>(tau, sub->point)))
    return Verdict::reject(what + ": eq(tau, rho) mismatch");
  return Verdict::accept();
}

template <field::PrimeField F>
void NlVerifierT<F>::register_lookups(lookup::BatchVerifier<F>& b) const {
  for (const Range& rg : ranges_) {
    if (rg.plan.num_low > 0)
      b.add(lookup::LookupTable<F>::range(rg.plan.digit_bits), advice[rg.low].num_vars, {rg.low}, advice[rg.low].name);
    b.add(lookup::LookupTable<F>::range(rg.plan.top_bits), rg.n, {rg.top}, advice[rg.top].name);
  }
  for (const auto& t : tables_) {
    if constexpr (std::is_same_v<F, Fr>) {
      b.add(t.table, advice[t.in].num_vars, {t.in, t.out}, advice[t.in].name);
    } else {
      // The same public rows as constants of F, one lifted table per shared table (so that the
      // batch groups this table's segments as the native verifier's does).
      b.add(lookup::lift_table<F>(t.table), advice[t.in].num_vars, {t.in, t.out}, advice[t.in].name);
    }
  }
}

template <field::PrimeField F>
Verdict NlVerifierT<F>::verify_lookups(transcript::Transcript& tr) {
  lookups_done_ = true;
  if (auto* b = lookup_verifier_as<F>(tr)) {  // the model-wide batch verifies them
    register_lookups(*b);
    return Verdict::accept();
  }
  // Standalone (NlProver::prove_lookups): the multiplicities are in the proof.
  lookup::BatchVerifier<F> b;
  register_lookups(b);
  b.assign_owner(0);
  if (p_.multiplicities.size() != b.num_tables()) return Verdict::reject("lookups: wrong number of multiplicity vectors");
  for (size_t t = 0; t < b.num_tables(); ++t) {
    if (p_.multiplicities[t].size() != b.table(t).size()) return Verdict::reject("lookups: wrong number of multiplicities");
    tr.absorb_many(kLabelMultiplicities, p_.multiplicities[t]);
  }
  std::vector<lookup::SegmentClaim<F>> sc;
  std::vector<lookup::MultiplicityClaim<F>> mc;
  if (Verdict v = b.verify(p_.lookups, tr, &sc, &mc); !v) return v.within("lookups");
  for (const auto& c : mc) {
    const auto eq = poly::eq_table<F>(c.point);
    M m{};
    for (size_t j = 0; j < eq.size(); ++j) m += p_.multiplicities[c.table][j] * eq[j];
    if (m != c.value) return Verdict::reject("lookups: multiplicities of table " + std::to_string(c.table) + " do not match their claim");
  }
  for (auto& c : sc) claims.push_back({c.id, {std::move(c.point), c.value}});
  return Verdict::accept();
}

template <field::PrimeField F>
const sumcheck::Proof<F>* NlVerifierT<F>::next_sumcheck() {
  if (next_sumcheck_ >= p_.sumchecks.size()) return nullptr;
  return &p_.sumchecks[next_sumcheck_++];
}

template <field::PrimeField F>
Verdict NlVerifierT<F>::finished() const {
  if (next_eval_ != p_.evals.size() || next_sumcheck_ != p_.sumchecks.size() ||
      (!lookups_done_ && (!p_.multiplicities.empty() || !p_.lookups.empty())))
    return Verdict::reject("proof has unused parts");
  return Verdict::accept();
}

template class NlVerifierT<Fr>;
template class NlVerifierT<snark::CFr>;

}  // namespace detail

// ---- rescale ----

namespace detail {
std::vector<int64_t> padded_i64(const PaddedShape& s, std::span<const int64_t> v) {
  ZKINFER_CHECK(v.size() == s.unpadded_size());
  std::vector<int64_t> out(s.size(), 0);
  std::vector<size_t> idx(s.rank(), 0);
  for (size_t i = 0; i < v.size(); ++i) {
    out[s.index(idx)] = v[i];
    for (size_t d = s.rank(); d-- > 0;) {
      if (++idx[d] < s.dims()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
}  // namespace detail

using detail::absorb_claims;
using detail::padded_i64;

namespace {
std::optional<std::string> bad_params(const RescaleParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.shift < 1 || p.shift > 61) return std::string("shift out of range [1, 61]");
  if (p.out_bits > 60) return std::string("out_bits above 60");
  return std::nullopt;
}
}  // namespace

RescaleProver::RescaleProver(const RescaleParams& params, std::span<const int64_t> x,
                             std::span<const int64_t> forced_y)
    : params_(params), shape_(params.dims) {
  if (auto why = bad_params(params)) throw Error("rescale: " + *why);
  if (x.size() != shape_.unpadded_size() || (!forced_y.empty() && forced_y.size() != x.size()))
    throw Error("rescale: tensor size does not match the shape");
  const size_t k = params.shift;
  std::vector<int64_t> rem(x.size());
  y_.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t t = x[i] + (int64_t{1} << (k - 1));
    y_[i] = forced_y.empty() ? t >> k : forced_y[i];
    rem[i] = t - (y_[i] << k);
  }
  range_rem_ = nl_.add_range("rescale.rem", padded_i64(shape_, rem), k);
  if (params.out_bits > 0) {
    std::vector<int64_t> ys(y_);
    for (auto& v : ys) v += int64_t{1} << params.out_bits;
    range_y_ = nl_.add_range("rescale.out", padded_i64(shape_, ys), params.out_bits + 1);
  }
}

NonlinearProof RescaleProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                    std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "rescale.claim", out_claims);
  const Fr two_k = detail::pow2_fr(params_.shift), half = detail::pow2_fr(params_.shift - 1);
  in_claims->clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    const Fr ind = detail::indicator_mle(shape_, c.point);
    if (params_.out_bits > 0) nl_.send_range_eval(range_y_, c.point, tr);
    const cp::Val r = nl_.send_range_eval(range_rem_, c.point, tr);
    in_claims->push_back({c.point, two_k * c.value + r - half * ind});
  }
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> rescale_advice_shapes(const RescaleParams& params) {
  NonlinearProof empty;
  detail::NlVerifier v(empty);
  const size_t n = PaddedShape(params.dims).num_vars();
  v.add_range("rescale.rem", n, params.shift);
  if (params.out_bits > 0) v.add_range("rescale.out", n, params.out_bits + 1);
  return v.advice;
}

namespace {
void range_layout(ProofLayout& l, size_t n, size_t bits, size_t claims) {
  l.num_evals += claims * range_eval_count(n, bits);
  append_range_layout(l, n, bits);
}
}  // namespace

ProofLayout rescale_proof_layout(const RescaleParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  // evals: per claim, y's digits then r's digits; lookups: r's then y's (registration order).
  range_layout(l, n, params.shift, num_claims);
  if (params.out_bits > 0) range_layout(l, n, params.out_bits + 1, num_claims);
  return l;
}

template <field::PrimeField F>
Verdict verify_rescale_as(const RescaleParams& params, std::span<const ClaimT<F>> out_claims,
                          const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                          std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("rescale: " + *why);
  const PaddedShape shape(params.dims);
  for (const auto& c : out_claims)
    if (c.point.size() != shape.num_vars()) return Verdict::reject("rescale: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const size_t range_rem = nv.add_range("rescale.rem", shape.num_vars(), params.shift);
  const size_t range_y = params.out_bits > 0 ? nv.add_range("rescale.out", shape.num_vars(), params.out_bits + 1) : 0;
  absorb_claims(tr, "rescale.claim", out_claims);
  const F two_k = F(detail::pow2_fr(params.shift)), half = F(detail::pow2_fr(params.shift - 1));
  std::vector<ClaimT<F>> ins;
  for (const ClaimT<F>& c : out_claims) {
    const F ind = detail::indicator_mle(shape, c.point);
    if (params.out_bits > 0) {
      M yv{};
      if (!nv.recv_range_eval(range_y, c.point, tr, &yv)) return Verdict::reject("rescale: missing output digits");
      if (yv - F(detail::pow2_fr(params.out_bits)) * ind != c.value)
        return Verdict::reject("rescale: output claim != its range-checked digits");
    }
    M r{};
    if (!nv.recv_range_eval(range_rem, c.point, tr, &r)) return Verdict::reject("rescale: missing remainder digits");
    ins.push_back({c.point, two_k * c.value + r - half * ind});
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("rescale");
  if (Verdict v = nv.finished(); !v) return v.within("rescale");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_rescale_as<Fr>(const RescaleParams&, std::span<const Claim>, const NonlinearProof&,
                                       transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_rescale_as<snark::CFr>(const RescaleParams&, std::span<const ClaimT<snark::CFr>>,
                                               const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                               std::vector<ClaimT<snark::CFr>>*,
                                               std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_rescale(const RescaleParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims) {
  return verify_rescale_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
