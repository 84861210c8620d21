// Runs a hostile scenario in a forked child and measures what it cost the host: wall time
// and peak resident memory (wait4's ru_maxrss), so a bomb that would exhaust the test process
// is caught as a measurement instead of killing the suite. The child reports its verdict as
// text through a pipe; the parent asserts on it with Catch2.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

namespace calsync::test {

// What the issue asks of every bomb: an answer in under 2 s and under 256 MiB peak RSS.
struct Bounds {
    double seconds = 2.0;
    long rss_mib = 256;
};

// Sanitizers slow code down and add shadow memory; the bounds grow by a documented factor
// there, and stay what the issue says in release builds.
inline Bounds scaled_for_build(Bounds b) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    constexpr bool sanitized = true;
#else
    constexpr bool sanitized = false;
#endif
#else
    constexpr bool sanitized = false;
#endif
    if (sanitized) {
        b.seconds *= 10;
        b.rss_mib *= 4;
    }
    return b;
}

struct ChildRun {
    bool finished = false;  // exited on its own before the hard limit
    int exit_code = -1;
    int signal = 0;         // the signal that ended it, if one did
    double seconds = 0;     // wall time from fork to exit
    long peak_rss_mib = 0;  // the child's peak resident set
    std::string verdict;    // what the body returned
};

// Runs `body` in a child process; the child is killed once `hard_limit` has passed, so a
// hang is reported as such. A body that throws reports "exception: <what>".
inline ChildRun run_in_child(const std::function<std::string()>& body,
                             std::chrono::seconds hard_limit = std::chrono::seconds(120)) {
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(nullptr);
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        close(fds[0]);
        std::string verdict;
        try {
            verdict = body();
        } catch (const std::exception& e) {
            verdict = std::string("exception: ") + e.what();
        } catch (...) {
            verdict = "exception";
        }
        std::size_t written = 0;
        while (written < verdict.size()) {
            const ssize_t n = write(fds[1], verdict.data() + written, verdict.size() - written);
            if (n <= 0)
                break;
            written += static_cast<std::size_t>(n);
        }
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    ChildRun run;
    const auto deadline = started + hard_limit;
    bool open = true;
    while (open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        char buffer[4096];
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n <= 0)
            open = false;
        else
            run.verdict.append(buffer, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    if (open)
        kill(pid, SIGKILL);
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0) {
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.finished = !open && WIFEXITED(status);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    run.peak_rss_mib = usage.ru_maxrss / 1024;
    return run;
}

// The process survived, answered `expected`, and stayed within the (build-scaled) bounds.
inline void check_within(const ChildRun& run, const std::string& expected, Bounds bounds = {}) {
    const Bounds b = scaled_for_build(bounds);
    INFO("verdict: " << run.verdict << "; " << run.seconds << " s, " << run.peak_rss_mib
                     << " MiB peak, signal " << run.signal);
    CHECK(run.finished);
    CHECK(run.signal == 0);
    CHECK(run.verdict == expected);
    CHECK(run.seconds < b.seconds);
    CHECK(run.peak_rss_mib < b.rss_mib);
}

}  // namespace calsync::test
