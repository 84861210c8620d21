// `calsync calendars`, `select`, `deselect`: which calendars of a connection are synced,
// and in which direction.
#include <calsync.h>

#include <cstdio>
#include <iostream>

#include "client_session.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"

namespace cli {

const char* const kCalendarsHelp =
    "usage: calsync calendars [CONNECTION] [--json]\n"
    "\n"
    "Lists the calendars of a connection (of every connection when none is named), as\n"
    "the service has them now, with what is selected and in which direction.\n"
    "--json prints {\"version\": 1, \"connections\": [{\"connection_id\", \"calendars\": [...],\n"
    "\"gone\": [...]}]}, each entry as calsync_connection_calendars documents it.\n";

const char* const kSelectHelp =
    "usage: calsync select CALENDAR --direction import|export|both [--connection ID]\n"
    "                      [--ignore-tentative] [--ignore-unanswered] [--ignore-all-day]\n"
    "\n"
    "Syncs a calendar (its name or id, as `calsync calendars` shows them):\n"
    "  import   its events block booking slots\n"
    "  export   appointments are written to it (the calendar must be writable)\n"
    "  both     both at once; appointments written there never block themselves\n"
    "--connection is needed when several accounts are connected. By default tentative\n"
    "events, unanswered invitations and all-day events block too; the --ignore-* options\n"
    "say they do not, for this calendar. Selecting again changes the direction. The next\n"
    "`calsync sync` reads it.\n";

const char* const kDeselectHelp =
    "usage: calsync deselect CALENDAR [--connection ID]\n"
    "\n"
    "Stops syncing a calendar: its events stop blocking at once; appointments written to\n"
    "it stay there.\n";

namespace {

// The calendars of one connection, as the library lists them (one request).
rapidjson::Document calendars_of(Session& session, const std::string& connection_id) {
    ConnectionHandle c = session.connection(connection_id);
    return parse_json(session.answer(calsync_connection_calendars, c.get()));
}

std::string selection(const rapidjson::Value& c) {
    return boolean(c, "selected") ? str(c, "direction") : "-";
}

// The connection named, else every active one (none: Failure saying how to connect).
std::vector<std::string> connections_meant(Session& session,
                                           const std::optional<std::string>& named) {
    if (named)
        return {session.resolve(named)};
    auto ids = session.active_ids();
    if (ids.empty())
        session.resolve(std::nullopt);  // fails, saying how to connect one
    return ids;
}

struct CalendarChoice {
    std::string connection_id;
    std::string calendar_id;
    std::string name;
};

// CALENDAR as an id or a name: in the connection named, else in every active one (it
// must then be unique).
CalendarChoice find_calendar(Session& session, const std::string& wanted,
                             const std::optional<std::string>& connection) {
    const std::vector<std::string> ids = connections_meant(session, connection);
    std::vector<CalendarChoice> matches;
    std::string names;
    for (const std::string& id : ids) {
        const auto doc = calendars_of(session, id);
        for (const auto& c : doc["calendars"].GetArray()) {
            const std::string cid = str(c, "id"), name = str(c, "name");
            if (cid == wanted || name == wanted)
                matches.push_back({id, cid, name});
            names += (names.empty() ? "'" : ", '") + (name.empty() ? cid : name) + "'";
        }
    }
    if (matches.size() == 1)
        return matches.front();
    if (matches.size() > 1)
        throw UsageError{"several calendars are called '" + wanted +
                         "': give its id, or --connection (calsync calendars lists them)"};
    fail_with(kExitNotFound, "no calendar '" + wanted + "'" +
                                 (connection ? " in " + *connection : "") + "; there are " +
                                 (names.empty() ? "none" : names));
}

}  // namespace

void print_calendars(Session& session, const std::string& connection_id) {
    const auto doc = calendars_of(session, connection_id);
    const auto rows = rows_of(doc["calendars"], [](const rapidjson::Value& c) {
        return std::vector<std::string>{str(c, "name"), selection(c),
                                        boolean(c, "can_write") ? "yes" : "no", str(c, "id")};
    });
    std::printf("Calendars of %s:\n", connection_id.c_str());
    print_table({"NAME", "SYNCED", "WRITABLE", "ID"}, rows);
    for (const auto& gone : doc["gone"].GetArray())
        std::printf("gone: %s was selected but the account no longer has it\n", gone.GetString());
}

int run_calendars(CommandLine& args, const GlobalOptions& globals) {
    const bool json = args.flag("--json");
    const auto words = args.positionals(1, "calendars");
    Session session(globals, StateUse::existing);
    const std::vector<std::string> ids =
        connections_meant(session, words.empty() ? std::nullopt : std::optional(words[0]));
    if (json) {
        std::cout << json_document([&](Writer& w) {
            w.Key("connections");
            w.StartArray();
            for (const std::string& id : ids) {
                const auto doc = calendars_of(session, id);
                w.StartObject();
                key_string(w, "connection_id", id);
                w.Key("calendars");
                doc["calendars"].Accept(w);
                w.Key("gone");
                doc["gone"].Accept(w);
                w.EndObject();
            }
            w.EndArray();
        }) << "\n";
        return kExitOk;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0)
            std::printf("\n");
        print_calendars(session, ids[i]);
    }
    return kExitOk;
}

int run_select(CommandLine& args, const GlobalOptions& globals) {
    const auto connection = args.value("--connection");
    const std::string direction = args.required("--direction", "select");
    if (direction != "import" && direction != "export" && direction != "both")
        throw UsageError{"select: --direction is import, export or both, not '" + direction + "'"};
    const bool no_tentative = args.flag("--ignore-tentative");
    const bool no_unanswered = args.flag("--ignore-unanswered");
    const bool no_all_day = args.flag("--ignore-all-day");
    const std::string calendar =
        args.operand("select", "which calendar? (calsync calendars lists them)");
    Session session(globals, StateUse::existing);
    const CalendarChoice choice = find_calendar(session, calendar, connection);
    const std::string request = json_document([&](Writer& w) {
        key_string(w, "calendar_id", choice.calendar_id);
        key_string(w, "direction", direction);
        if (no_tentative || no_unanswered || no_all_day) {
            w.Key("policy");
            w.StartObject();
            w.Key("tentative_blocks");
            w.Bool(!no_tentative);
            w.Key("unanswered_blocks");
            w.Bool(!no_unanswered);
            w.Key("all_day_blocks");
            w.Bool(!no_all_day);
            w.EndObject();
        }
    });
    ConnectionHandle c = session.connection(choice.connection_id);
    check(calsync_connection_select(c.get(), request.c_str()));
    const std::string name = choice.name.empty() ? choice.calendar_id : choice.name;
    const char* what = direction == "import"   ? "its events block booking slots"
                       : direction == "export" ? "appointments are written to it"
                                               : "its events block booking slots and "
                                                 "appointments are written to it";
    std::printf("Selected \"%s\" of %s for %s: %s.\nRun calsync sync to read it now.\n",
                name.c_str(), choice.connection_id.c_str(), direction.c_str(), what);
    return kExitOk;
}

int run_deselect(CommandLine& args, const GlobalOptions& globals) {
    const auto connection = args.value("--connection");
    const std::string calendar =
        args.operand("deselect", "which calendar? (calsync calendars lists them)");
    Session session(globals, StateUse::existing);
    const CalendarChoice choice = find_calendar(session, calendar, connection);
    ConnectionHandle c = session.connection(choice.connection_id);
    check(calsync_connection_deselect(c.get(), choice.calendar_id.c_str()));
    std::printf("\"%s\" of %s is no longer synced; its events no longer block.\n",
                (choice.name.empty() ? choice.calendar_id : choice.name).c_str(),
                choice.connection_id.c_str());
    return kExitOk;
}

}  // namespace cli
