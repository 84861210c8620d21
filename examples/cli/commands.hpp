// The calsync program's commands. Each takes the words after its name (global options
// already taken out) and returns an exit code (exit_codes.hpp), or throws UsageError /
// Failure.
#pragma once

#include <calsync.h>

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "state_dir.hpp"

namespace cli {

struct Command {
    const char* name;
    const char* summary;  // one line in `calsync --help`
    const char* help;     // `calsync NAME --help`
    int (*run)(CommandLine& args, const GlobalOptions& globals);
};

// Stateless: the engine and the providers directly (stateless_commands.cpp).
int run_blocked_files(CommandLine& args, const GlobalOptions& globals);
int run_caldav(CommandLine& args, const GlobalOptions& globals);
int run_demo(CommandLine& args, const GlobalOptions& globals);
extern const char* const kCaldavHelp;
extern const char* const kDemoHelp;

// Connecting accounts (connect_commands.cpp, oauth_connect.cpp).
int run_connect(CommandLine& args, const GlobalOptions& globals);
int connect_google(CommandLine& args, const GlobalOptions& globals);
int connect_microsoft(CommandLine& args, const GlobalOptions& globals);
extern const char* const kConnectHelp;

// Calendars of a connection (calendar_commands.cpp).
int run_calendars(CommandLine& args, const GlobalOptions& globals);
int run_select(CommandLine& args, const GlobalOptions& globals);
int run_deselect(CommandLine& args, const GlobalOptions& globals);
extern const char* const kCalendarsHelp;
extern const char* const kSelectHelp;
extern const char* const kDeselectHelp;

// Syncing and looking after connections (sync_commands.cpp, doctor_command.cpp).
int run_sync(CommandLine& args, const GlobalOptions& globals);
int run_status(CommandLine& args, const GlobalOptions& globals);
int run_disconnect(CommandLine& args, const GlobalOptions& globals);
int run_doctor(CommandLine& args, const GlobalOptions& globals);
// A fleet worker on a shared store (worker_command.cpp).
int run_worker(CommandLine& args, const GlobalOptions& globals);
extern const char* const kWorkerHelp;
extern const char* const kSyncHelp;
extern const char* const kStatusHelp;
extern const char* const kDisconnectHelp;
extern const char* const kDoctorHelp;

// Bookings: what is blocked, what is free, appointments, the team feed
// (booking_commands.cpp).
int run_blocked(CommandLine& args, const GlobalOptions& globals);
int run_free(CommandLine& args, const GlobalOptions& globals);
int run_appointments(CommandLine& args, const GlobalOptions& globals);
int run_feed(CommandLine& args, const GlobalOptions& globals);
extern const char* const kBlockedHelp;
extern const char* const kFreeHelp;
extern const char* const kAppointmentsHelp;
extern const char* const kFeedHelp;

class Session;
struct ConnectionSummary;
// After a connect: --zone, --allow-private-addresses (and what `more` sets, e.g. an
// OAuth client id) go into the config file, so later commands use them too.
void remember_settings(const Session& session, const GlobalOptions& globals,
                       const std::function<void(rapidjson::Document&)>& more = {});
// After a connect: what was connected, its calendars, and what to do next; and, when the
// account was already connected under another id than --id asked for, that its id stays.
void announce_connection(Session& session, calsync_connection* connection,
                         const std::vector<ConnectionSummary>& before,
                         const std::string& requested_id, bool json);
// The calendars of one connection as a table (one request to the service).
void print_calendars(Session& session, const std::string& connection_id);

// Reads a file (or standard input for "-"); a UsageError naming it when it cannot.
std::string read_input_file(const std::string& path, const std::string& what);

}  // namespace cli
