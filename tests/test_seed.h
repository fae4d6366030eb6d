// Seeded randomness for tests: the seed is ZKINFER_TEST_SEED from the environment when set,
// otherwise a fixed default; SCOPED_TRACE in each test prints it on failure so any failure can be
// replayed with the same seed.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace zkinfer::testing {

inline uint64_t test_seed() {
  if (const char* s = std::getenv("ZKINFER_TEST_SEED")) return std::strtoull(s, nullptr, 0);
  return 0x5eed2026;
}

inline std::string seed_note() { return "ZKINFER_TEST_SEED=" + std::to_string(test_seed()); }

}  // namespace zkinfer::testing
