// The verified-key cache (issue 14): the weight range proof of a verifying key (proof/weight_bounds.h)
// is a per-key statement, yet `zkinfer verify` is one process per proof, so without a record that
// survives the process every verification re-checks it (for GPT-2 small most of verify's time). A
// key that passed check_key is recorded in a directory, one file per key, named by a hash of the
// key's full digest (VerifyingKey::digest: every byte of the key, its model digests and its weight
// range proof included) and of this verifier's versions; a later verification of the same key
// finds the file and checks everything but the range proof. The trust model (docs/PROOF.md, "The
// verified-key cache"): whoever can write to the directory can make this user's verifier accept a
// key whose range proof was never checked, exactly as whoever can replace the zkinfer binary can;
// the default directory is the user's own cache directory. A changed key is a different name, so it
// never hits. `zkinfer verify --no-key-cache` neither reads nor writes the cache.
#pragma once

#include <filesystem>
#include <string>

#include "common/error.h"
#include "pcs/kzg.h"
#include "proof/model_proof.h"

namespace zkinfer::proof {

// check_key without verifying the weight range proof (every other check of check_key is made); an
// accepted key is remembered for the process as check_key remembers it. Only for a caller that
// holds its own record that this exact key's range proof passed (the cache below). Never throws.
Verdict check_key_trusting_range_proof(const quant::CompiledModel& model, const VerifyingKey& vk);
// Whether check_key (or the above) accepted this exact key earlier in this process.
bool key_checked_in_process(const VerifyingKey& vk);

// The cache directory: $ZKINFER_KEY_CACHE if set (empty: no cache), else
// $XDG_CACHE_HOME/zkinfer/verified-keys, else $HOME/.cache/zkinfer/verified-keys; empty when none
// of these is set.
std::filesystem::path default_key_cache_dir();

// The entry's file name for a key: hex keccak256 of a domain tag, kProofVersion, the key's version
// and its full digest.
std::string key_cache_entry_name(const VerifyingKey& vk);

struct KeyCheck {
  Verdict verdict = Verdict::accept();
  bool cached = false;    // the cache vouched for the key: its range proof was not verified now
  bool recorded = false;  // the key passed and was written to the cache now
  double seconds = 0;
};

// check_key through the cache in dir (empty dir: check_key alone). A hit (an entry of that name whose
// content is the key's record) checks the key without its range proof; a miss checks it in full and,
// if it passes, writes the entry (atomically: a temporary file renamed; a directory that cannot be
// written is no error, the key is then checked again next time). Never throws.
KeyCheck check_key_cached(const quant::CompiledModel& model, const VerifyingKey& vk, const std::filesystem::path& dir);

// The proving side's counterpart (`zkinfer prove` on a kzg key): a kzg proving key's 2^n powers are
// checked against the key's [tau]_2 on every load (pcs::KzgParams::read_powers: two 2^n-point MSMs
// and a pairing, about 0.3 s CPU at n = 16, more than the proof of a small model). Powers that
// passed are recorded in the same directory, one file per powers digest (KzgParams::powers_digest:
// the verifier part and every byte of the powers), named by a hash of a domain tag and the digest;
// a later load of the same bytes skips the MSMs and the pairing (every other check is made: each
// point on the curve, the first powers equal to the key's). Same trust model as above: writing the
// directory lets one skip the check for a pk one supplies, as replacing the binary would; changed
// powers are a different name. `zkinfer prove --no-key-cache` neither reads nor writes it.
class PowersCheckCache final : public pcs::KzgParams::CheckCache {
 public:
  explicit PowersCheckCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  bool checked(const std::array<uint8_t, 32>& digest) const override;
  void record(const std::array<uint8_t, 32>& digest) const override;  // an unwritable directory is no error
  static std::string entry_name(const std::array<uint8_t, 32>& digest);

 private:
  std::filesystem::path dir_;
};

}  // namespace zkinfer::proof
