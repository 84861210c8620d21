// Slots a worker stored, read by a client that never synced (issue 16, item 5), through
// the C ABI: a client of one business of a fleet store (CLIENT_CONFIG "store") answers
// calsync_client_blocked_slots and calsync_client_free_slots from the slots kept in the
// store, so what a worker (another handle on the same SQLite file or PostgreSQL database)
// syncs, and later changes, is what it answers. Shared by the SQLite test
// (test_client_kept_slots_c.cpp) and the PostgreSQL one (test_client_fleet_postgres_c.cpp).
#pragma once

#include <calsync.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fake_server.hpp"

namespace calsync::test {

// A day two days from now, UTC: inside any sync window, whenever the test runs.
struct TestDay {
    std::string ics;  // "20261209"
    std::string iso;  // "2026-12-09"
    TestDay() {
        const time_t later = time(nullptr) + 2 * 86400;
        struct tm t {};
        gmtime_r(&later, &t);
        char buffer[16];
        std::strftime(buffer, sizeof buffer, "%Y%m%d", &t);
        ics = buffer;
        std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &t);
        iso = buffer;
    }
    std::string at(const char* hh_mm) const { return iso + "T" + hh_mm + ":00Z"; }
};

// An ICS feed of events {uid, start hour, end hour} on `day`, UTC.
inline void write_feed(const std::string& path, const TestDay& day,
                       std::initializer_list<std::tuple<const char*, int, int>> events) {
    std::ofstream out(path, std::ios::trunc);
    out << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync test//EN\r\n"
           "X-WR-CALNAME:Workshop\r\n";
    for (const auto& [uid, from, to] : events) {
        char times[64];
        std::snprintf(times, sizeof times, "DTSTART:%sT%02d0000Z\r\nDTEND:%sT%02d0000Z\r\n",
                      day.ics.c_str(), from, day.ics.c_str(), to);
        out << "BEGIN:VEVENT\r\nUID:" << uid << "\r\nSUMMARY:busy\r\nDTSTAMP:20260101T000000Z\r\n"
            << times << "END:VEVENT\r\n";
    }
    out << "END:VCALENDAR\r\n";
}

// The JSON answer of a call that must have succeeded; `out` is freed.
inline rapidjson::Document kept_answer(calsync_status status, char* out) {
    REQUIRE(status == CALSYNC_OK);
    rapidjson::Document doc;
    doc.Parse(out);
    calsync_string_free(out);
    REQUIRE(doc.IsObject());
    return doc;
}

inline rapidjson::Document client_slots(calsync_client* c, const TestDay& day) {
    char* out = nullptr;
    const std::string range =
        R"({"start": ")" + day.at("00:00") + R"(", "end": ")" + day.at("23:59") + R"("})";
    const calsync_status s = calsync_client_blocked_slots(c, range.c_str(), &out);
    return kept_answer(s, out);
}

// The free hours of 08:00-12:00 and 13:00-17:00 on `day`, as "HH:MM" starts.
inline std::vector<std::string> free_hours(calsync_client* c, const TestDay& day) {
    std::vector<std::string> starts;
    for (const auto& [from, to] :
         {std::pair<const char*, const char*>{"08:00", "12:00"}, {"13:00", "17:00"}}) {
        char* out = nullptr;
        const std::string request = R"({"within": {"start": ")" + day.at(from) + R"(", "end": ")" +
                                    day.at(to) +
                                    R"("}, "duration_seconds": 3600, "step_seconds": 3600})";
        const calsync_status s = calsync_client_free_slots(c, request.c_str(), &out);
        auto doc = kept_answer(s, out);
        for (const auto& w : doc["free"].GetArray())
            starts.push_back(std::string(w["start"].GetString()).substr(11, 5));
    }
    return starts;
}

inline void check_client_reads_worker_slots(const std::string& store_url) {
    static const unsigned char kKey[32] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                           3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    char dir[] = "/tmp/calsync-kept-slots-c-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    const std::string feed_path = std::string(dir) + "/workshop.ics";
    const TestDay day;
    write_feed(feed_path, day, {{"oil-change", 9, 10}});
    FakeServer feed(CALSYNC_FAULT_SERVER);

    const std::string config =
        R"({"network": {"allow_private_addresses": true}, "store": {"url": ")" + store_url +
        R"(", "business_id": "garage-7"}})";
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    o.config_json = config.c_str();
    // The host's front end connects the feed and selects it (queued for the workers)...
    calsync_client* front = nullptr;
    REQUIRE(calsync_client_new(&o, &front) == CALSYNC_OK);
    const std::string request =
        R"({"kind": "ics_feed", "connection_id": "feed", "settings": {"url": ")" +
        feed.url("/feed?file=" + feed_path) + R"(", "name": "Workshop"}})";
    calsync_connection* k = nullptr;
    REQUIRE(calsync_client_connect(front, request.c_str(), &k) == CALSYNC_OK);
    char* out = nullptr;
    calsync_status s = calsync_connection_calendars(k, &out);
    auto calendars = kept_answer(s, out);
    REQUIRE(calendars["calendars"].Size() == 1);
    const std::string calendar_id = calendars["calendars"][0]["id"].GetString();
    REQUIRE(
        calsync_connection_select(
            k, (R"({"calendar_id": ")" + calendar_id + R"(", "direction": "import"})").c_str()) ==
        CALSYNC_OK);
    calsync_connection_free(k);
    // ... and a booking page's client, which never syncs, has answered before any sync.
    calsync_client* reader = nullptr;
    REQUIRE(calsync_client_new(&o, &reader) == CALSYNC_OK);
    CHECK(client_slots(reader, day)["slots"].Empty());

    // A worker on its own handle to the same store syncs the business.
    calsync_worker_options w = CALSYNC_WORKER_OPTIONS_INIT;
    w.store_url = store_url.c_str();
    w.owner = "kept-slots-test";
    w.host_key = kKey;
    w.host_key_length = sizeof kKey;
    w.config_json = R"({"network": {"allow_private_addresses": true}})";
    calsync_worker* worker = nullptr;
    REQUIRE(calsync_worker_new(&w, &worker) == CALSYNC_OK);
    out = nullptr;
    s = calsync_worker_run_once(worker, &out);
    CHECK(kept_answer(s, out)["claimed"].GetInt() == 1);

    auto first = client_slots(reader, day);
    REQUIRE(first["slots"].Size() == 1);
    const auto& slot = first["slots"][0];
    CHECK(std::string(slot["connection_id"].GetString()) == "feed");
    CHECK(std::string(slot["calendar_id"].GetString()) == calendar_id);
    CHECK(std::string(slot["label"].GetString()) == "Workshop");
    CHECK(std::string(slot["start"].GetString()) == day.at("09:00"));
    CHECK(std::string(slot["end"].GetString()) == day.at("10:00"));
    REQUIRE(first["busy"].Size() == 1);
    CHECK(std::string(first["busy"][0]["end"].GetString()) == day.at("10:00"));
    CHECK(free_hours(reader, day) ==
          std::vector<std::string>{"08:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"});

    // The garage moves the oil change and books a tyre change right after it; the worker
    // syncs again (a push or "sync now" made it due), and the reader sees it.
    write_feed(feed_path, day, {{"oil-change", 14, 15}, {"tyres", 15, 16}});
    REQUIRE(calsync_worker_mark_due(worker, "garage-7", "feed") == CALSYNC_OK);
    out = nullptr;
    s = calsync_worker_run_once(worker, &out);
    CHECK(kept_answer(s, out)["claimed"].GetInt() == 1);
    auto moved = client_slots(reader, day);
    REQUIRE(moved["slots"].Size() == 2);
    CHECK(std::string(moved["slots"][0]["start"].GetString()) == day.at("14:00"));
    CHECK(std::string(moved["slots"][1]["start"].GetString()) == day.at("15:00"));
    REQUIRE(moved["busy"].Size() == 1);  // touching slots, one busy interval
    CHECK(std::string(moved["busy"][0]["start"].GetString()) == day.at("14:00"));
    CHECK(std::string(moved["busy"][0]["end"].GetString()) == day.at("16:00"));
    CHECK(free_hours(reader, day) ==
          std::vector<std::string>{"08:00", "09:00", "10:00", "11:00", "13:00", "16:00"});

    calsync_worker_free(worker);
    calsync_client_free(reader);
    calsync_client_free(front);
    std::remove(feed_path.c_str());
}

}  // namespace calsync::test
