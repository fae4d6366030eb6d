// TEST ONLY, INSECURE: writes a powers-of-tau file in snarkjs's .ptau format (pcs/ptau.h) from
// secrets (tau, alpha, beta) that are KNOWN: anyone who knows them can forge every KZG opening
// against the file. It exists because the test ceremony of scripts/make-test-ptau.sh (snarkjs's
// own "new" + one public beacon step) takes hours beyond power 16 on two cores, while a model
// like resnet18 needs 2^22 powers (its largest committed weight tensor has 2^22 entries padded).
// The points are computed directly as [s]G by fixed-base tables (a few minutes at power 22);
// the file is what `snarkjs powersoftau new` writes (the same header, the six point sections in
// Montgomery little-endian form, an empty contributions section 7) but with the powers of the
// known secrets instead of the generator. For real use take a ceremony file (docs/protocol/kzg.md
// section 2: the Perpetual Powers of Tau / Hermez files of power >= the model's need).
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

// Writes the .ptau bytes of the given power (1..28) to `sink` in order (called with chunks).
// Throws zkinfer::Error for a power out of range or degenerate secrets (tau in {0, 1}, alpha or
// beta zero). `progress`, when set, is called with a short line per section.
void write_insecure_test_ptau(uint32_t power, const InsecureTestPtauSecrets& secrets,
                              const std::function<void(const uint8_t*, size_t)>& sink,
                              const std::function<void(const std::string&)>& progress = {});

// The same into a file (written to PATH.tmp, then renamed) / into memory (small powers, tests).
void write_insecure_test_ptau_file(const std::string& path, uint32_t power, const InsecureTestPtauSecrets& secrets,
                                   const std::function<void(const std::string&)>& progress = {});
std::vector<uint8_t> insecure_test_ptau_bytes(uint32_t power, const InsecureTestPtauSecrets& secrets);

}  // namespace zkinfer::pcs
