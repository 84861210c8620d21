// Two worker processes on one real PostgreSQL (tests/store/pg_server.sh, the store tests'
// server): every due connection of every business is synced exactly once between them,
// each claim taken with FOR UPDATE SKIP LOCKED. The accounts are in-process
// (sync_world.hpp): each worker is forked after they are set up and reports the reads it
// made through a pipe.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "forked_report.hpp"
#include "pg_test_server.hpp"
#include "worker_fleet.hpp"

using namespace calsync;
using namespace calsync::test;

namespace {

// Forks a worker process on its own connection to `conninfo` that syncs until nothing is
// due; it writes "CALENDAR READS" lines, then "synced N" (or "error ...") to the pipe.
pid_t fork_worker(Fleet& f, const std::string& conninfo, const std::string& owner, int* out) {
    return fork_reporting(
        [&] {
            std::ostringstream report;
            auto own = open_postgres_fleet(conninfo);
            std::size_t synced = 0;
            if (!own.ok()) {
                report << "error " << own.error().message << "\n";
                return report.str();
            }
            auto worker = f.worker(owner, 2, std::shared_ptr<FleetStore>(std::move(own).value()));
            for (;;) {
                auto pass = worker->run_once();
                if (!pass.ok()) {
                    report << "error " << pass.error().message << "\n";
                    break;
                }
                if (pass->claimed == 0)
                    break;
                synced += pass->reports.size();
            }
            for (const auto& [calendar, n] : f.reads)
                report << calendar << " " << n << "\n";
            report << "synced " << synced << "\n";
            return report.str();
        },
        out);
}

}  // namespace

TEST_CASE("two worker processes on one PostgreSQL sync each connection once",
          "[worker][postgres]") {
    const std::string conninfo = PostgresTestServer::shared().new_database();
    auto opened = open_postgres_fleet(conninfo);
    REQUIRE(opened.ok());
    Fleet f(10, std::shared_ptr<FleetStore>(std::move(opened).value()));  // 20 connections
    int pipes[2];
    const pid_t first = fork_worker(f, conninfo, "process-1", &pipes[0]);
    const pid_t second = fork_worker(f, conninfo, "process-2", &pipes[1]);
    std::map<std::string, int> reads;
    std::size_t synced = 0;
    for (int fd : pipes) {
        std::istringstream lines(read_all(fd));
        std::string word;
        while (lines >> word) {
            INFO("worker said: " << word);
            REQUIRE(word != "error");
            int n = 0;
            lines >> n;
            if (word == "synced")
                synced += static_cast<std::size_t>(n);
            else
                reads[word] += n;
        }
    }
    int status = 0;
    REQUIRE(waitpid(first, &status, 0) == first);
    REQUIRE(waitpid(second, &status, 0) == second);
    CHECK(synced == f.connection_count());
    CHECK(reads.size() == f.connection_count());
    for (const auto& [calendar, n] : reads) {
        INFO(calendar);
        CHECK(n == 1);
    }
    // What the workers stored is there for the businesses' clients.
    for (const auto& [business, ids] : f.connections) {
        auto client = f.client_of(business);
        for (const std::string& id : ids)
            CHECK(client->status(id)->state == SyncState::ok);
    }
}

TEST_CASE("a worker process killed mid-sync loses nothing: another takes its leases over",
          "[worker][postgres][crash]") {
    const std::string conninfo = PostgresTestServer::shared().new_database();
    auto opened = open_postgres_fleet(conninfo);
    REQUIRE(opened.ok());
    // 3 businesses, 2 calendars each, read and written (an appointment to export).
    Fleet f(3, std::shared_ptr<FleetStore>(std::move(opened).value()), CalendarDirection::both);
    for (const auto& [business, ids] : f.connections)
        REQUIRE(f.client_of(business)
                    ->upsert_appointment(appointment("visit-" + business, "2026-06-05T08:00:00Z",
                                                     "2026-06-05T09:00:00Z"))
                    .ok());
    // The first worker stops for good in its first read (it holds its leases then), and
    // is killed there.
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    const pid_t doomed = fork();
    REQUIRE(doomed >= 0);
    if (doomed == 0) {
        close(ready[0]);
        f.world.fault = [&](const std::string& op, const std::string&) -> std::optional<Error> {
            if (op == "fetch") {
                [[maybe_unused]] const auto n = write(ready[1], "r", 1);
                for (;;)
                    pause();
            }
            return std::nullopt;
        };
        auto own = open_postgres_fleet(conninfo);
        if (own.ok())
            (void)f.worker("doomed", 2, std::shared_ptr<FleetStore>(std::move(own).value()))
                ->run_once();
        _exit(1);
    }
    close(ready[1]);
    char byte = 0;
    REQUIRE(read(ready[0], &byte, 1) == 1);
    close(ready[0]);
    REQUIRE(kill(doomed, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(doomed, &status, 0) == doomed);
    REQUIRE(WIFSIGNALED(status));
    // Two minutes on, its leases (a minute) have lapsed: the next worker syncs everything.
    f.world.now += std::chrono::minutes(2);
    int out = -1;
    const pid_t heir = fork_worker(f, conninfo, "heir", &out);
    std::istringstream lines(read_all(out));
    REQUIRE(waitpid(heir, &status, 0) == heir);
    std::string word;
    std::size_t synced = 0;
    while (lines >> word) {
        INFO("heir said: " << word);
        REQUIRE(word != "error");
        int n = 0;
        lines >> n;
        if (word == "synced")
            synced += static_cast<std::size_t>(n);
    }
    CHECK(synced == f.connection_count());
    for (const auto& [business, ids] : f.connections) {
        auto client = f.client_of(business);
        for (const std::string& id : ids)
            CHECK(client->status(id)->state == SyncState::ok);
        // The appointment is in the export map of each of its two calendars, once.
        auto exports = client->appointments();
        REQUIRE(exports.ok());
        REQUIRE(exports->size() == 1);
        auto where =
            f.fleet->open_business(business).value()->list_appointment_exports("visit-" + business);
        REQUIRE(where.ok());
        CHECK(where->size() == 2);
    }
}

TEST_CASE("a worker on PostgreSQL syncs each business in its own zone and window",
          "[worker][postgres][settings]") {
    auto opened = open_postgres_fleet(PostgresTestServer::shared().new_database());
    REQUIRE(opened.ok());
    Fleet f(0, std::shared_ptr<FleetStore>(std::move(opened).value()));
    check_each_business_in_its_own_zone_and_window(f);
}
