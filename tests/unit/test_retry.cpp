// Retry policy (src/net/retry.cpp) with a scripted transport and a recording sleeper.
#include <catch2/catch.hpp>
#include <deque>
#include <thread>

#include "net/deadline.hpp"
#include "net/retry.hpp"

using calsync::net::HttpClient;
using calsync::net::HttpRequest;
using calsync::net::HttpResponse;

namespace {

struct ScriptedTransport : calsync::net::Transport {
    std::deque<calsync::Result<HttpResponse>> script;
    int calls = 0;
    calsync::Result<HttpResponse> perform(const HttpRequest&) override {
        ++calls;
        auto next = script.front();
        script.pop_front();
        return next;
    }
};

HttpResponse status(int code, const char* retry_after = nullptr) {
    HttpResponse r;
    r.status = code;
    if (retry_after != nullptr)
        r.headers.push_back({"retry-after", retry_after});
    return r;
}

struct Fixture {
    std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
    std::vector<std::chrono::milliseconds> sleeps;
    // 2026-01-05T12:00:00Z
    std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1767614400);
    HttpClient client{transport, calsync::net::RetryPolicy{},
                      [this](auto d) { sleeps.push_back(d); }, 42, [this] { return now; }};
};

HttpRequest get() {
    HttpRequest r;
    r.url = "https://calendar.example/feed.ics?token=secret";
    return r;
}

}  // namespace

TEST_CASE("429 with Retry-After in seconds waits exactly that long", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(429, "7"), status(200)};
    auto r = f.client.send(get());
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    REQUIRE(f.sleeps.size() == 1);
    CHECK(f.sleeps[0] == std::chrono::seconds(7));
}

TEST_CASE("Retry-After as an HTTP date", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(503, "Mon, 05 Jan 2026 12:00:30 GMT"), status(200)};
    REQUIRE(f.client.send(get()).ok());
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{std::chrono::seconds(30)});
}

// The same cap as a number of seconds too long to read; system_clock cannot hold the date.
TEST_CASE("Retry-After as an HTTP date in 9999", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(503, "Fri, 31 Dec 9999 23:59:59 GMT")};
    auto r = f.client.send(get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().retry_after == std::chrono::seconds(999'999'999));
    CHECK(f.sleeps.empty());
}

TEST_CASE("a burst of 503 then success, with jittered backoff under the cap", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(503), status(502), status(504), status(200)};
    REQUIRE(f.client.send(get()).ok());
    REQUIRE(f.sleeps.size() == 3);
    // Full jitter: attempt n waits uniformly in [0, 500 ms * 2^(n-1)].
    CHECK(f.sleeps[0] <= std::chrono::milliseconds(500));
    CHECK(f.sleeps[1] <= std::chrono::milliseconds(1000));
    CHECK(f.sleeps[2] <= std::chrono::milliseconds(2000));
    CHECK(f.transport->calls == 4);
}

TEST_CASE("other 4xx are not retried", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(404), status(200)};
    auto r = f.client.send(get());
    REQUIRE(r.ok());
    CHECK(r->status == 404);
    CHECK(f.transport->calls == 1);
}

TEST_CASE("giving up after the attempt limit reports status and Retry-After", "[net][retry]") {
    Fixture f;
    for (int i = 0; i < 5; ++i)
        f.transport->script.push_back(status(429, "1"));
    auto r = f.client.send(get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::rate_limited);
    CHECK(r.error().http_status == 429);
    CHECK(r.error().retry_after == std::chrono::seconds(1));
    CHECK(f.transport->calls == 5);
    // The query string may hold a feed's secret token.
    CHECK_THAT(r.error().message, !Catch::Contains("secret"));
}

TEST_CASE("a Retry-After beyond the policy's limit is left to the scheduler", "[net][retry]") {
    Fixture f;
    f.transport->script = {status(503, "3600")};
    auto r = f.client.send(get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().retry_after == std::chrono::seconds(3600));
    CHECK(f.sleeps.empty());
}

TEST_CASE("network errors are retried, POST only when marked safe", "[net][retry]") {
    Fixture f;
    const auto reset = calsync::make_error(calsync::ErrorCode::network, "connection reset");
    f.transport->script = {reset, status(200)};
    CHECK(f.client.send(get()).ok());
    CHECK(f.transport->calls == 2);

    HttpRequest post = get();
    post.method = "POST";
    f.transport->script = {reset, status(200)};
    CHECK_FALSE(f.client.send(post).ok());
    CHECK(f.transport->calls == 3);
    post.retry_safe_post = true;
    f.transport->script = {reset, status(200)};
    CHECK(f.client.send(post).ok());
}

TEST_CASE("limit_exceeded is not retried", "[net][retry]") {
    Fixture f;
    f.transport->script = {calsync::make_error(calsync::ErrorCode::limit_exceeded, "too big"),
                           status(200)};
    CHECK_FALSE(f.client.send(get()).ok());
    CHECK(f.transport->calls == 1);
}

TEST_CASE("a response the policy calls throttled is retried like 429", "[net][retry]") {
    auto transport = std::make_shared<ScriptedTransport>();
    std::vector<std::chrono::milliseconds> sleeps;
    calsync::net::RetryPolicy policy;
    policy.max_attempts = 3;
    // As Google's 403 usageLimits answers: the body, not the status, says "slow down".
    policy.is_throttled = [](const HttpResponse& r) {
        return r.status == 403 && r.body.find("rateLimitExceeded") != std::string::npos;
    };
    HttpClient client{transport, policy, [&](auto d) { sleeps.push_back(d); }, 7};
    HttpResponse throttled = status(403);
    throttled.body = R"({"error":{"errors":[{"reason":"rateLimitExceeded"}],"code":403}})";
    HttpResponse forbidden = status(403);
    forbidden.body = R"({"error":{"errors":[{"reason":"forbiddenForNonOrganizer"}],"code":403}})";

    SECTION("throttled, then success") {
        transport->script = {throttled, status(200)};
        auto r = client.send(get());
        REQUIRE(r.ok());
        CHECK(r->status == 200);
        CHECK(sleeps.size() == 1);
    }
    SECTION("a 403 the policy does not call throttled is returned at once") {
        transport->script = {forbidden, status(200)};
        auto r = client.send(get());
        REQUIRE(r.ok());
        CHECK(r->status == 403);
        CHECK(transport->calls == 1);
        CHECK(sleeps.empty());
    }
    SECTION("throttled to the last attempt: rate_limited") {
        transport->script = {throttled, throttled, throttled};
        auto r = client.send(get());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::rate_limited);
        CHECK(r.error().http_status == 403);
        CHECK(transport->calls == 3);
        CHECK(sleeps.size() == 2);
    }
}

TEST_CASE("within an operation's deadline, no retry starts and no wait runs past it",
          "[net][retry][deadline]") {
    Fixture f;
    // The recording sleeper does not sleep: time stands still, so only the waits count.
    SECTION("a wait that would reach the deadline is not taken; the last failure returns") {
        f.transport->script = {status(503, "5"), status(200)};
        calsync::net::DeadlineScope deadline(std::chrono::seconds(2));
        auto r = f.client.send(get());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().http_status == 503);
        CHECK_THAT(r.error().message, Catch::Contains("no time left"));
        CHECK(f.sleeps.empty());
        CHECK(f.transport->calls == 1);
    }
    SECTION("network errors are not retried past it") {
        for (int i = 0; i < 5; ++i)
            f.transport->script.push_back(
                calsync::make_error(calsync::ErrorCode::network, "connection reset"));
        calsync::net::DeadlineScope deadline(std::chrono::milliseconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto r = f.client.send(get());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::network);
        CHECK_THAT(r.error().message, Catch::Contains("time limit"));
        CHECK(f.transport->calls == 0);  // not even a first attempt
    }
    SECTION("a Retry-After beyond the deadline is reported for the scheduler") {
        f.transport->script = {status(429, "30"), status(200)};
        calsync::net::DeadlineScope deadline(std::chrono::seconds(10));
        auto r = f.client.send(get());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == calsync::ErrorCode::rate_limited);
        CHECK(r.error().retry_after == std::chrono::seconds(30));
    }
    SECTION("an inner scope cannot extend an outer one") {
        calsync::net::DeadlineScope outer(std::chrono::milliseconds(1));
        {
            calsync::net::DeadlineScope inner(std::chrono::hours(1));
            CHECK(calsync::net::time_left(std::chrono::hours(2)) <= std::chrono::milliseconds(1));
        }
    }
    CHECK_FALSE(calsync::net::current_deadline());  // scopes end with their block
}
