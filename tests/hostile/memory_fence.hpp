// A fence around a bomb's child process: without sanitizers (whose shadow memory needs a
// huge address space), the child may not map more than a few GiB, so a regression that
// would take the machine's memory fails with an allocation error instead.
#pragma once

#include <sys/resource.h>

#include <cstddef>

namespace calsync::test {

inline void fence_address_space(std::size_t gib = 2) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)gib;
#else
    const rlim_t bytes = static_cast<rlim_t>(gib) << 30;
    rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
#endif
}

}  // namespace calsync::test
