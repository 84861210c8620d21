// `calsync blocked`, `free`, `appointments`, `feed`: the answers a booking page needs, from
// what the last syncs read, and the garage's own appointments.
#include <calsync.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "client_session.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"

namespace cli {

const char* const kBlockedHelp =
    "usage: calsync blocked --from WHEN --to WHEN [--store URL [--business ID]] [--json]\n"
    "       calsync blocked --ics FILE [--ics FILE ...] --from WHEN --to WHEN --tz ZONE\n"
    "                       [--owner EMAIL ...] [--json]\n"
    "\n"
    "Prints the slots customers cannot book, one per occurrence of an external event,\n"
    "labelled with its calendar's name, and the busy time they add up to.\n"
    "The first form answers from what `calsync sync` stored (no network); the second\n"
    "reads iCalendar files and stores nothing.\n"
    "  --from, --to   the window: a date (2026-06-01, midnight in the business's zone),\n"
    "                 today, tomorrow, +Nd (midnight N days from today, e.g. +7d) or an\n"
    "                 RFC 3339 instant (2026-06-01T00:00:00Z, or with an offset)\n"
    "  --ics FILE     an iCalendar file; repeat for several calendars\n"
    "  --tz ZONE      the business's IANA time zone; all-day and floating times live here\n"
    "  --owner EMAIL  the calendar owner's address: invitations they declined do not block\n"
    "  --json         the library's JSON answer instead of a table\n"
    "  --store URL    a fleet store that workers sync (as `calsync worker --store`):\n"
    "  --business ID  answers from the slots they stored for business ID (default\n"
    "                 \"default\"), expanding nothing; the host key and config are this\n"
    "                 state's, as the worker's\n"
    "Cancelled, free (transparent) and declined events, and calsync's own appointments,\n"
    "do not block.\n";

const char* const kFreeHelp =
    "usage: calsync free --from WHEN --to WHEN --duration LENGTH [--step LENGTH]\n"
    "                    [--store URL [--business ID]] [--json]\n"
    "\n"
    "Bookable windows of LENGTH (90m, 1h, 1h30m; a bare number is minutes) between the\n"
    "blocked slots, starting every --step (default 30m) from --from. Answers from what\n"
    "`calsync sync` stored; with --store, from the slots workers stored for --business\n"
    "(see `calsync blocked --help`).\n";

const char* const kAppointmentsHelp =
    "usage: calsync appointments upsert FILE\n"
    "       calsync appointments cancel ID\n"
    "       calsync appointments list [--json]\n"
    "\n"
    "The garage's bookings, which calsync writes to the export calendars at the next\n"
    "`calsync sync`.\n"
    "  upsert FILE  adds or changes the appointments in FILE (- for standard input): one\n"
    "               JSON object, an array of them, or {\"appointments\": [...]}, each\n"
    "               {\"id\", \"start\", \"end\" (RFC 3339), \"client\", \"service\", \"vehicle\",\n"
    "               \"notes\", \"status\": \"booked\" | \"cancelled\"}; see\n"
    "               examples/data/appointments.json\n"
    "  cancel ID    cancels one; the next sync deletes it from the export calendars\n"
    "  list         every appointment calsync knows, with its revision\n";

const char* const kFeedHelp =
    "usage: calsync feed [--connection ID] [--name NAME] [--busy-only] [--output FILE]\n"
    "\n"
    "Prints the appointments as one iCalendar document (of those written through one\n"
    "connection, or all), for team members to subscribe to in their calendar apps when a\n"
    "web server serves it. The UIDs stay the same, so subscribers see changes, not\n"
    "copies. --busy-only leaves out client details.\n";

namespace {

// --from and --to, read before anything is opened (a mistyped date is a usage error that
// does nothing); dates become midnights once the Session has set the business's zone.
struct Window {
    Window(std::optional<std::string> from_text, std::optional<std::string> to_text)
        : from_text(std::move(from_text)), to_text(std::move(to_text)) {}
    std::optional<std::string> from_text, to_text;
    std::optional<WindowBound> from, to;
    // After the command's other options: UsageError when one is missing or not a time.
    void read(const std::string& command) {
        if (!from_text || !to_text)
            throw UsageError{command + ": --from and --to are required"};
        from.emplace(*from_text, "--from");
        to.emplace(*to_text, "--to");
    }
    // After the Session: --to after --from, in the business's zone.
    void check_order(const Session&) const { require_ordered(*from, *to); }
    std::string start(const Session&) const { return from->rfc3339(); }
    std::string end(const Session&) const { return to->rfc3339(); }
};

// --store URL [--business ID]: the business of a fleet store whose kept slots the client
// answers from (CLIENT_CONFIG "store"), instead of the state's own store.
Session::ConfigAdjust fleet_business(CommandLine& args) {
    const auto url = args.value("--store");
    const auto business = args.value("--business");
    if (!url) {
        if (business)
            throw UsageError{"--business names a business of a --store"};
        return {};
    }
    return [url = *url, business = business.value_or("default")](rapidjson::Document& config) {
        auto& a = config.GetAllocator();
        rapidjson::Value store(rapidjson::kObjectType);
        store.AddMember("url", rapidjson::Value(url.c_str(), a), a);
        store.AddMember("business_id", rapidjson::Value(business.c_str(), a), a);
        config.RemoveMember("store");
        config.AddMember("store", store, a);
    };
}

std::string describe_appointment(const rapidjson::Value& a) {
    std::string what;
    for (const char* key : {"service", "client", "vehicle"}) {
        if (*str(a, key) != '\0')
            what += (what.empty() ? "" : ", ") + std::string(str(a, key));
    }
    return local_time(str(a, "start")) + " - " + local_time(str(a, "end")) +
           (what.empty() ? "" : " (" + what + ")");
}

std::string to_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    v.Accept(w);
    return buf.GetString();
}

int upsert(const Session& session, const std::string& path) {
    const std::string text = read_input_file(path, "the appointments file");
    const auto doc = parse_json(text);
    if (doc.HasParseError())
        throw UsageError{"the appointments file '" + path + "' is not JSON (error at byte " +
                         std::to_string(doc.GetErrorOffset()) + ")"};
    const rapidjson::Value* list = &doc;
    if (doc.IsObject() && doc.HasMember("appointments"))
        list = &doc["appointments"];
    std::vector<const rapidjson::Value*> items;
    if (list->IsArray())
        std::transform(list->Begin(), list->End(), std::back_inserter(items),
                       [](const rapidjson::Value& a) { return &a; });
    else
        items.push_back(list);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const rapidjson::Value& a = *items[i];
        if (!a.IsObject())
            throw UsageError{"the appointments file '" + path + "': entry " +
                             std::to_string(i + 1) + " is not an object"};
        const calsync_status s =
            calsync_client_upsert_appointment(session.client(), to_text(a).c_str());
        if (s == CALSYNC_EINVAL) {
            std::cerr << "calsync: the appointments file '" << path << "': entry " << i + 1
                      << (*str(a, "id") != '\0' ? std::string(" (") + str(a, "id") + ")" : "")
                      << ": " << calsync_last_error_message() << "\n";
            if (i > 0)
                std::cerr << "calsync: "
                          << (i == 1 ? std::string("the entry before it was")
                                     : "the " + std::to_string(i) + " entries before it were")
                          << " stored\n";
            throw Failure{kExitUsage};
        }
        check(s);
        const bool cancelled = std::string(str(a, "status")) == "cancelled";
        std::printf("%s %s: %s\n", cancelled ? "Cancelled" : "Booked", str(a, "id"),
                    describe_appointment(a).c_str());
    }
    std::printf("calsync sync writes %s to the export calendars.\n",
                items.size() == 1 ? "it" : "them");
    return kExitOk;
}

}  // namespace

int run_blocked(CommandLine& args, const GlobalOptions& globals) {
    if (args.has("--ics") || args.has("--owner"))
        return run_blocked_files(args, globals);
    Window w{args.value("--from"), args.value("--to")};
    const bool json = args.flag("--json");
    const auto fleet = fleet_business(args);
    args.positionals(0, "blocked");
    w.read("blocked");
    Session session(globals, StateUse::existing, fleet);
    w.check_order(session);
    const std::string range = json_document([&](Writer& out) {
        key_string(out, "start", w.start(session));
        key_string(out, "end", w.end(session));
    });
    const std::string text =
        session.answer(calsync_client_blocked_slots, session.client(), range.c_str());
    if (json)
        std::cout << text << "\n";
    else
        print_slots(parse_json(text));
    return kExitOk;
}

int run_free(CommandLine& args, const GlobalOptions& globals) {
    Window window{args.value("--from"), args.value("--to")};
    const auto duration_text = args.value("--duration");
    const auto step_text = args.value("--step");
    const bool json = args.flag("--json");
    const auto fleet = fleet_business(args);
    args.positionals(0, "free");
    window.read("free");
    if (!duration_text)
        throw UsageError{"free: --duration is required (e.g. 1h)"};
    const long long duration = parse_duration(*duration_text, "--duration");
    const long long step = parse_duration(step_text.value_or("30m"), "--step");
    Session session(globals, StateUse::existing, fleet);
    window.check_order(session);
    const std::string request = json_document([&](Writer& w) {
        w.Key("within");
        w.StartObject();
        key_string(w, "start", window.start(session));
        key_string(w, "end", window.end(session));
        w.EndObject();
        w.Key("duration_seconds");
        w.Int64(duration);
        w.Key("step_seconds");
        w.Int64(step);
    });
    const std::string text =
        session.answer(calsync_client_free_slots, session.client(), request.c_str());
    if (json) {
        std::cout << text << "\n";
        return kExitOk;
    }
    const auto doc = parse_json(text);
    std::printf("Free %lldh%02lldm slots between %s and %s:\n", duration / 3600,
                (duration % 3600) / 60, local_time(window.start(session)).c_str(),
                local_time(window.end(session)).c_str());
    for (const auto& f : doc["free"].GetArray())
        std::printf("  %s - %s\n", local_time(str(f, "start")).c_str(),
                    local_time(str(f, "end")).c_str());
    if (doc["free"].Empty())
        std::printf("  none\n");
    return kExitOk;
}

int run_appointments(CommandLine& args, const GlobalOptions& globals) {
    const auto action = args.take_subcommand();
    const bool json = args.flag("--json");
    const auto words = args.positionals(1, "appointments");
    if (!action || (*action != "upsert" && *action != "cancel" && *action != "list"))
        throw UsageError{"appointments: expected upsert FILE, cancel ID or list" +
                         (action ? did_you_mean(*action, {"upsert", "cancel", "list"}) : "")};
    if (*action != "list" && words.empty())
        throw UsageError{"appointments " + *action + ": " +
                         (*action == "upsert" ? "which FILE?" : "which appointment ID?")};
    if (*action == "list" && !words.empty())
        throw UsageError{"appointments list: unexpected argument '" + words[0] + "'"};
    Session session(globals, *action == "upsert" ? StateUse::create : StateUse::existing);
    if (*action == "upsert")
        return upsert(session, words[0]);
    if (*action == "cancel") {
        check(calsync_client_cancel_appointment(session.client(), words[0].c_str()));
        std::printf("Cancelled %s; calsync sync deletes it from the export calendars.\n",
                    words[0].c_str());
        return kExitOk;
    }
    const std::string text = session.answer(calsync_client_appointments, session.client());
    if (json) {
        std::cout << text << "\n";
        return kExitOk;
    }
    const auto doc = parse_json(text);
    const auto rows = rows_of(doc["appointments"], [](const rapidjson::Value& a) {
        return std::vector<std::string>{
            str(a, "id"),     local_time(str(a, "start")), local_time(str(a, "end")),
            str(a, "status"), str(a, "service"),           str(a, "client"),
            str(a, "vehicle")};
    });
    if (rows.empty())
        std::printf("No appointments yet (calsync appointments upsert FILE).\n");
    else
        print_table({"ID", "START", "END", "STATUS", "SERVICE", "CLIENT", "VEHICLE"}, rows);
    return kExitOk;
}

int run_feed(CommandLine& args, const GlobalOptions& globals) {
    const auto connection = args.value("--connection");
    const auto name = args.value("--name");
    const auto output = args.value("--output");
    const bool busy_only = args.flag("--busy-only");
    args.positionals(0, "feed");
    Session session(globals, StateUse::existing);
    const std::string request = json_document([&](Writer& w) {
        if (connection)
            key_string(w, "connection_id", session.resolve(connection));
        if (name)
            key_string(w, "calendar_name", *name);
        w.Key("busy_only");
        w.Bool(busy_only);
    });
    const std::string ics =
        session.answer(calsync_client_team_feed, session.client(), request.c_str());
    if (!output) {
        std::cout << ics;
        return kExitOk;
    }
    std::ofstream out(*output, std::ios::binary);
    out << ics;
    if (!out.flush())
        fail_with(kExitFailure, "cannot write " + *output);
    return kExitOk;
}

}  // namespace cli
