// The Google API client (src/providers/google/google_api_client.cpp): Google's throttling
// answers back off and retry, and every connection of one OAuth client shares one pace.
// Waits are recorded and a manual clock advanced instead of sleeping.
#include <catch2/catch.hpp>

#include "google_fake.hpp"

using calsync::test::GoogleConnection;
using calsync::test::GoogleFake;
using std::chrono::milliseconds;

namespace {

// Time that moves only when somebody "sleeps".
struct ManualTime {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    std::vector<milliseconds> sleeps;

    calsync::providers::google::GoogleClientLimits limits(double per_second, double burst) {
        auto l = GoogleConnection::fast_limits();
        l.rate = calsync::net::RateLimit{per_second, burst};
        l.clock = [this] { return now; };
        l.sleep = [this](milliseconds d) {
            sleeps.push_back(d);
            now += d;
        };
        return l;
    }
};

}  // namespace

TEST_CASE("google client: 403 rateLimitExceeded, userRateLimitExceeded and 429 back off") {
    GoogleFake fake;
    ManualTime time;
    GoogleConnection c(fake, "backoff-client", time.limits(1e6, 1e6));
    fake.fault(R"({"error":"rateLimitExceeded403","count":1})");
    fake.fault(R"({"error":"userRateLimitExceeded","count":1})");
    fake.fault(R"({"error":"rateLimitExceeded429","count":1,"retry_after":"2"})");
    auto calendars = c.provider.list_calendars();
    REQUIRE(calendars.ok());
    CHECK(calendars->size() == 1);
    CHECK(fake.route_count("calendarList.list") == 4);
    REQUIRE(time.sleeps.size() == 3);
    // Exponential backoff with jitter for the 403s; the 429's Retry-After exactly.
    CHECK(time.sleeps[0] <= milliseconds(1));
    CHECK(time.sleeps[1] <= milliseconds(2));
    CHECK(time.sleeps[2] == milliseconds(2000));
}

TEST_CASE("google client: a limit that does not lift is rate_limited after the attempts") {
    GoogleFake fake;
    ManualTime time;
    auto limits = time.limits(1e6, 1e6);
    limits.retry.max_attempts = 3;
    GoogleConnection c(fake, "stubborn-client", limits);
    fake.fault(R"({"error":"rateLimitExceeded403","count":10})");
    auto r = c.provider.list_calendars();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::rate_limited);
    CHECK_THAT(r.error().message, Catch::Contains("rate limit"));
    CHECK(fake.route_count("calendarList.list") == 3);
}

TEST_CASE("google client: two connections of one OAuth client share its pace") {
    GoogleFake fake;
    ManualTime time;
    // One request per second after a burst of two, for the whole client id.
    GoogleConnection a(fake, "shared-pace-client", time.limits(1.0, 2.0));
    GoogleConnection b(fake, "shared-pace-client", time.limits(1.0, 2.0));
    REQUIRE(a.provider.list_calendars().ok());
    REQUIRE(b.provider.list_calendars().ok());
    CHECK(time.sleeps.empty());  // the burst
    REQUIRE(a.provider.list_calendars().ok());
    REQUIRE(b.provider.list_calendars().ok());
    CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(1000), milliseconds(1000)});

    SECTION("another client id has a pace of its own") {
        GoogleConnection other(fake, "another-client", time.limits(1.0, 2.0));
        time.sleeps.clear();
        REQUIRE(other.provider.list_calendars().ok());
        REQUIRE(other.provider.list_calendars().ok());
        CHECK(time.sleeps.empty());
    }
}
