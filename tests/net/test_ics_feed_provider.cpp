// The ICS feed provider (src/providers/ics_feed) against a local feed server.
#include <catch2/catch.hpp>
#include <fstream>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "providers/ics_feed/ics_feed_provider.hpp"

using calsync::providers::ics_feed::IcsFeedOptions;
using calsync::providers::ics_feed::IcsFeedProvider;

namespace {

using calsync::test::CountingTransport;

std::string event(const std::string& uid, const std::string& start) {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTART:" + start +
           "\r\nDURATION:PT1H\r\nEND:VEVENT\r\n";
}

void write_feed(const std::string& path, const std::string& events) {
    std::ofstream(path, std::ios::binary)
        << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Club fixtures\r\n"
        << events << "END:VCALENDAR\r\n";
}

std::vector<std::string> ids(const std::vector<calsync::Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("feed: conditional GET, 304, and a change set by UID") {
    calsync::test::FaultServer server;
    const std::string path = "/tmp/calsync-feed-" + std::to_string(getpid()) + ".ics";
    write_feed(path, event("a", "20260105T090000Z") + event("b", "20260106T090000Z") +
                         event("c", "20260107T090000Z") +
                         "BEGIN:VEVENT\r\nUID:c\r\nRECURRENCE-ID:20260301T090000Z\r\n"
                         "DTSTART:20260301T100000Z\r\nEND:VEVENT\r\n");
    auto transport = std::make_shared<CountingTransport>();
    auto http = std::make_shared<calsync::net::HttpClient>(transport);
    IcsFeedProvider feed(server.url("/feed?file=" + path), http, IcsFeedOptions{});
    const calsync::TimeRange window{};

    auto first = feed.fetch_changes("feed", "", window);
    REQUIRE(first.ok());
    CHECK(first->full_resync);
    CHECK(ids(first->upserts) == std::vector<std::string>{"a", "b", "c"});
    CHECK(feed.list_calendars().value()[0].name == "Club fixtures");

    auto again = feed.fetch_changes("feed", first->next_cursor, window);
    REQUIRE(again.ok());
    CHECK(again->unchanged);
    CHECK(again->upserts.empty());
    // The fetch, list_calendars (it reads the feed, for its name and to know it answers),
    // and the 304, which cost one request and no body.
    CHECK(transport->requests == 3);

    // b moves, c disappears, d arrives, a is untouched.
    write_feed(path, event("a", "20260105T090000Z") + event("b", "20260106T100000Z") +
                         event("d", "20260108T090000Z"));
    auto changed = feed.fetch_changes("feed", again->next_cursor, window);
    REQUIRE(changed.ok());
    CHECK_FALSE(changed->full_resync);
    CHECK(ids(changed->upserts) == std::vector<std::string>{"b", "d"});
    CHECK(changed->removals == std::vector<std::string>{"c"});

    // An event that turns unreadable is reported and keeps its last good version.
    write_feed(path, event("a", "20260105T090000Z") +
                         "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Nowhere/Town:20260106T100000\r\n"
                         "END:VEVENT\r\n" +
                         event("d", "20260108T090000Z"));
    auto broken = feed.fetch_changes("feed", changed->next_cursor, window);
    REQUIRE(broken.ok());
    CHECK(broken->upserts.empty());
    CHECK(broken->removals.empty());
    REQUIRE(broken->errors.size() == 1);
    CHECK(broken->errors[0].event_id == "b");
    std::remove(path.c_str());
}

TEST_CASE("feed: HTTP errors are errors, and writes are refused") {
    calsync::test::FaultServer server;
    auto http = std::make_shared<calsync::net::HttpClient>(
        std::make_shared<calsync::net::CurlTransport>(calsync::test::local_options()));
    IcsFeedProvider feed(server.url("/no-such-feed"), http, IcsFeedOptions{});
    auto r = feed.fetch_changes("feed", "", calsync::TimeRange{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::not_found);
    CHECK(r.error().http_status == 404);
    CHECK_FALSE(feed.create_event("feed", calsync::Event{}).ok());
}
