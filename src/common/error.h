// Error channels for untrusted input and for verification.
//  - zkinfer::Error: something read from outside (a model, a JSON file, key or proof bytes, a
//    command-line argument) is malformed or unsupported. The message names the file, node and
//    reason. Front ends turn it into exit code 2 / a Python exception.
//  - zkinfer::Verdict: the result of a verifier: accepted, or rejected with a reason that says
//    where (layer, round) and which check failed. Verifiers never throw on a bad proof.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace zkinfer {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown by decoders (ByteReader and the from_bytes functions built on it) when bytes are
// truncated or not canonical. Verifiers catch it and reject.
class DecodeError : public Error {
 public:
  explicit DecodeError(const std::string& message) : Error(message) {}
};

// What a rejection is about (Verdict::failure()).
enum class Failure : uint8_t {
  kNone = 0,       // accepted
  kUnspecified,    // a rejection nobody classified
  kDecode,         // the proof's bytes are malformed (truncated, not canonical, trailing bytes)
  kKey,            // the verifying key does not belong to the model or fails its own checks
  kModel,          // the model cannot be proven (a node without a protocol)
  kPublicValues,   // a public input or output is outside its bounds or of the wrong size
  kNode,           // a node's sub-protocol failed (node() says which)
  kInput,          // a private input's or output's bound check failed
  kLookup,         // the model's lookups (range checks, tables) failed
  kOpening,        // the reduction of the opening claims or an opening argument failed
  kZeroKnowledge,  // a relation among hidden values does not hold (the end section, zk/cp.h)
};
// "decode", "key", "model", "public values", "node", "input", "lookup", "opening",
// "zero knowledge", "unspecified", "none".
inline const char* failure_name(Failure f) {
  switch (f) {
    case Failure::kNone: return "none";
    case Failure::kUnspecified: return "unspecified";
    case Failure::kDecode: return "decode";
    case Failure::kKey: return "key";
    case Failure::kModel: return "model";
    case Failure::kPublicValues: return "public values";
    case Failure::kNode: return "node";
    case Failure::kInput: return "input";
    case Failure::kLookup: return "lookup";
    case Failure::kOpening: return "opening";
    case Failure::kZeroKnowledge: return "zero knowledge";
  }
  return "unspecified";
}

class Verdict {
 public:
  static Verdict accept() { return Verdict(true, {}); }
  static Verdict reject(std::string reason) { return Verdict(false, std::move(reason)); }
  static Verdict reject(Failure code, std::string reason) { return reject(std::move(reason)).classified(code); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& reason() const { return reason_; }
  // Typed: what failed (kNone when accepted), the node (graph index, -1 if none) and the
  // sub-protocol's round (-1 if not known).
  Failure failure() const { return ok_ ? Failure::kNone : code_; }
  int node() const { return node_; }
  int round() const { return round_; }

  // Prefixes the reason with the context it arose in ("layer 3: " + "round 5: sum mismatch").
  Verdict within(const std::string& context) const {
    if (ok_) return *this;
    Verdict v = *this;
    v.reason_ = context + ": " + reason_;
    return v;
  }
  // Sets the code (and the node) of a rejection that has none yet; the innermost classification
  // wins.
  Verdict classified(Failure code, int node = -1) const {
    if (ok_ || code_ != Failure::kUnspecified) return *this;
    Verdict v = *this;
    v.code_ = code;
    v.node_ = node;
    return v;
  }
  Verdict in_round(int round) const {
    if (ok_ || round_ >= 0) return *this;
    Verdict v = *this;
    v.round_ = round;
    return v;
  }

 private:
  Verdict(bool ok, std::string reason) : ok_(ok), reason_(std::move(reason)) {}
  bool ok_;
  std::string reason_;
  Failure code_ = Failure::kUnspecified;
  int node_ = -1;
  int round_ = -1;
};

}  // namespace zkinfer
