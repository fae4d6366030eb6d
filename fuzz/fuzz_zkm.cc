// libFuzzer target: arbitrary bytes as the bound body of a .zkm model file (and so of the public
// model a verifying key embeds). The harness wraps them in a valid header and digest, so the
// fuzzer exercises the body's parser rather than the digest check; decoding must either succeed
// or throw zkinfer::Error, and a decoded model must re-encode.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "hash/keccak.h"
#include "quant/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zkinfer;
  ByteWriter head;
  const uint8_t magic[4] = {'Z', 'K', 'M', 0};
  head.bytes(std::span<const uint8_t>(magic, 4));
  head.u32(quant::kZkmVersion);
  head.u64(size);
  head.bytes(std::span<const uint8_t>(data, size));
  hash::Keccak256 h;
  h.update(head.data());
  auto digest = h.finalize();
  std::vector<uint8_t> file = head.take();
  file.insert(file.end(), digest.begin(), digest.end());
  try {
    quant::CompiledModel m = quant::decode_model(file, "fuzz.zkm");
    (void)quant::encode_public_model(m);
  } catch (const Error&) {
  }
  return 0;
}
