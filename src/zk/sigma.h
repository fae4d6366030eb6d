// Sigma protocols over Pedersen commitments (pedersen.h), made non-interactive with the
// transcript (Fiat-Shamir). Scalar commitments are Com(v; s) = v U + s H. All four are the
// protocols of Hyrax (Wahby et al., S&P 2018, section 4.1 and appendix A: proof-of-opening,
// proof-of-equality, proof-of-product, proof-of-dot-prod, linear-size form); each is complete,
// special sound (two accepting transcripts with different challenges give a witness) and special
// honest-verifier zero knowledge (simulate_* below produce transcripts for any given challenge).
//
// Transcript order of each proof: the statement's commitments ("zk.<name>.stmt"), the first
// message ("zk.<name>.a"...), then the challenge e ("zk.<name>.e"), then the responses.
// The verifiers check shapes and the equations; they never throw on a bad proof.
//
//  opening      statement C; witness (v, s) with C = v U + s H.
//               A = a U + b H; z1 = a + e v, z2 = b + e s.  Check z1 U + z2 H = A + e C.
//  equality     statement C1, C2 with equal values; witness s1, s2 (C1 - C2 = (s1 - s2) H).
//               A = b H; z = b + e (s1 - s2).                 Check z H = A + e (C1 - C2).
//  product      statement X, Y, Z; witness x, rx, y, ry, rz with Z = x y U + rz H.
//               alpha = b1 U + b2 H, beta = b3 U + b4 H, delta = b1 Y + b5 H;
//               z1 = b1 + e x, z2 = b2 + e rx, z3 = b3 + e y, z4 = b4 + e ry,
//               z5 = b5 + e (rz - x ry).
//               Check alpha + e X = z1 U + z2 H, beta + e Y = z3 U + z4 H, delta + e Z = z1 Y + z5 H.
//  dot product  statement Cx = <x, G_offset..> + rx H, a public vector a, Y = y U + ry H with
//               y = <a, x>. delta = <d, G> + rd H, beta = <a, d> U + rb H;
//               z = e x + d, zd = e rx + rd, zb = e ry + rb.
//               Check e Cx + delta = <z, G> + zd H and e Y + beta = <z, a> U + zb H.
//               (Linear size; the logarithmic form is pcs::ipa_prove, used by the ZK sumcheck.)
#pragma once

#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "transcript/transcript.h"
#include "zk/pedersen.h"

namespace zkinfer::zk {

struct OpeningProof {
  G1Affine a;
  Fr z1, z2;
  void serialize(ByteWriter& w) const;
  static OpeningProof deserialize(ByteReader& r);
  static constexpr size_t kBytes = 3 * 32;
  friend bool operator==(const OpeningProof&, const OpeningProof&) = default;
};

struct EqualityProof {
  G1Affine a;
  Fr z;
  void serialize(ByteWriter& w) const;
  static EqualityProof deserialize(ByteReader& r);
  static constexpr size_t kBytes = 2 * 32;
  friend bool operator==(const EqualityProof&, const EqualityProof&) = default;
};

struct ProductProof {
  G1Affine alpha, beta, delta;
  Fr z1, z2, z3, z4, z5;
  void serialize(ByteWriter& w) const;
  static ProductProof deserialize(ByteReader& r);
  static constexpr size_t kBytes = 8 * 32;
  friend bool operator==(const ProductProof&, const ProductProof&) = default;
};

struct DotProductProof {
  G1Affine delta, beta;
  std::vector<Fr> z;
  Fr zd, zb;
  void serialize(ByteWriter& w) const;  // fixed layout: the verifier knows |z|
  static DotProductProof deserialize(ByteReader& r, size_t len);
  size_t size_bytes() const { return (4 + z.size()) * 32; }
  friend bool operator==(const DotProductProof&, const DotProductProof&) = default;
};

// ---- opening ----
OpeningProof prove_opening(const PedersenParams& pp, const G1Affine& c, const Fr& v, const Fr& s,
                           transcript::Transcript& t, const RandomFr& random);
Verdict verify_opening(const PedersenParams& pp, const G1Affine& c, const OpeningProof& proof,
                       transcript::Transcript& t);
bool opening_holds(const PedersenParams& pp, const G1Affine& c, const OpeningProof& proof, const Fr& e);
OpeningProof simulate_opening(const PedersenParams& pp, const G1Affine& c, const Fr& e, const RandomFr& random);

// ---- equality ----
EqualityProof prove_equality(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                             const Fr& s1, const Fr& s2, transcript::Transcript& t,
                             const RandomFr& random);
Verdict verify_equality(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                        const EqualityProof& proof, transcript::Transcript& t);
bool equality_holds(const PedersenParams& pp, const G1Affine& c1, const G1Affine& c2,
                    const EqualityProof& proof, const Fr& e);

// ---- product ----
struct ProductWitness {
  Fr x, rx, y, ry, rz;
};
ProductProof prove_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                           const G1Affine& z, const ProductWitness& w, transcript::Transcript& t,
                           const RandomFr& random);
Verdict verify_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                       const G1Affine& z, const ProductProof& proof, transcript::Transcript& t);
bool product_holds(const PedersenParams& pp, const G1Affine& x, const G1Affine& y, const G1Affine& z,
                   const ProductProof& proof, const Fr& e);
ProductProof simulate_product(const PedersenParams& pp, const G1Affine& x, const G1Affine& y,
                              const G1Affine& z, const Fr& e, const RandomFr& random);

// ---- dot product with a public vector ----
// Cx commits x under G_offset .. G_{offset + |x| - 1}; a.size() == x.size().
DotProductProof prove_dot_product(const PedersenParams& pp, const G1Affine& cx, size_t offset,
                                  std::span<const Fr> x, const Fr& rx, std::span<const Fr> a,
                                  const G1Affine& y, const Fr& ry, transcript::Transcript& t,
                                  const RandomFr& random);
Verdict verify_dot_product(const PedersenParams& pp, const G1Affine& cx, size_t offset,
                           std::span<const Fr> a, const G1Affine& y, const DotProductProof& proof,
                           transcript::Transcript& t);

}  // namespace zkinfer::zk
