// Error channels for untrusted input and for verification.
//  - zkinfer::Error: something read from outside (a model, a JSON file, key or proof bytes, a
//    command-line argument) is malformed or unsupported. The message names the file, node and
//    reason. Front ends turn it into exit code 2 / a Python exception.
//  - zkinfer::Verdict: the result of a verifier: accepted, or rejected with a reason that says
//    where (layer, round) and which check failed. Verifiers never throw on a bad proof.
#pragma once

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

class Verdict {
 public:
  static Verdict accept() { return Verdict(true, {}); }
  static Verdict reject(std::string reason) { return Verdict(false, std::move(reason)); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& reason() const { return reason_; }

  // Prefixes the reason with the context it arose in ("layer 3: " + "round 5: sum mismatch").
  Verdict within(const std::string& context) const {
    return ok_ ? *this : Verdict(false, context + ": " + reason_);
  }

 private:
  Verdict(bool ok, std::string reason) : ok_(ok), reason_(std::move(reason)) {}
  bool ok_;
  std::string reason_;
};

}  // namespace zkinfer
