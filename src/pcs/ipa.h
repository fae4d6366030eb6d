// Zero-knowledge inner-product argument over BN254 G1: the logarithmic proof of dot product that
// closes a Hyrax opening (Wahby et al., S&P 2018, §6 and appendix A, "proof-of-dot-prod" in its
// Bulletproofs form: Bünz et al., S&P 2018, §3, protocol 2, with blinded cross terms), followed by
// a Schnorr/Okamoto proof of knowledge of the final opening instead of revealing it.
//
// Statement: public generators G (2^k of them), H, U, a public scalar u_scale (U' = u_scale U),
// a public vector y (2^k entries) and a public point P. The prover knows a and alpha with
//     P = <a, G> + <a, y> U' + alpha H.
// Round j (k rounds): with a = (a_lo, a_hi), G = (G_lo, G_hi), y = (y_lo, y_hi),
//     L_j = <a_lo, G_hi> + <a_lo, y_hi> U' + l_j H,   R_j = <a_hi, G_lo> + <a_hi, y_lo> U' + r_j H
// (l_j, r_j fresh random), absorbed, then x_j = challenge, and both sides fold
//     a <- x a_lo + x^-1 a_hi,  G <- x^-1 G_lo + x G_hi,  y <- x^-1 y_lo + x y_hi,
//     P <- x^2 L_j + P + x^-2 R_j,  alpha <- alpha + x^2 l_j + x^-2 r_j.
// Final: with a, g, y now scalars/points, P = a (g + y U') + alpha H. The prover sends
// A = d (g + y U') + delta H, gets e, answers z1 = e a + d, z2 = e alpha + delta; the verifier
// checks z1 (g + y U') + z2 H = e P + A, all in one multi-scalar multiplication (g = <s, G> with
// s_i the product of x_j^{+-1} over the bits of i). Every message is absorbed before the next
// challenge. Soundness and zero knowledge: docs/protocol/hyrax.md.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {

using curve::G1;
using curve::G1Affine;
using field::Fr;

// A source of uniformly random scalars for blinding (SecureRng in production, TestRng in tests).
using RandomFr = std::function<Fr()>;
template <class Rng>
RandomFr random_fr(Rng& rng) {
  return [&rng] { return Fr::random(rng); };
}

// A linear combination of affine points, evaluated by one MSM.
struct MsmTerms {
  std::vector<G1Affine> points;
  std::vector<Fr> scalars;
  void add(const G1Affine& p, const Fr& s) {
    points.push_back(p);
    scalars.push_back(s);
  }
  G1 evaluate() const;
};

struct IpaProof {
  std::vector<G1Affine> l;  // L_j, one per round
  std::vector<G1Affine> r;  // R_j
  G1Affine a;               // the final sigma protocol's first message
  Fr z1, z2;                // its responses

  size_t rounds() const { return l.size(); }
  // u8 rounds, then L_0 R_0 .. L_{k-1} R_{k-1}, A, z1, z2. Strict decoding; at most max_rounds.
  void serialize(ByteWriter& w) const;
  static IpaProof deserialize(ByteReader& r, size_t max_rounds = 32);
  size_t size_bytes() const { return 1 + 32 * (2 * rounds() + 1) + 2 * 32; }
  friend bool operator==(const IpaProof&, const IpaProof&) = default;
};

// A challenge that is never zero (the folding divides by it): draws again, with the same label,
// in the astronomically unlikely case of zero. Prover and verifier do the same.
Fr nonzero_challenge(transcript::Transcript& transcript, std::string_view label);

// Proves the statement above. g.size() == a.size() == y.size() == 2^k.
IpaProof ipa_prove(std::span<const G1Affine> g, const G1Affine& h, const G1Affine& u,
                   const Fr& u_scale, std::vector<Fr> a, std::vector<Fr> y, Fr alpha,
                   transcript::Transcript& transcript, const RandomFr& random);

// Verifies against P = p.evaluate() (passed as terms so that the whole check is one MSM).
// Never throws on a bad proof; the reason names the failed check.
Verdict ipa_verify(std::span<const G1Affine> g, const G1Affine& h, const G1Affine& u,
                   const Fr& u_scale, std::span<const Fr> y, MsmTerms p, const IpaProof& proof,
                   transcript::Transcript& transcript);

// The folding weights: s_i = prod_j x_j^{+1 if bit (k-1-j) of i is set, else -1}, i < 2^k, so that
// the fully folded generator is <s, G> and the folded y is <s, y>. Exposed for tests.
std::vector<Fr> ipa_fold_weights(std::span<const Fr> x);

}  // namespace zkinfer::pcs
