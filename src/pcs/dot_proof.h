// Linear-size zero-knowledge proof of an opening of a Pedersen vector commitment whose bases carry
// a public vector y: the "proof of dot product" of Hyrax (Wahby et al., S&P 2018, appendix A,
// Figure 5 "proof-of-dot-prod"), with its two checks merged into one the same way ipa.h merges
// the claimed value: the statement is
//     P = <a, G> + <a, y> U' + alpha H,        U' = u_scale U,
// and the prover shows knowledge of (a, alpha) (Schnorr/Okamoto over the bases G_i + y_i U', H):
//     prover: d (2^k random scalars), r random;  D = <d, G> + <d, y> U' + r H;  absorb D
//     e = challenge (nonzero);  z = e a + d,  z2 = e alpha + r;  absorb z, z2
//     verifier: e P + D == <z, G> + <z, y> U' + z2 H.
// Compared with the logarithmic argument (ipa.h) the prover does one MSM of 2^k points instead of
// 2^k full scalar multiplications (generator folding) plus 2 k MSMs; the proof has 2^k + 1
// scalars and one point instead of 2 k + 1 points and 2 scalars; the verifier's check is the same
// size (2^k generators). Soundness and zero knowledge: docs/protocol/hyrax.md, "linear opening".
#pragma once

#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {

struct DotProof {
  G1Affine d;            // D
  std::vector<Fr> z;     // z = e a + d
  Fr z2;                 // e alpha + r

  // D, u64 |z|, z..., z2. Strict decoding; |z| <= max_len.
  void serialize(ByteWriter& w) const;
  static DotProof deserialize(ByteReader& r, size_t max_len = size_t{1} << kMaxLogCols);
  size_t size_bytes() const { return 32 + 8 + 32 * z.size() + 32; }
  friend bool operator==(const DotProof&, const DotProof&) = default;
};

// The prover's masking randomness d, r and <d, G>: independent of the transcript, so a batch
// prover draws every group's mask first and computes the MSMs in parallel.
struct DotMask {
  std::vector<Fr> d;
  Fr r;
  G1 dg;  // <d, G>
};
// Draws d (n scalars) and r; compute_dot_mask sets dg = <d, G> (a single-threaded MSM when
// single_thread, for callers that parallelize over masks).
DotMask draw_dot_mask(size_t n, const RandomFr& random);
// Up to this many generators a mask's MSM is Straus over the params' precomputed generator tables.
inline constexpr size_t kDotTableMax = 256;
// mask.d.size() == 2^log_cols; small masks use the params' generator tables (curve::msm_tables).
void compute_dot_mask(const HyraxParams& params, size_t log_cols, DotMask& mask, bool single_thread);

// Proves the statement above with G = params.g(log_cols); a.size() == y.size() == 2^log_cols.
DotProof dot_prove(const HyraxParams& params, size_t log_cols, const Fr& u_scale,
                   std::span<const Fr> a, std::span<const Fr> y, const Fr& alpha,
                   transcript::Transcript& transcript, const RandomFr& random);
// The same with a precomputed mask (mask.d.size() == a.size(), mask.dg = <mask.d, g>).
DotProof dot_prove_masked(const HyraxParams& params, const Fr& u_scale, std::span<const Fr> a,
                          std::span<const Fr> y, const Fr& alpha, const DotMask& mask,
                          transcript::Transcript& transcript);

// A linear combination of points kept by reference (the points must outlive it), merged by
// address: checks that share bases (generators, commitment rows, H, U) add their scalars, so that
// the batch verifier checks every opening with one MSM.
class MsmAccumulator {
 public:
  void add(const G1Affine& p, const Fr& s);
  void add_all(std::span<const std::pair<const G1Affine*, Fr>> terms, const Fr& weight);
  G1 evaluate() const;
  size_t size() const { return points_.size(); }

 private:
  std::vector<G1Affine> points_;
  std::vector<Fr> scalars_;
  std::unordered_map<const G1Affine*, size_t> index_;
};

using PointTerms = std::vector<std::pair<const G1Affine*, Fr>>;

// Replays the transcript of a DotProof against the statement whose P is the combination `p`, and
// appends the terms of e P + D - <z, G> - <z, y> U' - z2 H to out: the proof is valid iff they sum
// to the identity. Returns a rejection (never throws) when the proof's shape is wrong.
Verdict dot_verify_terms(const HyraxParams& params, std::span<const G1Affine> g, const Fr& u_scale,
                         std::span<const Fr> y, const PointTerms& p, const DotProof& proof,
                         transcript::Transcript& transcript, PointTerms& out);

}  // namespace zkinfer::pcs
