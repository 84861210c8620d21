// CalDavProvider against tests/fakes/caldav_fake.py: the protocol paths real servers do not
// take on request (a home on another origin, 507-truncated sync, expired tokens, faults).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <random>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "providers/caldav/caldav_provider.hpp"

using calsync::providers::caldav::CalDavOptions;
using calsync::providers::caldav::CalDavProvider;

namespace {

struct CalDavFake : calsync::test::FakeServer {
    CalDavFake() : FakeServer(CALSYNC_CALDAV_FAKE, 2) {}

    void admin(const std::string& path_and_query, const std::string& body = "") const {
        calsync::net::CurlTransport direct(calsync::test::local_options());
        calsync::net::HttpRequest r;
        r.method = "POST";
        r.url = url("/_admin/" + path_and_query);
        r.body = body;
        auto resp = direct.perform(r);
        REQUIRE(resp.ok());
        REQUIRE(resp->status == 200);
    }
    void put(const std::string& name, const std::string& summary) const {
        admin("put?name=" + name,
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
              "UID:" +
                  name +
                  "\r\nDTSTAMP:20260101T000000Z\r\n"
                  "DTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n"
                  "SUMMARY:" +
                  summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    }
    std::string calendar() const { return url("/home/cal/"); }
    std::string href(const std::string& name) const { return calendar() + name; }
};

using calsync::test::CountingTransport;

struct Client {
    explicit Client(const CalDavFake& fake)
        : provider(CalDavOptions{fake.url("/"), "garage", "test-only-password", false}, http) {}

    std::shared_ptr<CountingTransport> transport = std::make_shared<CountingTransport>();
    // Faults are retried quickly: the soak is about outcomes, not about waiting.
    std::shared_ptr<calsync::net::HttpClient> http = std::make_shared<calsync::net::HttpClient>(
        transport, calsync::net::RetryPolicy{4,
                                             std::chrono::milliseconds(1),
                                             std::chrono::milliseconds(5),
                                             std::chrono::seconds(120),
                                             {},
                                             {}});
    CalDavProvider provider;
};

using Held = std::map<std::string, std::string>;  // event id -> summary

// What a store does with a change set: all of it or, on error, nothing.
void apply_changes(const calsync::ChangeSet& changes, Held* held) {
    if (changes.full_resync)
        held->clear();
    for (const std::string& id : changes.removals)
        held->erase(id);
    for (const calsync::Event& e : changes.upserts)
        (*held)[e.id] = e.summary;
}

const calsync::TimeRange kWindow{};

}  // namespace

TEST_CASE("caldav fake: discovery follows the well-known redirect to the calendar home") {
    CalDavFake fake;
    Client client(fake);
    REQUIRE(client.provider.discover().ok());
    CHECK(client.provider.calendar_home() == fake.url("/home/"));

    auto calendars = client.provider.list_calendars();
    REQUIRE(calendars.ok());
    REQUIRE(calendars->size() == 2);  // the VTODO-only list is not a calendar of events
    const calsync::Calendar& workshop = (*calendars)[0];
    CHECK(workshop.id == fake.calendar());
    CHECK(workshop.name == "Workshop");
    CHECK(workshop.color == "#FF8800FF");
    CHECK(workshop.can_write);
    const calsync::Calendar& holidays = (*calendars)[1];
    CHECK(holidays.id == fake.url("/home/holidays/"));
    CHECK(holidays.name == "Holidays");
    CHECK_FALSE(holidays.can_write);
}

TEST_CASE("caldav fake: a calendar home on another origin is not sent the password") {
    CalDavFake fake;
    fake.admin("config?home=B");
    Client client(fake);
    auto listed = client.provider.list_calendars();
    REQUIRE_FALSE(listed.ok());
    CHECK(listed.error().code == calsync::ErrorCode::auth);
    // The principal on A was asked with the password, the home on B without it; the
    // message names both servers and what to do.
    const auto origin = [&fake](std::size_t port) {
        const std::string root = fake.url("/", port);
        return root.substr(0, root.size() - 1);
    };
    CHECK_THAT(listed.error().message, Catch::Contains("only to " + origin(0) + ","));
    CHECK_THAT(listed.error().message, Catch::Contains("another server (" + origin(1) + ")"));
    CHECK_THAT(listed.error().message, Catch::Contains("connect with a URL on that server"));
    CHECK_THAT(listed.error().message, !Catch::Contains("test-only-password"));
}

TEST_CASE("caldav fake: wrong credentials on the entry host fail discovery as auth") {
    CalDavFake fake;
    CalDavProvider provider(
        CalDavOptions{fake.url("/"), "garage", "not-the-password", false},
        std::make_shared<calsync::net::HttpClient>(std::make_shared<CountingTransport>()));
    auto r = provider.list_calendars();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(r.error().message, !Catch::Contains("not-the-password"));
}

TEST_CASE("caldav fake: a sync-collection truncated with 507 is continued to the end") {
    CalDavFake fake;
    for (int i = 0; i < 5; ++i)
        fake.put("e" + std::to_string(i) + ".ics", "job " + std::to_string(i));
    fake.admin("config?page=2");
    Client client(fake);

    auto full = client.provider.fetch_changes(fake.calendar(), "", kWindow);
    REQUIRE(full.ok());
    CHECK(full->full_resync);
    CHECK(client.transport->requests == 3);  // 2 + 2 + 1 members, one REPORT each
    Held held;
    apply_changes(*full, &held);
    CHECK(held == Held{{fake.href("e0.ics"), "job 0"},
                       {fake.href("e1.ics"), "job 1"},
                       {fake.href("e2.ics"), "job 2"},
                       {fake.href("e3.ics"), "job 3"},
                       {fake.href("e4.ics"), "job 4"}});

    fake.put("e1.ics", "job 1 moved");
    fake.admin("delete?name=e3.ics");
    fake.put("e5.ics", "job 5");
    client.transport->requests = 0;
    auto incremental = client.provider.fetch_changes(fake.calendar(), full->next_cursor, kWindow);
    REQUIRE(incremental.ok());
    CHECK_FALSE(incremental->full_resync);
    CHECK(client.transport->requests == 2);
    CHECK(incremental->removals == std::vector<std::string>{fake.href("e3.ics")});
    apply_changes(*incremental, &held);
    CHECK(held == Held{{fake.href("e0.ics"), "job 0"},
                       {fake.href("e1.ics"), "job 1 moved"},
                       {fake.href("e2.ics"), "job 2"},
                       {fake.href("e4.ics"), "job 4"},
                       {fake.href("e5.ics"), "job 5"}});
}

TEST_CASE("caldav fake: a token the server no longer knows (403 valid-sync-token) resyncs") {
    CalDavFake fake;
    fake.put("a.ics", "first");
    Client client(fake);
    auto full = client.provider.fetch_changes(fake.calendar(), "", kWindow);
    REQUIRE(full.ok());
    fake.put("b.ics", "second");
    fake.admin("config?forget_before=100");

    auto again = client.provider.fetch_changes(fake.calendar(), full->next_cursor, kWindow);
    REQUIRE(again.ok());
    CHECK(again->full_resync);
    Held held{{"stale", "kept only until a full resync replaces it"}};
    apply_changes(*again, &held);
    CHECK(held == Held{{fake.href("a.ics"), "first"}, {fake.href("b.ics"), "second"}});
}

// Random changes on the server, random faults on a quarter of the requests (503, 429,
// reset mid-body, truncated body, malformed XML). After each sync the client's view must
// equal the server's, or the sync must have failed and the view and cursor be as before.
// CALSYNC_SOAK_ROUNDS lengthens it (ctest label heavy runs 1,000 rounds).
TEST_CASE("caldav fake: under injected faults a sync delivers all of a change or none", "[soak]") {
    const char* env = std::getenv("CALSYNC_SOAK_ROUNDS");
    const int rounds = env != nullptr ? std::atoi(env) : 40;
    CalDavFake fake;
    fake.admin("config?page=3&fault_rate=0.25&seed=7");
    Client client(fake);
    std::mt19937 random(2026);
    Held truth;
    Held held;
    std::string cursor;
    int failures = 0;
    int successes = 0;
    for (int round = 0; round < rounds; ++round) {
        const int edits = static_cast<int>(random() % 4);
        for (int k = 0; k < edits; ++k) {
            const std::string name = "r" + std::to_string(random() % 12) + ".ics";
            if (random() % 4 == 0) {
                fake.admin("delete?name=" + name);
                truth.erase(fake.href(name));
            } else {
                const std::string summary = "round " + std::to_string(round);
                fake.put(name, summary);
                truth[fake.href(name)] = summary;
            }
        }
        auto changes = client.provider.fetch_changes(fake.calendar(), cursor, kWindow);
        if (!changes.ok()) {
            ++failures;
            CHECK_FALSE(changes.error().message.empty());
            continue;  // nothing applied, the cursor stays: the next round repeats it
        }
        ++successes;
        apply_changes(*changes, &held);
        cursor = changes->next_cursor;
        INFO("round " << round);
        REQUIRE(held == truth);
    }
    CHECK(successes > rounds / 3);
    CHECK(failures > 0);  // malformed XML is not retried: some rounds must have failed
}
