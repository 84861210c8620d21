// A worker's request budgets (src/sync/fleet_budget.cpp) over a memory fleet, on an injected
// clock: blocks of up to a second's share taken from the fleet's bucket, handed out
// locally, dropped when older than a second; an empty bucket asked again only when a block
// has accrued; one budget per key.
#include <catch2/catch.hpp>

#include "calsync/fleet.hpp"
#include "sync/fleet_budget.hpp"

using namespace calsync;

namespace {

struct Clock {
    PreciseInstant t{std::chrono::milliseconds(1770000000000)};
    sync::PreciseClock fn() {
        return [this] { return t; };
    }
};

std::int64_t left_in_fleet(FleetStore& fleet, const std::string& key, RequestRate rate,
                           PreciseInstant now) {
    return fleet.take_requests(key, rate, 1000, now).value().granted;
}

}  // namespace

TEST_CASE("fleet budget: a second's share at a time from the fleet's bucket, spent locally",
          "[worker][budget]") {
    std::shared_ptr<FleetStore> fleet = make_memory_fleet();
    Clock clock;
    auto budgets = sync::fleet_request_budgets(fleet, clock.fn());
    const RequestRate rate{4.0, 10.0};  // blocks of 4
    auto budget = budgets("google:p", rate);
    CHECK(budgets("google:p", rate) == budget);
    CHECK(budgets("google:q", rate) != budget);

    SECTION("one block serves four requests; the fifth takes another") {
        for (int i = 0; i < 4; ++i)
            CHECK(budget->take(1).value().granted == 1);
        // The fleet gave one block of four out of ten.
        CHECK(left_in_fleet(*fleet, "google:p", rate, clock.t) == 6);
        // Empty: back when a block of four has accrued, a second.
        const RequestGrant none = budget->take(1).value();
        CHECK(none.granted == 0);
        CHECK(none.wait == std::chrono::milliseconds(1000));
        // Meanwhile the store is not asked again (one request has accrued there, and stays).
        clock.t += std::chrono::milliseconds(250);
        const RequestGrant still = budget->take(1).value();
        CHECK(still.granted == 0);
        CHECK(still.wait == std::chrono::milliseconds(750));
        CHECK(left_in_fleet(*fleet, "google:p", rate, clock.t) == 1);
        clock.t += std::chrono::milliseconds(750);
        CHECK(budget->take(1).value().granted == 1);
        CHECK(left_in_fleet(*fleet, "google:p", rate, clock.t) == 0);  // a block of three
    }
    SECTION("what is held longer than a second is dropped, not spent late") {
        CHECK(budget->take(1).value().granted == 1);  // three more held
        clock.t += std::chrono::milliseconds(1001);
        CHECK(budget->take(1).value().granted == 1);  // from a new block
        // 10 - 4 + 4 refilled (capped at 10) - 4 = 6 left.
        CHECK(left_in_fleet(*fleet, "google:p", rate, clock.t) == 6);
    }
    SECTION("a larger want takes a larger block") {
        CHECK(budget->take(7).value().granted == 7);
        CHECK(left_in_fleet(*fleet, "google:p", rate, clock.t) == 3);
    }
}
