// calsync: the command-line face of the library, built only on the public C ABI.
//
//   calsync blocked --ics FILE [--ics FILE ...] --from WHEN --to WHEN --tz ZONE
//                   [--owner EMAIL ...] [--json]
//   calsync caldav calendars URL --user USER [--icloud] [--json]
//   calsync caldav events URL --user USER --calendar ID|NAME --from WHEN --to WHEN --tz ZONE
//   calsync google connect|calendars|events --tokens FILE ...   (google_cmd.cpp)
//   calsync microsoft connect|calendars|events ...   (microsoft_cmd.cpp)
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

#include "cli_common.hpp"
#include "google_cmd.hpp"
#include "microsoft_cmd.hpp"

namespace {

using namespace calsync_cli;

const char* const kUsage =
    "usage:\n"
    "  calsync blocked --ics FILE [--ics FILE ...] --from WHEN --to WHEN --tz ZONE\n"
    "                  [--owner EMAIL ...] [--json]\n"
    "  calsync caldav calendars URL --user USER [--icloud] [--json]\n"
    "  calsync caldav events URL --user USER --calendar ID|NAME --from WHEN --to WHEN\n"
    "                 --tz ZONE [--icloud] [--json]\n"
    "  calsync google connect|calendars|events --tokens FILE ...   (calsync google --help)\n"
    "  calsync microsoft connect|calendars|events ...   (calsync microsoft --help)\n"
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

struct BlockedArgs : SlotQuery {
    std::vector<std::string> files;
    std::vector<std::string> owners;
};

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

struct CalDavArgs : ProviderCommand {
    std::string url;
    std::string user;
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

int run_caldav(const CalDavArgs& a) {
    ProviderHandle provider;
    if (!report(
            calsync_provider_new(provider_config(a, read_password(a.user)).c_str(), &provider.p)))
        return kExitFailure;
    return run_provider_command(provider.p, a);
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
        if (command == "google")
            return run_google(argc, argv);
        if (command == "microsoft")
            return run_microsoft(argc, argv);
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
