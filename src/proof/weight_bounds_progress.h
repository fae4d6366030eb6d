// Progress of the key's weight range proof (prove_weight_bounds, weight_bounds.h), for the command
// line: a large model's range proof is several groups proven one after another (minutes for GPT-2
// small). A process-wide hook, set once before setup (tools/cli/cmd_setup.cc); none by default.
#pragma once

#include <cstddef>
#include <functional>

namespace zkinfer::proof {

// f(done, total): called before each group (done = 0 .. total - 1) and once after the last (done =
// total); only when the proof has more than one group. An empty function removes the hook.
void set_weight_bounds_progress(std::function<void(size_t done, size_t total)> f);

}  // namespace zkinfer::proof
