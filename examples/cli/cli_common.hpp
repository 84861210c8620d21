// What the `calsync` commands share: options, errors and exit codes, time and JSON
// helpers, and the `calendars` / `events` actions every provider command runs once its
// calsync_provider exists (caldav, google). Built only on the public C ABI.
#pragma once

#include <calsync.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace calsync_cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

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

// A provider command's action: `calendars` lists, `events` shows the slots one calendar
// blocks (`calendar` is an id, or a name as `calendars` prints it).
struct ProviderCommand : SlotQuery {
    std::string action;  // "calendars" or "events"
    std::string calendar;
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

std::string status_name(calsync_status s);
bool report(calsync_status s);

// Zone arithmetic for the command line only: the process runs in the business's zone, so
// the C library's mktime/localtime do the conversions the table needs.
void use_zone(const std::string& zone);
// A wall-clock time in the current zone, as RFC 3339 UTC.
std::string local_to_utc(int year, int month, int day, int hour, int minute);
// "2026-06-01" -> local midnight in the current zone; anything else is passed through for
// the library to check as RFC 3339.
std::string window_bound(const std::string& text);
// "2026-06-01T07:00:00Z" -> "2026-06-01 09:00 +0200" in the current zone.
std::string local_time(const std::string& rfc3339);

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key_string(Writer& w, const char* key, const std::string& value);
void write_window(Writer& w, const std::string& from, const std::string& to);
const char* str(const rapidjson::Value& v, const char* key);

// A blocked-slots response as the library's JSON or as a table.
int show_slots(const std::string& response, bool json);

// The provider handle, freed on every path out.
struct ProviderHandle {
    calsync_provider* p = nullptr;
    ~ProviderHandle() { calsync_provider_free(p); }
};

bool list_calendars(calsync_provider* p, rapidjson::Document* doc, std::string* text);

// Runs `command` on a provider: prints its calendars, or the slots one calendar blocks;
// returns the exit status.
int run_provider_command(calsync_provider* provider, const ProviderCommand& command);

}  // namespace calsync_cli
