// The SQLite store killed with SIGKILL in the middle of its writes (crash_writer.cpp runs
// crash_steps.hpp until killed): every time, the file passes integrity_check, opens, and
// holds exactly the steps that committed, each of them whole.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "crash_steps.hpp"
#include "event_equality.hpp"
#include "sqlite_probe.hpp"
#include "store_fixtures.hpp"

extern char** environ;

using namespace calsync;

namespace {

// Starts the writer on `path` and kills it `delay` after it has reported its first step
// (or, with `at_start`, `delay` after it started: during its setup). Returns the last step
// it reported as committed (0 when it reported none).
int run_and_kill(const std::string& path, std::chrono::milliseconds delay, bool at_start) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string program = CALSYNC_CRASH_WRITER;
    std::string database = path;
    char* argv[] = {program.data(), database.data(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    REQUIRE(spawned == 0);
    std::string text;
    char buffer[4096];
    if (!at_start) {
        // Waiting for progress rather than a fixed time keeps the test meaningful on a
        // slow machine or under a sanitizer.
        pollfd ready{out[0], POLLIN, 0};
        while (text.find('\n') == std::string::npos && poll(&ready, 1, 30000) == 1) {
            const ssize_t n = read(out[0], buffer, sizeof buffer);
            if (n <= 0)
                break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
    }
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    close(out[0]);
    INFO("writer output: " << text);
    // Killed, not exited: an exit would mean the writer failed on its own.
    REQUIRE(WIFSIGNALED(status));
    const auto last_line_end = text.find_last_of('\n');
    if (last_line_end == std::string::npos)
        return 0;
    const auto start = text.find_last_of('\n', last_line_end == 0 ? 0 : last_line_end - 1);
    return std::stoi(
        text.substr(start == std::string::npos || start == last_line_end ? 0 : start + 1));
}

void same_state(StateStore& db, StateStore& model) {
    using test::kCrashCalendar;
    using test::kCrashConnection;
    if (!db.get_calendar(kCrashConnection, kCrashCalendar).ok()) {
        // Killed before the setup transaction committed: then nothing else is there.
        CHECK(db.list_appointments()->empty());
        CHECK(db.list_connections()->empty());
        return;
    }
    const auto events = db.load_events(kCrashConnection, kCrashCalendar);
    const auto expected = model.load_events(kCrashConnection, kCrashCalendar);
    REQUIRE(events.ok());
    REQUIRE(expected.ok());
    REQUIRE(events->size() == expected->size());
    for (std::size_t i = 0; i < events->size(); ++i)
        REQUIRE(test::event_difference((*expected)[i], (*events)[i]) == "");
    const auto appointments = db.list_appointments_since(0);
    const auto expected_appointments = model.list_appointments_since(0);
    REQUIRE(appointments.ok());
    REQUIRE(appointments->size() == expected_appointments->size());
    for (std::size_t i = 0; i < appointments->size(); ++i) {
        CHECK((*appointments)[i].appointment.id == (*expected_appointments)[i].appointment.id);
        CHECK((*appointments)[i].revision == (*expected_appointments)[i].revision);
    }
    const auto exports = db.list_exports(kCrashConnection, kCrashCalendar);
    REQUIRE(exports.ok());
    CHECK(exports->size() == model.list_exports(kCrashConnection, kCrashCalendar)->size());
    CHECK(db.get_connection_status(kCrashConnection)->events_read ==
          model.get_connection_status(kCrashConnection)->events_read);
}

}  // namespace

TEST_CASE("sqlite store survives SIGKILL mid-write with whole transactions only",
          "[crash][sqlite]") {
    const char* env = std::getenv("CALSYNC_CRASH_KILLS");
    const int kills = env != nullptr ? std::atoi(env) : 8;
    test::TempDir dir;
    const std::string path = dir.file("crash.db");
    auto model = make_memory_store();
    REQUIRE(test::ensure_crash_calendar(*model).ok());
    {
        // The calendar exists before the first kill, which may land before the writer
        // made it (on a loaded machine the first run can die within its first steps).
        auto db = open_sqlite_store(path);
        REQUIRE(db.ok());
        REQUIRE(test::ensure_crash_calendar(*db.value()).ok());
    }
    int model_step = 0;
    int last = 0;
    std::mt19937 rng(606);
    for (int run = 0; run < kills; ++run) {
        const auto delay =
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 80)(rng));
        const int reported = run_and_kill(path, delay, run == 0);
        INFO("run " << run << ", killed " << delay.count() << " ms in, reported step " << reported);
        CHECK(test::SqliteProbe(path).value("PRAGMA integrity_check") == "ok");
        auto opened = open_sqlite_store(path);
        REQUIRE(opened.ok());
        StateStore& db = *opened.value();
        const int reached = test::crash_step_reached(db);
        // Everything reported committed is there; at most the step being reported more.
        CHECK(reached >= std::max(reported, last));
        CHECK(reached <= std::max(reported, last) + 1);
        for (; model_step < reached; ++model_step)
            REQUIRE(test::run_crash_step(*model, model_step + 1).ok());
        same_state(db, *model);
        last = reached;
    }
    CHECK(last >= kills - 1);  // every run after the first committed a step at least
}
