// The PostgreSQL server the store tests run against: the one the ctest fixture started
// (CALSYNC_TEST_PG_STATE names the state file pg_server.sh wrote), or, when a test program
// runs by itself, one it starts with pg_server.sh on first use and stops at exit. Every
// caller of new_database() gets a schema of its own (a search_path in the conninfo): as
// separate as a database for the store, without copying a template database each time.
#pragma once

#include <libpq-fe.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace calsync::test {

class PostgresTestServer {
  public:
    static PostgresTestServer& shared() {
        static PostgresTestServer server;
        return server;
    }

    // The conninfo of a new, empty schema.
    std::string new_database() {
        static std::atomic<int> counter{0};
        const std::string name =
            "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        std::unique_ptr<PGconn, decltype(&PQfinish)> admin(
            PQconnectdb(conninfo("postgres").c_str()), &PQfinish);
        if (PQstatus(admin.get()) != CONNECTION_OK)
            throw std::runtime_error(std::string("postgres test server: ") +
                                     PQerrorMessage(admin.get()));
        std::unique_ptr<PGresult, decltype(&PQclear)> r(
            PQexec(admin.get(), ("CREATE SCHEMA " + name).c_str()), &PQclear);
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            throw std::runtime_error(std::string("postgres test server: create schema: ") +
                                     PQerrorMessage(admin.get()));
        return conninfo("postgres") + " options='-c search_path=" + name + "'";
    }

    std::string conninfo(const std::string& database) const {
        return "host=" + socket_dir_ + " port=" + port_ + " dbname=" + database + " user=calsync";
    }

    PostgresTestServer(const PostgresTestServer&) = delete;
    PostgresTestServer& operator=(const PostgresTestServer&) = delete;

  private:
    PostgresTestServer() {
        const char* shared_state = std::getenv("CALSYNC_TEST_PG_STATE");
        if (shared_state != nullptr && std::ifstream(shared_state).good()) {
            state_ = shared_state;
        } else {
            char pattern[] = "/tmp/calsync-pg-state-XXXXXX";
            const int fd = mkstemp(pattern);
            if (fd < 0)
                throw std::runtime_error("postgres test server: mkstemp failed");
            ::close(fd);
            state_ = pattern;
            own_ = true;
            const std::string start = std::string(CALSYNC_PG_SERVER_SCRIPT) + " start " + state_;
            if (std::system(start.c_str()) != 0)
                throw std::runtime_error("postgres test server: '" + start + "' failed");
        }
        std::ifstream in(state_);
        in >> socket_dir_ >> port_;
        if (socket_dir_.empty() || port_.empty())
            throw std::runtime_error("postgres test server: no server in " + state_);
    }
    ~PostgresTestServer() {
        if (own_) {
            const std::string stop = std::string(CALSYNC_PG_SERVER_SCRIPT) + " stop " + state_;
            [[maybe_unused]] const int rc = std::system(stop.c_str());
        }
    }

    std::string state_;
    bool own_ = false;
    std::string socket_dir_;
    std::string port_;
};

}  // namespace calsync::test
