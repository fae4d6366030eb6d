// Public lookup tables for LogUp (Haböck, "Multivariate lookups based on logarithmic
// derivatives", 2022, section 2): a range table [0, 2^k) with one column, or a two-column table of
// rows (x_j, f(x_j)), j < 2^k. Rows are combined by a challenge beta as x + beta f(x) (the
// witness rows likewise), turning a two-column lookup into a one-column one (Haböck, section 3.2).
// The verifier evaluates the tables' MLEs itself: O(k) for a range table (its MLE is the linear
// function sum_i 2^i x_i), O(2^k) for an explicit table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/check.h"
#include "common/error.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "poly/mle.h"

namespace zkinfer::lookup {

template <field::PrimeField F>
class LookupTable {
 public:
  enum class Kind : uint8_t { kRange = 1, kTwoColumn = 2 };

  // The table [0, 2^log_size) (one column).
  static LookupTable range(size_t log_size) {
    if (log_size > 40) throw Error("lookup: range table of 2^" + std::to_string(log_size) + " rows is too large");
    LookupTable t;
    t.kind_ = Kind::kRange;
    t.log_size_ = log_size;
    return t;
  }

  // Rows (inputs[j], outputs[j]); the number of rows must be a power of two (pad a table by
  // repeating a row: a repeated row just gets multiplicity zero).
  static LookupTable two_column(std::vector<F> inputs, std::vector<F> outputs) {
    if (inputs.size() != outputs.size() || inputs.empty() || (inputs.size() & (inputs.size() - 1)) != 0)
      throw Error("lookup: a two-column table needs two columns of the same power-of-two length, got " +
                  std::to_string(inputs.size()) + " and " + std::to_string(outputs.size()));
    LookupTable t;
    t.kind_ = Kind::kTwoColumn;
    t.log_size_ = poly::log2_exact(inputs.size());
    t.cols_[0] = std::move(inputs);
    t.cols_[1] = std::move(outputs);
    // A table of consecutive inputs x_0, x_0 + 1, ..., x_0 + run - 1 padded by repeating its last
    // row (every function table, layers/activation.cc) is found and evaluated without an index:
    // row (x, y) is row x - x_0 if that is below run and column 1 there equals y.
    const auto& in = t.cols_[0];
    size_t run = 1;
    for (F x = in[0] + F::one(); run < in.size() && in[run] == x; ++run) x += F::one();
    bool padded = true;
    for (size_t j = run; j < in.size() && padded; ++j) padded = in[j] == in[run - 1] && t.cols_[1][j] == t.cols_[1][run - 1];
    if (padded) t.run_ = run;
    // Otherwise find() builds a hash index of the rows on its first call (provers only), shared by copies.
    t.index_ = std::make_shared<Index>();
    return t;
  }

  Kind kind() const { return kind_; }
  size_t log_size() const { return log_size_; }
  size_t size() const { return size_t{1} << log_size_; }
  size_t num_columns() const { return kind_ == Kind::kRange ? 1 : 2; }

  // Entry j of column c.
  F entry(size_t c, size_t j) const {
    ZKINFER_CHECK(c < num_columns() && j < size());
    return kind_ == Kind::kRange ? F::from_u64(j) : cols_[c][j];
  }
  // Row j combined by beta: column 0 + beta * column 1 (just column 0 for one column).
  F combined_entry(size_t j, const F& beta) const {
    return kind_ == Kind::kRange ? F::from_u64(j) : cols_[0][j] + beta * cols_[1][j];
  }

  // The MLE of column c at a point of log_size() coordinates. O(k) for a range table and for
  // column 0 of a table of consecutive inputs (see two_column), O(2^k) otherwise.
  F evaluate_column(size_t c, std::span<const F> point) const {
    ZKINFER_CHECK(c < num_columns() && point.size() == log_size_);
    if (kind_ == Kind::kRange) return linear_mle(point, point.size());
    if (c == 0 && run_ > 0) {
      // x_0 + min(j, run - 1) = x_0 + [j < run] j + [j >= run] (run - 1).
      F below = F::zero(), indicator = F::zero(), above = F::one();
      const uint64_t s = run_;
      if (s >= (uint64_t{1} << point.size())) return cols_[0][0] + linear_mle(point, point.size());
      // j < s: j agrees with s above bit b, has bit b = 0 where s has 1, any low bits: the sum of
      // eq(point, j) j over that block is above (1 - p_b) ((s >> (b + 1)) << (b + 1) + sum_{i<b} 2^i p_i).
      for (size_t b = point.size(); b-- > 0;) {
        const bool bit = (s >> b) & 1;
        if (bit) {
          const F block = above * (F::one() - point[b]);
          indicator += block;
          below += block * (F::from_u64((s >> (b + 1)) << (b + 1)) + linear_mle(point, b));
        }
        above *= bit ? point[b] : F::one() - point[b];
      }
      return cols_[0][0] + below + (F::one() - indicator) * F::from_u64(run_ - 1);
    }
    return poly::evaluate_mle<F>(cols_[c], point);
  }
  // The MLE of the combined column at a point.
  F evaluate_combined(std::span<const F> point, const F& beta) const {
    F v = evaluate_column(0, point);
    if (num_columns() == 2) v += beta * evaluate_column(1, point);
    return v;
  }

  // The index of the (first) row equal to `row` (num_columns() values), if any.
  std::optional<size_t> find(std::span<const F> row) const {
    ZKINFER_CHECK(row.size() == num_columns());
    if (kind_ == Kind::kRange) {
      auto v = row[0].to_i64();
      if (!v || *v < 0 || static_cast<uint64_t>(*v) >= size()) return std::nullopt;
      return static_cast<size_t>(*v);
    }
    if (run_ > 0) {
      const auto d = (row[0] - cols_[0][0]).to_i64();
      if (!d || *d < 0 || static_cast<uint64_t>(*d) >= run_ || cols_[1][static_cast<size_t>(*d)] != row[1]) return std::nullopt;
      return static_cast<size_t>(*d);
    }
    std::call_once(index_->once, [&] {
      char b[2 * F::kBytes];
      for (size_t j = size(); j-- > 0;) {
        const F r[2] = {cols_[0][j], cols_[1][j]};
        index_->map[std::string(key_view(r, b))] = j;  // the first occurrence wins
      }
    });
    char buf[2 * F::kBytes];
    auto it = index_->map.find(key_view(row, buf));
    if (it == index_->map.end()) return std::nullopt;
    return it->second;
  }

  // A row that is in the table (row 0), for padding witness columns to a power of two.
  std::vector<F> padding_row() const {
    std::vector<F> r;
    for (size_t c = 0; c < num_columns(); ++c) r.push_back(entry(c, 0));
    return r;
  }

 private:
  // The row's canonical bytes, written to buf (2 * kBytes long), as a lookup key.
  static std::string_view key_view(std::span<const F> row, char* buf) {
    size_t len = 0;
    for (const F& x : row) {
      auto b = x.to_bytes();
      std::memcpy(buf + len, b.data(), b.size());
      len += b.size();
    }
    return std::string_view(buf, len);
  }
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // sum_{i < n} 2^i point[i]: the MLE of j over the first n coordinates.
  static F linear_mle(std::span<const F> point, size_t n) {
    F acc = F::zero(), pow2 = F::one();
    for (size_t i = 0; i < n; ++i, pow2 += pow2) acc += pow2 * point[i];
    return acc;
  }
  struct Index {
    std::once_flag once;
    std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>> map;
  };

  Kind kind_ = Kind::kRange;
  size_t log_size_ = 0;
  std::vector<F> cols_[2];
  size_t run_ = 0;               // two columns: consecutive inputs then padding (0: not so)
  std::shared_ptr<Index> index_;  // two columns, run_ == 0: built by the first find()
};

extern template class LookupTable<field::Fr>;

// The same public table over another field type G (its entries converted: G constructible from
// F, e.g. snark::CFr from Fr, whose constants are free in a circuit): for a verifier generic over
// its field type whose layers hold shared LookupTable<F>s. Lifted once per source table and cached
// (while the source lives), so that every registration of one table hands a batch the same
// pointer (BatchVerifier groups a table's segments by pointer, else by equal rows).
template <field::PrimeField G, field::PrimeField F>
std::shared_ptr<const LookupTable<G>> lift_table(const std::shared_ptr<const LookupTable<F>>& t) {
  ZKINFER_CHECK(t != nullptr);
  if (t->kind() == LookupTable<F>::Kind::kRange) {
    static std::mutex mu;
    static std::unordered_map<size_t, std::shared_ptr<const LookupTable<G>>> ranges;
    std::lock_guard<std::mutex> lock(mu);
    auto& r = ranges[t->log_size()];
    if (!r) r = std::make_shared<const LookupTable<G>>(LookupTable<G>::range(t->log_size()));
    return r;
  }
  struct Entry {
    std::weak_ptr<const LookupTable<F>> source;
    std::shared_ptr<const LookupTable<G>> lifted;
  };
  static std::mutex mu;
  static std::unordered_map<const LookupTable<F>*, Entry> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(t.get());
  if (it != cache.end()) {
    if (auto src = it->second.source.lock(); src && src.get() == t.get()) return it->second.lifted;
    cache.erase(it);  // a dead table's address, reused
  }
  std::vector<G> in, out;
  in.reserve(t->size());
  out.reserve(t->size());
  for (size_t j = 0; j < t->size(); ++j) {
    in.push_back(G(t->entry(0, j)));
    out.push_back(G(t->entry(1, j)));
  }
  auto lifted = std::make_shared<const LookupTable<G>>(LookupTable<G>::two_column(std::move(in), std::move(out)));
  if (cache.size() >= 64)  // drop the lifts of tables that are gone
    std::erase_if(cache, [](const auto& kv) { return kv.second.source.expired(); });
  cache[t.get()] = {t, lifted};
  return lifted;
}

// Pads each column to length 2^log_size with the table row `row` (one value per column).
template <field::PrimeField F>
void pad_columns(std::vector<std::vector<F>>& columns, std::span<const F> row, size_t log_size) {
  ZKINFER_CHECK(columns.size() == row.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    ZKINFER_CHECK(columns[c].size() <= (size_t{1} << log_size));
    columns[c].resize(size_t{1} << log_size, row[c]);
  }
}

}  // namespace zkinfer::lookup
