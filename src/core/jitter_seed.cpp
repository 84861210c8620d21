#include "core/jitter_seed.hpp"

#include <unistd.h>

#include <mutex>
#include <random>

namespace calsync {

std::uint64_t jitter_seed() {
    static std::mutex mutex;
    static std::mt19937_64 generator{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                     std::random_device{}()};
    std::lock_guard<std::mutex> lock(mutex);
    // The process id mixed in: a child forked without exec carries its parent's generator.
    return generator() ^ (static_cast<std::uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ULL);
}

}  // namespace calsync
