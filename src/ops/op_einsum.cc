// Einsum: a sum of products over the letters of the equation (explicit "->" output, or implicit:
// the ellipsis' dimensions, then the letters that appear once, in alphabetical order); an ellipsis
// names the dimensions an operand has beyond its letters (right-aligned, not broadcast: their
// sizes must agree). Float semantics here; the quantizer rewrites it (graph::lower_composites):
// a diagonal (a letter repeated inside one operand) as a Gather by constant indices of the two
// axes flattened, then ReduceSum, Transpose, Reshape and one MatMul per pair of operands.
#include "ops/helpers.h"
#include "ops/lowered.h"

#include <algorithm>
#include <cctype>
namespace zkinfer::ops {

EinsumTerms parse_einsum(const Node& n, const std::vector<int64_t>& ranks) {
  std::string eq;
  for (char ch : n.attrs.get_string("equation", ""))
    if (ch != ' ') eq += ch;
  const size_t operands = ranks.size();
  EinsumTerms t;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    t.in.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (t.in.size() != operands) bad_node(n, "the equation has " + std::to_string(t.in.size()) + " operands, the node " + std::to_string(operands));
  // An ellipsis stands for the dimensions its operand has beyond its letters, right-aligned across
  // the operands (numpy's rule); they are named here by letters the equation does not use. Without
  // an explicit output they lead it.
  std::string fresh;
  for (const char* set : {"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"})
    for (const char* c = set; *c; ++c)
      if (eq.find(*c) == std::string::npos) fresh += *c;
  auto dots = [&](const std::string& s) {
    const size_t at = s.find("...");
    if (s.find('.', at == std::string::npos ? 0 : at + 3) != std::string::npos) bad_node(n, "bad ellipsis in the equation");
    return at;
  };
  size_t ell = 0;
  bool any_ellipsis = false;
  for (size_t k = 0; k < operands; ++k) {
    const size_t at = dots(t.in[k]);
    if (at == std::string::npos) continue;
    any_ellipsis = true;
    const int64_t extra = ranks[k] - static_cast<int64_t>(t.in[k].size() - 3);
    if (extra < 0) bad_node(n, "operand " + std::to_string(k) + " has fewer dimensions than its letters");
    ell = std::max(ell, static_cast<size_t>(extra));
  }
  if (ell > fresh.size()) bad_node(n, "too many dimensions under the ellipsis");
  const std::string named = fresh.substr(0, ell);
  for (size_t k = 0; k < operands; ++k) {
    const size_t at = dots(t.in[k]);
    if (at == std::string::npos) continue;
    const size_t extra = static_cast<size_t>(ranks[k]) - (t.in[k].size() - 3);
    t.in[k].replace(at, 3, named.substr(ell - extra));
  }
  for (const auto& s : t.in)
    for (char ch : s)
      if (!std::isalpha(static_cast<unsigned char>(ch))) bad_node(n, "bad equation");
  if (arrow != std::string::npos) {
    t.out = eq.substr(arrow + 2);
    const size_t at = dots(t.out);
    if (at != std::string::npos) {
      if (!any_ellipsis) bad_node(n, "an ellipsis in the output only");
      t.out.replace(at, 3, named);
    }
  } else {
    std::map<char, int> count;
    for (const auto& s : t.in)
      for (char ch : s) ++count[ch];
    t.out = named;
    for (const auto& [ch, k] : count)
      if (k == 1 && named.find(ch) == std::string::npos) t.out += ch;
  }
  for (size_t i = 0; i < t.out.size(); ++i) {
    bool found = false;
    for (const auto& s : t.in) found = found || s.find(t.out[i]) != std::string::npos;
    if (!found || t.out.find(t.out[i]) != i) bad_node(n, "bad output letters");
  }
  return t;
}

void register_op_einsum(OpTable& t) {
  add_lowered_op(
      t, "Einsum",
      [](const Node& n, FIn in) {
        if (in.empty()) bad_node(n, "no operands");
        need_inputs(n, in, in.size());
        std::vector<int64_t> ranks;
        for (const auto* x : in) ranks.push_back(x->rank());
        const EinsumTerms e = parse_einsum(n, ranks);
        std::map<char, int64_t> dim;
        for (size_t k = 0; k < in.size(); ++k) {
          if (static_cast<size_t>(in[k]->rank()) != e.in[k].size()) bad_node(n, "operand rank differs from its letters");
          for (size_t i = 0; i < e.in[k].size(); ++i) {
            const char ch = e.in[k][i];
            const int64_t d = in[k]->shape[i];
            if (dim.count(ch) && dim[ch] != d) {
              // ONNX lets a size-1 dimension broadcast (under an ellipsis too): valid, not taken here.
              if (dim[ch] == 1 || d == 1) unsupported(n, "Einsum broadcasting a dimension of size 1");
              bad_node(n, std::string("letter ") + ch + " has two sizes");
            }
            dim[ch] = d;
          }
        }
        // One odometer over every letter; each operand's and the output's offset moves by its stride
        // for the letter (0 where it lacks the letter).
        std::vector<char> letters;
        for (const auto& [ch, d] : dim) letters.push_back(ch);
        const size_t L = letters.size(), K = in.size();
        Shape os;
        for (char ch : e.out) os.push_back(dim[ch]);
        FTensor y(os);
        std::vector<int64_t> size(L), out_stride(L, 0);
        std::vector<std::vector<int64_t>> stride(K, std::vector<int64_t>(L, 0));
        double total = 1;
        for (size_t l = 0; l < L; ++l) {
          size[l] = dim[letters[l]];
          total *= static_cast<double>(size[l]);
        }
        if (total == 0) return one(std::move(y));
        if (total > 0x1p31) unsupported(n, "Einsum of more than 2^31 products");
        auto strides_for = [&](const std::string& term, const Shape& shape, std::vector<int64_t>& st) {
          int64_t s = 1;
          for (size_t i = term.size(); i-- > 0;) {
            const size_t l = static_cast<size_t>(std::find(letters.begin(), letters.end(), term[i]) - letters.begin());
            st[l] += s;  // a letter repeated inside a term walks its diagonal
            s *= shape[i];
          }
        };
        for (size_t k = 0; k < K; ++k) strides_for(e.in[k], in[k]->shape, stride[k]);
        strides_for(e.out, os, out_stride);
        std::vector<int64_t> pos(L, 0), off(K, 0);
        int64_t o = 0;
        for (int64_t it = 0; it < static_cast<int64_t>(total); ++it) {
          double p = 1;
          for (size_t k = 0; k < K; ++k) p *= in[k]->data[static_cast<size_t>(off[k])];
          y.data[static_cast<size_t>(o)] += p;
          for (size_t l = L; l-- > 0;) {
            if (++pos[l] < size[l]) {
              for (size_t k = 0; k < K; ++k) off[k] += stride[k][l];
              o += out_stride[l];
              break;
            }
            for (size_t k = 0; k < K; ++k) off[k] -= stride[k][l] * (size[l] - 1);
            o -= out_stride[l] * (size[l] - 1);
            pos[l] = 0;
          }
        }
        return one(std::move(y));
      },
      "graph::lower_composites", "the shapes of its operands must be known at compile time");
}
}  // namespace zkinfer::ops
