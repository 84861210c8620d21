// calsync: the command-line face of the library, built only on the public C ABI.
//
//   calsync blocked --ics FILE [--ics FILE ...] --from WHEN --to WHEN --tz ZONE
//                   [--owner EMAIL ...] [--json]
//   calsync caldav calendars URL --user USER [--icloud] [--json]
//   calsync caldav events URL --user USER --calendar ID|NAME --from WHEN --to WHEN --tz ZONE
//   calsync demo
#include <calsync.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char* const kUsage =
    "usage:\n"
    "  calsync blocked --ics FILE [--ics FILE ...] --from WHEN --to WHEN --tz ZONE\n"
    "                  [--owner EMAIL ...] [--json]\n"
    "  calsync caldav calendars URL --user USER [--icloud] [--json]\n"
    "  calsync caldav events URL --user USER --calendar ID|NAME --from WHEN --to WHEN\n"
    "                 --tz ZONE [--icloud] [--json]\n"
    "  calsync demo\n"
    "  calsync --help | --version\n"
    "\n"
    "blocked  prints the slots customers cannot book, one per occurrence of an external\n"
    "         event, with the calendar's name (X-WR-CALNAME, else the file name).\n"
    "  --ics FILE     an iCalendar file; repeat for several calendars\n"
    "  --from, --to   the window: an RFC 3339 instant (2026-06-01T00:00:00Z, or with an\n"
    "                 offset) or a date (2026-06-01), meaning midnight in --tz\n"
    "  --tz ZONE      the business's IANA time zone; all-day and floating times live here\n"
    "  --owner EMAIL  the calendar owner's address: invitations they declined do not block\n"
    "  --json         print the library's JSON response instead of a table\n"
    "caldav   reads a CalDAV account (any server, or iCloud with --icloud): `calendars`\n"
    "         lists its calendars, `events` prints the slots one calendar blocks.\n"
    "  URL            the server, principal, calendar home or calendar; discovery finds\n"
    "                 the rest (with --icloud, optional: https://caldav.icloud.com/)\n"
    "  --user USER    the account name (iCloud: the Apple ID)\n"
    "  --calendar     a calendar's id (its URL) or its name, as `calendars` prints them\n"
    "  --allow-private-addresses\n"
    "                 let URL reach loopback or private networks (refused by default)\n"
    "  The password is read from $CALSYNC_PASSWORD, else asked for on the terminal; it is\n"
    "  never an argument, so it stays out of shell history and process lists. For iCloud\n"
    "  it is an app-specific password (appleid.apple.com), not the account password.\n"
    "demo     runs `blocked` on the bundled sample calendars of a garage in Berlin, then\n"
    "         lists free one-hour slots on one day.\n"
    "\n"
    "exit status: 0 success, 1 the library reported an error, 2 usage error (bad option,\n"
    "unreadable file).\n";

struct UsageError {
    std::string message;
};

// The window and zone a slot listing is computed for, and how it is printed.
struct SlotQuery {
    std::string from;
    std::string to;
    std::string zone;
    bool json = false;
};

struct BlockedArgs : SlotQuery {
    std::vector<std::string> files;
    std::vector<std::string> owners;
};

// Walks argv from `first`; `handle(option, value)` takes each option and returns false for
// one it does not know. `value()` consumes the option's argument.
template <class Handle>
void parse_options(int argc, char** argv, int first, Handle&& handle) {
    for (int i = first; i < argc; ++i) {
        const std::string opt = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw UsageError{"option " + opt + " needs a value"};
            return argv[++i];
        };
        if (!handle(opt, value))
            throw UsageError{"unknown option '" + opt + "'"};
    }
}

// --from, --to, --tz, --json; false for any other option.
template <class Value>
bool slot_query_option(const std::string& opt, Value&& value, SlotQuery* q) {
    if (opt == "--from")
        q->from = value();
    else if (opt == "--to")
        q->to = value();
    else if (opt == "--tz")
        q->zone = value();
    else if (opt == "--json")
        q->json = true;
    else
        return false;
    return true;
}

std::string status_name(calsync_status s) {
    switch (s) {
        case CALSYNC_EINVAL:
            return "invalid argument";
        case CALSYNC_EPARSE:
            return "unreadable calendar";
        case CALSYNC_EZONE:
            return "unknown time zone";
        case CALSYNC_ENOMEM:
            return "out of memory";
        case CALSYNC_ELIMIT:
            return "limit exceeded";
        case CALSYNC_EINTERNAL:
            return "internal error";
        case CALSYNC_EAUTH:
            return "sign-in refused";
        case CALSYNC_ENETWORK:
            return "network error";
        case CALSYNC_EHTTP:
            return "server error";
        case CALSYNC_ERATELIMIT:
            return "rate limited";
        case CALSYNC_ENOTFOUND:
            return "not found";
        case CALSYNC_ECONFLICT:
            return "conflict";
        case CALSYNC_EPENDING:
            return "not finished yet";
        default:
            return "error";
    }
}

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool read_file(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream s;
    s << in.rdbuf();
    *out = s.str();
    return static_cast<bool>(in) || in.eof();
}

// Zone arithmetic for the command line only: the process runs in the business's zone, so
// the C library's mktime/localtime do the conversions the table needs.
void use_zone(const std::string& zone) {
    setenv("TZ", zone.c_str(), 1);
    tzset();
}

// A wall-clock time in the current zone, as RFC 3339 UTC.
std::string local_to_utc(int year, int month, int day, int hour, int minute) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    const std::time_t t = std::mktime(&tm);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

// "2026-06-01" -> local midnight in the current zone; anything else is passed through for
// the library to check as RFC 3339.
std::string window_bound(const std::string& text) {
    int y = 0, m = 0, d = 0;
    char extra = 0;
    if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3)
        return local_to_utc(y, m, d, 0, 0);
    return text;
}

// "2026-06-01T07:00:00Z" -> "2026-06-01 09:00 +0200" in the current zone.
std::string local_time(const std::string& rfc3339) {
    std::tm tm{};
    if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr)
        return rfc3339;
    const std::time_t t = timegm(&tm);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %z", &local);
    return buf;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key_string(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_window(Writer& w, const std::string& from, const std::string& to) {
    w.Key("window");
    w.StartObject();
    key_string(w, "start", window_bound(from));
    key_string(w, "end", window_bound(to));
    w.EndObject();
}

std::string blocked_request(const BlockedArgs& a) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "zone", a.zone);
    write_window(w, a.from, a.to);
    w.Key("calendars");
    w.StartArray();
    for (const std::string& path : a.files) {
        std::string text;
        if (!read_file(path, &text))
            throw UsageError{"cannot read --ics file '" + path + "'"};
        w.StartObject();
        // The id is the file name, so a calendar without X-WR-CALNAME is labelled by it.
        key_string(w, "id", base_name(path));
        w.Key("owner_addresses");
        w.StartArray();
        for (const std::string& o : a.owners)
            w.String(o.c_str());
        w.EndArray();
        key_string(w, "ics", text);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return buf.GetString();
}

// Calls the library; on failure prints why and returns false.
bool call(calsync_status (*fn)(const char*, char**), const std::string& request,
          std::string* response) {
    char* out = nullptr;
    const calsync_status s = fn(request.c_str(), &out);
    if (s != CALSYNC_OK) {
        std::cerr << "calsync: " << status_name(s) << ": " << calsync_last_error_message() << "\n";
        return false;
    }
    response->assign(out);
    calsync_string_free(out);
    return true;
}

const char* str(const rapidjson::Value& v, const char* key) {
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

void print_table(const rapidjson::Document& doc) {
    const auto& slots = doc["slots"];
    std::printf("%-22s  %-22s  %-9s  %-14s  %s\n", "START", "END", "FLAGS", "CALENDAR", "EVENT");
    for (const auto& s : slots.GetArray()) {
        std::string flags = s["all_day"].GetBool() ? "all-day" : "";
        if (s["tentative"].GetBool())
            flags += flags.empty() ? "tentative" : ",tent";
        std::printf("%-22s  %-22s  %-9s  %-14s  %s\n", local_time(str(s, "start")).c_str(),
                    local_time(str(s, "end")).c_str(), flags.c_str(), str(s, "label"),
                    str(s, "event_id"));
    }
    long long busy_seconds = 0;
    for (const auto& b : doc["busy"].GetArray()) {
        std::tm a{}, z{};
        strptime(str(b, "start"), "%Y-%m-%dT%H:%M:%SZ", &a);
        strptime(str(b, "end"), "%Y-%m-%dT%H:%M:%SZ", &z);
        busy_seconds += static_cast<long long>(timegm(&z) - timegm(&a));
    }
    std::printf("\n%u blocked slots; %u busy intervals, %lldh %02lldm in total\n", slots.Size(),
                doc["busy"].Size(), busy_seconds / 3600, (busy_seconds % 3600) / 60);
    for (const auto& e : doc["errors"].GetArray()) {
        std::fprintf(stderr, "skipped event %s in %s: %s\n", str(e, "event_id"),
                     str(e, "calendar_id"), str(e, "message"));
    }
}

// A blocked-slots response as the library's JSON or as a table.
int show_slots(const std::string& response, bool json) {
    if (json) {
        std::cout << response << "\n";
        return kExitOk;
    }
    rapidjson::Document doc;
    doc.Parse(response.c_str());
    print_table(doc);
    return kExitOk;
}

int run_blocked(const BlockedArgs& a, std::string* response_out = nullptr) {
    if (a.files.empty())
        throw UsageError{"blocked: at least one --ics FILE is required"};
    if (a.from.empty() || a.to.empty())
        throw UsageError{"blocked: --from and --to are required"};
    if (a.zone.empty())
        throw UsageError{"blocked: --tz ZONE is required"};
    use_zone(a.zone);
    std::string response;
    if (!call(calsync_engine_blocked_slots, blocked_request(a), &response))
        return kExitFailure;
    if (response_out != nullptr)
        *response_out = response;
    return show_slots(response, a.json);
}

BlockedArgs parse_blocked(int argc, char** argv) {
    BlockedArgs a;
    parse_options(argc, argv, 2, [&](const std::string& opt, auto&& value) {
        if (opt == "--ics")
            a.files.push_back(value());
        else if (opt == "--owner")
            a.owners.push_back(value());
        else
            return slot_query_option(opt, value, &a);
        return true;
    });
    return a;
}

struct CalDavArgs : SlotQuery {
    std::string action;  // "calendars" or "events"
    std::string url;
    std::string user;
    std::string calendar;
    bool icloud = false;
    bool allow_private = false;
};

CalDavArgs parse_caldav(int argc, char** argv) {
    CalDavArgs a;
    if (argc < 3)
        throw UsageError{"caldav: expected `calendars` or `events`"};
    a.action = argv[2];
    if (a.action != "calendars" && a.action != "events")
        throw UsageError{"caldav: unknown action '" + a.action + "'"};
    parse_options(argc, argv, 3, [&](const std::string& opt, auto&& value) {
        if (opt == "--user") {
            a.user = value();
        } else if (opt == "--calendar") {
            a.calendar = value();
        } else if (opt == "--icloud") {
            a.icloud = true;
        } else if (opt == "--allow-private-addresses") {
            a.allow_private = true;
        } else if (opt.rfind("--password", 0) == 0) {
            throw UsageError{
                "the password is never an argument (shell history and process lists would "
                "show it): set CALSYNC_PASSWORD or answer the prompt"};
        } else if (opt.rfind("--", 0) != 0 && a.url.empty()) {
            a.url = opt;
        } else {
            return slot_query_option(opt, value, &a);
        }
        return true;
    });
    if (a.url.empty() && !a.icloud)
        throw UsageError{"caldav: the server URL is required"};
    if (a.user.empty())
        throw UsageError{"caldav: --user is required"};
    if (a.action == "events") {
        if (a.calendar.empty())
            throw UsageError{"caldav events: --calendar is required (see `caldav calendars`)"};
        if (a.from.empty() || a.to.empty())
            throw UsageError{"caldav events: --from and --to are required"};
        if (a.zone.empty())
            throw UsageError{"caldav events: --tz ZONE is required"};
    }
    return a;
}

// $CALSYNC_PASSWORD, else a prompt on the terminal with echo off.
std::string read_password(const std::string& user) {
    if (const char* env = std::getenv("CALSYNC_PASSWORD"); env != nullptr && *env != '\0')
        return env;
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr)
        throw UsageError{"no password: set CALSYNC_PASSWORD or run calsync on a terminal"};
    std::fprintf(tty, "Password for %s: ", user.c_str());
    std::fflush(tty);
    termios saved{};
    const bool is_terminal = tcgetattr(fileno(tty), &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    char line[1024];
    const bool got = std::fgets(line, sizeof line, tty) != nullptr;
    if (is_terminal)
        tcsetattr(fileno(tty), TCSAFLUSH, &saved);
    std::fprintf(tty, "\n");
    std::fclose(tty);
    if (!got)
        throw UsageError{"no password given"};
    std::string password(line);
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
    return password;
}

std::string provider_config(const CalDavArgs& a, const std::string& password) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "kind", a.icloud ? "icloud" : "caldav");
    if (!a.url.empty())
        key_string(w, "url", a.url);
    key_string(w, "username", a.user);
    key_string(w, "password", password);
    w.Key("network");
    w.StartObject();
    w.Key("allow_private_addresses");
    w.Bool(a.allow_private);
    w.EndObject();
    w.EndObject();
    return buf.GetString();
}

bool report(calsync_status s) {
    if (s == CALSYNC_OK)
        return true;
    std::cerr << "calsync: " << status_name(s) << ": " << calsync_last_error_message() << "\n";
    return false;
}

// The provider handle, freed on every path out.
struct ProviderHandle {
    calsync_provider* p = nullptr;
    ~ProviderHandle() { calsync_provider_free(p); }
};

bool list_calendars(calsync_provider* p, rapidjson::Document* doc, std::string* text) {
    char* out = nullptr;
    if (!report(calsync_provider_list_calendars(p, &out)))
        return false;
    text->assign(out);
    calsync_string_free(out);
    doc->Parse(text->c_str());
    return true;
}

int run_caldav(const CalDavArgs& a) {
    ProviderHandle provider;
    if (!report(
            calsync_provider_new(provider_config(a, read_password(a.user)).c_str(), &provider.p)))
        return kExitFailure;
    rapidjson::Document calendars;
    std::string text;
    if (!list_calendars(provider.p, &calendars, &text))
        return kExitFailure;
    if (a.action == "calendars") {
        if (a.json) {
            std::cout << text << "\n";
            return kExitOk;
        }
        std::printf("%-24s  %-8s  %-10s  %s\n", "NAME", "WRITABLE", "COLOUR", "ID");
        for (const auto& c : calendars["calendars"].GetArray()) {
            std::printf("%-24s  %-8s  %-10s  %s\n", str(c, "name"),
                        c["can_write"].GetBool() ? "yes" : "no", str(c, "color"), str(c, "id"));
        }
        return kExitOk;
    }
    // --calendar is an id, or a name as `calendars` prints it.
    std::string id;
    std::string names;
    for (const auto& c : calendars["calendars"].GetArray()) {
        if (a.calendar == str(c, "id") || a.calendar == str(c, "name"))
            id = str(c, "id");
        names += std::string(names.empty() ? "" : ", ") + "'" + str(c, "name") + "'";
    }
    if (id.empty()) {
        std::cerr << "calsync: no calendar '" << a.calendar << "' in this account; it has "
                  << (names.empty() ? "none" : names) << "\n";
        return kExitFailure;
    }
    use_zone(a.zone);
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "calendar_id", id);
    key_string(w, "zone", a.zone);
    write_window(w, a.from, a.to);
    w.EndObject();
    char* out = nullptr;
    if (!report(calsync_provider_blocked_slots(provider.p, buf.GetString(), &out)))
        return kExitFailure;
    const std::string response(out);
    calsync_string_free(out);
    return show_slots(response, a.json);
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

int run_demo() {
    const std::string dir = sample_dir();
    BlockedArgs a;
    a.files = {dir + "/workshop.ics", dir + "/personal.ics", dir + "/no-name.ics"};
    a.owners = {"owner@garage.example"};
    a.from = "2026-06-01";
    a.to = "2026-06-15";
    a.zone = "Europe/Berlin";
    std::printf(
        "A garage in Berlin keeps two calendars (Workshop, Personal) and an unnamed one.\n"
        "These slots are blocked for booking between %s and %s (%s time).\n"
        "Transparent, cancelled and declined events, and calsync's own exported\n"
        "appointments, do not block.\n\n",
        a.from.c_str(), a.to.c_str(), a.zone.c_str());
    std::string response;
    const int rc = run_blocked(a, &response);
    if (rc != kExitOk)
        return rc;

    // Free one-hour slots on one working day, on the half hour, around what is busy.
    rapidjson::Document doc;
    doc.Parse(response.c_str());
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
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
    w.EndObject();
    std::string free_response;
    if (!call(calsync_engine_free_slots, buf.GetString(), &free_response))
        return kExitFailure;
    rapidjson::Document free_doc;
    free_doc.Parse(free_response.c_str());
    std::printf("\nFree one-hour slots on 2026-06-02 between 08:00 and 18:00:\n");
    for (const auto& f : free_doc["free"].GetArray()) {
        std::printf("  %s - %s\n", local_time(str(f, "start")).c_str(),
                    local_time(str(f, "end")).c_str());
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2)
            throw UsageError{"missing command"};
        const std::string command = argv[1];
        if (command == "--help" || command == "-h" || command == "help") {
            std::cout << kUsage;
            return kExitOk;
        }
        if (command == "--version") {
            std::cout << "calsync " << calsync_version() << "\n";
            return kExitOk;
        }
        if (command == "blocked")
            return run_blocked(parse_blocked(argc, argv));
        if (command == "caldav")
            return run_caldav(parse_caldav(argc, argv));
        if (command == "demo") {
            if (argc > 2)
                throw UsageError{"demo takes no options"};
            return run_demo();
        }
        throw UsageError{"unknown command '" + command + "'"};
    } catch (const UsageError& e) {
        std::cerr << "calsync: " << e.message << "\n\n" << kUsage;
        return kExitUsage;
    }
}
