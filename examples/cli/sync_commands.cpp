// `calsync sync`, `status`, `disconnect`: keeping connections in sync and seeing how
// they are doing.
#include <calsync.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <numeric>
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"

namespace cli {

const char* const kSyncHelp =
    "usage: calsync sync [--all | CONNECTION] [--json]\n"
    "\n"
    "Reads the selected calendars, updates the blocked slots, and writes new, changed and\n"
    "cancelled appointments to the export calendars.\n"
    "  (nothing)    the connections that are due: 15-30 minutes after their last good\n"
    "               sync, at once after a change, later after failures; what a cron job\n"
    "               runs every few minutes\n"
    "  --all        every connection, now\n"
    "  CONNECTION   that one, now\n"
    "A progress line shows on a terminal. --json prints {\"version\": 1, \"reports\":\n"
    "[REPORT, ...]} as calsync_connection_sync documents it. Exit status 0 when every\n"
    "calendar synced, 3 when an account must be signed in again, 4 when a selected\n"
    "calendar is gone, 1 for any other failure (calsync doctor says what to do).\n";

const char* const kStatusHelp =
    "usage: calsync status [CONNECTION] [--json]\n"
    "\n"
    "How each connection is doing: its state, its last good sync, when the next one is\n"
    "due, the last error; with CONNECTION, also each calendar's. Reads only what is\n"
    "stored (no network). --json prints calsync_client_connections' document (with\n"
    "CONNECTION: calsync_connection_status').\n";

const char* const kDisconnectHelp =
    "usage: calsync disconnect CONNECTION [--revoke]\n"
    "\n"
    "Stops syncing an account: its events no longer block, at once. Appointments written\n"
    "to its calendars stay there, and calsync remembers them, so connecting the same\n"
    "account again picks them up without writing them twice. --revoke first withdraws\n"
    "calsync's access at the service (Google); where that cannot be done (Microsoft has\n"
    "no such endpoint; CalDAV, iCloud and feeds use a password or a link) or it fails,\n"
    "nothing is disconnected and calsync says where to withdraw the access instead.\n";

namespace {

std::string state_words(const std::string& state) {
    if (state == "never_synced")
        return "not synced yet";
    if (state == "error")
        return "failing";
    if (state == "needs_reauthorisation")
        return "must sign in again";
    if (state == "calendar_gone")
        return "a calendar is gone";
    if (state == "rate_limited")
        return "slowed down by the service";
    return state;
}

// The more serious of two exit codes: sign-in first, then failures, then gone calendars.
int worse(int a, int b) {
    static constexpr int kOrder[] = {kExitSignIn, kExitFailure, kExitNotFound};
    const auto* it = std::find_if(std::begin(kOrder), std::end(kOrder),
                                  [&](int code) { return a == code || b == code; });
    return it == std::end(kOrder) ? kExitOk : *it;
}

int exit_code_of(const rapidjson::Value& report) {
    const auto& calendars = report["calendars"];
    return std::accumulate(calendars.Begin(), calendars.End(),
                           exit_code_for_state(str(report["status"], "state")),
                           [](int code, const rapidjson::Value& c) {
                               return worse(code, exit_code_for_state(str(c["status"], "state")));
                           });
}

void print_report(const rapidjson::Value& r) {
    const auto& status = r["status"];
    const std::string state = str(status, "state");
    std::printf("%s: %s\n", str(r, "connection_id"),
                state == "ok" ? "synced" : state_words(state).c_str());
    for (const auto& c : r["calendars"].GetArray()) {
        const std::string cstate = str(c["status"], "state");
        std::string line = "  " + std::string(str(c, "calendar_id")) + ": ";
        if (cstate == "ok") {
            line += counted(integer(c, "events_read"), "change") + " read";
            if (const long long written = integer(c, "exports_written"); written > 0)
                line += ", " + counted(written, "appointment") + " written";
            // The periodic full read found what the server's change reports had missed.
            if (const long long corrected = integer(c, "corrected"); corrected > 0)
                line += ", " + counted(corrected, "event") + " corrected by the full read";
        } else {
            line += state_words(cstate) + ": " + str(c["status"], "last_error");
        }
        std::printf("%s\n", line.c_str());
        for (const auto& e : c["skipped"].GetArray())
            std::printf("    skipped event %s: %s\n", str(e, "event_id"), str(e, "message"));
        // Left out for the occurrence limits: they block nothing until the calendar changes.
        if (c.HasMember("capped"))
            for (const auto& e : c["capped"].GetArray())
                std::printf("    left out event %s: %s\n", str(e, "event_id"), str(e, "message"));
    }
    // The connection's error, unless a calendar's line above says it already (a failed
    // export leaves every calendar read and only the connection failing).
    const std::string error = str(status, "last_error");
    const auto& cals = r["calendars"];
    const bool told = std::any_of(cals.Begin(), cals.End(), [&](const rapidjson::Value& c) {
        return error == str(c["status"], "last_error");
    });
    if (state != "ok" && !error.empty() && !told)
        std::printf("  %s\n", error.c_str());
    std::printf("  %s added, %u removed\n", counted(r["added"].Size(), "blocked slot").c_str(),
                r["removed"].Size());
    if (state != "ok")
        std::printf("  What to do: calsync doctor %s\n", str(r, "connection_id"));
}

}  // namespace

int run_sync(CommandLine& args, const GlobalOptions& globals) {
    const bool all = args.flag("--all");
    const bool json = args.flag("--json");
    const auto words = args.positionals(1, "sync");
    if (all && !words.empty())
        throw UsageError{"sync: either --all or a CONNECTION, not both"};
    Session session(globals, StateUse::existing);
    std::vector<std::string> reports;  // REPORT documents
    if (!all && words.empty()) {
        session.show_progress("Syncing the connections that are due ...");
        const auto due = parse_json(session.answer(calsync_client_run_due, session.client()));
        for (const auto& r : due["reports"].GetArray()) {
            rapidjson::StringBuffer buf;
            Writer w(buf);
            r.Accept(w);
            reports.emplace_back(buf.GetString());
        }
    } else {
        const std::vector<std::string> ids =
            words.empty() ? session.active_ids()
                          : std::vector<std::string>{session.resolve(words[0])};
        for (std::size_t i = 0; i < ids.size(); ++i) {
            session.show_progress("[" + std::to_string(i + 1) + "/" + std::to_string(ids.size()) +
                                  "] syncing " + ids[i] + " ...");
            ConnectionHandle c = session.connection(ids[i]);
            reports.push_back(session.answer(calsync_connection_sync, c.get()));
        }
    }
    session.clear_progress();
    int code = kExitOk;
    if (json)
        std::printf("{\"version\":1,\"reports\":[");
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const auto doc = parse_json(reports[i]);
        code = worse(code, exit_code_of(doc));
        if (json)
            std::printf("%s%s", i > 0 ? "," : "", reports[i].c_str());
        else
            print_report(doc);
    }
    if (json)
        std::printf("]}\n");
    else if (reports.empty())
        std::printf(all ? "No account is connected yet (calsync connect --help).\n"
                        : "Nothing is due: every connection synced recently (calsync status "
                          "shows when next). calsync sync --all syncs now.\n");
    return code;
}

int run_status(CommandLine& args, const GlobalOptions& globals) {
    const bool json = args.flag("--json");
    const auto words = args.positionals(1, "status");
    Session session(globals, StateUse::existing);
    if (!words.empty()) {
        const std::string id = session.resolve(words[0]);
        ConnectionHandle c = session.connection(id);
        const std::string text = session.answer(calsync_connection_status, c.get());
        if (json) {
            std::cout << text << "\n";
            return kExitOk;
        }
        const auto doc = parse_json(text);
        std::printf("%s: %s\n", id.c_str(), state_words(str(doc, "state")).c_str());
        std::printf("  last attempt:   %s\n  last good sync: %s\n  next sync:      %s\n",
                    local_time(str(doc, "last_attempt")).c_str(),
                    local_time(str(doc, "last_success")).c_str(),
                    local_time(str(doc, "next_due")).c_str());
        std::printf("  events read: %lld, appointments written: %lld\n",
                    integer(doc, "events_read"), integer(doc, "events_exported"));
        if (*str(doc, "last_error") != '\0')
            std::printf("  last error: %s\n", str(doc, "last_error"));
        for (const auto& m : doc["calendars"].GetObject()) {
            std::printf("  calendar %s: %s%s%s\n", m.name.GetString(),
                        state_words(str(m.value, "state")).c_str(),
                        *str(m.value, "last_error") != '\0' ? ": " : "",
                        str(m.value, "last_error"));
        }
        return kExitOk;
    }
    const std::string text = session.answer(calsync_client_connections, session.client());
    if (json) {
        std::cout << text << "\n";
        return kExitOk;
    }
    const auto doc = parse_json(text);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> errors;
    for (const auto& c : doc["connections"].GetArray()) {
        const auto& s = c["status"];
        const bool active = std::string(str(c, "state")) == "active";
        const std::string next = *str(s, "next_due") != '\0' ? relative_time(str(s, "next_due"))
                                 : active                    ? "-"
                                                             : "never";
        rows.push_back({str(c, "id"), str(c, "kind"),
                        active ? state_words(str(s, "state")) : "disconnected",
                        *str(s, "last_success") != '\0' ? local_time(str(s, "last_success")) : "-",
                        next, str(c, "account")});
        if (active && *str(s, "last_error") != '\0')
            errors.push_back(std::string(str(c, "id")) + ": " + str(s, "last_error"));
    }
    if (rows.empty()) {
        std::printf("No account is connected yet (calsync connect --help).\n");
    } else {
        print_table({"CONNECTION", "SERVICE", "STATE", "LAST GOOD SYNC", "NEXT SYNC", "ACCOUNT"},
                    rows);
        for (const std::string& e : errors)
            std::printf("%s\n", e.c_str());
    }
    std::printf("\nState: %s (time zone %s)\n", session.state().dir.c_str(),
                session.zone().c_str());
    return kExitOk;
}

int run_disconnect(CommandLine& args, const GlobalOptions& globals) {
    const bool revoke = args.flag("--revoke");
    const std::string named =
        args.operand("disconnect", "which connection? (calsync status lists them)");
    Session session(globals, StateUse::existing);
    const std::string id = session.resolve(named);
    ConnectionHandle c = session.connection(id);
    check(calsync_connection_disconnect(c.get(), revoke ? 1 : 0));
    std::printf(
        "Disconnected %s%s: its events no longer block. Appointments written to its\n"
        "calendars stay there; connecting the same account again picks them up.\n",
        id.c_str(), revoke ? " and withdrew calsync's access" : "");
    return kExitOk;
}

}  // namespace cli
