// zkinfer's public C++ API: a thin facade over the library for front ends (the Python module,
// the command line). Each function calls the same library functions the CLI commands call, so
// errors carry the same messages: zkinfer::Error (malformed or unsupported input, naming the file
// or argument) is thrown; verification never throws on a bad proof but returns a Verdict with the
// reason. Tensors cross the API as float shapes + flat row-major doubles.
//
//   Model m = Model::compile("model.onnx", "calibration.json");   // zkinfer compile
//   Keys k = setup(m);                                             // zkinfer setup
//   ProveResult r = prove(m, k.pk, {{{1, 64}, pixels}});           // zkinfer prove
//   VerifyResult v = verify(k.vk, r.proof);                        // zkinfer verify
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"  // zkinfer::Error, zkinfer::DecodeError, zkinfer::Verdict

namespace zkinfer::api {

// A real-valued tensor: shape and row-major values.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

// One calibration sample: a tensor per model input (only the element count must match the input;
// the first sample binds unknown dimensions), and an optional class label for the accuracy report.
struct Sample {
  std::vector<Tensor> inputs;
  std::optional<int64_t> label;
};

// Who sees a tensor's values, chosen at compile time (docs/PROOF.md, "Visibility"): public (the
// verifier gets them), private (hidden, bound by a commitment) or fixed (weights only: the values
// are part of the verifying key; public weights are treated the same in this version).
enum class Visibility { kPrivate, kPublic, kFixed };
struct ModelVisibility {
  Visibility input = Visibility::kPrivate;    // public or private
  Visibility weights = Visibility::kPrivate;  // private, public or fixed
  Visibility output = Visibility::kPublic;    // public or private
};
const char* visibility_name(Visibility v);           // "private", "public", "fixed"
Visibility parse_visibility(const std::string& s);  // Error for any other name

struct CompileOptions {
  // Fractional bits of activations (0..20); -1 (default): chosen, the cheapest of 8, 10, ..., 16
  // at which the integer model meets the accuracy target on the calibration samples (arg-max
  // agreement for classifiers, 1 % relative error otherwise; docs/FRONTEND.md); none: Error.
  int scale = -1;
  int table_log = 16;   // log2 of the largest lookup table (4..22)
  ModelVisibility visibility;  // Error for a fixed input or output
  // compile refuses (Error listing every node without a proof protocol for its op, attributes or
  // shapes) unless this is set: then the model can be run and evaluated, and setup refuses it.
  bool allow_unprovable = false;
};

// Integer model against the float model over samples (what `zkinfer compile` prints).
struct OutputAccuracy {
  std::string name;
  double max_abs_error = 0, mean_abs_error = 0;
  bool classifier = false;
  int64_t argmax_agree = 0, argmax_rows = 0;
};
struct Accuracy {
  std::vector<OutputAccuracy> outputs;
  size_t samples = 0;
  int64_t labelled = 0, float_correct = 0, int_correct = 0;
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  int scale = 0;  // fractional bits in the integer model
};

struct RunResult {
  std::vector<Tensor> outputs;        // integer model, dequantized (what a proof proves)
  std::vector<Tensor> float_outputs;  // float reference
};

// A compiled (quantized) model: the .zkm file. Immutable; copies share the state.
class Model {
 public:
  // `zkinfer compile`: loads the ONNX file, calibrates on the samples, quantizes.
  static Model compile(const std::string& onnx_path, const std::vector<Sample>& calibration,
                       const CompileOptions& opt = {});
  // Samples from a JSON file (EZKL layout with several samples, or a cases file); an empty path
  // means the input.json beside the model, as on the command line.
  static Model compile(const std::string& onnx_path, const std::string& calibration_path,
                       const CompileOptions& opt = {});
  static Model load(const std::string& path);
  static Model from_bytes(std::span<const uint8_t> bytes, const std::string& what = "model");
  void save(const std::string& path) const;
  const std::vector<uint8_t>& bytes() const;

  std::string digest_hex() const;         // Keccak-256 of the bound part of the .zkm
  std::string public_digest_hex() const;  // of the public encoding (constants withheld): what keys bind
  // A public model (the one a verifying key embeds) has every constant's values withheld: it can
  // be inspected but not run, set up or proven.
  bool is_public() const;
  ModelVisibility visibility() const;
  std::vector<TensorSpec> inputs() const;
  std::vector<TensorSpec> outputs() const;
  size_t node_count() const;
  std::string to_json() const;  // `zkinfer inspect MODEL.zkm`

  // `zkinfer run`: one tensor per input, of the input's shape or flat with its element count.
  // Error for a public model.
  RunResult run(const std::vector<Tensor>& inputs) const;
  Accuracy evaluate(const std::vector<Sample>& samples) const;
  Accuracy evaluate(const std::string& samples_path) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

// The proving key (DIR/pk): the weight commitments of one model; model_digest_hex() is the
// model's public digest.
class ProvingKey {
 public:
  static ProvingKey load(const std::string& path);
  static ProvingKey from_bytes(std::span<const uint8_t> bytes);
  void save(const std::string& path) const;
  const std::vector<uint8_t>& bytes() const;
  std::string model_digest_hex() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit ProvingKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

// The verifying key (DIR/vk): the weight commitments and the model's public part.
class VerifyingKey {
 public:
  static VerifyingKey load(const std::string& path);
  static VerifyingKey from_bytes(std::span<const uint8_t> bytes, const std::string& what = "verifying key");
  void save(const std::string& path) const;
  const std::vector<uint8_t>& bytes() const;
  std::string model_digest_hex() const;
  Model model() const;  // the embedded public model (constants withheld)

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit VerifyingKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

struct Keys {
  ProvingKey pk;
  VerifyingKey vk;
};

// The commitment backend (`zkinfer setup --backend ... --srs ...`): "hyrax" (transparent, the
// default) or "kzg" (pairing-based; srs: a snarkjs .ptau powers-of-tau file with 2^n powers for
// the model's largest committed vector). prove and verify read the backend from the key.
// kzg_weight_rows (kzg only; `setup --kzg-weight-rows on|off`): true (the default) makes a key of
// version 9 (private weights committed in rows: faster kzg proving), false one of version 8.
struct SetupOptions {
  std::string backend = "hyrax";
  std::string srs;
  bool kzg_weight_rows = true;
  // kzg only: a key of version 12 whose proofs are made to be wrapped (`setup --wrappable`;
  // docs/protocol/wrap.md); implies no weight rows.
  bool wrappable = false;
};

// `zkinfer setup`: commits every weight. Error if the model has an op without a protocol, or the
// .ptau is unreadable, invalid or too small (naming the file and what is needed).
Keys setup(const Model& model, const SetupOptions& options = {});

// A proof file's bytes.
class Proof {
 public:
  explicit Proof(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  static Proof load(const std::string& path);
  void save(const std::string& path) const;
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

struct ProveResult {
  Proof proof;
  std::vector<Tensor> outputs;  // the proven outputs, dequantized
  double seconds = 0;           // running the integer model and proving
  double commit_seconds = 0, open_seconds = 0;
  std::vector<std::pair<std::string, double>> per_node_seconds;
};

// `zkinfer prove`: runs the integer model on the inputs and proves the run (fresh blinds from
// the operating system's generator).
ProveResult prove(const Model& model, const ProvingKey& pk, const std::vector<Tensor>& inputs);

struct VerifyResult {
  Verdict verdict = Verdict::reject("not verified");
  std::vector<Tensor> outputs;  // the proven outputs, dequantized (when valid)
  double seconds = 0;
};

// `zkinfer verify`: never throws on a bad proof; with expected_outputs the proven outputs must
// equal them exactly (as `verify --output FILE`), else the verdict is a rejection. inputs: the
// model's inputs (as for prove) when its input is public (`verify --input FILE`). Error (bad usage)
// when the input is public and inputs are missing, when inputs are given for a private input, or
// when expected_outputs are given for a private output (the proof carries no output values: the
// result's outputs are empty).
// srs (kzg keys, `verify --srs FILE`): a powers-of-tau file the key's SRS must come from, else the
// verdict is a rejection naming what differs; Error for a Hyrax key or an unreadable file.
VerifyResult verify(const VerifyingKey& vk, const Proof& proof,
                    const std::optional<std::vector<Tensor>>& expected_outputs = std::nullopt,
                    const std::optional<std::vector<Tensor>>& inputs = std::nullopt,
                    const std::optional<std::string>& srs = std::nullopt);

// `zkinfer inspect`: a .zkm, vk, pk or proof file, or an ONNX model, as JSON text.
std::string inspect(const std::string& path);
std::string inspect_bytes(std::span<const uint8_t> bytes, const std::string& what);

}  // namespace zkinfer::api
