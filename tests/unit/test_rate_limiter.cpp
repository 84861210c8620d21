// The shared token bucket and the rate-limited transport (src/net/rate_limiter.cpp), on an
// injected clock: every wait is computed, none is slept.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "net/deadline.hpp"
#include "net/rate_limiter.hpp"

using calsync::net::RateLimit;
using calsync::net::TokenBucket;
using std::chrono::milliseconds;

namespace {

struct ManualClock {
    std::chrono::steady_clock::time_point t{std::chrono::seconds(1000)};
    calsync::net::SteadyClock fn() {
        return [this] { return t; };
    }
};

struct OkTransport : calsync::net::Transport {
    std::atomic<int> calls{0};
    calsync::Result<calsync::net::HttpResponse> perform(const calsync::net::HttpRequest&) override {
        ++calls;
        calsync::net::HttpResponse r;
        r.status = 200;
        return r;
    }
};

}  // namespace

TEST_CASE("token bucket: a burst goes out at once, then one request per 1/rate", "[net][rate]") {
    ManualClock clock;
    TokenBucket bucket(RateLimit{2.0, 3.0}, clock.fn());
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(0));
    // Reserved ahead: the 4th waits half a second, the 5th a whole one.
    CHECK(bucket.reserve() == milliseconds(500));
    CHECK(bucket.reserve() == milliseconds(1000));
    // Two seconds later 4 tokens have come back; two of them pay for the reservations.
    // cppcheck-suppress unreadVariable ; the bucket reads it through clock.fn()
    clock.t += std::chrono::seconds(2);
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(500));
}

TEST_CASE("token bucket: a long quiet spell refills only up to the burst", "[net][rate]") {
    ManualClock clock;
    TokenBucket bucket(RateLimit{1.0, 2.0}, clock.fn());
    // cppcheck-suppress unreadVariable ; the bucket reads it through clock.fn()
    clock.t += std::chrono::hours(1);
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(0));
    CHECK(bucket.reserve() == milliseconds(1000));
}

TEST_CASE("token bucket: callers on many threads are queued, none is lost", "[net][rate]") {
    ManualClock clock;  // time stands still: the waits depend only on the order of arrival
    TokenBucket bucket(RateLimit{1.0, 2.0}, clock.fn());
    std::vector<std::int64_t> waits(40);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i)
                waits[static_cast<std::size_t>(t * 10 + i)] = bucket.reserve().count();
        });
    }
    for (std::thread& th : threads)
        th.join();
    std::sort(waits.begin(), waits.end());
    // Two free tokens, then one per second, each handed out exactly once.
    CHECK(waits[0] == 0);
    CHECK(waits[1] == 0);
    for (std::size_t i = 2; i < waits.size(); ++i)
        CHECK(waits[i] == static_cast<std::int64_t>(i - 1) * 1000);
}

TEST_CASE("shared buckets: one per key for as long as someone holds it", "[net][rate]") {
    ManualClock clock;
    auto a = calsync::net::shared_token_bucket("test-client-a", RateLimit{1.0, 1.0}, clock.fn());
    auto again = calsync::net::shared_token_bucket("test-client-a", RateLimit{99.0, 99.0});
    auto b = calsync::net::shared_token_bucket("test-client-b", RateLimit{1.0, 1.0}, clock.fn());
    CHECK(a == again);
    CHECK(again->limit().requests_per_second == 1.0);  // the first caller's limit holds
    CHECK(a != b);
    CHECK(a->reserve() == milliseconds(0));
    CHECK(again->reserve() == milliseconds(1000));  // the same quota
    CHECK(b->reserve() == milliseconds(0));         // another client's quota is its own
}

TEST_CASE("rate-limited transport: sleeps what the bucket says before each request",
          "[net][rate]") {
    ManualClock clock;
    auto inner = std::make_shared<OkTransport>();
    auto bucket = std::make_shared<TokenBucket>(RateLimit{4.0, 1.0}, clock.fn());
    std::vector<milliseconds> slept;
    calsync::net::RateLimitedTransport transport(inner, bucket,
                                                 [&](milliseconds d) { slept.push_back(d); });
    calsync::net::HttpRequest r;
    r.url = "http://127.0.0.1/";
    for (int i = 0; i < 3; ++i)
        REQUIRE(transport.perform(r).ok());
    CHECK(inner->calls == 3);
    REQUIRE(slept.size() == 2);  // the first one was free
    CHECK(slept[0] == milliseconds(250));
    CHECK(slept[1] == milliseconds(500));
}

TEST_CASE("a wait for the quota longer than the deadline leaves is not taken",
          "[net][rate_limiter][deadline]") {
    struct Counting : calsync::net::Transport {
        int calls = 0;
        calsync::Result<calsync::net::HttpResponse> perform(
            const calsync::net::HttpRequest&) override {
            ++calls;
            return calsync::net::HttpResponse{200, {}, "", ""};
        }
    };
    auto inner = std::make_shared<Counting>();
    auto bucket = std::make_shared<calsync::net::TokenBucket>(calsync::net::RateLimit{1.0, 1.0});
    std::vector<std::chrono::milliseconds> sleeps;
    calsync::net::RateLimitedTransport paced(
        inner, bucket, [&sleeps](std::chrono::milliseconds d) { sleeps.push_back(d); });
    calsync::net::HttpRequest r;
    r.url = "https://www.googleapis.com/calendar/v3/users/me/calendarList";
    REQUIRE(paced.perform(r).ok());  // the one token there was
    calsync::net::DeadlineScope deadline(std::chrono::milliseconds(200));
    auto second = paced.perform(r);  // the next is a second away
    REQUIRE_FALSE(second.ok());
    CHECK_THAT(second.error().message, Catch::Contains("time limit"));
    CHECK(sleeps.empty());
    CHECK(inner->calls == 1);
}

namespace {

// A budget shared with other processes, answering from a script: each take() the next
// grant (or error), then one request each.
struct ScriptedBudget : calsync::RequestBudget {
    std::vector<calsync::Result<calsync::RequestGrant>> answers;
    std::size_t taken = 0;
    calsync::Result<calsync::RequestGrant> take(std::int64_t wanted) override {
        CHECK(wanted == 1);
        if (taken < answers.size())
            return answers[taken++];
        ++taken;
        return calsync::RequestGrant{1, milliseconds(0)};
    }
};

calsync::RequestGrant none_for(milliseconds wait) {
    return calsync::RequestGrant{0, wait};
}

}  // namespace

TEST_CASE("rate-limited transport on a shared budget: asks again after each wait it names",
          "[net][rate]") {
    auto inner = std::make_shared<OkTransport>();
    auto budget = std::make_shared<ScriptedBudget>();
    budget->answers = {none_for(milliseconds(300)), none_for(milliseconds(0))};
    std::vector<milliseconds> slept;
    calsync::net::RateLimitedTransport transport(
        inner, std::make_shared<calsync::net::BudgetPacer>(budget),
        [&](milliseconds d) { slept.push_back(d); });
    calsync::net::HttpRequest r;
    r.url = "http://127.0.0.1/";
    REQUIRE(transport.perform(r).ok());
    CHECK(inner->calls == 1);
    CHECK(budget->taken == 3);
    // An empty budget naming no wait is not asked again at once.
    CHECK(slept == std::vector<milliseconds>{milliseconds(300), milliseconds(1)});
}

TEST_CASE(
    "rate-limited transport on a shared budget: nothing is sent when the budget cannot "
    "be read, the deadline is too near, or the wait was cancelled",
    "[net][rate]") {
    auto inner = std::make_shared<OkTransport>();
    auto budget = std::make_shared<ScriptedBudget>();
    auto cancel = std::make_shared<calsync::CancelSignal>();
    std::vector<milliseconds> slept;
    calsync::net::RateLimitedTransport transport(
        inner, std::make_shared<calsync::net::BudgetPacer>(budget),
        [&](milliseconds d) { slept.push_back(d); }, cancel);
    calsync::net::HttpRequest r;
    r.url = "https://www.googleapis.com/calendar/v3/users/me/calendarList";
    SECTION("an unreadable budget") {
        budget->answers = {calsync::make_error(calsync::ErrorCode::network,
                                               "could not take from a request budget")};
        auto sent = transport.perform(r);
        REQUIRE_FALSE(sent.ok());
        CHECK(sent.error().code == calsync::ErrorCode::network);
        CHECK_THAT(sent.error().message,
                   Catch::Contains("not sent") && Catch::Contains("could not take from a request"));
    }
    SECTION("a wait past the deadline") {
        budget->answers = {none_for(milliseconds(5000))};
        calsync::net::DeadlineScope deadline(milliseconds(200));
        auto sent = transport.perform(r);
        REQUIRE_FALSE(sent.ok());
        CHECK_THAT(sent.error().message, Catch::Contains("time limit"));
        CHECK(slept.empty());
    }
    SECTION("cancelled while waiting") {
        budget->answers = {none_for(milliseconds(50))};
        cancel->cancel();
        auto sent = transport.perform(r);
        REQUIRE_FALSE(sent.ok());
        CHECK(sent.error().code == calsync::ErrorCode::cancelled);
        CHECK(budget->taken == 1);
    }
    CHECK(inner->calls == 0);
}
