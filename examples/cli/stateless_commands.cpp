// Commands that keep nothing: blocked slots of iCalendar files, a CalDAV account read
// directly, and the offline demo on the bundled sample calendars.
#include <calsync.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "password_prompt.hpp"

namespace cli {

const char* const kCaldavHelp =
    "usage: calsync caldav calendars URL --user USER [--icloud] [--json]\n"
    "       calsync caldav events URL --user USER --calendar ID|NAME --from WHEN --to WHEN\n"
    "                     --tz ZONE [--icloud] [--json]\n"
    "\n"
    "Reads a CalDAV account (any server, or iCloud with --icloud) directly, storing\n"
    "nothing: `calendars` lists its calendars, `events` prints the slots one calendar\n"
    "blocks.\n"
    "  URL            the server, principal, calendar home or calendar; discovery finds\n"
    "                 the rest (with --icloud, optional: https://caldav.icloud.com/)\n"
    "  --user USER    the account name (iCloud: the Apple ID)\n"
    "  --calendar     a calendar's id (its URL) or its name, as `calendars` prints them\n"
    "  --allow-private-addresses\n"
    "                 let URL reach loopback or private networks (refused by default)\n"
    "The password is read from $CALSYNC_PASSWORD, else asked for on the terminal; it is\n"
    "never an argument, so it stays out of shell history and process lists. For iCloud it\n"
    "is an app-specific password (appleid.apple.com), not the account password.\n";

const char* const kDemoHelp =
    "usage: calsync demo\n"
    "\n"
    "Offline: runs `blocked --ics` on the bundled sample calendars of a garage in Berlin,\n"
    "then lists free one-hour slots on one day. Nothing is stored. (`sh cmake/run.sh demo`\n"
    "also runs the whole flow against a local CalDAV server; see the README.)\n";

std::string read_input_file(const std::string& path, const std::string& what) {
    if (path == "-") {
        std::ostringstream s;
        s << std::cin.rdbuf();
        return s.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError{"cannot read " + what + " '" + path + "'"};
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad())
        throw UsageError{"cannot read " + what + " '" + path + "'"};
    return s.str();
}

namespace {

struct FileQuery {
    std::vector<std::string> files;
    std::vector<std::string> owners;
    std::string from, to, zone;
    bool json = false;
};

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The window in the business's zone (use_zone first); --to must be after --from.
void write_window(Writer& w, const WindowBound& from, const WindowBound& to) {
    require_ordered(from, to);
    w.Key("window");
    w.StartObject();
    key_string(w, "start", from.rfc3339());
    key_string(w, "end", to.rfc3339());
    w.EndObject();
}

std::string blocked_request(const FileQuery& q, const WindowBound& from, const WindowBound& to) {
    return json_document([&](Writer& w) {
        key_string(w, "zone", q.zone);
        write_window(w, from, to);
        w.Key("calendars");
        w.StartArray();
        for (const std::string& path : q.files) {
            const std::string text = read_input_file(path, "--ics file");
            w.StartObject();
            // The id is the file name, so a calendar without X-WR-CALNAME is labelled by it.
            key_string(w, "id", base_name(path));
            w.Key("owner_addresses");
            w.StartArray();
            for (const std::string& o : q.owners)
                w.String(o.c_str());
            w.EndArray();
            key_string(w, "ics", text);
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string engine_call(calsync_status (*fn)(const char*, char**), const std::string& request) {
    char* out = nullptr;
    check(fn(request.c_str(), &out));
    return take(out);
}

int show_slots(const std::string& response, bool json) {
    if (json) {
        std::cout << response << "\n";
        return kExitOk;
    }
    print_slots(parse_json(response));
    return kExitOk;
}

std::string blocked_of_files(const FileQuery& q) {
    if (q.files.empty())
        throw UsageError{"blocked: at least one --ics FILE is required"};
    if (q.from.empty() || q.to.empty())
        throw UsageError{"blocked: --from and --to are required"};
    const WindowBound from(q.from, "--from");
    const WindowBound to(q.to, "--to");
    if (q.zone.empty())
        throw UsageError{"blocked: --tz ZONE is required"};
    use_zone(q.zone);
    return engine_call(calsync_engine_blocked_slots, blocked_request(q, from, to));
}

// The provider handle, freed on every path out.
struct ProviderHandle {
    calsync_provider* p = nullptr;
    ~ProviderHandle() { calsync_provider_free(p); }
};

std::string provider_config(bool icloud, const std::string& url, const std::string& user,
                            const std::string& password, bool allow_private) {
    return json_document([&](Writer& w) {
        key_string(w, "kind", icloud ? "icloud" : "caldav");
        if (!url.empty())
            key_string(w, "url", url);
        key_string(w, "username", user);
        key_string(w, "password", password);
        w.Key("network");
        w.StartObject();
        w.Key("allow_private_addresses");
        w.Bool(allow_private);
        w.EndObject();
    });
}

// The sample calendars: installed beside the program, else in the source tree.
std::string sample_dir() {
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        std::string dir(exe);
        dir.resize(dir.find_last_of('/'));
        std::string installed = dir + "/../share/calsync/examples";
        if (access((installed + "/workshop.ics").c_str(), R_OK) == 0)
            return installed;
    }
    return CALSYNC_EXAMPLES_DATA_DIR;
}

}  // namespace

int run_blocked_files(CommandLine& args, const GlobalOptions& globals) {
    FileQuery q;
    q.files = args.values("--ics");
    q.owners = args.values("--owner");
    q.from = args.value("--from").value_or("");
    q.to = args.value("--to").value_or("");
    q.zone = globals.zone.value_or("");
    q.json = args.flag("--json");
    args.positionals(0, "blocked");
    return show_slots(blocked_of_files(q), q.json);
}

int run_caldav(CommandLine& args, const GlobalOptions& globals) {
    args.refuse_secret_options();
    const bool icloud = args.flag("--icloud");
    const bool json = args.flag("--json");
    const std::string user = args.required("--user", "caldav");
    const std::string calendar = args.value("--calendar").value_or("");
    const std::string from_text = args.value("--from").value_or("");
    const std::string to_text = args.value("--to").value_or("");
    auto words = args.positionals(2, "caldav");
    if (words.empty() || (words[0] != "calendars" && words[0] != "events"))
        throw UsageError{words.empty() ? "caldav: expected `calendars` or `events`"
                                       : "caldav: unknown action '" + words[0] + "'" +
                                             did_you_mean(words[0], {"calendars", "events"})};
    const std::string action = words[0];
    const std::string url = words.size() > 1 ? words[1] : "";
    if (url.empty() && !icloud)
        throw UsageError{"caldav: the server URL is required"};
    std::optional<WindowBound> from, to;
    if (action == "events") {
        if (calendar.empty())
            throw UsageError{"caldav events: --calendar is required (see `caldav calendars`)"};
        if (from_text.empty() || to_text.empty())
            throw UsageError{"caldav events: --from and --to are required"};
        from.emplace(from_text, "--from");
        to.emplace(to_text, "--to");
        if (!globals.zone)
            throw UsageError{"caldav events: --tz ZONE is required"};
    }

    ProviderHandle provider;
    check(calsync_provider_new(
        provider_config(icloud, url, user, read_password(user), globals.allow_private_addresses)
            .c_str(),
        &provider.p));
    char* out = nullptr;
    check(calsync_provider_list_calendars(provider.p, &out));
    const std::string text = take(out);
    const auto calendars = parse_json(text);
    if (action == "calendars") {
        if (json) {
            std::cout << text << "\n";
            return kExitOk;
        }
        const auto rows = rows_of(calendars["calendars"], [](const rapidjson::Value& c) {
            return std::vector<std::string>{str(c, "name"), boolean(c, "can_write") ? "yes" : "no",
                                            str(c, "color"), str(c, "id")};
        });
        print_table({"NAME", "WRITABLE", "COLOUR", "ID"}, rows);
        return kExitOk;
    }
    // --calendar is an id, or a name as `calendars` prints it.
    std::string id, names;
    for (const auto& c : calendars["calendars"].GetArray()) {
        if (calendar == str(c, "id") || calendar == str(c, "name"))
            id = str(c, "id");
        names += std::string(names.empty() ? "" : ", ") + "'" + str(c, "name") + "'";
    }
    if (id.empty())
        fail_with(kExitNotFound, "no calendar '" + calendar + "' in this account; it has " +
                                     (names.empty() ? "none" : names));
    use_zone(*globals.zone);
    const std::string request = json_document([&](Writer& w) {
        key_string(w, "calendar_id", id);
        key_string(w, "zone", *globals.zone);
        write_window(w, *from, *to);
    });
    out = nullptr;
    check(calsync_provider_blocked_slots(provider.p, request.c_str(), &out));
    return show_slots(take(out), json);
}

int run_demo(CommandLine& args, const GlobalOptions&) {
    if (!args.positionals().empty())
        throw UsageError{"demo takes no options"};
    const std::string dir = sample_dir();
    FileQuery q;
    q.files = {dir + "/workshop.ics", dir + "/personal.ics", dir + "/no-name.ics"};
    q.owners = {"owner@garage.example"};
    q.from = "2026-06-01";
    q.to = "2026-06-15";
    q.zone = "Europe/Berlin";
    std::printf(
        "A garage in Berlin keeps two calendars (Workshop, Personal) and an unnamed one.\n"
        "These slots are blocked for booking between %s and %s (%s time).\n"
        "Transparent, cancelled and declined events, and calsync's own exported\n"
        "appointments, do not block.\n\n",
        q.from.c_str(), q.to.c_str(), q.zone.c_str());
    const std::string response = blocked_of_files(q);
    show_slots(response, false);

    // Free one-hour slots on one working day, on the half hour, around what is busy.
    const auto doc = parse_json(response);
    const std::string request = json_document([&](Writer& w) {
        w.Key("busy");
        doc["busy"].Accept(w);
        w.Key("within");
        w.StartObject();
        key_string(w, "start", local_to_utc(2026, 6, 2, 8, 0));
        key_string(w, "end", local_to_utc(2026, 6, 2, 18, 0));
        w.EndObject();
        w.Key("duration_seconds");
        w.Int(3600);
        w.Key("step_seconds");
        w.Int(1800);
    });
    const auto free_doc = parse_json(engine_call(calsync_engine_free_slots, request));
    std::printf("\nFree one-hour slots on 2026-06-02 between 08:00 and 18:00:\n");
    for (const auto& f : free_doc["free"].GetArray())
        std::printf("  %s - %s\n", local_time(str(f, "start")).c_str(),
                    local_time(str(f, "end")).c_str());
    return kExitOk;
}

}  // namespace cli
