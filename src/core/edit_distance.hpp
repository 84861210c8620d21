// How far a mistyped name is from a known one, for "did you mean" messages (the C ABI's
// unknown keys, the calsync program's commands and options).
#pragma once

#include <cstddef>
#include <string>

namespace calsync {

// Optimal string alignment distance: insertions, deletions, substitutions, and a swap of two
// adjacent characters as one edit ("sycn" is one from "sync", as a typing slip is).
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace calsync
