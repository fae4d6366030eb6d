// TEST ONLY, INSECURE: writes a powers-of-tau file in snarkjs's .ptau format (pcs/ptau.h) from
// secrets (tau, alpha, beta) that are KNOWN: anyone who knows them can forge every KZG opening
// against the file. It exists because the test ceremony of scripts/make-test-ptau.sh (snarkjs's
// own "new" + one public beacon step) takes hours beyond power 16 on two cores, while a model
// like resnet18 needs 2^22 powers (its largest committed weight tensor has 2^22 entries padded).
// The points are computed directly as [s]G by fixed-base tables (a few minutes at power 22);
// the file is what `snarkjs powersoftau new` writes (the same header, the six point sections in
// Montgomery little-endian form, an empty contributions section 7) but with the powers of the
// known secrets instead of the generator, followed by default by the Lagrange sections 12-15 of
// `snarkjs powersoftau prepare phase2` (pcs/ptau.h has the layout), the scalars L_i(tau) computed
// in the field by the closed form (w^i / n)(tau^n - 1)/(tau - w^i) and then multiplied out the
// same way: the file is byte for byte what snarkjs's prepare makes of the unprepared one
// (scripts/check-insecure-ptau.sh compares them). For real use take a ceremony file
// (docs/protocol/kzg.md section 2: the Perpetual Powers of Tau / Hermez files of power >= the
// model's need).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "field/bn254.h"

namespace zkinfer::pcs {

struct InsecureTestPtauSecrets {
  field::Fr tau, alpha, beta;
};

// The secrets of the test file for a public seed: three transcript challenges (domain
// "zkinfer TEST ONLY ptau", the seed absorbed). Reproducible, hence PUBLIC: test use only.
InsecureTestPtauSecrets insecure_test_ptau_secrets(std::string_view seed);

// Writes the .ptau bytes of the given power (1..27 prepared, 1..28 not) to `sink` in order (called
// with chunks). `prepared`: with the Lagrange sections 12-15 (about three times the points of the
// unprepared file); false writes the 7 sections of `snarkjs powersoftau new` only (for tests of
// the readers' fallback). Throws zkinfer::Error for a power out of range or degenerate secrets
// (tau 0, 1 or any root of unity of order <= 2^(power+1), alpha or beta zero). `progress`, when
// set, is called with a short line per section.
void write_insecure_test_ptau(uint32_t power, const InsecureTestPtauSecrets& secrets,
                              const std::function<void(const uint8_t*, size_t)>& sink,
                              const std::function<void(const std::string&)>& progress = {}, bool prepared = true);

// The same into a file (written to PATH.tmp, then renamed) / into memory (small powers, tests).
void write_insecure_test_ptau_file(const std::string& path, uint32_t power, const InsecureTestPtauSecrets& secrets,
                                   const std::function<void(const std::string&)>& progress = {}, bool prepared = true);
std::vector<uint8_t> insecure_test_ptau_bytes(uint32_t power, const InsecureTestPtauSecrets& secrets,
                                              bool prepared = true);

}  // namespace zkinfer::pcs
