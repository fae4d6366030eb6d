// libFuzzer target: arbitrary bytes as a verifying-key or proving-key file (the first byte picks
// which: even a vk file, odd a pk file; the rest is the file). Decoding must succeed or throw
// zkinfer::Error, allocating memory that follows the bytes (run.sh caps it); a decoded key must
// re-encode to the same bytes, and a decoded verifying key file goes through check_key (the
// weight range proof's verifier on untrusted bytes), which must never throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "proof/files.h"
#include "proof/model_proof.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zkinfer;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::span<const uint8_t> rest(data + 1, size - 1);
  try {
    if (mode & 1) {
      proof::ProvingKey pk = proof::decode_pk_file(rest);
      std::vector<uint8_t> again = proof::encode_pk_file(pk);
      if (!std::equal(again.begin(), again.end(), rest.begin(), rest.end())) std::abort();  // the encoding is canonical
    } else {
      proof::VkFile f = proof::decode_vk_file(rest);
      ByteWriter w;
      f.vk.serialize(w);
      if (w.data().size() != f.key_bytes || !std::equal(w.data().begin(), w.data().end(), rest.begin())) std::abort();
      (void)proof::check_key(f.model, f.vk);
    }
  } catch (const Error&) {
  }
  return 0;
}
