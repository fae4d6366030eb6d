#include "proof/blockers.h"

namespace zkinfer::proof {

std::string Blocker::to_string() const {
  if (node < 0) return "model: " + reason;
  return "node " + std::to_string(node) + " '" + name + "' (" + op + ", opset " + std::to_string(opset) + "): " + reason;
}

std::string describe_blockers(const std::vector<Blocker>& blockers) {
  std::string s = "the model cannot be proven (" + std::to_string(blockers.size()) +
                  (blockers.size() == 1 ? " blocker" : " blockers") + "):";
  for (const auto& b : blockers) s += "\n  " + b.to_string();
  return s;
}

}  // namespace zkinfer::proof
