// The batch opening of a wrappable key's proof (kzg key version 12; docs/protocol/wrap.md section
// 8): the part of the proof a wrapping Groth16 circuit runs (the front: a mask commitment, the
// reduction of every claim to one point rho, the mask's value, gamma, the combined value V and the
// seed) and the part a contract runs natively (the back: one HyperKZG opening of the combined
// commitment C = C_mask + sum_c gamma^(c+1) C_c at rho to V, over a Keccak transcript seeded with
// the seed).
//
// Why a mask: the circuit's public inputs are what a contract sees. Without it, each committed
// vector's value at rho (F_c: the private input's digits among them) would be public; with it, V
// is g(rho) plus a combination of the F_c, and g(rho) is uniformly random (g is 2^N random
// entries, committed with a blind, of which the opening reveals only V and HyperKZG's masked
// folds). Soundness: C_mask is absorbed (by its group's digest) before rho, and gamma is drawn
// after the mask's value and every F_c: a false F_c or mask value makes V differ from the combined
// polynomial's value at rho except with probability (K + 1) / |Fr|, and HyperKZG binds the combined
// commitment to that value.
#pragma once

#include <span>
#include <functional>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "pcs/kzg.h"
#include "pcs/reduced_opening.h"
#include "pcs/scheme.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::proof::detail {

using field::Fr;

// keccak256 of `bytes` read as a big-endian integer, mod r: how a contract turns a hash of its
// calldata into a field element (the commitment digests below, the public values' fingerprint point).
Fr keccak_mod_r(std::span<const uint8_t> bytes);

// A group of commitments as one element of the proof's field transcript (and one public input of
// the wrapping circuit): keccak256 of the points' affine coordinates as 32-byte big-endian words
// (x0, y0, x1, y1, ...; the identity as (0, 0)), read as a big-endian integer, mod r. What a
// contract computes with one keccak256 over its calldata words.
Fr commitment_group_digest(std::span<const curve::G1Affine> points);
// The same from a group's bytes as the proof holds them (kzg commitments, each u32 num_vars and a
// compressed point). Throws DecodeError when they are not single kzg commitments.
Fr commitment_group_digest(std::span<const uint8_t> bytes);

// The back half's transcript: v2 Keccak, domain kDeferredOpeningDomain, the seed absorbed first.
transcript::Transcript deferred_opening_transcript(const Fr& seed);

// The prover: coms/tables/claims as the scheme's prove_open takes them (single kzg commitments of
// the proof and the key). Writes the mask commitment (absorbing its group's digest), the reduction,
// the mask's value, and the back half's batch proof; draws gamma and the seed from tr.
void prove_wrap_opening(const pcs::KzgParams& params, std::span<const pcs::Committed* const> coms,
                        std::span<const std::span<const Fr>> tables, std::span<const pcs::OpenClaim> claims,
                        transcript::Transcript& tr, ByteWriter& w, const pcs::RandomFr& random);

// The front as the verifier and its circuit run it (F = Fr or snark::CFr).
template <field::PrimeField F>
struct WrapFrontT {
  pcs::KzgCommitment mask;
  std::vector<F> rho;  // N coordinates
  F gamma, value, seed;
};
// num_vars[c]: commitment c's variables; claims on them as for pcs::verify_reduction_as. digest:
// called with the mask group's digest (the circuit makes it a public input first); it returns what
// the transcript absorbs.
template <field::PrimeField F>
Verdict verify_wrap_front(std::span<const size_t> num_vars, std::span<const pcs::ReductionClaimT<F>> claims,
                          transcript::Transcript& tr, ByteReader& r, const std::function<F(const Fr&)>& digest,
                          WrapFrontT<F>* out);

// The back: C = mask + sum_c gamma^(c+1) points[c], opened at rho to value by `proof` (one plain
// item) over deferred_opening_transcript(seed).
Verdict verify_wrap_back(const pcs::KzgParams& params, const curve::G1Affine& mask, std::span<const curve::G1Affine> points,
                         std::span<const Fr> rho, const Fr& gamma, const Fr& value, const Fr& seed,
                         const pcs::KzgBatchProof& proof);

}  // namespace zkinfer::proof::detail
