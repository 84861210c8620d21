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

namespace {

// A budget shared with other processes: none on the first take (come back in 500 ms), then
// one request per take; counts the takes.
struct CountingBudget : calsync::RequestBudget {
    int takes = 0;
    calsync::Result<calsync::RequestGrant> take(std::int64_t wanted) override {
        CHECK(wanted == 1);
        ++takes;
        if (takes == 1)
            return calsync::RequestGrant{0, milliseconds(500)};
        return calsync::RequestGrant{1, milliseconds(0)};
    }
};

}  // namespace

TEST_CASE("google client: a shared budget paces every request instead of the process's bucket") {
    GoogleFake fake;
    ManualTime time;
    auto budget = std::make_shared<CountingBudget>();
    // The process's own bucket would let one request out in ten minutes.
    auto limits = time.limits(1.0 / 600, 1);
    limits.shared_budget = budget;
    GoogleConnection c(fake, "budget-client", limits);
    REQUIRE(c.provider.list_calendars().ok());
    REQUIRE(c.provider.list_calendars().ok());
    CHECK(fake.route_count("calendarList.list") == 2);
    CHECK(budget->takes == 3);  // the empty answer, then one per request
    CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(500)});
}

TEST_CASE("google client: the project's requests_per_minute sets the process's pace") {
    using calsync::providers::google::project_pace;
    // Google's default quota keeps the pace calsync always had.
    CHECK(project_pace(10000).requests_per_second == Approx(150.0));
    CHECK(project_pace(10000).burst == Approx(100.0));
    CHECK(project_pace(60).requests_per_second == Approx(0.9));
    CHECK(project_pace(60).burst == Approx(1.0));

    calsync::json::ProviderConfig config;
    config.kind = calsync::json::ProviderConfig::Kind::google;
    config.oauth.client_id = "quota-client.apps.googleusercontent.com";
    config.oauth.requests_per_minute = 600;
    config.tokens.access_token = "access";
    auto made = calsync::providers::make_provider(config);
    REQUIRE(made.ok());
    // While the provider lives, its client id's bucket is the one it made.
    auto bucket = calsync::net::shared_token_bucket("google:" + config.oauth.client_id,
                                                    calsync::net::RateLimit{1e6, 1e6});
    CHECK(bucket->limit().requests_per_second == Approx(9.0));
    CHECK(bucket->limit().burst == Approx(6.0));
}
