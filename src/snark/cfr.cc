#include "snark/cfr.h"

#include "common/error.h"

namespace zkinfer::snark {

namespace {
thread_local CircuitScope* g_scope = nullptr;

ConstraintSystem& need_cs(const char* what) {
  ConstraintSystem* cs = CircuitScope::current();
  if (!cs) throw Error(std::string("circuit: ") + what + " outside any CircuitScope");
  return *cs;
}
}  // namespace

CircuitScope::CircuitScope(ConstraintSystem& cs) : cs_(&cs), outer_(g_scope) { g_scope = this; }
CircuitScope::~CircuitScope() { g_scope = outer_; }
ConstraintSystem* CircuitScope::current() { return g_scope ? g_scope->cs_ : nullptr; }
void CircuitScope::note_false_equality() {
  if (g_scope) ++g_scope->false_equalities_;
}

CFr CFr::witness(const Fr& value) { return CFr(need_cs("a new witness").witness(value)); }
CFr CFr::public_input(const Fr& value) { return CFr(need_cs("a new public input").public_input(value)); }

CFr& CFr::operator*=(const CFr& o) {
  if (is_constant()) {
    n_ = o.n_ * n_.lc().constant_term();
  } else if (o.is_constant()) {
    n_ *= o.n_.lc().constant_term();
  } else {
    n_ = need_cs("a product").mul(n_, o.n_);
  }
  return *this;
}

CFr CFr::inverse() const {
  if (is_constant()) return CFr(value().inverse());  // 0 -> 0, as Fr's
  return CFr(need_cs("an inversion").inverse(n_));
}

bool CFr::is_zero() const {
  if (is_constant()) return value().is_zero();
  ConstraintSystem& cs = need_cs("is_zero");
  const bool zero = value().is_zero();
  if (zero) {
    cs.assert_equal(n_, Num());
  } else {
    (void)cs.inverse(n_);  // x * w = 1: x is not zero
  }
  return zero;
}

bool operator==(const CFr& a, const CFr& b) {
  if (a.is_constant() && b.is_constant()) return a.value() == b.value();
  ConstraintSystem& cs = need_cs("an equality");
  cs.assert_equal(a.n_, b.n_);
  if (a.value() != b.value()) CircuitScope::note_false_equality();
  return true;
}

std::array<uint8_t, CFr::kBytes> CFr::to_bytes() const {
  if (!is_constant())
    throw Error("circuit: the bytes of a circuit value were asked for (a Keccak absorption?); circuits use the field transcript");
  return value().to_bytes();
}

std::optional<CFr> CFr::from_bytes(std::span<const uint8_t> bytes) {
  auto f = Fr::from_bytes(bytes);
  if (!f) return std::nullopt;
  return CFr(*f);
}

CFr CFr::from_uniform_bytes(std::span<const uint8_t>) {
  throw Error("circuit: a challenge from uniform bytes (a Keccak transcript's) was drawn; circuits use the field transcript");
}

std::optional<int64_t> CFr::to_i64() const {
  if (!is_constant()) throw Error("circuit: to_i64 of a circuit value");
  return value().to_i64();
}

}  // namespace zkinfer::snark
