// Commit-and-prove values (see cp.h for the protocol).
#include "zk/cp.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/check.h"
#include "curve/msm.h"
#include "zk/wire.h"

namespace zkinfer::cp {

namespace {

thread_local Context* g_current = nullptr;

constexpr std::string_view kLabelProducts = "cp.products";
constexpr std::string_view kLabelProductDelta = "cp.product.delta";
constexpr std::string_view kLabelProductSigma = "cp.product.sigma";
constexpr std::string_view kLabelProductAlpha = "cp.product.alpha";
constexpr std::string_view kLabelProductE = "cp.product.e";
constexpr std::string_view kLabelProductZ = "cp.product.z";
constexpr std::string_view kLabelZeroRho = "cp.zero.rho";
constexpr std::string_view kLabelZeroA = "cp.zero.a";
constexpr std::string_view kLabelZeroE = "cp.zero.e";
constexpr std::string_view kLabelZeroZ = "cp.zero.z";
constexpr std::string_view kLabelOpenC = "cp.open.c";
constexpr std::string_view kLabelOpenA = "cp.open.a";
constexpr std::string_view kLabelOpenE = "cp.open.e";
constexpr std::string_view kLabelOpenZ = "cp.open.z";
constexpr std::string_view kLabelFold = "cp.fold";

// The distinct commitments in the order of their encodings: for each, the first atom with it.
std::vector<uint32_t> canonical_atoms(std::span<const G1Affine> atoms) {
  std::vector<std::pair<std::array<uint8_t, G1Affine::kBytes>, uint32_t>> keyed(atoms.size());
  for (size_t i = 0; i < atoms.size(); ++i) keyed[i] = {atoms[i].to_bytes(), static_cast<uint32_t>(i)};
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> out;
  out.reserve(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i)
    if (i == 0 || keyed[i].first != keyed[i - 1].first) out.push_back(keyed[i].second);
  return out;
}

}  // namespace

Context* current() { return g_current; }

Context::Scope::Scope(Context* c) : prev_(g_current) { g_current = c; }
Context::Scope::~Scope() { g_current = prev_; }

Context::Context(const pcs::HyraxParams& pp, RandomFr random)
    : pp_(pp), mode_(Mode::kProve), random_(std::move(random)) {}
Context::Context(const pcs::HyraxParams& pp) : pp_(pp), mode_(Mode::kVerify) {}

// ---- Val ----

std::vector<uint8_t> Val::to_bytes() const {
  if (pub_) {
    auto b = v_.to_bytes();
    return {b.begin(), b.end()};
  }
  if (atom_ >= 0) {
    Context* c = current();
    ZKINFER_CHECK(c != nullptr);
    auto b = c->atom_point(static_cast<uint32_t>(atom_)).to_bytes();
    return {b.begin(), b.end()};
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

Val& Val::operator+=(const Val& o) {
  v_ += o.v_;
  s_ += o.s_;
  if (!o.lc_.empty()) {
    lc_.insert(lc_.end(), o.lc_.begin(), o.lc_.end());
    if (lc_.size() > 48) compact();
  }
  atom_ = -1;
  pub_ = pub_ && o.pub_;
  return *this;
}

Val& Val::operator-=(const Val& o) { return *this += -o; }

Val& Val::operator*=(const Fr& k) {
  v_ *= k;
  s_ *= k;
  for (auto& t : lc_) t.coeff *= k;
  atom_ = -1;
  return *this;
}

Val Val::operator-() const {
  Val r = *this;
  r.v_ = -r.v_;
  r.s_ = -r.s_;
  for (auto& t : r.lc_) t.coeff = -t.coeff;
  r.atom_ = -1;
  return r;
}

Val& Val::operator*=(const Val& o) {
  if (o.pub_) return *this *= o.v_;
  if (pub_) {
    const Fr k = v_;
    *this = o;
    return *this *= k;
  }
  Context* c = current();
  ZKINFER_CHECK(c != nullptr);  // committed values exist only under a context
  *this = c->product(*this, o);
  return *this;
}

bool operator==(const Val& a, const Val& b) {
  const Val d = a - b;
  if (d.pub_) return d.v_.is_zero();
  Context* c = current();
  ZKINFER_CHECK(c != nullptr);
  return c->record_zero(d);
}

// ---- Context ----

Val Context::commit(const Fr& v) {
  ZKINFER_CHECK(mode_ == Mode::kProve);
  Val x;
  x.v_ = v;
  x.s_ = random_();
  x.pub_ = false;
  x.atom_ = static_cast<int32_t>(atoms_.size());
  atoms_.push_back((pp_.mul_u(v) + pp_.mul_h(x.s_)).to_affine());
  by_bytes_.emplace(atoms_.back().to_bytes(), static_cast<uint32_t>(atoms_.size() - 1));
  atom_v_.push_back(v);
  atom_s_.push_back(x.s_);
  return x;
}

std::vector<Val> Context::commit_many(std::span<const Fr> vs) {
  ZKINFER_CHECK(mode_ == Mode::kProve);
  std::vector<Val> out(vs.size());
  std::vector<G1> pts(vs.size());
  for (size_t i = 0; i < vs.size(); ++i) {
    out[i].v_ = vs[i];
    out[i].s_ = random_();
    out[i].pub_ = false;
    out[i].atom_ = static_cast<int32_t>(atoms_.size() + i);
    pts[i] = pp_.mul_u(vs[i]) + pp_.mul_h(out[i].s_);
  }
  std::vector<G1Affine> aff(vs.size());
  G1::batch_to_affine(pts, aff);
  for (size_t i = 0; i < vs.size(); ++i) {
    atoms_.push_back(aff[i]);
    by_bytes_.emplace(aff[i].to_bytes(), static_cast<uint32_t>(atoms_.size() - 1));
    atom_v_.push_back(vs[i]);
    atom_s_.push_back(out[i].s_);
  }
  return out;
}

Val Context::receive(const G1Affine& c) {
  if (mode_ == Mode::kProve) return receive_own(c.to_bytes());
  Val x;
  x.pub_ = false;
  x.atom_ = static_cast<int32_t>(atoms_.size());
  x.lc_.push_back({static_cast<uint32_t>(atoms_.size()), Fr::one()});
  atoms_.push_back(c);
  return x;
}

Val Context::receive_own(const std::array<uint8_t, G1Affine::kBytes>& key) {
  ZKINFER_CHECK(mode_ == Mode::kProve);
  auto it = by_bytes_.find(key);
  if (it == by_bytes_.end()) throw DecodeError("replay: a commitment the prover did not make");
  Val x;
  x.v_ = atom_v_[it->second];
  x.s_ = atom_s_[it->second];
  x.pub_ = false;
  x.atom_ = static_cast<int32_t>(it->second);
  return x;
}

Val Context::product(const Val& a, const Val& b) {
  ZKINFER_CHECK(!finished_);
  if (!relations_) {  // the prover's first pass: the value only
    Val x;
    x.pub_ = false;
    x.v_ = a.v_ * b.v_;
    return x;
  }
  const auto z = static_cast<uint32_t>(atoms_.size());
  atoms_.push_back(G1Affine::identity());  // filled by the end section
  products_.push_back({a, b, z});
  Val x;
  x.pub_ = false;
  if (mode_ == Mode::kProve) {
    x.v_ = a.v_ * b.v_;
    x.s_ = random_();
    atom_v_.push_back(x.v_);
    atom_s_.push_back(x.s_);
  } else {
    x.lc_.push_back({z, Fr::one()});
  }
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

G1 Context::commitment_of(const Val& x) const {
  if (mode_ == Mode::kProve) return pp_.mul_u(x.v_) + pp_.mul_h(x.s_);
  std::vector<G1Affine> bases;
  std::vector<Fr> scalars;
  bases.reserve(x.lc_.size() + 1);
  scalars.reserve(x.lc_.size() + 1);
  for (const auto& t : x.lc_) {
    bases.push_back(atoms_[t.atom]);
    scalars.push_back(t.coeff);
  }
  if (!x.v_.is_zero()) {
    bases.push_back(pp_.u());
    scalars.push_back(x.v_);
  }
  return curve::msm(bases, scalars);
}

void Context::prove_finish(transcript::Transcript& tr, ByteWriter& w) {
  ZKINFER_CHECK(mode_ == Mode::kProve && !finished_);
  finished_ = true;
  // 1. Product commitments.
  {
    std::vector<G1> pts(products_.size());
#pragma omp parallel for schedule(static) if (products_.size() >= 64)
    for (size_t k = 0; k < products_.size(); ++k) {
      const uint32_t z = products_[k].z;
      pts[k] = pp_.mul_u(atom_v_[z]) + pp_.mul_h(atom_s_[z]);
    }
    std::vector<G1Affine> aff(pts.size());
    G1::batch_to_affine(pts, aff);
    for (size_t k = 0; k < products_.size(); ++k) {
      atoms_[products_[k].z] = aff[k];
      zk::write_point(w, aff[k]);
    }
    tr.absorb_many(kLabelProducts, aff);
  }
  // 2. Proofs of product (see cp.h): per product delta_k, then one alpha for all.
  {
    const size_t np = products_.size();
    std::vector<std::array<Fr, 2>> b(np);  // b1, b3
    for (auto& bk : b)
      for (Fr& x : bk) x = random_();
    std::vector<G1> delta(np);
#pragma omp parallel for schedule(static) if (np >= 64)
    for (size_t k = 0; k < np; ++k) {
      const auto& p = products_[k];
      // delta = b1 Y + b3 H = (b1 y) U + (b1 r_y + b3) H.
      delta[k] = pp_.mul_u(b[k][0] * p.y.v_) + pp_.mul_h(b[k][0] * p.y.s_ + b[k][1]);
    }
    std::vector<G1Affine> aff(np);
    G1::batch_to_affine(delta, aff);
    for (const auto& a : aff) zk::write_point(w, a);
    tr.absorb_many(kLabelProductDelta, aff);
    const Fr sigma = tr.challenge<Fr>(kLabelProductSigma);
    // alpha = (sum sigma^k b1_k) U + b2 H.
    Fr b1s = Fr::zero(), rxs = Fr::zero(), pw = Fr::one();
    for (size_t k = 0; k < np; ++k) {
      b1s += pw * b[k][0];
      rxs += pw * products_[k].x.s_;
      pw *= sigma;
    }
    const Fr b2 = random_();
    const G1Affine alpha = (pp_.mul_u(b1s) + pp_.mul_h(b2)).to_affine();
    zk::write_point(w, alpha);
    tr.absorb(kLabelProductAlpha, alpha);
    const Fr e = tr.challenge<Fr>(kLabelProductE);
    std::vector<Fr> z(2 * np + 1);
    for (size_t k = 0; k < np; ++k) {
      const auto& p = products_[k];
      const Fr rz = atom_s_[p.z];
      z[2 * k] = b[k][0] + e * p.x.v_;                       // z1_k
      z[2 * k + 1] = b[k][1] + e * (rz - p.x.v_ * p.y.s_);   // z3_k
    }
    z[2 * np] = b2 + e * rxs;  // z2
    for (const Fr& x : z) zk::write_scalar(w, x);
    tr.absorb_many(kLabelProductZ, z);
  }
  // 3. Equalities: one Schnorr proof for sum rho^k D_k.
  {
    const Fr rho = tr.challenge<Fr>(kLabelZeroRho);
    Fr s = Fr::zero(), pw = Fr::one();
    for (const auto& d : zeros_) {
      s += pw * d.s_;
      pw *= rho;
    }
    const Fr bl = random_();
    const G1Affine a = pp_.mul_h(bl).to_affine();
    zk::write_point(w, a);
    tr.absorb(kLabelZeroA, a);
    const Fr e = tr.challenge<Fr>(kLabelZeroE);
    const Fr z = bl + e * s;
    zk::write_scalar(w, z);
    tr.absorb(kLabelZeroZ, z);
  }
  // 4. Knowledge of the openings of all commitments.
  {
    const Fr c = tr.challenge<Fr>(kLabelOpenC);
    Fr v = Fr::zero(), s = Fr::zero(), pw = c;
    for (uint32_t i : canonical_atoms(atoms_)) {
      v += pw * atom_v_[i];
      s += pw * atom_s_[i];
      pw *= c;
    }
    const Fr a1 = random_(), a2 = random_();
    const G1Affine a = (pp_.mul_u(a1) + pp_.mul_h(a2)).to_affine();
    zk::write_point(w, a);
    tr.absorb(kLabelOpenA, a);
    const Fr e = tr.challenge<Fr>(kLabelOpenE);
    const std::array<Fr, 2> z{a1 + e * v, a2 + e * s};
    for (const Fr& x : z) zk::write_scalar(w, x);
    tr.absorb_many(kLabelOpenZ, std::span<const Fr>(z));
  }
}

Verdict Context::verify_finish(transcript::Transcript& tr, ByteReader& r) {
  ZKINFER_CHECK(mode_ == Mode::kVerify && !finished_);
  finished_ = true;
  try {
    const size_t np = products_.size();
    // Read everything in transcript order.
    std::vector<G1Affine> zs(np);
    for (size_t k = 0; k < np; ++k) {
      zs[k] = zk::read_point(r, "product commitment");
      atoms_[products_[k].z] = zs[k];
    }
    tr.absorb_many(kLabelProducts, zs);
    std::vector<G1Affine> delta(np);
    for (auto& p : delta) p = zk::read_point(r, "proof of product");
    tr.absorb_many(kLabelProductDelta, delta);
    const Fr sigma = tr.challenge<Fr>(kLabelProductSigma);
    const G1Affine alpha = zk::read_point(r, "proof of product");
    tr.absorb(kLabelProductAlpha, alpha);
    const Fr pe = tr.challenge<Fr>(kLabelProductE);
    std::vector<Fr> pz(2 * np + 1);
    for (Fr& x : pz) x = zk::read_scalar(r, "proof of product");
    tr.absorb_many(kLabelProductZ, pz);

    const Fr rho = tr.challenge<Fr>(kLabelZeroRho);
    const G1Affine za = zk::read_point(r, "equality proof");
    tr.absorb(kLabelZeroA, za);
    const Fr ze = tr.challenge<Fr>(kLabelZeroE);
    const Fr zz = zk::read_scalar(r, "equality proof");
    tr.absorb(kLabelZeroZ, zz);

    const Fr oc = tr.challenge<Fr>(kLabelOpenC);
    const G1Affine oa = zk::read_point(r, "opening proof");
    tr.absorb(kLabelOpenA, oa);
    const Fr oe = tr.challenge<Fr>(kLabelOpenE);
    std::array<Fr, 2> oz{zk::read_scalar(r, "opening proof"), zk::read_scalar(r, "opening proof")};
    tr.absorb_many(kLabelOpenZ, std::span<const Fr>(oz));

    // Fold every equation "sum = identity" with powers of gamma into one MSM.
    transcript::Transcript fold = tr;  // the weights do not change the shared transcript
    const Fr gamma = fold.challenge<Fr>(kLabelFold);
    std::vector<Fr> coef(atoms_.size(), Fr::zero());
    Fr cu = Fr::zero(), ch = Fr::zero();
    std::vector<G1Affine> extra_pts;
    std::vector<Fr> extra_coef;
    auto add_val = [&](const Val& x, const Fr& k) {
      for (const auto& t : x.lc_) coef[t.atom] += k * t.coeff;
      cu += k * x.v_;
    };
    Fr g = Fr::one();
    {
      // alpha + e sum sigma^k X_k - (sum sigma^k z1_k) U - z2 H
      extra_pts.push_back(alpha);
      extra_coef.push_back(g);
      Fr pw = Fr::one(), z1s = Fr::zero();
      for (size_t k = 0; k < np; ++k) {
        add_val(products_[k].x, g * pe * pw);
        z1s += pw * pz[2 * k];
        pw *= sigma;
      }
      cu -= g * z1s;
      ch -= g * pz[2 * np];
      g *= gamma;
    }
    for (size_t k = 0; k < np; ++k) {
      const auto& p = products_[k];
      // delta_k + e Z_k - z1_k Y_k - z3_k H
      extra_pts.push_back(delta[k]);
      extra_coef.push_back(g);
      coef[p.z] += g * pe;
      add_val(p.y, -(g * pz[2 * k]));
      ch -= g * pz[2 * k + 1];
      g *= gamma;
    }
    // z H - A - e sum rho^k D_k
    ch += g * zz;
    extra_pts.push_back(za);
    extra_coef.push_back(-g);
    {
      Fr pw = g * ze;
      for (const auto& d : zeros_) {
        add_val(d, -pw);
        pw *= rho;
      }
    }
    g *= gamma;
    // z1 U + z2 H - A - e sum c^i C_i
    cu += g * oz[0];
    ch += g * oz[1];
    extra_pts.push_back(oa);
    extra_coef.push_back(-g);
    {
      Fr pw = g * oe * oc;
      for (uint32_t i : canonical_atoms(atoms_)) {
        coef[i] -= pw;
        pw *= oc;
      }
    }
    std::vector<G1Affine> bases(atoms_.begin(), atoms_.end());
    bases.push_back(pp_.u());
    bases.push_back(pp_.h());
    bases.insert(bases.end(), extra_pts.begin(), extra_pts.end());
    coef.push_back(cu);
    coef.push_back(ch);
    coef.insert(coef.end(), extra_coef.begin(), extra_coef.end());
    if (!curve::msm(bases, coef).is_identity())
      return Verdict::reject("zero-knowledge checks: a committed relation does not hold (" + std::to_string(np) +
                             " products, " + std::to_string(zeros_.size()) + " equalities, " +
                             std::to_string(atoms_.size()) + " commitments)");
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("zero-knowledge end section: ") + e.what());
  }
}

// ---- messages ----

Val send(const Fr& v) {
  Context* c = current();
  return c ? c->commit(v) : Val(v);
}

std::vector<Val> send_many(std::span<const Fr> vs) {
  Context* c = current();
  if (c) return c->commit_many(vs);
  return std::vector<Val>(vs.begin(), vs.end());
}

void write(ByteWriter& w, const Val& msg) {
  Context* c = current();
  if (!c) {
    ZKINFER_CHECK(msg.is_public());
    zk::write_scalar(w, msg.value());
    return;
  }
  ZKINFER_CHECK(msg.atom() >= 0);
  zk::write_point(w, c->atom_point(static_cast<uint32_t>(msg.atom())));
}

Val read(ByteReader& r) {
  Context* c = current();
  if (!c) return Val(zk::read_scalar(r, "proof value"));
  if (c->mode() == Mode::kProve) {  // the prover's replay: its own commitment, by its encoding
    std::array<uint8_t, G1Affine::kBytes> key;
    auto b = r.bytes(key.size());
    std::copy(b.begin(), b.end(), key.begin());
    return c->receive_own(key);
  }
  return c->receive(zk::read_point(r, "committed proof value"));
}

std::vector<Fr> values(std::span<const Val> xs) {
  std::vector<Fr> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.push_back(x.value());
  return out;
}

}  // namespace zkinfer::cp
