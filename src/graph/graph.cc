// Graph bookkeeping (graph.h).
#include "graph/graph.h"

#include <fstream>
#include <iterator>

#include "common/error.h"

namespace zkinfer::graph {

int Graph::find(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<int>(i);
  return -1;
}

int Graph::add_tensor(TensorInfo t) {
  tensors.push_back(std::move(t));
  return static_cast<int>(tensors.size()) - 1;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file");
  // One read of the whole file where its size is known (models and keys are tens of MB: reading
  // byte by byte into a growing vector cost a tenth of a second per file); a stream of unknown
  // size (a pipe) is read to its end.
  std::vector<uint8_t> b;
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.good() ? static_cast<std::streamoff>(f.tellg()) : std::streamoff{-1};
  if (size >= 0) {
    f.seekg(0, std::ios::beg);
    b.resize(static_cast<size_t>(size));
    if (size > 0 && !f.read(reinterpret_cast<char*>(b.data()), size)) throw Error(path + ": read error");
    // A file that grew meanwhile: the rest too.
    b.insert(b.end(), std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } else {
    f.clear();
    b.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (f.bad()) throw Error(path + ": read error");
  return b;
}

}  // namespace zkinfer::graph
