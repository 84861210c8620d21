#include "cli_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

namespace calsync_cli {

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

bool report(calsync_status s) {
    if (s == CALSYNC_OK)
        return true;
    std::cerr << "calsync: " << status_name(s) << ": " << calsync_last_error_message() << "\n";
    return false;
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

const char* str(const rapidjson::Value& v, const char* key) {
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

namespace {

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

}  // namespace

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

bool list_calendars(calsync_provider* p, rapidjson::Document* doc, std::string* text) {
    char* out = nullptr;
    if (!report(calsync_provider_list_calendars(p, &out)))
        return false;
    text->assign(out);
    calsync_string_free(out);
    doc->Parse(text->c_str());
    return true;
}

int run_provider_command(calsync_provider* provider, const ProviderCommand& a) {
    rapidjson::Document calendars;
    std::string text;
    if (!list_calendars(provider, &calendars, &text))
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
    if (!report(calsync_provider_blocked_slots(provider, buf.GetString(), &out)))
        return kExitFailure;
    const std::string response(out);
    calsync_string_free(out);
    return show_slots(response, a.json);
}

}  // namespace calsync_cli
