// How the calsync program ends: its exit codes, and the library's status codes in words.
#pragma once

#include <calsync.h>

#include <stdexcept>
#include <string>

namespace cli {

// Documented in `calsync --help` and in the README; scripts rely on them.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;   // the operation failed: network, server, store, a problem
constexpr int kExitUsage = 2;     // the command line was wrong: nothing was done
constexpr int kExitSignIn = 3;    // the service refused the sign-in, or wants a new one
constexpr int kExitNotFound = 4;  // no such connection, calendar, appointment or state

const char* const kExitCodesHelp =
    "exit status:\n"
    "  0  done\n"
    "  1  failed: the server could not be reached or answered with an error, the state\n"
    "     could not be read, or (doctor) a problem was found; the message says what to do\n"
    "  2  usage error: an unknown command or option, a missing argument, an unreadable\n"
    "     file; nothing was changed\n"
    "  3  sign-in refused or needed: a wrong password, a declined or expired sign-in, an\n"
    "     account that must be connected again\n"
    "  4  not found: no such connection, calendar or appointment, or no state directory\n"
    "     yet (nothing connected)\n";

// A wrong command line; main prints it with the command's usage and exits kExitUsage.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The command failed and has said why on stderr; main exits with `exit_code`.
struct Failure : std::exception {
    explicit Failure(int code) : exit_code(code) {}
    int exit_code;
};

// "sign-in refused", "not found" ...
std::string status_name(calsync_status status);

// The exit code a failed library call ends the program with.
int exit_code_for(calsync_status status);

// The exit code a sync state ("ok", "error", "needs_reauthorisation", ...) stands for.
int exit_code_for_state(const std::string& state);

// Prints "calsync: <status name>: <the library's message>" and throws Failure.
[[noreturn]] void fail_with(calsync_status status);

// Prints "calsync: <message>" and throws Failure{exit_code}.
[[noreturn]] void fail_with(int exit_code, const std::string& message);

// Calls the library; on failure reports it (fail_with).
inline void check(calsync_status status) {
    if (status != CALSYNC_OK)
        fail_with(status);
}

}  // namespace cli
