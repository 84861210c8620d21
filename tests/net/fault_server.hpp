// tests/fakes/fault_server.py, started for one test and stopped after it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "net/http.hpp"

namespace calsync::test {

// Starts the fault server for one test and stops it after.
class FaultServer {
  public:
    FaultServer() {
        int out[2];
        REQUIRE(pipe(out) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(out[1], 1);
            close(out[0]);
            execl(CALSYNC_PYTHON, CALSYNC_PYTHON, CALSYNC_FAULT_SERVER,
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        REQUIRE(f != nullptr);
        REQUIRE(std::fscanf(f, "%d", &port_) == 1);
        std::fclose(f);
    }
    ~FaultServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

inline calsync::net::HttpOptions local_options() {
    calsync::net::HttpOptions o;
    o.allow_private_addresses = true;  // the test server is on loopback
    o.connect_timeout = std::chrono::seconds(5);
    o.total_timeout = std::chrono::seconds(10);
    return o;
}

}  // namespace calsync::test
