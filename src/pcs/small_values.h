// Committed vectors held as small integers (issue 14): the prover's Hyrax row combinations and MLE
// evaluations computed from the unpadded int64 entries, row by row, without the padded Fr table
// (32 bytes an entry: 2 GB for GPT-2's 2^26-entry token embedding). The results equal
// combine_rows / the MLE of the padded Fr table exactly (small_values_test.cc compares them).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pcs/hyrax.h"

namespace zkinfer::pcs {

// A vector given by its unpadded int64 entries, row-major over dims. The vector itself is the
// padded table: dimension i padded with zeros to padded[i] (a power of two >= dims[i]), row-major,
// index little-endian in the variables (layers/layout.h's PaddedShape layout when padded[i] is the
// next power of two of dims[i]). Negative entries embed as p - |v|. `values` is not owned.
struct SmallValues {
  std::span<const int64_t> values;
  std::vector<size_t> dims, padded;

  // Each dimension padded to its next power of two (PaddedShape's layout).
  static SmallValues of(std::span<const int64_t> values, std::vector<size_t> dims);
  // An already padded vector (rank 1; its size a power of two).
  static SmallValues flat(std::span<const int64_t> padded_values);
  size_t size() const;  // the padded size (a power of two)
  size_t num_vars() const;
};

// combine_rows (hyrax.h) of the padded table under layout: t = weights^T M.
std::vector<Fr> combine_rows_small(const SmallValues& v, const HyraxLayout& layout, std::span<const Fr> weights);
// The padded table's multilinear extension at point (size() == 2^|point|).
Fr mle_small(const SmallValues& v, std::span<const Fr> point);
// The padded table as field elements (tests; the KZG backend, which needs the whole table).
std::vector<Fr> padded_fr(const SmallValues& v);

}  // namespace zkinfer::pcs
