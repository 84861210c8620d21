// Seeds for jitter (src/core/jitter_seed.cpp): distinct draws, across threads and across a
// fork without exec, which copies the parent's generator.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/jitter_seed.hpp"

using namespace calsync;

TEST_CASE("jitter seeds differ from draw to draw and from thread to thread", "[core][seed]") {
    std::mutex mutex;
    std::set<std::uint64_t> seen;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 250; ++i) {
                const std::uint64_t s = jitter_seed();
                std::lock_guard<std::mutex> lock(mutex);
                seen.insert(s);
            }
        });
    for (std::thread& t : threads)
        t.join();
    CHECK(seen.size() == 1000);
}

TEST_CASE("a child forked without exec draws other seeds than its parent", "[core][seed]") {
    int pipe_ends[2];
    REQUIRE(::pipe(pipe_ends) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const std::uint64_t s = jitter_seed();
        const bool written = ::write(pipe_ends[1], &s, sizeof s) == sizeof s;
        ::_exit(written ? 0 : 1);
    }
    const std::uint64_t parent = jitter_seed();
    std::uint64_t from_child = 0;
    CHECK(::read(pipe_ends[0], &from_child, sizeof from_child) == sizeof from_child);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    CHECK(from_child != parent);
}
