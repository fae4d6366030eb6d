#include "snark/circuit.h"

#include <algorithm>

#include "common/check.h"

namespace zkinfer::snark {

LinComb LinComb::constant(const Fr& c) {
  LinComb lc;
  if (!c.is_zero()) lc.terms.emplace_back(Var::one(), c);
  return lc;
}

LinComb LinComb::of(Var v, const Fr& coeff) {
  LinComb lc;
  if (!coeff.is_zero()) lc.terms.emplace_back(v, coeff);
  return lc;
}

void LinComb::normalize() {
  std::sort(terms.begin(), terms.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  size_t out = 0;
  for (size_t i = 0; i < terms.size();) {
    Var v = terms[i].first;
    Fr c = terms[i].second;
    size_t j = i + 1;
    for (; j < terms.size() && terms[j].first == v; ++j) c += terms[j].second;
    if (!c.is_zero()) terms[out++] = {v, c};
    i = j;
  }
  terms.resize(out);
}

bool LinComb::is_constant() const {
  return std::all_of(terms.begin(), terms.end(), [](const auto& t) { return t.first == Var::one(); });
}

Fr LinComb::constant_term() const {
  Fr c = Fr::zero();
  for (const auto& [v, k] : terms)
    if (v == Var::one()) c += k;
  return c;
}

// Merge of two sorted, normalized combinations (sign: +1 or -1 for o).
static void merge_into(LinComb& a, const LinComb& o, bool negate) {
  std::vector<std::pair<Var, Fr>> out;
  out.reserve(a.terms.size() + o.terms.size());
  size_t i = 0, j = 0;
  while (i < a.terms.size() || j < o.terms.size()) {
    if (j == o.terms.size() || (i < a.terms.size() && a.terms[i].first < o.terms[j].first)) {
      out.push_back(a.terms[i++]);
    } else {
      Fr c = negate ? -o.terms[j].second : o.terms[j].second;
      Var v = o.terms[j++].first;
      if (i < a.terms.size() && a.terms[i].first == v) c += a.terms[i++].second;
      if (!c.is_zero()) out.emplace_back(v, c);
    }
  }
  a.terms = std::move(out);
}

LinComb& LinComb::operator+=(const LinComb& o) {
  merge_into(*this, o, false);
  return *this;
}

LinComb& LinComb::operator-=(const LinComb& o) {
  merge_into(*this, o, true);
  return *this;
}

LinComb& LinComb::operator*=(const Fr& k) {
  if (k.is_zero()) {
    terms.clear();
  } else {
    for (auto& t : terms) t.second *= k;
  }
  return *this;
}

Num& Num::operator+=(const Num& o) {
  lc_ += o.lc_;
  v_ += o.v_;
  return *this;
}

Num& Num::operator-=(const Num& o) {
  lc_ -= o.lc_;
  v_ -= o.v_;
  return *this;
}

Num& Num::operator*=(const Fr& k) {
  lc_ *= k;
  v_ *= k;
  return *this;
}

Num Num::operator-() const {
  Num r = *this;
  r *= -Fr::one();
  return r;
}

Var ConstraintSystem::new_public(const Fr& value) {
  public_.push_back(value);
  return {VarKind::kPublic, static_cast<uint32_t>(public_.size() - 1)};
}

Var ConstraintSystem::new_witness(const Fr& value) {
  witness_.push_back(value);
  return {VarKind::kWitness, static_cast<uint32_t>(witness_.size() - 1)};
}

void ConstraintSystem::enforce(LinComb a, LinComb b, LinComb c) {
  a.normalize();
  b.normalize();
  c.normalize();
  constraints_.push_back({std::move(a), std::move(b), std::move(c)});
}

Num ConstraintSystem::mul(const Num& a, const Num& b) {
  if (a.is_constant()) return b * a.lc().constant_term();
  if (b.is_constant()) return a * b.lc().constant_term();
  Num z = witness(a.value() * b.value());
  enforce(a.lc(), b.lc(), z.lc());
  return z;
}

Num ConstraintSystem::inverse(const Num& a) {
  if (a.is_constant() && !a.value().is_zero()) return Num(a.value().inverse());
  Num w = witness(a.value().is_zero() ? Fr::zero() : a.value().inverse());
  enforce(a.lc(), w.lc(), LinComb::constant(Fr::one()));
  return w;
}

Num ConstraintSystem::div(const Num& a, const Num& b) {
  if (b.is_constant() && !b.value().is_zero()) return a * b.value().inverse();
  Fr q = b.value().is_zero() ? Fr::zero() : a.value() * b.value().inverse();
  Num w = witness(q);
  enforce(b.lc(), w.lc(), a.lc());
  return w;
}

void ConstraintSystem::assert_equal(const Num& a, const Num& b) {
  Num d = a - b;
  if (d.is_constant() && d.lc().terms.empty()) return;
  enforce(d.lc(), LinComb::constant(Fr::one()), LinComb());
}

void ConstraintSystem::assert_boolean(const Num& a) {
  enforce(a.lc(), (a - Num(Fr::one())).lc(), LinComb());
}

size_t ConstraintSystem::column(Var v) const {
  switch (v.kind) {
    case VarKind::kOne:
      return 0;
    case VarKind::kPublic:
      ZKINFER_CHECK(v.index < public_.size());
      return 1 + v.index;
    case VarKind::kWitness:
      ZKINFER_CHECK(v.index < witness_.size());
      return 1 + public_.size() + v.index;
  }
  ZKINFER_CHECK(false);
  return 0;
}

std::vector<Fr> ConstraintSystem::assignment() const {
  std::vector<Fr> z;
  z.reserve(num_variables());
  z.push_back(Fr::one());
  z.insert(z.end(), public_.begin(), public_.end());
  z.insert(z.end(), witness_.begin(), witness_.end());
  return z;
}

Fr ConstraintSystem::value(Var v) const {
  switch (v.kind) {
    case VarKind::kOne:
      return Fr::one();
    case VarKind::kPublic:
      return public_.at(v.index);
    case VarKind::kWitness:
      return witness_.at(v.index);
  }
  return Fr::zero();
}

Fr ConstraintSystem::evaluate(const LinComb& lc) const {
  Fr s = Fr::zero();
  for (const auto& [v, k] : lc.terms) s += k * value(v);
  return s;
}

bool ConstraintSystem::is_satisfied(size_t* first_failing) const {
  for (size_t i = 0; i < constraints_.size(); ++i) {
    const Constraint& c = constraints_[i];
    if (evaluate(c.a) * evaluate(c.b) != evaluate(c.c)) {
      if (first_failing) *first_failing = i;
      return false;
    }
  }
  return true;
}

void ConstraintSystem::set_label(std::string label) { labels_.emplace_back(constraints_.size(), std::move(label)); }

std::string ConstraintSystem::which_label(size_t i) const {
  std::string out;
  for (const auto& [first, label] : labels_) {
    if (first > i) break;
    out = label;
  }
  return out;
}

}  // namespace zkinfer::snark
