// Sigma protocols over Pedersen commitments (see sigma.h for the equations).
#include "zk/sigma.h"

#include <string>

#include "common/check.h"
#include "curve/msm.h"
#include "zk/wire.h"

namespace zkinfer::zk {

namespace {

G1Affine affine(const G1& p) { return p.to_affine(); }

}  // namespace

// ---- serialization ----

void OpeningProof::serialize(ByteWriter& w) const {
  write_point(w, a);
  write_scalar(w, z1);
  write_scalar(w, z2);
}
OpeningProof OpeningProof::deserialize(ByteReader& r) {
  OpeningProof p;
  p.a = read_point(r, "opening proof: A");
  p.z1 = read_scalar(r, "opening proof: z1");
  p.z2 = read_scalar(r, "opening proof: z2");
  return p;
}

void EqualityProof::serialize(ByteWriter& w) const {
  write_point(w, a);
  write_scalar(w, z);
}
EqualityProof EqualityProof::deserialize(ByteReader& r) {
  EqualityProof p;
  p.a = read_point(r, "equality proof: A");
  p.z = read_scalar(r, "equality proof: z");
  return p;
}

void ProductProof::serialize(ByteWriter& w) const {
  write_point(w, alpha);
  write_point(w, beta);
  write_point(w, delta);
  for (const Fr* z : {&z1, &z2, &z3, &z4, &z5}) write_scalar(w, *z);
}
ProductProof ProductProof::deserialize(ByteReader& r) {
  ProductProof p;
  p.alpha = read_point(r, "product proof: alpha");
  p.beta = read_point(r, "product proof: beta");
  p.delta = read_point(r, "product proof: delta");
  for (Fr* z : {&p.z1, &p.z2, &p.z3, &p.z4, &p.z5}) *z = read_scalar(r, "product proof: z");
  return p;
}

void DotProductProof::serialize(ByteWriter& w) const {
  write_point(w, delta);
  write_point(w, beta);
  for (const Fr& x : z) write_scalar(w, x);
  write_scalar(w, zd);
  write_scalar(w, zb);
}
DotProductProof DotProductProof::deserialize(ByteReader& r, size_t len) {
  DotProductProof p;
  p.delta = read_point(r, "dot-product proof: delta");
  p.beta = read_point(r, "dot-product proof: beta");
  if (len > r.remaining() / 32) r.fail("dot-product proof: truncated responses");
  p.z.resize(len);
  for (Fr& x : p.z) x = read_scalar(r, "dot-product proof: z");
  p.zd = read_scalar(r, "dot-product proof: zd");
  p.zb = read_scalar(r, "dot-product proof: zb");
  return p;
}

// ---- opening ----

namespace {
Fr opening_challenge(transcript::Transcript& t, const G1Affine& c, const OpeningProof& p) {
  t.absorb("zk.opening.stmt", c);
  t.absorb("zk.opening.a", p.a);
  const Fr e = t.challenge<Fr>("zk.opening.e");
  t.absorb("zk.opening.z1", p.z1);
  t.absorb("zk.opening.z2", p.z2);
  return e;
}
}  // namespace

OpeningProof prove_opening(const PedersenParams& pp, const G1Affine& c, const Fr& v, const Fr& s,
                           transcript::Transcript& t, const RandomFr& random) {
  const Fr a = random(), b = random();
  OpeningProof p;
  p.a = affine(commit_scalar(pp, a, b));
  t.absorb("zk.opening.stmt", c);
  t.absorb("zk.opening.a", p.a);
  const Fr e = t.challenge<Fr>("zk.opening.e");
  p.z1 = a + e * v;
  p.z2 = b + e * s;
  t.absorb("zk.opening.z1", p.z1);
  t.absorb("zk.opening.z2", p.z2);
  return p;
}

bool opening_holds(const PedersenParams& pp, const G1Affine& c, const OpeningProof& p, const Fr& e) {
  return commit_scalar(pp, p.z1, p.z2) == G1(p.a) + G1(c) * e;
}

Verdict verify_opening(const PedersenParams& pp, const G1Affine& c, const OpeningProof& proof,
                       transcript::Transcript& t) {
  const Fr e = opening_challenge(t, c, proof);
  if (!opening_holds(pp, c, proof, e)) return Verdict::reject("opening proof: z1 U + z2 H != A + e C");
  return Verdict::accept();
}

OpeningProof simulate_opening(const PedersenParams& pp, const G1Affine& c, const Fr& e, const RandomFr& random) {
  OpeningProof p;
  p.z1 = random();
  p.z2 = random();
  p.a = affine(commit_scalar(pp, p.z1, p.z2) - G1(c) * e);
  return p;
}

// ---- equality ----

EqualityProof prove_equality(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                             const Fr& s1, const Fr& s2, transcript::Transcript& t,
                             const RandomFr& random) {
  const Fr b = random();
  EqualityProof p;
  p.a = affine(pp.mul_h(b));
  t.absorb("zk.equality.stmt", c1);
  t.absorb("zk.equality.stmt", c2);
  t.absorb("zk.equality.a", p.a);
  const Fr e = t.challenge<Fr>("zk.equality.e");
  p.z = b + e * (s1 - s2);
  t.absorb("zk.equality.z", p.z);
  return p;
}

bool equality_holds(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                    const EqualityProof& p, const Fr& e) {
  return pp.mul_h(p.z) == G1(p.a) + (G1(c1) - c2) * e;
}

Verdict verify_equality(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                        const EqualityProof& proof, transcript::Transcript& t) {
  t.absorb("zk.equality.stmt", c1);
  t.absorb("zk.equality.stmt", c2);
  t.absorb("zk.equality.a", proof.a);
  const Fr e = t.challenge<Fr>("zk.equality.e");
  t.absorb("zk.equality.z", proof.z);
  if (!equality_holds(pp, c1, c2, proof, e)) return Verdict::reject("equality proof: z H != A + e (C1 - C2)");
  return Verdict::accept();
}

// ---- product ----

namespace {
void absorb_product_first(transcript::Transcript& t, const G1Affine& x, const G1Affine& y,
                          const G1Affine& z, const ProductProof& p) {
  t.absorb("zk.product.stmt", x);
  t.absorb("zk.product.stmt", y);
  t.absorb("zk.product.stmt", z);
  t.absorb("zk.product.alpha", p.alpha);
  t.absorb("zk.product.beta", p.beta);
  t.absorb("zk.product.delta", p.delta);
}
void absorb_product_last(transcript::Transcript& t, const ProductProof& p) {
  t.absorb_many("zk.product.z", std::vector<Fr>{p.z1, p.z2, p.z3, p.z4, p.z5});
}
}  // namespace

ProductProof prove_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                           const G1Affine& z, const ProductWitness& w, transcript::Transcript& t,
                           const RandomFr& random) {
  const Fr b1 = random(), b2 = random(), b3 = random(), b4 = random(), b5 = random();
  ProductProof p;
  G1 first[3] = {commit_scalar(pp, b1, b2), commit_scalar(pp, b3, b4), G1(y) * b1 + pp.mul_h(b5)};
  G1Affine fa[3];
  G1::batch_to_affine(first, fa);
  p.alpha = fa[0];
  p.beta = fa[1];
  p.delta = fa[2];
  absorb_product_first(t, x, y, z, p);
  const Fr e = t.challenge<Fr>("zk.product.e");
  p.z1 = b1 + e * w.x;
  p.z2 = b2 + e * w.rx;
  p.z3 = b3 + e * w.y;
  p.z4 = b4 + e * w.ry;
  p.z5 = b5 + e * (w.rz - w.x * w.ry);
  absorb_product_last(t, p);
  return p;
}

bool product_holds(const PedersenParams& pp, const G1Affine& x, const G1Affine& y, const G1Affine& z,
                   const ProductProof& p, const Fr& e) {
  return G1(p.alpha) + G1(x) * e == commit_scalar(pp, p.z1, p.z2) &&
         G1(p.beta) + G1(y) * e == commit_scalar(pp, p.z3, p.z4) &&
         G1(p.delta) + G1(z) * e == G1(y) * p.z1 + pp.mul_h(p.z5);
}

Verdict verify_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                       const G1Affine& z, const ProductProof& proof, transcript::Transcript& t) {
  absorb_product_first(t, x, y, z, proof);
  const Fr e = t.challenge<Fr>("zk.product.e");
  absorb_product_last(t, proof);
  if (!product_holds(pp, x, y, z, proof, e)) return Verdict::reject("product proof: check equations fail");
  return Verdict::accept();
}

ProductProof simulate_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                              const G1Affine& z, const Fr& e, const RandomFr& random) {
  ProductProof p;
  p.z1 = random();
  p.z2 = random();
  p.z3 = random();
  p.z4 = random();
  p.z5 = random();
  G1 first[3] = {commit_scalar(pp, p.z1, p.z2) - G1(x) * e, commit_scalar(pp, p.z3, p.z4) - G1(y) * e,
                 G1(y) * p.z1 + pp.mul_h(p.z5) - G1(z) * e};
  G1Affine fa[3];
  G1::batch_to_affine(first, fa);
  p.alpha = fa[0];
  p.beta = fa[1];
  p.delta = fa[2];
  return p;
}

// ---- dot product ----

namespace {
Fr dot(std::span<const Fr> a, std::span<const Fr> b) {
  Fr acc = Fr::zero();
  for (size_t i = 0; i < a.size(); ++i) acc += a[i] * b[i];
  return acc;
}
void absorb_dot_first(transcript::Transcript& t, const G1Affine& cx, size_t offset, std::span<const Fr> a,
                      const G1Affine& y, const DotProductProof& p) {
  t.absorb("zk.dot.stmt", cx);
  t.absorb_u64("zk.dot.offset", offset);
  t.absorb_many("zk.dot.a", a);
  t.absorb("zk.dot.stmt", y);
  t.absorb("zk.dot.delta", p.delta);
  t.absorb("zk.dot.beta", p.beta);
}
void absorb_dot_last(transcript::Transcript& t, const DotProductProof& p) {
  t.absorb_many("zk.dot.z", p.z);
  t.absorb("zk.dot.zd", p.zd);
  t.absorb("zk.dot.zb", p.zb);
}
}  // namespace

DotProductProof prove_dot_product(const PedersenParams& pp, const G1Affine& cx, size_t offset,
                                  std::span<const Fr> x, const Fr& rx, std::span<const Fr> a,
                                  const G1Affine& y, const Fr& ry, transcript::Transcript& t,
                                  const RandomFr& random) {
  ZKINFER_CHECK(a.size() == x.size());
  std::vector<Fr> d(x.size());
  for (Fr& v : d) v = random();
  const Fr rd = random(), rb = random();
  DotProductProof p;
  G1 first[2] = {commit_vector(pp, d, offset, rd), commit_scalar(pp, dot(a, d), rb)};
  G1Affine fa[2];
  G1::batch_to_affine(first, fa);
  p.delta = fa[0];
  p.beta = fa[1];
  absorb_dot_first(t, cx, offset, a, y, p);
  const Fr e = t.challenge<Fr>("zk.dot.e");
  p.z.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) p.z[i] = e * x[i] + d[i];
  p.zd = e * rx + rd;
  p.zb = e * ry + rb;
  absorb_dot_last(t, p);
  return p;
}

Verdict verify_dot_product(const PedersenParams& pp, const G1Affine& cx, size_t offset,
                           std::span<const Fr> a, const G1Affine& y, const DotProductProof& proof,
                           transcript::Transcript& t) {
  if (proof.z.size() != a.size())
    return Verdict::reject("dot-product proof: " + std::to_string(proof.z.size()) + " responses, expected " +
                           std::to_string(a.size()));
  if (offset > pp.num_gens() || a.size() > pp.num_gens() - offset)
    return Verdict::reject("dot-product proof: vector longer than the generators");
  absorb_dot_first(t, cx, offset, a, y, proof);
  const Fr e = t.challenge<Fr>("zk.dot.e");
  absorb_dot_last(t, proof);
  if (G1(cx) * e + proof.delta != commit_vector(pp, proof.z, offset, proof.zd))
    return Verdict::reject("dot-product proof: e Cx + delta != <z, G> + zd H");
  if (G1(y) * e + proof.beta != commit_scalar(pp, dot(proof.z, a), proof.zb))
    return Verdict::reject("dot-product proof: e Y + beta != <z, a> U + zb H");
  return Verdict::accept();
}

}  // namespace zkinfer::zk
