// A sequence's work shared by a few threads, each a contiguous part, for the calls that take
// thousands of items at once (a CalDAV answer read, a calendar loaded into the engine).
#pragma once

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace calsync {

// The parts `count` items are shared into: one below `from`, else the machine's cores, at
// most `most`.
inline std::size_t parts_for(std::size_t count, std::size_t from, std::size_t most) {
    if (count < from)
        return 1;
    return std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), most);
}

// Calls part(index, first, end) for each of `parts` contiguous parts of [0, count): part 0 on
// this thread, the others on threads of their own; a part no thread could be started for is
// done here afterwards. Returns once every part is done.
template <class Part>
void run_in_parts(std::size_t count, std::size_t parts, const Part& part) {
    const auto run = [&](std::size_t index) {
        part(index, count * index / parts, count * (index + 1) / parts);
    };
    std::vector<std::thread> threads;
    std::size_t started = 1;
    for (; started < parts; ++started) {
        try {
            threads.emplace_back(run, started);
        } catch (const std::system_error&) {
            break;
        }
    }
    run(0);
    for (std::size_t index = started; index < parts; ++index)
        run(index);
    for (std::thread& t : threads)
        t.join();
}

}  // namespace calsync
