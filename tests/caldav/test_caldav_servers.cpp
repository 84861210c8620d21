// CalDavProvider against a real server started by tests/tools/dav_server.py; the server
// is named by $CALSYNC_DAV_SERVER (its server.json). The same tests run on every server.
#define CATCH_CONFIG_MAIN
#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "../tools/command_output.hpp"
#include "counting_transport.hpp"
#include "net/curl_transport.hpp"
#include "providers/caldav/caldav_provider.hpp"

using calsync::providers::caldav::CalDavOptions;
using calsync::providers::caldav::CalDavProvider;

namespace {

struct Server {
    std::string kind, url, calendar, user, password;
};

const Server& server() {
    static const Server s = [] {
        const char* path = std::getenv("CALSYNC_DAV_SERVER");
        REQUIRE(path != nullptr);
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        rapidjson::Document d;
        d.Parse(text.str().c_str());
        REQUIRE(d.IsObject());
        return Server{d["kind"].GetString(), d["url"].GetString(), d["calendar_url"].GetString(),
                      d["user"].GetString(), d["password"].GetString()};
    }();
    return s;
}

using calsync::test::CountingTransport;

struct Client {
    explicit Client(std::string calendar_home = "")
        : provider(CalDavOptions{server().url, server().user, server().password, false, "",
                                 std::move(calendar_home)},
                   http) {}
    std::shared_ptr<CountingTransport> transport = std::make_shared<CountingTransport>();
    std::shared_ptr<calsync::net::HttpClient> http =
        std::make_shared<calsync::net::HttpClient>(transport);
    CalDavProvider provider;
};

// Another client writing on the server directly, as a phone or a web UI would.
int put_raw(const std::string& name, const std::string& body) {
    Client c;
    calsync::net::HttpRequest r;
    r.method = "PUT";
    r.url = server().calendar + name;
    r.body = body;
    r.headers = {{"Content-Type", "text/calendar"}};
    // Basic auth, encoded by hand: "garage:test-only-password" (dav_server.py's test user).
    if (!server().user.empty())
        r.headers.push_back({"Authorization", "Basic Z2FyYWdlOnRlc3Qtb25seS1wYXNzd29yZA=="});
    auto resp = c.http->send(r);
    REQUIRE(resp.ok());
    return resp->status;
}

int delete_raw(const std::string& name) {
    Client c;
    calsync::net::HttpRequest r;
    r.method = "DELETE";
    r.url = server().calendar + name;
    if (!server().user.empty())
        r.headers.push_back({"Authorization", "Basic Z2FyYWdlOnRlc3Qtb25seS1wYXNzd29yZA=="});
    auto resp = c.http->send(r);
    REQUIRE(resp.ok());
    return resp->status;
}

std::string vcal(const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + body + "END:VCALENDAR\r\n";
}

const calsync::Event* find(const std::vector<calsync::Event>& events, const std::string& id) {
    for (const auto& e : events) {
        if (e.id == id)
            return &e;
    }
    return nullptr;
}

// The event with `uid` as python3-caldav reads it (tests/tools/caldav_peek.py): an
// independent client's view of what calsync wrote.
rapidjson::Document peek(const std::string& uid) {
    const std::string command = std::string(CALSYNC_PYTHON) + " " + CALSYNC_CALDAV_PEEK + " " +
                                std::getenv("CALSYNC_DAV_SERVER") + " " + uid;
    const calsync::test::CommandOutput run = calsync::test::run_command(command);
    REQUIRE(run.status == 0);
    rapidjson::Document d;
    d.Parse(run.out.c_str());
    INFO(run.out);
    REQUIRE(d.IsObject());
    return d;
}

}  // namespace

TEST_CASE("discovery finds the calendar home and lists the calendar") {
    Client c;
    auto calendars = c.provider.list_calendars();
    REQUIRE(calendars.ok());
    bool found = false;
    for (const auto& cal : calendars.value()) {
        if (cal.id == server().calendar) {
            found = true;
            CHECK(cal.name == "Workshop");
            CHECK(cal.can_write);
        }
    }
    CHECK(found);
}

// Issue 14, item 10: discovery (RFC 6764: the principal, its calendar home) is learned
// once and kept with the connection; a home that no longer answers is found again.
TEST_CASE("a calendar home found before lists the calendars in one request") {
    Client first;
    REQUIRE(first.provider.list_calendars().ok());
    const std::string home = first.provider.calendar_home();
    REQUIRE_FALSE(home.empty());
    CHECK(first.provider.learned_settings().find("\"calendar_home\":\"" + home + "\"") !=
          std::string::npos);

    Client later(home);
    auto listed = later.provider.list_calendars();
    REQUIRE(listed.ok());
    CHECK(later.transport->requests == 1);
    CHECK(std::any_of(listed->begin(), listed->end(),
                      [](const calsync::Calendar& c) { return c.id == server().calendar; }));

    Client moved(server().url + "calsync-no-such-home/");
    auto found = moved.provider.list_calendars();
    REQUIRE(found.ok());
    CHECK(moved.provider.calendar_home() == home);
    CHECK(std::any_of(found->begin(), found->end(),
                      [](const calsync::Calendar& c) { return c.id == server().calendar; }));
}

TEST_CASE("full sync, then server-side changes seen by incremental syncs") {
    Client c;
    const calsync::TimeRange window{};
    auto full = c.provider.fetch_changes(server().calendar, "", window);
    REQUIRE(full.ok());
    CHECK(full->full_resync);

    REQUIRE(put_raw("single.ics",
                    vcal("BEGIN:VEVENT\r\nUID:single\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);
    REQUIRE(put_raw("series.ics",
                    vcal("BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
                         "DTEND;TZID=Europe/Berlin:20260105T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
                         "END:VEVENT\r\n"
                         "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                         "RECURRENCE-ID;TZID=Europe/Berlin:20260112T090000\r\n"
                         "DTSTART;TZID=Europe/Berlin:20260112T150000\r\n"
                         "DTEND;TZID=Europe/Berlin:20260112T160000\r\nEND:VEVENT\r\n"
                         "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                         "RECURRENCE-ID;TZID=Europe/Berlin:20260119T090000\r\nSTATUS:CANCELLED\r\n"
                         "DTSTART;TZID=Europe/Berlin:20260119T090000\r\n"
                         "DTEND;TZID=Europe/Berlin:20260119T100000\r\nEND:VEVENT\r\n")) /
                100 ==
            2);

    const int before = c.transport->requests;
    auto added = c.provider.fetch_changes(server().calendar, full->next_cursor, window);
    REQUIRE(added.ok());
    CHECK_FALSE(added->full_resync);
    CHECK(c.transport->requests - before <= 2);
    const auto* single = find(added->upserts, server().calendar + "single.ics");
    const auto* series = find(added->upserts, server().calendar + "series.ics");
    REQUIRE(single != nullptr);
    REQUIRE(series != nullptr);
    CHECK(series->overrides.size() == 2);
    CHECK_FALSE(series->etag.empty());

    REQUIRE(put_raw("single.ics",
                    vcal("BEGIN:VEVENT\r\nUID:single\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART:20260106T090000Z\r\nDTEND:20260106T100000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);
    REQUIRE(delete_raw("series.ics") / 100 == 2);
    auto changed = c.provider.fetch_changes(server().calendar, added->next_cursor, window);
    REQUIRE(changed.ok());
    REQUIRE(changed->upserts.size() == 1);
    CHECK(calsync::format_rfc3339(changed->upserts[0].start.resolve(*calsync::TimeZone::utc())) ==
          "2026-01-06T09:00:00Z");
    CHECK(changed->removals == std::vector<std::string>{server().calendar + "series.ics"});

    auto invalid =
        c.provider.fetch_changes(server().calendar, "sync\nhttp://bogus/token/1", window);
    REQUIRE(invalid.ok());
    // An unknown token means start over, not fail (RFC 6578 3.2: the server refuses it).
    // DAViCal 1.1.12 answers it with an ordinary listing instead, which no client can tell
    // from a change report: the periodic full read covers it (check_full_read.py).
    CHECK(invalid->full_resync == (server().kind != "davical"));
    CHECK(find(invalid->upserts, server().calendar + "single.ics") != nullptr);
    REQUIRE(delete_raw("single.ics") / 100 == 2);
}

TEST_CASE("exports: idempotent create, update, the 412 path, delete") {
    Client c;
    calsync::Event e;
    e.export_marker = "appt-77";
    e.summary = "Brake check - A. Schmidt - Opel Astra";
    e.start = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-02-02T09:00:00Z").value());
    e.end = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-02-02T10:00:00Z").value());
    auto created = c.provider.create_event(server().calendar, e);
    REQUIRE(created.ok());
    CHECK(created->id == server().calendar + "appt-77.ics");
    {
        const rapidjson::Document seen = peek("calsync-appt-77");
        REQUIRE(seen["found"].GetBool());
        CHECK(seen["url"].GetString() == created->id);
        CHECK(seen["summary"].GetString() == e.summary);
        CHECK(seen["start"].GetString() == std::string("2026-02-02T09:00:00+00:00"));
        CHECK(seen["end"].GetString() == std::string("2026-02-02T10:00:00+00:00"));
        CHECK(seen["marker"].GetString() == std::string("appt-77"));
    }

    // A retry after a crash finds the first write instead of making a second event.
    auto again = c.provider.create_event(server().calendar, e);
    REQUIRE(again.ok());
    CHECK(again->id == created->id);
    // A retry carrying a newer version (the appointment changed after the lost response)
    // writes that version over the first: the caller records it as written.
    e.summary = "Brake check - A. Schmidt - Opel Astra (moved bay)";
    auto newer = c.provider.create_event(server().calendar, e);
    REQUIRE(newer.ok());
    CHECK(newer->id == created->id);
    CHECK(peek("calsync-appt-77")["summary"].GetString() == e.summary);

    auto read = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    REQUIRE(read.ok());
    const auto* mine = find(read->upserts, created->id);
    REQUIRE(mine != nullptr);
    CHECK(mine->export_marker == "appt-77");
    CHECK(mine->summary == e.summary);
    const calsync::RemoteEvent current{created->id, mine->etag};

    e.start = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-02-02T11:00:00Z").value());
    e.end = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-02-02T12:00:00Z").value());
    auto updated = c.provider.update_event(server().calendar, current, e);
    REQUIRE(updated.ok());
    {
        const rapidjson::Document seen = peek("calsync-appt-77");
        REQUIRE(seen["found"].GetBool());
        CHECK(seen["start"].GetString() == std::string("2026-02-02T11:00:00+00:00"));
        CHECK(seen["end"].GetString() == std::string("2026-02-02T12:00:00+00:00"));
    }

    // The old version is stale now: the server answers 412 and nothing is overwritten.
    auto stale = c.provider.update_event(server().calendar, current, e);
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == calsync::ErrorCode::conflict);
    auto stale_delete = c.provider.delete_event(server().calendar, current);
    REQUIRE_FALSE(stale_delete.ok());
    CHECK(stale_delete.error().code == calsync::ErrorCode::conflict);

    auto latest = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    REQUIRE(latest.ok());
    const auto* now = find(latest->upserts, created->id);
    REQUIRE(now != nullptr);
    // The conflict is told without an etag: it means nothing to a person (issue 14, 9).
    REQUIRE_FALSE(now->etag.empty());
    CHECK(stale.error().message.find(now->etag) == std::string::npos);
    CHECK(stale.error().message.find("changed on the server") != std::string::npos);
    CHECK(calsync::format_rfc3339(now->start.resolve(*calsync::TimeZone::utc())) ==
          "2026-02-02T11:00:00Z");
    REQUIRE(c.provider.delete_event(server().calendar, {created->id, now->etag}).ok());
    CHECK_FALSE(peek("calsync-appt-77")["found"].GetBool());
    auto gone = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    REQUIRE(gone.ok());
    CHECK(find(gone->upserts, created->id) == nullptr);
}

TEST_CASE("one change among 1,000 events costs at most 3 requests", "[1000]") {
    Client c;
    auto full = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    REQUIRE(full.ok());
    // Read on several threads (an answer this large is shared out): each event once.
    std::set<std::string> loaded;
    std::size_t read = 0;
    for (const auto& e : full->upserts) {
        if (e.uid.rfind("load-", 0) == 0) {
            loaded.insert(e.uid);
            ++read;
            CHECK(e.id == server().calendar + e.uid + ".ics");
        }
    }
    REQUIRE(read == 1000);
    REQUIRE(loaded.size() == 1000);
    CHECK(*loaded.begin() == "load-0");

    REQUIRE(put_raw("load-500.ics",
                    vcal("BEGIN:VEVENT\r\nUID:load-500\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART:20260401T090000Z\r\nDTEND:20260401T100000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);
    const int before = c.transport->requests;
    auto one = c.provider.fetch_changes(server().calendar, full->next_cursor, calsync::TimeRange{});
    REQUIRE(one.ok());
    CHECK(c.transport->requests - before <= 3);
    REQUIRE(one->upserts.size() == 1);
    CHECK(one->upserts[0].id == server().calendar + "load-500.ics");
    CHECK(one->removals.empty());
}

// Issue 14, item 7: another client keeps our UID and resource name but drops the X-
// property (calendar apps may). The old code read it as someone else's event (it blocked
// its slot) and every later create met 412 "another resource has that name".
TEST_CASE("an export rewritten without calsync's X- property stays ours") {
    Client c;
    calsync::Event e;
    e.export_marker = "rw-1";
    e.summary = "Tyre change - K. Okafor";
    e.start = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-03-02T09:00:00Z").value());
    e.end = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-03-02T10:00:00Z").value());
    auto created = c.provider.create_event(server().calendar, e);
    REQUIRE(created.ok());
    REQUIRE(put_raw("rw-1.ics",
                    vcal("BEGIN:VEVENT\r\nUID:calsync-rw-1\r\nDTSTAMP:20260101T000000Z\r\n"
                         "SUMMARY:Moved on a phone\r\n"
                         "DTSTART:20260302T130000Z\r\nDTEND:20260302T140000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);
    // With a UID domain (ExportOptions::uid_domain), and a copy under another name.
    REQUIRE(put_raw("rw-2.ics", vcal("BEGIN:VEVENT\r\nUID:calsync-rw-2@garage.test\r\n"
                                     "DTSTAMP:20260101T000000Z\r\nDTSTART:20260303T090000Z\r\n"
                                     "DTEND:20260303T100000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);
    REQUIRE(put_raw("copy-of-rw-3.ics", vcal("BEGIN:VEVENT\r\nUID:calsync-rw-3\r\n"
                                             "DTSTAMP:20260101T000000Z\r\nDTSTART:20260304T090000Z"
                                             "\r\nDTEND:20260304T100000Z\r\nEND:VEVENT\r\n")) /
                100 ==
            2);

    auto read = c.provider.fetch_changes(server().calendar, "", calsync::TimeRange{});
    REQUIRE(read.ok());
    const auto* rewritten = find(read->upserts, created->id);
    REQUIRE(rewritten != nullptr);
    CHECK(rewritten->summary == "Moved on a phone");
    CHECK(rewritten->export_marker == "rw-1");
    const auto* with_domain = find(read->upserts, server().calendar + "rw-2.ics");
    REQUIRE(with_domain != nullptr);
    CHECK(with_domain->export_marker == "rw-2");
    const auto* copy = find(read->upserts, server().calendar + "copy-of-rw-3.ics");
    REQUIRE(copy != nullptr);
    CHECK(copy->export_marker.empty());  // the UID alone is not our identity

    // The create a sync repeats when its record is unconfirmed finds the rewritten event
    // and writes the appointment over it, X- property included.
    auto again = c.provider.create_event(server().calendar, e);
    REQUIRE(again.ok());
    CHECK(again->id == created->id);
    {
        const rapidjson::Document seen = peek("calsync-rw-1");
        REQUIRE(seen["found"].GetBool());
        CHECK(seen["summary"].GetString() == e.summary);
        CHECK(seen["start"].GetString() == std::string("2026-03-02T09:00:00+00:00"));
        CHECK(seen["marker"].GetString() == std::string("rw-1"));
    }
    // Someone else's event at a name we would choose is still not overwritten.
    calsync::Event other = e;
    other.export_marker = "copy-of-rw-3";
    auto refused = c.provider.create_event(server().calendar, other);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().http_status == 412);
    for (const char* name : {"rw-1.ics", "rw-2.ics", "copy-of-rw-3.ics"})
        CHECK(delete_raw(name) / 100 == 2);
}
