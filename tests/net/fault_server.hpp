// The fake servers under tests/fakes/, each started for one test and stopped after it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "counting_transport.hpp"

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

// tests/fakes/fault_server.py: one misbehaviour per path.
struct FaultServer : FakeServer {
    FaultServer() : FakeServer(CALSYNC_FAULT_SERVER) {}
};

}  // namespace calsync::test
