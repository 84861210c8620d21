#include "output.hpp"

#include <calsync.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "core/bounded_json.hpp"

namespace cli {

rapidjson::Document parse_json(const std::string& text) {
    return calsync::json::parse_bounded_or_null(text);
}

const char* str(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject())
        return "";
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

bool boolean(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject())
        return false;
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

long long integer(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject())
        return 0;
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string take(char* library_string) {
    std::string text = library_string != nullptr ? library_string : "";
    calsync_string_free(library_string);
    return text;
}

void key_string(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string counted(long long n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&width](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    };
    measure(header);
    for (const auto& row : rows)
        measure(row);
    auto print = [&width](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        std::printf("%s\n", line.c_str());
    };
    print(header);
    for (const auto& row : rows)
        print(row);
}

namespace {

// A CalDAV event id is its resource URL: the table shows the resource's name, which is
// what tells one event from another (--json keeps the whole id).
std::string short_event_id(const std::string& id) {
    if (id.find("://") == std::string::npos)
        return id;
    const auto slash = id.find_last_of('/', id.size() > 1 ? id.size() - 2 : 0);
    return slash == std::string::npos ? id : id.substr(slash + 1);
}

}  // namespace

void print_slots(const rapidjson::Value& doc) {
    std::vector<std::vector<std::string>> rows;
    const auto& slots = doc["slots"];
    for (const auto& s : slots.GetArray()) {
        std::string flags = boolean(s, "all_day") ? "all-day" : "";
        if (boolean(s, "tentative"))
            flags += flags.empty() ? "tentative" : ",tent";
        rows.push_back({local_time(str(s, "start")), local_time(str(s, "end")), flags,
                        str(s, "label"), short_event_id(str(s, "event_id"))});
    }
    // The FLAGS column keeps its width when empty, so the table reads the same every time.
    std::printf("%-22s  %-22s  %-9s  %-14s  %s\n", "START", "END", "FLAGS", "CALENDAR", "EVENT");
    for (const auto& r : rows) {
        std::printf("%-22s  %-22s  %-9s  %-14s  %s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(),
                    r[3].c_str(), r[4].c_str());
    }
    const auto& busy = doc["busy"];
    const long long busy_seconds = std::accumulate(
        busy.Begin(), busy.End(), 0LL, [](long long sum, const rapidjson::Value& b) {
            return sum +
                   static_cast<long long>(parse_utc(str(b, "end")) - parse_utc(str(b, "start")));
        });
    std::printf("\n%s; %s, %lldh %02lldm in total\n", counted(slots.Size(), "blocked slot").c_str(),
                counted(doc["busy"].Size(), "busy interval").c_str(), busy_seconds / 3600,
                (busy_seconds % 3600) / 60);
    if (doc.HasMember("errors")) {
        for (const auto& e : doc["errors"].GetArray()) {
            std::fprintf(stderr, "skipped event %s in %s: %s\n", str(e, "event_id"),
                         str(e, "calendar_id"), str(e, "message"));
        }
    }
}

ProgressLine::ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
    clear();
}

void ProgressLine::show(const std::string& text) {
    if (!enabled_)
        return;
    winsize ws{};
    std::size_t columns = 80;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        columns = ws.ws_col;
    std::string line = text.size() + 1 > columns ? text.substr(0, columns - 1) : text;
    // Carriage return, the text, then erase what an earlier, longer line left (ECMA-48 EL).
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    shown_ = true;
}

void ProgressLine::clear() {
    if (!shown_)
        return;
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    shown_ = false;
}

}  // namespace cli
