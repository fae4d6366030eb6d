// zkinfer-verify VK PROOF: the verifier alone, built from the zkinfer_verifier library (no ONNX,
// no protobuf, no whole-model prover, no quantizer). Checks a proof against a verifying key
// (DIR/vk from `zkinfer setup`) for a model with a private input (the default) and prints the
// proven outputs as integers with their scales. Exit 0 valid, 1 invalid, 2 bad usage or files.
// The full CLI's `zkinfer verify` does the same with public inputs and output comparison.
#include <cstdio>
#include <exception>
#include <string>

#include "common/error.h"
#include "proof/files.h"
#include "proof/model_proof.h"

int main(int argc, char** argv) {
  using namespace zkinfer;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s VK PROOF\n", argv[0]);
    return 2;
  }
  try {
    proof::VkFile vkf;
    try {
      vkf = proof::decode_vk_file(proof::read_binary(argv[1]));
    } catch (const DecodeError& e) {
      std::fprintf(stderr, "zkinfer-verify: %s: not a verifying key: %s\n", argv[1], e.what());
      return 2;
    }
    if (vkf.model.visibility.input == quant::Visibility::kPublic) {
      std::fprintf(stderr, "zkinfer-verify: the model's input is public: use `zkinfer verify --input`\n");
      return 2;
    }
    const auto bytes = proof::read_binary(argv[2]);
    std::vector<ops::ITensor> outs;
    const Verdict v = proof::verify(vkf.model, vkf.vk, bytes, nullptr, &outs);
    if (!v) {
      std::printf("invalid proof: %s\n", v.reason().c_str());
      return 1;
    }
    std::printf("valid proof (%zu bytes)\n", bytes.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      std::printf("output %zu (scale 2^-%d):", k, outs[k].scale);
      for (int64_t x : outs[k].data) std::printf(" %lld", static_cast<long long>(x));
      std::printf("\n");
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkinfer-verify: %s\n", e.what());
    return 2;
  }
}
