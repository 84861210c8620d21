#include "net/deadline.hpp"

#include <algorithm>

namespace calsync::net {
namespace {

// Per thread, so the calls below an operation need no deadline parameter.
// NOLINTNEXTLINE(*-avoid-non-const-global-variables)
thread_local std::optional<SteadyTime> deadline_of_thread;

}  // namespace

DeadlineScope::DeadlineScope(std::chrono::milliseconds budget) : previous_(deadline_of_thread) {
    const SteadyTime mine = std::chrono::steady_clock::now() + budget;
    deadline_of_thread = previous_ ? std::min(*previous_, mine) : mine;
}

DeadlineScope::~DeadlineScope() {
    deadline_of_thread = previous_;
}

std::optional<SteadyTime> current_deadline() {
    return deadline_of_thread;
}

std::chrono::milliseconds time_left(std::chrono::milliseconds fallback) {
    if (!deadline_of_thread)
        return fallback;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *deadline_of_thread - std::chrono::steady_clock::now());
    return std::clamp(left, std::chrono::milliseconds(0), fallback);
}

}  // namespace calsync::net
