// Masters and exceptions into whole series (src/providers/google/google_series.cpp), on
// items as the reader makes them.
#include <catch2/catch.hpp>

#include "providers/google/google_series.hpp"

using calsync::EventStatus;
using calsync::EventTime;
using calsync::providers::google::assemble_listing;
using calsync::providers::google::GoogleItem;
using calsync::providers::google::plan_incremental;

namespace {

GoogleItem master(const std::string& id, const std::string& uid = "") {
    GoogleItem g;
    g.event.id = id;
    g.event.uid = uid;
    g.event.start = EventTime::all_day({2026, 3, 2});
    g.event.recurrence.rrules = {"FREQ=WEEKLY"};
    return g;
}

GoogleItem single(const std::string& id, const std::string& summary = "") {
    GoogleItem g;
    g.event.id = id;
    g.event.summary = summary;
    g.event.start = EventTime::all_day({2026, 3, 3});
    return g;
}

GoogleItem exception(const std::string& id, const std::string& master_id, bool cancelled,
                     const std::string& uid = "") {
    GoogleItem g;
    g.event.id = id;
    g.event.uid = uid;
    g.recurring_event_id = master_id;
    g.event.recurrence_id = EventTime::all_day({2026, 3, 9});
    g.event.start = *g.event.recurrence_id;
    if (cancelled)
        g.event.status = EventStatus::cancelled;
    return g;
}

GoogleItem deleted(const std::string& id) {
    GoogleItem g;
    g.event.id = id;
    g.event.status = EventStatus::cancelled;
    return g;
}

}  // namespace

TEST_CASE("google series: a listing becomes whole series, orphans stand alone") {
    // The exception comes before its master, as it may on another page.
    auto events = assemble_listing({exception("m1_a", "m1", false), master("m1"),
                                    exception("m1_b", "m1", true), exception("x_1", "x", false),
                                    exception("y_1", "y", true), deleted("gone"), single("s1")});
    REQUIRE(events.size() == 3);
    CHECK(events[0].id == "m1");
    REQUIRE(events[0].overrides.size() == 2);
    CHECK(events[0].overrides[1].status == EventStatus::cancelled);  // an exclusion
    CHECK(events[1].id == "s1");
    CHECK(events[2].id == "x_1");  // its master is not listed
    CHECK_FALSE(events[2].recurrence_id.has_value());
}

TEST_CASE("google series: an item listed twice counts in its last version") {
    auto events = assemble_listing({single("s1", "old"), single("s2"), single("s1", "new")});
    REQUIRE(events.size() == 2);
    CHECK(events[0].id == "s1");
    CHECK(events[0].summary == "new");
}

TEST_CASE("google series: an incremental listing asks for every touched series") {
    auto plan = plan_incremental({single("s1"), deleted("s2"), master("m1", "m1@google.com"),
                                  exception("m2_a", "m2", true),
                                  exception("m3_a", "m3", false, "m3@google.com"),
                                  exception("m4_a", "m4", false), deleted("m4")});
    REQUIRE(plan.upserts.size() == 1);
    CHECK(plan.upserts[0].id == "s1");
    CHECK(plan.removals == std::vector<std::string>{"s2", "m4"});
    // m4 was deleted as a whole: nothing to read again.
    CHECK(plan.series == std::vector<std::string>{"m1", "m2", "m3"});
    CHECK(plan.series_uid.at("m1") == "m1@google.com");
    CHECK(plan.series_uid.at("m3") == "m3@google.com");
    CHECK(plan.series_uid.count("m2") == 0);  // a cancelled exception carries no iCalUID
    CHECK(plan.instances.at("m2").size() == 1);
}
