// Rank-1 constraint systems over BN254's Fr, and the values circuits are written with.
//
// The wrapping proof (docs/protocol/wrap.md) proves, with Groth16, that zkinfer's verifier
// accepted a proof. Its circuit is built by running verifier code on `Num`s instead of field
// elements: each Num is a linear combination of the system's variables together with its value
// (the prover's witness), so additions and scalings are free and each product of two non-constant
// Nums is one constraint <a, z> * <b, z> = <c, z>.
//
// The assignment vector is z = (1, public inputs..., witnesses...) (Groth16's layout). Variables
// can be allocated in any order; `column` gives a variable's place in z once the counts are known.
//
// The constraints must not depend on the values: a circuit is built once with dummy values for
// the setup and again with the real ones by the prover, and both runs must make the same calls.
// Code that branches on a Num's value breaks that (and soundness); the helpers below never do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "field/bn254.h"

namespace zkinfer::snark {

using field::Fr;

enum class VarKind : uint8_t { kOne = 0, kPublic = 1, kWitness = 2 };

struct Var {
  VarKind kind = VarKind::kOne;
  uint32_t index = 0;
  static Var one() { return {}; }
  friend bool operator==(const Var&, const Var&) = default;
  friend auto operator<=>(const Var&, const Var&) = default;
};

// sum coeff_i * var_i. Kept sorted by variable with no zero coefficients (normalize()).
struct LinComb {
  std::vector<std::pair<Var, Fr>> terms;

  LinComb() = default;
  static LinComb constant(const Fr& c);
  static LinComb of(Var v, const Fr& coeff = Fr::one());

  // Merges equal variables, drops zero coefficients, sorts.
  void normalize();
  // Whether only the constant variable appears (or nothing).
  bool is_constant() const;
  // The constant variable's coefficient.
  Fr constant_term() const;

  LinComb& operator+=(const LinComb& o);
  LinComb& operator-=(const LinComb& o);
  LinComb& operator*=(const Fr& k);
  friend LinComb operator+(LinComb a, const LinComb& b) { return a += b; }
  friend LinComb operator-(LinComb a, const LinComb& b) { return a -= b; }
  friend LinComb operator*(LinComb a, const Fr& k) { return a *= k; }
};

// <a, z> * <b, z> = <c, z>
struct Constraint {
  LinComb a, b, c;
};

class ConstraintSystem;

// A value of a circuit: a linear combination and the value it has under the assignment.
class Num {
 public:
  Num() = default;  // the constant 0
  Num(const Fr& c) : lc_(LinComb::constant(c)), v_(c) {}  // NOLINT(google-explicit-constructor)
  static Num from_i64(int64_t x) { return Num(Fr::from_i64(x)); }
  Num(LinComb lc, const Fr& value) : lc_(std::move(lc)), v_(value) {}

  const LinComb& lc() const { return lc_; }
  const Fr& value() const { return v_; }
  bool is_constant() const { return lc_.is_constant(); }

  Num& operator+=(const Num& o);
  Num& operator-=(const Num& o);
  Num& operator*=(const Fr& k);
  Num operator-() const;
  friend Num operator+(Num a, const Num& b) { return a += b; }
  friend Num operator-(Num a, const Num& b) { return a -= b; }
  friend Num operator*(Num a, const Fr& k) { return a *= k; }
  friend Num operator*(const Fr& k, Num a) { return a *= k; }

 private:
  LinComb lc_;
  Fr v_;
};

class ConstraintSystem {
 public:
  Var new_public(const Fr& value);
  Var new_witness(const Fr& value);
  Num public_input(const Fr& value) { return Num(LinComb::of(new_public(value)), value); }
  Num witness(const Fr& value) { return Num(LinComb::of(new_witness(value)), value); }

  // Adds <a, z> * <b, z> = <c, z> (normalizing the three).
  void enforce(LinComb a, LinComb b, LinComb c);

  // a * b, one constraint and one witness unless an operand is constant (then none).
  Num mul(const Num& a, const Num& b);
  Num square(const Num& a) { return mul(a, a); }
  // 1 / a: a witness w with a * w = 1 (unsatisfiable when a = 0; the prover's value is then 0).
  Num inverse(const Num& a);
  // a / b: a witness w with b * w = a.
  Num div(const Num& a, const Num& b);
  // a = b: one constraint (a - b) * 1 = 0, none when both are constant and equal. Constant and
  // unequal: an unsatisfiable constraint 1 * 1 = 0 is added (so building never throws).
  void assert_equal(const Num& a, const Num& b);
  // a in {0, 1}: a * (a - 1) = 0.
  void assert_boolean(const Num& a);

  size_t num_public() const { return public_.size(); }
  size_t num_witness() const { return witness_.size(); }
  size_t num_variables() const { return 1 + public_.size() + witness_.size(); }
  size_t num_constraints() const { return constraints_.size(); }
  const std::vector<Constraint>& constraints() const { return constraints_; }

  // The variable's index in z = (1, public..., witness...).
  size_t column(Var v) const;
  // z.
  std::vector<Fr> assignment() const;
  const std::vector<Fr>& public_values() const { return public_; }
  const std::vector<Fr>& witness_values() const { return witness_; }
  Fr value(Var v) const;
  Fr evaluate(const LinComb& lc) const;

  // Whether every constraint holds under the assignment; otherwise the first failing index.
  bool is_satisfied(size_t* first_failing = nullptr) const;

  // An optional label for the constraints added from now on (diagnostics: which_label).
  void set_label(std::string label);
  // The label in force when constraint i was added ("" if none).
  std::string which_label(size_t i) const;

 private:
  std::vector<Fr> public_, witness_;
  std::vector<Constraint> constraints_;
  std::vector<std::pair<size_t, std::string>> labels_;  // (first constraint, label)
};

}  // namespace zkinfer::snark
