// `calsync doctor`: the health check of calsync_connection_check, told so that a garage
// owner knows what is wrong and what to do about it.
#include <calsync.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"

namespace cli {

const char* const kDoctorHelp =
    "usage: calsync doctor [CONNECTION] [--json]\n"
    "\n"
    "Checks each connection (or the one named) with its service, now: is the sign-in\n"
    "still accepted, was enough access granted, can each selected calendar be read, and\n"
    "written where appointments go, did the last sync work. Every problem comes with what\n"
    "to do. Exit status 0 when everything works, 1 when a problem was found.\n"
    "--json prints {\"version\": 1, \"ok\": bool, \"checks\": [REPORT, ...]}, each REPORT as\n"
    "calsync_connection_check documents it.\n";

namespace {

// The library says what to do in a host's words; a person at this program also needs
// the command that does it. Signing in again (the library asks only an OAuth service's
// account to "Reconnect the account") is `connect`, which finds the account's old
// connection.
std::string command_for(const ConnectionSummary& c, const std::string& action) {
    if (action.rfind("Reconnect the account", 0) == 0)
        return "calsync connect " + c.kind;
    return {};
}

void print_health(const ConnectionSummary& c, const rapidjson::Value& report) {
    std::printf("%s (%s)\n", c.id.c_str(), describe(c).c_str());
    for (const auto& item : report["items"].GetArray()) {
        const bool ok = boolean(item, "ok");
        std::printf("  %-10s%s\n", ok ? "[ok]" : "[problem]", str(item, "reason"));
        if (ok || *str(item, "action") == '\0')
            continue;
        std::printf("  %-10sWhat to do: %s\n", "", str(item, "action"));
        if (const std::string command = command_for(c, str(item, "action")); !command.empty())
            std::printf("  %-10s(%s)\n", "", command.c_str());
    }
}

}  // namespace

int run_doctor(CommandLine& args, const GlobalOptions& globals) {
    const bool json = args.flag("--json");
    const auto words = args.positionals(1, "doctor");
    Session session(globals, StateUse::existing);
    // The one named (even disconnected: the check says so), else every active one.
    const std::optional<std::string> named =
        words.empty() ? std::nullopt : std::optional<std::string>(session.resolve(words[0]));
    std::vector<ConnectionSummary> targets;
    const auto all = session.connections();
    std::copy_if(all.begin(), all.end(), std::back_inserter(targets),
                 [&](const ConnectionSummary& c) { return named ? c.id == *named : c.active; });
    if (!json) {
        std::printf("calsync keeps its state in %s; times are shown in %s.\n\n",
                    session.state().dir.c_str(), session.zone().c_str());
    }
    if (targets.empty()) {
        if (json)
            std::printf("{\"version\":1,\"ok\":false,\"checks\":[]}\n");
        else
            std::printf(
                "[problem] No calendar account is connected, so nothing blocks booking slots.\n"
                "          What to do: connect one (calsync connect --help), then choose its\n"
                "          calendars (calsync select).\n");
        return kExitFailure;
    }
    bool ok = true;
    std::string reports;
    int problems = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        session.show_progress("Checking " + targets[i].id + " ...");
        ConnectionHandle c = session.connection(targets[i].id);
        const std::string text = session.answer(calsync_connection_check, c.get());
        session.clear_progress();
        const auto doc = parse_json(text);
        ok = ok && boolean(doc, "ok");
        const auto& items = doc["items"];
        problems += static_cast<int>(
            std::count_if(items.Begin(), items.End(),
                          [](const rapidjson::Value& item) { return !boolean(item, "ok"); }));
        reports += (i > 0 ? "," : "") + text;
        if (!json) {
            if (i > 0)
                std::printf("\n");
            print_health(targets[i], doc);
        }
    }
    if (json) {
        std::printf("{\"version\":1,\"ok\":%s,\"checks\":[%s]}\n", ok ? "true" : "false",
                    reports.c_str());
    } else if (ok) {
        std::printf("\nEverything works.\n");
    } else {
        std::printf("\n%s found; see \"What to do\" above.\n",
                    counted(problems, "problem").c_str());
    }
    return ok ? kExitOk : kExitFailure;
}

}  // namespace cli
