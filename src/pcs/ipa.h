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

// Several IPA final checks that share one generator list, evaluated as one multi-scalar
// multiplication: each check (a sum of terms that must be the identity) enters multiplied by its
// own nonzero weight, drawn from a copy of the transcript once the check's every term is absorbed
// (the proof's transcript is left as it is: prover and verifier stay in step), and the scalars of
// the shared generators are summed per generator. The combined sum is the identity if every check
// holds; if one fails, it is the identity only when a weight drawn after that check's terms hits
// the one value that cancels the others: probability at most 1/|F| per check (per random-oracle
// query). Saves one pass over the generators per check after the first.
class IpaBatch {
 public:
  explicit IpaBatch(std::span<const G1Affine> generators) : gens_(generators) {}
  std::span<const G1Affine> generators() const { return gens_; }
  // Adds w (sum_i gen_scalars[i] G_i + rest), gen_scalars.size() <= generators().size().
  void add(const Fr& w, std::span<const Fr> gen_scalars, const MsmTerms& rest);
  size_t size() const { return count_; }
  // Whether the weighted sum of every check added is the identity (true when none was added).
  bool holds() const;

 private:
  std::span<const G1Affine> gens_;
  std::vector<Fr> gen_scalars_;  // per generator, summed over the checks
  MsmTerms rest_;
  size_t count_ = 0;
};

// Verifies against P = p.evaluate() (passed as terms so that the whole check is one MSM).
// Never throws on a bad proof; the reason names the failed check. With batch (whose generators
// begin with g), the final check is added to it instead of evaluated: the verdict then covers
// the proof's shape only, and the batch's holds() decides.
Verdict ipa_verify(std::span<const G1Affine> g, const G1Affine& h, const G1Affine& u,
                   const Fr& u_scale, std::span<const Fr> y, MsmTerms p, const IpaProof& proof,
                   transcript::Transcript& transcript, IpaBatch* batch = nullptr);

// The folding weights: s_i = prod_j x_j^{+1 if bit (k-1-j) of i is set, else -1}, i < 2^k, so that
// the fully folded generator is <s, G> and the folded y is <s, y>. Exposed for tests.
std::vector<Fr> ipa_fold_weights(std::span<const Fr> x);

}  // namespace zkinfer::pcs
