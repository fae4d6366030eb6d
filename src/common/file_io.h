// Writing output files without ever leaving a partial file under the target's name.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zkinfer {

// Writes bytes to a temporary file beside `path` and renames it over `path`; on any failure the
// temporary file is removed and Error("<path>: ...") is thrown.
void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace zkinfer
