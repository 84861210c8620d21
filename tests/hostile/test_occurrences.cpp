// Issue 12, item 2: memory amplification by recurrence. A few kilobytes of FREQ=HOURLY
// rules gave millions of slots (3.1 GB for 77 KB through the engine, 562 MB through a feed
// sync, paid again at every client start). The import engine caps occurrences per event
// and per calendar, stops expanding at the cap, and names what it left out.
#include <chrono>
#include <map>
#include <string>

#include "bounded_child.hpp"
#include "capi_session.hpp"
#include "fake_server.hpp"
#include "memory_fence.hpp"
#include "temp_dir.hpp"

using calsync::test::call_json;
using calsync::test::check_within;
using calsync::test::parse_json;
using calsync::test::run_in_child;

namespace {

// The issue's calendar: `events` events of FREQ=HOURLY;COUNT=19999 from `dtstart` (UTC,
// "YYYYMMDDTHHMMSSZ"); each has 8,760 or more occurrences in a year's window.
std::string hourly_bomb(int events, const std::string& dtstart) {
    std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n";
    for (int i = 0; i < events; ++i)
        ics += "BEGIN:VEVENT\r\nUID:bomb-" + std::to_string(i) +
               "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + dtstart +
               "\r\nDURATION:PT30M\r\nRRULE:FREQ=HOURLY;COUNT=19999\r\nEND:VEVENT\r\n";
    return ics + "END:VCALENDAR\r\n";
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' || c == '\\')
            out += std::string("\\") + c;
        else
            out += c;
    }
    return out + "\"";
}

// Every event either blocks with all its occurrences or is named, with its calendar, as
// left out over a limit (what the calendar keeps, or the work it may cost); the whole
// stays within the per-calendar cap. "" when so, else
// what is wrong.
std::string judge_caps(const std::map<std::string, int>& slots_per_event, int occurrences_each,
                       const rapidjson::Value& left_out, const std::string& calendar_id,
                       int events) {
    std::map<std::string, int> named;
    for (const auto& e : left_out.GetArray()) {
        if (e.HasMember("calendar_id") && calendar_id != e["calendar_id"].GetString())
            return "an event of another calendar was named";
        const std::string message = e["message"].GetString();
        if (message.find("(50000)") == std::string::npos &&
            message.find("(250000 occurrences") == std::string::npos)
            return "the message does not name the limit: " + message;
        ++named[e["event_id"].GetString()];
    }
    int total = 0;
    int kept = 0;
    for (const auto& [id, n] : slots_per_event) {
        total += n;
        if (n != occurrences_each)
            return "event " + id + " kept " + std::to_string(n) + " slots, not all or none";
        ++kept;
        if (named.count(id) != 0)
            return "event " + id + " blocks and is named as left out";
    }
    if (kept + static_cast<int>(named.size()) != events)
        return std::to_string(kept) + " kept and " + std::to_string(named.size()) + " named of " +
               std::to_string(events) + " events";
    if (total > 50000)
        return std::to_string(total) + " slots, over the cap";
    if (kept == 0)
        return "nothing kept";
    return "";
}

std::map<std::string, int> count_by_event(const rapidjson::Value& slots) {
    std::map<std::string, int> out;
    for (const auto& s : slots.GetArray())
        ++out[s["event_id"].GetString()];
    return out;
}

// Today's UTC midnight as an iCalendar UTC date-time: a series starting there has all its
// occurrences of the next year inside the client's default window.
std::string today_utc() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT000000Z", &tm);
    return text;
}

}  // namespace

TEST_CASE("hostile occurrences: 500 hourly series through the engine stop at the calendar cap",
          "[hostile]") {
    auto run = run_in_child([] {
        calsync::test::fence_address_space();
        const std::string request =
            R"({"zone": "UTC", "window": {"start": "2026-01-01T00:00:00Z",
                "end": "2027-01-01T00:00:00Z"}, "calendars": [{"id": "bomb", "ics": )" +
            json_string(hourly_bomb(500, "20260101T000000Z")) + "}]}";
        const auto answer = call_json(
            [&](char** out) { return calsync_engine_blocked_slots(request.c_str(), out); });
        if (answer.status != CALSYNC_OK)
            return "status " + std::to_string(answer.status) + ": " + answer.text;
        const auto doc = parse_json(answer.text);
        // 2026 has 8,760 hours.
        const std::string wrong =
            judge_caps(count_by_event(doc["slots"]), 8760, doc["errors"], "bomb", 500);
        return wrong.empty() ? std::string("capped and named") : wrong;
    });
    check_within(run, "capped and named");
}

TEST_CASE("hostile occurrences: a feed of hourly series syncs and restarts within bounds",
          "[hostile]") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    calsync::test::TempDir dir;
    const calsync::test::TempFile feed(".ics", hourly_bomb(100, today_utc()));
    const std::string store = dir.file("calsync.sqlite");
    const std::string config = R"({"network": {"allow_private_addresses": true}})";
    const std::string url = server.url("/feed?file=" + feed.path());

    // The first sync reads the feed: 100 series of 8,760 occurrences in the window.
    auto sync = run_in_child([&] {
        calsync::test::fence_address_space();
        calsync_client* client = calsync::test::open_client(store.c_str(), config);
        calsync_connection* k = calsync::test::connect_feed(client, "bomb", url);
        const auto report = call_json([&](char** out) { return calsync_connection_sync(k, out); });
        calsync_connection_free(k);
        calsync_client_free(client);
        if (report.status != CALSYNC_OK)
            return "sync status " + std::to_string(report.status) + ": " + report.text;
        const auto doc = parse_json(report.text);
        if (std::string(doc["status"]["state"].GetString()) != "ok")
            return "sync state " + std::string(doc["status"]["state"].GetString());
        const auto& calendar = doc["calendars"][0];
        if (!calendar.HasMember("capped"))
            return std::string("the report names no capped event");
        const std::string wrong =
            judge_caps(count_by_event(doc["added"]), 8760, calendar["capped"], "", 100);
        return wrong.empty() ? std::string("capped and named") : wrong;
    });
    check_within(sync, "capped and named");

    // A client started later on that store pays no more than the sync did.
    auto restart = run_in_child([&] {
        calsync::test::fence_address_space();
        calsync_client* client = calsync::test::open_client(store.c_str(), config);
        const auto slots = call_json([&](char** out) {
            return calsync_client_blocked_slots(
                client, R"({"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"})", out);
        });
        calsync_client_free(client);
        if (slots.status != CALSYNC_OK)
            return "status " + std::to_string(slots.status) + ": " + slots.text;
        const auto doc = parse_json(slots.text);
        const auto counts = count_by_event(doc["slots"]);
        int total = 0;
        for (const auto& [id, n] : counts)
            total += n;
        return total > 0 && total <= 50000 ? std::string("started within the cap")
                                           : std::to_string(total) + " slots after a restart";
    });
    check_within(restart, "started within the cap");
}
