// zkinfer create-evm-verifier --vk DIR/vk [--wrap-vk WDIR/wrap.vk] -o Verifier.sol [--contract NAME]
// With --wrap-vk: the verifier of wrapped proofs (proof/evm_wrapped.h, docs/protocol/wrap.md
// section 9: one contract, verifyProof(g16, inputs, outputs, coms, op)), for a wrappable key.
// The EVM verifier of a kzg key (proof/evm_verifier.h, docs/protocol/evm.md section 3.3): one
// self-contained Solidity file, a libraries <NAME>Lookups and <NAME>Opening (deployed first) and the contract <NAME>
// linked to it, whose verifyProof(uint256[] proof, bytes inputs, bytes outputs) (the public values
// packed: proof/evm_public.h) takes what
// `zkinfer encode-evm-calldata` writes. Exit 0 written; 2 bad usage, an unreadable key, or a key
// or model the EVM verifier does not cover yet (the reason named; nothing is written).
#include <cstdio>

#include "commands.h"
#include "proof/evm_wrapped.h"
#include "proof/wrapped.h"
#include "proof/evm_verifier.h"
#include "proof/files.h"

namespace zkinfer::cli {

void register_create_evm(CLI::App& app, Action& action) {
  struct Args {
    std::string vk, out, contract = "ZkinferVerifier", wrap_vk;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("create-evm-verifier", "a Solidity verifier contract for a kzg verifying key");
  sub->add_option("--vk", args->vk, "verifying key (DIR/vk from setup --backend kzg)")->required();
  sub->add_option("-o,--output", args->out, "Solidity file to write")->required();
  sub->add_option("--contract", args->contract, "the contract's name (default ZkinferVerifier)");
  sub->add_option("--wrap-vk", args->wrap_vk,
                  "wrapping verifying key (WDIR/wrap.vk from wrap-setup): the verifier of wrapped proofs (zkinfer wrap)");
  sub->callback([args, &action] {
    action = [args] {
      proof::VkFile vkf;
      try {
        vkf = proof::decode_vk_file(proof::read_binary(args->vk));
      } catch (const DecodeError& e) {
        throw Error(args->vk + ": not a verifying key: " + e.what());
      }
      if (!args->wrap_vk.empty()) {
        proof::WrapVerifyingKey wvk;
        try {
          wvk = proof::WrapVerifyingKey::from_bytes(proof::read_binary(args->wrap_vk));
        } catch (const DecodeError& e) {
          throw Error(args->wrap_vk + ": not a wrapping verifying key: " + e.what());
        }
        const proof::EvmWrappedVerifier v = proof::make_wrapped_evm_verifier(vkf.model, vkf.vk, wvk, args->contract);
        proof::write_text(args->out, v.source);
        std::printf("wrote %s: contract %s, the verifier of wrapped proofs (%zu Groth16 public inputs, %zu commitments, verifyProof "
                    "takes %zu and %zu bytes of public input and output values)\n",
                    args->out.c_str(), v.contract.c_str(), v.public_inputs, v.commitments, v.input_bytes, v.output_bytes);
        return 0;
      }
      const proof::EvmVerifier v = proof::make_evm_verifier(vkf.model, vkf.vk, args->contract);
      proof::write_text(args->out, v.source);
      std::printf("wrote %s: library %s and contract %s (%zu node steps; verifyProof takes %zu public input and %zu output values)\n",
                  args->out.c_str(), v.opening.c_str(), v.contract.c_str(), v.nodes, v.inputs, v.outputs);
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
