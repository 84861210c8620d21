// Starts a fake server script from tests/fakes/ for one test and stops it after. Needs
// only Catch2 and POSIX, so any test binary can use it; CALSYNC_PYTHON names the
// interpreter (Debian's, which has the modules the fakes import).
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace calsync::test {

// Runs a fake server script; it prints the port(s) it listens on as its first line.
class FakeServer {
  public:
    explicit FakeServer(const char* script, int port_count = 1) {
        int out[2];
        REQUIRE(pipe(out) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // The fake dies with the test, even when the test crashes.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            dup2(out[1], 1);
            close(out[0]);
            execl(CALSYNC_PYTHON, CALSYNC_PYTHON, script, static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        REQUIRE(f != nullptr);
        for (int i = 0; i < port_count; ++i) {
            int port = 0;
            REQUIRE(std::fscanf(f, "%d", &port) == 1);
            ports_.push_back(port);
        }
        std::fclose(f);
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;
    ~FakeServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    // `path` on the server's first (or `which`) port.
    std::string url(const std::string& path, std::size_t which = 0) const {
        return "http://127.0.0.1:" + std::to_string(ports_.at(which)) + path;
    }

  private:
    pid_t pid_ = -1;
    std::vector<int> ports_;
};

}  // namespace calsync::test
