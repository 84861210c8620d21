// A child process that reports in text: the worker tests fork their workers after the
// fleet is set up, and each says what it did through a pipe.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>

namespace calsync::test {

// Forks; the child runs `body`, writes what it returns to the pipe and leaves with _exit
// (nothing of the parent's, its PostgreSQL connection or the fakes it started, is closed
// from there). The parent gets the pipe's reading end in *out.
inline pid_t fork_reporting(const std::function<std::string()>& body, int* out) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid != 0) {
        close(fds[1]);
        *out = fds[0];
        return pid;
    }
    close(fds[0]);
    const std::string text = body();
    [[maybe_unused]] const auto written = write(fds[1], text.data(), text.size());
    _exit(0);
}

// Everything until the writer closes, then closes `fd`.
inline std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    return text;
}

}  // namespace calsync::test
