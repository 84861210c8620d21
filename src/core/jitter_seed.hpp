// Seeds for what only needs to differ between processes and objects: backoff jitter, the
// spread of next due times. One generator per process, seeded once by std::random_device:
// a random_device made per seed asks the processor (cpuid, rdrand) each time, which a
// virtual machine traps, and a fleet worker made several per sync (5 % of its CPU). Not
// for secrets: those come from net/crypto.hpp.
#pragma once

#include <cstdint>

namespace calsync {

std::uint64_t jitter_seed();

}  // namespace calsync
