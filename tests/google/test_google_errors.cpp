// Google's error answers as calsync Errors (src/providers/google/google_errors.cpp),
// through the provider against the fake: permissions, a deleted calendar, 401 and a
// revoked grant, and no secret in any message.
#include <catch2/catch.hpp>

#include "google_fake.hpp"
#include "providers/google/google_errors.hpp"

using calsync::ErrorCode;
using calsync::test::GoogleConnection;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;

namespace {

const calsync::TimeRange kWindow{calsync::parse_rfc3339("2026-03-01T00:00:00Z").value(),
                                 calsync::parse_rfc3339("2026-04-01T00:00:00Z").value()};

calsync::Event appointment(const std::string& marker) {
    calsync::Event e;
    e.export_marker = marker;
    e.summary = "Busy";
    e.start = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-03-02T08:00:00Z").value());
    e.end = calsync::EventTime::at_utc(calsync::parse_rfc3339("2026-03-02T09:00:00Z").value());
    return e;
}

}  // namespace

TEST_CASE("google errors: the error body is read as the guide shows it") {
    const auto body = calsync::providers::google::read_google_error(
        R"({"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded",)"
        R"("message":"User Rate Limit Exceeded"}],"code":403,"message":"User Rate Limit Exceeded"}})");
    CHECK(body.domain == "usageLimits");
    CHECK(body.reason == "userRateLimitExceeded");
    CHECK(body.message == "User Rate Limit Exceeded");
    CHECK(calsync::providers::google::read_google_error("<html>502</html>").reason.empty());
}

TEST_CASE("google errors: no permission and a deleted calendar are told apart") {
    GoogleFake fake;
    fake.control("calendar", R"({"id":"holidays@example.com","accessRole":"reader"})");
    GoogleConnection c(fake);

    // Issue 14, item 3: a calendar the account cannot write to is that calendar's problem;
    // signing in again would not help (only a refused grant asks for that).
    auto write = c.provider.create_event("holidays@example.com", appointment("appt-1"));
    REQUIRE_FALSE(write.ok());
    CHECK(write.error().code == ErrorCode::http);
    CHECK(write.error().http_status == 403);
    CHECK_THAT(write.error().message, Catch::Contains("read-only"));
    CHECK_THAT(write.error().message, Catch::Contains("holidays@example.com"));
    CHECK_THAT(write.error().message, Catch::Contains("writer access"));  // Google's words
    CHECK_THAT(write.error().message, Catch::Contains("requiredAccessLevel"));

    fake.control("delete_calendar?calendar=holidays@example.com");
    auto read = c.provider.fetch_changes("holidays@example.com", "", kWindow);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == ErrorCode::not_found);
    CHECK(read.error().http_status == 404);
    CHECK_THAT(read.error().message, Catch::Contains("calendar 'holidays@example.com'"));
    CHECK_THAT(read.error().message, Catch::Contains("deleted"));
}

TEST_CASE("google errors: forbiddenForNonOrganizer is a permission error, not retried") {
    GoogleFake fake;
    GoogleConnection c(fake);
    fake.fault(R"({"error":"forbiddenForNonOrganizer","count":5})");
    auto r = c.provider.list_calendars();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::http);  // not a sign-in problem
    CHECK_THAT(r.error().message, Catch::Contains("forbiddenForNonOrganizer"));
    CHECK(fake.route_count("calendarList.list") == 1);
}

// Issue 14, item 1: "500 backendError ... Suggested action: use exponential backoff".
TEST_CASE("google errors: a 500 backendError is retried like 502, 503 and 504") {
    GoogleFake fake;
    fake.put_event(R"({"id":"one11","start":{"date":"2026-03-02"},"end":{"date":"2026-03-03"}})");
    GoogleConnection c(fake);
    fake.fault(R"({"error":"backendError","count":2,"match":"GET"})");
    fake.fault(R"({"error":"serviceUnavailable","count":1,"match":"GET"})");
    auto read = c.provider.fetch_changes(kCalendar, "", kWindow);
    INFO((read.ok() ? "" : read.error().message));
    REQUIRE(read.ok());
    CHECK(read->upserts.size() == 1);
    CHECK(fake.route_count("events.list") == 4);

    SECTION("an insert answered 500 after it took effect meets 409 and is read, not doubled") {
        fake.fault(R"({"error":"backendError","count":1,"match":"POST","after":true})");
        auto created = c.provider.create_event(kCalendar, appointment("appt-500"));
        INFO((created.ok() ? "" : created.error().message));
        REQUIRE(created.ok());
        CHECK(fake.route_count("events.insert") == 2);
        CHECK(fake.route_count("events.get") == 1);
        CHECK(fake.route_count("events.patch") == 0);  // the first insert wrote it all
        auto held = calsync::test::parse_json(
            fake.inspect("stored?calendar=garage@example.com&id=" + created->id));
        CHECK(created->etag == held["etag"].GetString());
    }
    SECTION("an insert whose answer was lost is sent again, with the same outcome") {
        fake.fault(R"({"error":"reset","count":1,"match":"POST","after":true})");
        auto created = c.provider.create_event(kCalendar, appointment("appt-lost"));
        REQUIRE(created.ok());
        CHECK(fake.route_count("events.insert") == 2);
        CHECK(fake.route_count("events.patch") == 0);
    }
    SECTION("a 500 that does not lift fails after the attempts") {
        fake.fault(R"({"error":"backendError","count":10})");
        auto failed = c.provider.list_calendars();
        REQUIRE_FALSE(failed.ok());
        CHECK(failed.error().code == ErrorCode::http);
        CHECK(failed.error().http_status == 500);
        CHECK(fake.route_count("calendarList.list") == 5);
    }
}

TEST_CASE("google errors: a 401 refreshes the token once and repeats the request") {
    GoogleFake fake;
    fake.put_event(R"({"id":"one11","start":{"date":"2026-03-02"},"end":{"date":"2026-03-03"}})");
    GoogleConnection c(fake);
    fake.control("drop_access_tokens");  // Google stopped taking the token early
    auto changes = c.provider.fetch_changes(kCalendar, "", kWindow);
    REQUIRE(changes.ok());
    CHECK(changes->upserts.size() == 1);
    CHECK(calsync::test::parse_json(fake.inspect("stats"))["token_requests"].GetInt() == 1);
    CHECK(fake.route_count("events.list") == 2);  // the 401 and the repeat
    REQUIRE(c.persisted.size() == 1);             // the host is handed the new token set
    CHECK(c.persisted[0].access_token != c.tokens_granted.access_token);
    // Google does not rotate refresh tokens: the one the host holds stays.
    CHECK(c.persisted[0].refresh_token == c.tokens_granted.refresh_token);
}

TEST_CASE("google errors: a revoked grant needs re-authorisation and stops asking") {
    GoogleFake fake;
    GoogleConnection c(fake);
    REQUIRE(c.flow->revoke(c.tokens_granted.refresh_token).ok());  // takes the access token too
    auto r = c.provider.list_calendars();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::auth);
    CHECK_THAT(r.error().message, Catch::Contains("re-authorisation"));
    CHECK(c.session->needs_reauthorisation());
    const int sent = c.transport->requests;
    CHECK_FALSE(c.provider.list_calendars().ok());
    CHECK(c.transport->requests == sent);  // nothing more goes out
}

TEST_CASE("google errors: no token, secret or sync token appears in any message") {
    GoogleFake fake;
    fake.put_event(R"({"id":"one11","start":{"date":"2026-03-02"},"end":{"date":"2026-03-03"}})");
    GoogleConnection c(fake);
    auto first = c.provider.fetch_changes(kCalendar, "", kWindow);
    REQUIRE(first.ok());
    const std::string sync_token = first->next_cursor;
    std::vector<std::string> messages;
    fake.control("expire_sync_tokens?calendar=garage@example.com");
    fake.fault(R"({"error":"quotaExceeded","count":1})");
    auto quota = c.provider.fetch_changes(kCalendar, sync_token, kWindow);
    REQUIRE_FALSE(quota.ok());
    CHECK(quota.error().code == ErrorCode::rate_limited);
    messages.push_back(quota.error().message);
    fake.fault(R"({"error":"backendError","count":10})");  // retried, then given up
    auto backend = c.provider.list_calendars();
    REQUIRE_FALSE(backend.ok());
    messages.push_back(backend.error().message);
    auto missing = c.provider.fetch_changes("gone@example.com", sync_token, kWindow);
    REQUIRE_FALSE(missing.ok());
    messages.push_back(missing.error().message);
    auto stale = c.provider.update_event(kCalendar, {"one11", "\"0\""}, appointment("appt-2"));
    REQUIRE_FALSE(stale.ok());
    messages.push_back(stale.error().message);
    REQUIRE(c.flow->revoke(c.tokens_granted.refresh_token).ok());
    auto revoked = c.provider.fetch_changes(kCalendar, sync_token, kWindow);
    REQUIRE_FALSE(revoked.ok());
    messages.push_back(revoked.error().message);
    for (const std::string& m : messages) {
        INFO(m);
        CHECK_FALSE(m.empty());
        CHECK(m.find(c.tokens_granted.access_token) == std::string::npos);
        CHECK(m.find(c.tokens_granted.refresh_token) == std::string::npos);
        CHECK(m.find(calsync::test::kClientSecret) == std::string::npos);
        CHECK(m.find(sync_token) == std::string::npos);
        CHECK(m.find("Bearer") == std::string::npos);
    }
}
