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
// (7 holds the contributions' records; prepared files add the Lagrange sections 12-15; these and any
// other section are skipped.) A point is affine x then y, each coordinate n8 bytes little endian
// in MONTGOMERY form (x R mod q with R = 2^256: ffjavascript's "LEM" encoding, the field
// library's internal representation); a G2 coordinate is c0 then c1. The identity would be all
// zero bytes (and is rejected: no power of a nonzero tau is the identity).
//
// Only a prefix is read (the first g1_powers / g2_powers points of each section), so a large
// ceremony file costs what is used. Every point read is checked: canonical coordinates, on the
// curve, not the identity, G2 points in the subgroup (G1 has cofactor 1), tauG1[0] and tauG2[0]
// the standard generators; then the powers' consistency by one randomized pairing check (see
// verify_ptau). Errors are zkinfer::Error naming the file, the section and the reason.
#pragma once

#include <cstdint>
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
};

// Reads and checks (verify_ptau) a prefix of the file. Throws zkinfer::Error for a wrong magic or
// version, a truncated file or section, a curve other than BN254, a file with fewer powers than
// asked for, an invalid point, or inconsistent powers.
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

}  // namespace zkinfer::pcs
