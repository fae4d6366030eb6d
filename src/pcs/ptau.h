// Reader for snarkjs's powers-of-tau files (.ptau), the format of the Perpetual Powers of Tau
// ceremony's files, restricted to BN254 (snarkjs's "bn128").
//
// Layout (snarkjs src/powersoftau_new.js, @iden3/binfileutils): the magic "ptau", u32 version (1),
// u32 number of sections, then sections, each u32 type, u64 byte size, data. All integers little
// endian. Sections read here:
//   1 header:     u32 n8 (32), q (n8 bytes, little endian), u32 power, u32 ceremonyPower
//   2 tauG1:      2^power * 2 - 1 G1 points  [tau^i]_1
//   3 tauG2:      2^power G2 points          [tau^i]_2
//   4 alphaTauG1: 2^power G1 points          [alpha tau^i]_1
//   5 betaTauG1:  2^power G1 points          [beta tau^i]_1
//   6 betaG2:     1 G2 point                 [beta]_2
// (7 holds the contributions' records and is skipped, as is any other section.) A point is affine x
// then y, each coordinate n8 bytes little endian in MONTGOMERY form (x R mod q with R = 2^256:
// ffjavascript's "LEM" encoding, the field library's internal representation); a G2 coordinate is
// c0 then c1. The identity would be all zero bytes (and is rejected: no power of a nonzero tau is
// the identity).
//
// Prepared files (`snarkjs powersoftau prepare phase2`, src/powersoftau_preparephase2.js; the
// public Perpetual Powers of Tau / Hermez "final" files) add the Lagrange sections, read only when
// PtauOptions::lagrange_power asks for them:
//   12 tauG1:      for k = 0..power+1, the 2^k points [L_i(tau)]_1, i < 2^k      (2^(power+2) - 1 points)
//   13 tauG2:      for k = 0..power,   the 2^k points [L_i(tau)]_2               (2^(power+1) - 1)
//   14 alphaTauG1: for k = 0..power,   the 2^k points [alpha L_i(tau)]_1         (2^(power+1) - 1)
//   15 betaTauG1:  for k = 0..power,   the 2^k points [beta L_i(tau)]_1          (2^(power+1) - 1)
// where L_i is the Lagrange polynomial of the point w_k^i of the domain <w_k> of size 2^k (w_k the
// root of poly/ntt.h: ffjavascript's too, 5^((r-1)/2^28) squared down), so the block of domain 2^k
// starts at point index 2^k - 1. snarkjs computes each block as the group inverse DFT of the first
// 2^k points of the power section: block_i = (1/2^k) sum_j w_k^(-ij) [tau^j]. (Section 12's extra
// block k = power+1 transforms the 2^(power+1) - 1 tauG1 powers padded with the identity; snarkjs's
// Groth16 takes its H query from it. zkinfer does not read it.)
//
// Only a prefix is read (the first g1_powers / g2_powers points of each section), so a large
// ceremony file costs what is used. Every point read is checked: canonical coordinates, on the
// curve, not the identity, G2 points in the subgroup (G1 has cofactor 1), tauG1[0] and tauG2[0]
// the standard generators; then the powers' consistency by one randomized pairing check (see
// verify_ptau), and the Lagrange points read against the powers (verify_ptau_lagrange). Errors are
// zkinfer::Error naming the file, the section and the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "curve/g1.h"
#include "curve/g2.h"

namespace zkinfer::pcs {

using curve::G1Affine;
using curve::G2Affine;

struct PtauOptions {
  size_t g1_powers = 0;  // tauG1, alphaTauG1 and betaTauG1 points to read (at least 2)
  size_t g2_powers = 2;  // tauG2 points to read (at least 2; G2 subgroup checks are costly)
  bool read_alpha = true;  // alphaTauG1 (not used by KZG; read and checked when set)
  // The Lagrange points of the domain of size 2^lagrange_power from sections 12-15 (tauG1,
  // tauG2, alphaTauG1, betaTauG1), when the file is prepared. Needs g1_powers, g2_powers >=
  // 2^lagrange_power and read_alpha (the points are checked against those powers, see
  // verify_ptau_lagrange). Unset: sections 12-15 are not looked at.
  std::optional<unsigned> lagrange_power;
};

// The Lagrange points of one domain (PtauOptions::lagrange_power), each vector of n = 2^power points.
struct PtauLagrange {
  unsigned power = 0;
  std::vector<G1Affine> tau_g1;        // [L_i(tau)]_1
  std::vector<G2Affine> tau_g2;        // [L_i(tau)]_2
  std::vector<G1Affine> alpha_tau_g1;  // [alpha L_i(tau)]_1
  std::vector<G1Affine> beta_tau_g1;   // [beta L_i(tau)]_1
};

struct Ptau {
  std::string path;
  uint32_t power = 0;           // the file holds 2^power * 2 - 1 tauG1 powers
  uint32_t ceremony_power = 0;  // the ceremony's power (the file may be a truncation of it)
  std::vector<G1Affine> tau_g1;        // [tau^i]_1
  std::vector<G2Affine> tau_g2;        // [tau^i]_2
  std::vector<G1Affine> alpha_tau_g1;  // [alpha tau^i]_1 (empty unless read_alpha)
  std::vector<G1Affine> beta_tau_g1;   // [beta tau^i]_1 (min(g1_powers, 2^power) of them)
  G2Affine beta_g2;                    // [beta]_2
  // Whether the file has the Lagrange sections 12-15 (known only when lagrange_power was asked
  // for; false otherwise), and the requested domain's points when it has them (checked).
  bool prepared = false;
  std::optional<PtauLagrange> lagrange;
};

// Reads and checks (verify_ptau, and verify_ptau_lagrange when Lagrange points are read) a prefix
// of the file. Throws zkinfer::Error for a wrong magic or version, a truncated file or section, a
// curve other than BN254, a file with fewer powers than asked for, an invalid point, inconsistent
// powers, and (only when lagrange_power is set) a partly prepared file (some of sections 12-15
// missing), a Lagrange section of the wrong size, an invalid Lagrange point, or Lagrange points
// that are not the inverse DFT of the powers. A file without sections 12-15 is no error:
// Ptau::prepared says so.
Ptau read_ptau(const std::string& path, const PtauOptions& options);
// The same from bytes already in memory (`name` is used in messages).
Ptau read_ptau_bytes(const std::vector<uint8_t>& bytes, const std::string& name, const PtauOptions& options);

// The consistency check (throws zkinfer::Error naming the section): with fresh random weights
// r_i, s_i (SecureRng), using e(A, [tau]_2) = e(B, [1]_2) for "B's discrete logs are tau times A's":
//   tauG1:      A = sum r_i [tau^i]_1,        B = sum r_i [tau^(i+1)]_1
//   alphaTauG1: A = sum r_i [alpha tau^i]_1,  B = sum r_i [alpha tau^(i+1)]_1
//   betaTauG1:  A = sum r_i [beta tau^i]_1,   B = sum r_i [beta tau^(i+1)]_1
//   tauG2:      e([tau]_1, sum s_i [tau^i]_2) = e([1]_1, sum s_i [tau^(i+1)]_2)
//   betaG2:     e([beta]_1, [1]_2) = e([1]_1, [beta]_2)
// all folded into one multi-pairing by independent random weights; when it fails, each check is
// re-run alone to name the section. A wrong point in any position survives only with
// probability about 1/|Fr| per check.
void verify_ptau(const Ptau& p);

// The Lagrange points against the powers (throws zkinfer::Error naming the section). They define
// a Groth16 key, so a preparer who wrote other points could plant a backdoor (e.g. [L_i(tau)]
// replaced by points whose discrete logs it knows); each section is therefore checked to be
// exactly the inverse DFT of the powers read, the points the slow path (snark::lagrange_g1/_g2)
// would compute. With n = 2^k, w = w_k and L_i(tau) = (1/n) sum_j w^(-ij) tau^j:
//   sum_i r_i [L_i] == sum_j c_j [tau^j],   c_j = (1/n) sum_i r_i w^(-ij),  i.e. c = intt(r),
// for fresh uniform r_0..r_(n-1) in Fr (SecureRng): two MSMs of size n per section (G1 for 12, 14,
// 15 against tauG1, alphaTauG1, betaTauG1; G2 for 13 against tauG2). Soundness: write each read
// point as [L_i] = [l_i + d_i] with l_i the discrete log of the true inverse DFT of the points
// read (whatever those are: the identity holds for any points, so the check does not lean on the
// powers' own consistency, which verify_ptau checks) and d_i in Fr (the groups have prime order
// r; G2 points are subgroup-checked on read). The check passes iff sum_i r_i d_i = 0; if some
// d_i != 0 this is a nonzero linear form in the uniform r, zero with probability exactly 1/|Fr|
// (about 2^-254) per section, whoever chose the file.
void verify_ptau_lagrange(const Ptau& p);

}  // namespace zkinfer::pcs
