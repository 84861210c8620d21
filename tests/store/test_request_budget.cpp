// The fleet's request budgets (FleetStore::take_requests, src/store/request_bucket.cpp) on
// every fleet kind: a token bucket per key that never grants more than burst + rate * time,
// whoever takes from it, from one handle or two (two processes' connections), one thread or
// two at once; and what it answers when empty.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>
#include <vector>

#include "sqlite_probe.hpp"
#include "store_fixtures.hpp"
#ifdef CALSYNC_TEST_POSTGRES
#include "store/pg_db.hpp"
#endif

using namespace calsync;
using calsync::test::fails_with;
using calsync::test::must;

namespace {

PreciseInstant ms(std::int64_t unix_ms) {
    return PreciseInstant(std::chrono::milliseconds(unix_ms));
}

PreciseInstant wall_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

constexpr std::int64_t kStart = 1770000000000;  // unix ms

}  // namespace

TEMPLATE_TEST_CASE("request budget: a full bucket, then the rate, never more", "[budget]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& fleet = *f.fleet;
    const RequestRate rate{2.0, 5.0};  // 2 a second, 5 at once

    SECTION("a new key starts full; an empty one says when the next request is there") {
        CHECK(must(fleet.take_requests("google:a", rate, 3, ms(kStart))).granted == 3);
        CHECK(must(fleet.take_requests("google:a", rate, 3, ms(kStart))).granted == 2);
        const RequestGrant empty = must(fleet.take_requests("google:a", rate, 3, ms(kStart)));
        CHECK(empty.granted == 0);
        CHECK(empty.wait == std::chrono::milliseconds(500));
        // 400 ms refill 0.8 of a request: still none, 100 ms to go.
        const RequestGrant almost =
            must(fleet.take_requests("google:a", rate, 3, ms(kStart + 400)));
        CHECK(almost.granted == 0);
        CHECK(almost.wait == std::chrono::milliseconds(100));
        CHECK(must(fleet.take_requests("google:a", rate, 3, ms(kStart + 500))).granted == 1);
        // A minute's quiet fills it to the burst, not beyond.
        CHECK(must(fleet.take_requests("google:a", rate, 99, ms(kStart + 60500))).granted == 5);
    }
    SECTION("keys are separate budgets") {
        CHECK(must(fleet.take_requests("google:a", rate, 9, ms(kStart))).granted == 5);
        CHECK(must(fleet.take_requests("google:b", rate, 9, ms(kStart))).granted == 5);
        CHECK(must(fleet.take_requests("google:a", rate, 9, ms(kStart))).granted == 0);
    }
    SECTION("a taker whose clock runs behind refills nothing and takes nothing extra") {
        CHECK(must(fleet.take_requests("k", rate, 5, ms(kStart + 10000))).granted == 5);
        CHECK(must(fleet.take_requests("k", rate, 5, ms(kStart))).granted == 0);
        CHECK(must(fleet.take_requests("k", rate, 5, ms(kStart + 10000))).granted == 0);
        CHECK(must(fleet.take_requests("k", rate, 5, ms(kStart + 11000))).granted == 2);
    }
    SECTION("what makes no sense is refused") {
        fails_with(fleet.take_requests("", rate, 1, ms(kStart)), ErrorCode::invalid_argument,
                   "key");
        fails_with(fleet.take_requests(std::string(201, 'k'), rate, 1, ms(kStart)),
                   ErrorCode::invalid_argument, "key");
        fails_with(fleet.take_requests("k", rate, 0, ms(kStart)), ErrorCode::invalid_argument,
                   "wanted");
        fails_with(fleet.take_requests("k", RequestRate{0.0, 5.0}, 1, ms(kStart)),
                   ErrorCode::invalid_argument, "rate");
        fails_with(fleet.take_requests("k", RequestRate{1.0, 0.5}, 1, ms(kStart)),
                   ErrorCode::invalid_argument, "burst");
    }
}

TEMPLATE_TEST_CASE("request budget: takers on two handles together stay within the bucket",
                   "[budget]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore* handles[] = {f.fleet.get(), &f.second()};
    const RequestRate rate{3.0, 4.0};
    std::mt19937 random(16);
    std::int64_t t = kStart;
    std::int64_t earliest = kStart;  // the earliest clock a taker gave: the span starts there
    std::int64_t granted = 0;
    for (int i = 0; i < 400; ++i) {
        t += std::uniform_int_distribution<std::int64_t>(0, 250)(random);
        // Now and then a taker whose clock is a second behind.
        const std::int64_t skew = i % 17 == 0 ? 1000 : 0;
        earliest = std::min(earliest, t - skew);
        const std::int64_t wanted = std::uniform_int_distribution<std::int64_t>(1, 6)(random);
        const RequestGrant g =
            must(handles[i % 2]->take_requests("google:p", rate, wanted, ms(t - skew)));
        REQUIRE(g.granted >= 0);
        REQUIRE(g.granted <= wanted);
        granted += g.granted;
        INFO("after " << i + 1 << " takes, " << (t - earliest) << " ms");
        REQUIRE(static_cast<double>(granted) <=
                rate.burst + rate.requests_per_second * static_cast<double>(t - earliest) / 1000.0);
    }
    // Not starved either: the takers asked for far more than the bucket gives.
    CHECK(static_cast<double>(granted) >=
          rate.requests_per_second * static_cast<double>(t - kStart) / 1000.0 - 2.0 * 6);
}

TEMPLATE_TEST_CASE("request budget: two threads taking at once never get more than the bucket",
                   "[budget]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore* handles[] = {f.fleet.get(), &f.second()};
    const RequestRate rate{40.0, 5.0};
    std::atomic<std::int64_t> granted{0};
    std::atomic<int> errors{0};
    const PreciseInstant start = wall_now();
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    std::vector<std::thread> takers;
    for (FleetStore* handle : handles) {
        takers.emplace_back([&, handle] {
            while (std::chrono::steady_clock::now() < until) {
                auto g = handle->take_requests("google:p", rate, 3, wall_now());
                if (!g.ok()) {
                    ++errors;
                    return;
                }
                granted += g->granted;
            }
        });
    }
    for (std::thread& taker : takers)
        taker.join();
    const double elapsed = std::chrono::duration<double>(wall_now() - start).count();
    INFO("granted " << granted.load() << " in " << elapsed << " s");
    CHECK(errors.load() == 0);
    CHECK(static_cast<double>(granted.load()) <= rate.burst + rate.requests_per_second * elapsed);
    CHECK(granted.load() >= static_cast<std::int64_t>(rate.burst));
}

TEST_CASE("request budget: a SQLite fleet of version 5 gains the budgets", "[budget][sqlite]") {
    test::SqliteFleetFixture f;
    f.fleet.reset();
    test::SqliteProbe(f.dir.file("fleet.db"))
        .exec(std::string(test::kUndoSinceRequestBudgets) + "PRAGMA user_version = 5");
    f.fleet = test::SqliteFleetFixture::open(f.dir.file("fleet.db"));
    CHECK(test::SqliteProbe(f.dir.file("fleet.db")).value("PRAGMA user_version") == "9");
    // and, at version 9, the work queue indexed in its claim order, the older index gone
    CHECK(test::SqliteProbe(f.dir.file("fleet.db"))
              .value("SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND "
                     "tbl_name = 'work_queue' AND sql IS NOT NULL") == "work_queue_by_claim_order");
    CHECK(must(f.fleet->take_requests("google:p", RequestRate{1.0, 2.0}, 5, ms(kStart))).granted ==
          2);
}

#ifdef CALSYNC_TEST_POSTGRES
TEST_CASE("request budget: a PostgreSQL fleet of version 2 gains the budgets",
          "[budget][postgres]") {
    test::PostgresFleetFixture f;
    f.fleet.reset();
    auto db = must(store::PgDatabase::connect(f.conninfo, std::chrono::milliseconds(5000)));
    must(db.exec(std::string(test::kUndoSinceRequestBudgets) +
                     "UPDATE calsync_schema_version SET version = 2",
                 "go back to version 2"));
    f.fleet = test::PostgresFleetFixture::open(f.conninfo);
    CHECK(must(db.value("SELECT version FROM calsync_schema_version", "read the version")) == "6");
    CHECK(must(f.fleet->take_requests("google:p", RequestRate{1.0, 2.0}, 5, ms(kStart))).granted ==
          2);
}
#endif
