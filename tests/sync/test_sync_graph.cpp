// The sync service's exports to Microsoft Graph against tests/fakes/graph/graph_fake.py,
// which keeps deleted events (and their transactionIds) in Deleted Items and lets another
// app rewrite an export: events made again are new ones, an export whose extended property
// was dropped or changed is still known by the identity its transactionId derives, and an
// unchanged appointment makes no request after such a recovery (issue 14 items 6-8).
#include <catch2/catch.hpp>
#include <functional>
#include <map>

#include "calsync/sync.hpp"
#include "graph_fake.hpp"
#include "providers/microsoft/graph_event.hpp"

using namespace calsync;
using calsync::test::GraphFake;

namespace {

Instant real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Writes by route: POST (creates), PATCH, DELETE of events, as the fake counted them.
struct Writes {
    int posts = 0;
    int patches = 0;
    int deletes = 0;
    bool operator==(const Writes& o) const {
        return posts == o.posts && patches == o.patches && deletes == o.deletes;
    }
};

std::ostream& operator<<(std::ostream& out, const Writes& w) {
    return out << "{" << w.posts << " POST, " << w.patches << " PATCH, " << w.deletes << " DELETE}";
}

struct GraphSyncWorld {
    GraphFake fake;
    std::shared_ptr<StateStore> store = make_memory_store();
    std::unique_ptr<SyncService> service;
    std::string id;
    std::string calendar;
    // Midnight UTC the day after tomorrow: the appointments' day, well inside the window.
    const Instant day = [] {
        const Instant t = real_now();
        return t - t.time_since_epoch() % std::chrono::hours(24) + std::chrono::hours(48);
    }();

    explicit GraphSyncWorld(bool default_calendar) {
        SyncServiceOptions o;
        o.settings.host_key = std::string(32, 'h');
        o.settings.microsoft.client_id = "calsync-tests";
        o.settings.microsoft.token_url = fake.url("/common/oauth2/v2.0/token");
        o.settings.microsoft.api_base_url = fake.api();
        o.settings.network.allow_private_addresses = true;
        o.store = store;
        o.seed = 7;
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
        auto granted = fake.control("grant", R"({"scope":"Calendars.ReadWrite offline_access"})");
        const std::string tokens =
            R"({"access_token":")" + std::string(granted["access_token"].GetString()) +
            R"(","refresh_token":")" + std::string(granted["refresh_token"].GetString()) +
            R"(","expires_at":")" + format_rfc3339(real_now() + std::chrono::hours(1)) + R"("})";
        auto connected = service->add_oauth_connection(ProviderKind::microsoft, tokens);
        INFO((connected.ok() ? "" : connected.error().message));
        REQUIRE(connected.ok());
        id = connected.value();
        // The default calendar is read by calendarView/delta, any other by the listing.
        calendar = default_calendar ? fake.default_calendar() : fake.workshop_calendar();
        REQUIRE(service->select_calendar(id, calendar, CalendarDirection::both).ok());
    }

    Instant at(int hour) const { return day + std::chrono::hours(hour); }

    void book(const std::string& appointment, int from, int to) {
        Appointment a;
        a.id = appointment;
        a.time = {at(from), at(to)};
        a.client = "A. Kaya";
        a.service = "Brakes";
        REQUIRE(service->upsert_appointment(a).ok());
    }

    SyncReport sync() {
        auto report = service->sync(id);
        REQUIRE(report.ok());
        INFO(report->status.last_error);
        CHECK(report->status.state == SyncState::ok);
        return report.value();
    }

    Writes writes() const {
        Writes w;
        const auto stats = fake.control("stats");
        for (const auto& r : stats["by_route"].GetObject()) {
            const std::string route = r.name.GetString();
            if (route.rfind("POST ", 0) == 0 && route.size() > 7 &&
                route.compare(route.size() - 7, 7, "/events") == 0)
                w.posts += r.value.GetInt();
            else if (route == "PATCH /me/events/{id}")
                w.patches += r.value.GetInt();
            else if (route == "DELETE /me/events/{id}")
                w.deletes += r.value.GetInt();
        }
        return w;
    }
    Writes writes_of(const std::function<void()>& step) const {
        const Writes before = writes();
        step();
        const Writes after = writes();
        return {after.posts - before.posts, after.patches - before.patches,
                after.deletes - before.deletes};
    }

    // The events in the calendar (not Deleted Items): id -> {subject, start, property}.
    struct Held {
        std::string subject;
        std::string start;
        std::string property;  // calsync's extended property, "" without it
        std::string transaction_id;
    };
    std::map<std::string, Held> events() const {
        std::map<std::string, Held> out;
        const auto all = fake.control("events");
        for (const auto& e : all.GetArray()) {
            if (calendar != e["calendar"].GetString())
                continue;
            Held h{e["subject"].GetString(), e["start"]["dateTime"].GetString(), "", ""};
            h.start = h.start.substr(0, 19) + "Z";
            if (e.HasMember("transactionId"))
                h.transaction_id = e["transactionId"].GetString();
            if (e.HasMember("singleValueExtendedProperties"))
                h.property = e["singleValueExtendedProperties"][0]["value"].GetString();
            out[e["id"].GetString()] = h;
        }
        return out;
    }
    std::string only_event() const {
        const auto held = events();
        REQUIRE(held.size() == 1);
        return held.begin()->first;
    }

    // Another app's write to an event (the fake's control API).
    void rewrite(const std::string& event_id, const std::string& fields) const {
        fake.control("update", R"({"id":")" + event_id + "\"," + fields + "}");
    }
    std::string property_json(const char* value) const {
        return std::string(R"("properties":{")") + providers::microsoft::kAppointmentPropertyId +
               "\":" + value + "}";
    }
    std::string moved_to(int from, int to) const {
        return R"("start":")" + format_rfc3339(at(from)) + R"(","end":")" + format_rfc3339(at(to)) +
               "\"";
    }
    // Whether `hour` of the day is blocked for a booking.
    bool blocked(int hour) const {
        auto free = service->free_slots({at(hour), at(hour + 1)}, std::chrono::hours(1),
                                        std::chrono::hours(1));
        REQUIRE(free.ok());
        return free->empty();
    }
};

}  // namespace

// Regression: a re-created export reused its first transactionId; Graph may still match
// it to the deleted event in Deleted Items, which the POST then returned, and the
// appointment never reappeared in the calendar.
TEST_CASE("sync graph: an export deleted in Outlook is made again as a new event") {
    GraphSyncWorld w(GENERATE(true, false));
    w.book("appt-6", 9, 10);
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{1, 0, 0});
    const std::string first = w.only_event();
    REQUIRE(w.fake.control("delete", R"({"id":")" + first + "\"}").IsObject());
    CHECK(w.events().empty());

    CHECK(w.writes_of([&] { w.sync(); }) == Writes{1, 0, 0});  // on_remote_delete: recreate
    const auto held = w.events();
    REQUIRE(held.size() == 1);
    CHECK(held.begin()->first != first);
    CHECK(held.begin()->second.property == "appt-6");
    CHECK(held.begin()->second.start == format_rfc3339(w.at(9)));
    CHECK(held.begin()->second.transaction_id !=
          providers::microsoft::transaction_id_for("appt-6", w.calendar));
    // The new event is known as ours: nothing more is written while nothing changes.
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});
}

TEST_CASE("sync graph: an appointment cancelled and booked again reappears") {
    GraphSyncWorld w(GENERATE(true, false));
    w.book("appt-c", 9, 10);
    w.sync();
    REQUIRE(w.service->cancel_appointment("appt-c").ok());
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{0, 0, 1});
    CHECK(w.events().empty());
    w.book("appt-c", 9, 10);  // booked again: its record went with the cancellation
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{1, 0, 0});
    const auto held = w.events();
    REQUIRE(held.size() == 1);
    CHECK(held.begin()->second.property == "appt-c");
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});
}

// Issue 14 items 7 and 8 for Graph: another app rewrote the export and dropped calsync's
// extended property (apps are free to drop what they do not know). The transactionId it
// cannot change still names the appointment: the event is calsync's, written back
// (appointment_wins) with the property restored, never imported as blocking, never
// doubled, deleted when the appointment is cancelled, and left alone while nothing changes.
TEST_CASE("sync graph: an export rewritten without calsync's property is still calsync's") {
    GraphSyncWorld w(GENERATE(true, false));
    w.book("appt-7", 9, 10);
    w.sync();
    const std::string ours = w.only_event();
    w.rewrite(ours, w.moved_to(14, 15) + "," + w.property_json("null"));
    REQUIRE(w.events().at(ours).property.empty());

    const SyncReport recovered = [&] {
        SyncReport r;
        CHECK(w.writes_of([&] { r = w.sync(); }) == Writes{0, 1, 0});
        return r;
    }();
    CHECK(recovered.slots.added.empty());
    CHECK_FALSE(w.blocked(14));
    auto held = w.events();
    REQUIRE(held.size() == 1);
    CHECK(held.at(ours).start == format_rfc3339(w.at(9)));
    CHECK(held.at(ours).property == "appt-7");  // the hint is back
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});

    REQUIRE(w.service->cancel_appointment("appt-7").ok());
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{0, 0, 1});
    CHECK(w.events().empty());
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});
}

// The property is a hint; the transactionId, which no app can change, is the identity. An
// export whose property another app set to another value stays the appointment it was
// made for: before, it was taken for an unknown appointment's event and left in place,
// and the appointment was exported a second time.
TEST_CASE("sync graph: the identity a transactionId derives wins over a changed property") {
    GraphSyncWorld w(GENERATE(true, false));
    w.book("appt-8", 9, 10);
    w.sync();
    const std::string ours = w.only_event();
    w.rewrite(ours, w.moved_to(15, 16) + "," + w.property_json(R"("someone-else")"));
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{0, 1, 0});  // written back, not doubled
    CHECK_FALSE(w.blocked(15));
    auto held = w.events();
    REQUIRE(held.size() == 1);
    CHECK(held.at(ours).start == format_rfc3339(w.at(9)));
    CHECK(held.at(ours).property == "appt-8");
    CHECK(w.writes_of([&] { w.sync(); }) == Writes{});
}

// Regression: a read answered 429 with a Retry-After longer than a sync waits failed its
// calendar, and the sync went straight on to the connection's other calendars and its
// exports: requests Outlook throttles per app and mailbox, refused again, and prolonging
// the penalty. Now nothing more is sent until the connection is due after Retry-After.
TEST_CASE("sync graph: a throttled read stops the connection's requests until Retry-After") {
    GraphSyncWorld w(true);
    REQUIRE(
        w.service->select_calendar(w.id, w.fake.workshop_calendar(), CalendarDirection::both).ok());
    w.book("appt-t", 9, 10);
    w.fake.control(
        "fault", R"({"method":"GET","path":"/v1.0/me/calendar","status":429,"retry_after":"600"})");
    const Instant before = real_now();
    auto report = w.service->sync(w.id);
    REQUIRE(report.ok());
    CHECK(report->status.state == SyncState::rate_limited);
    REQUIRE(report->status.next_due.has_value());
    CHECK(*report->status.next_due >= before + std::chrono::seconds(600));
    const auto stats = w.fake.control("stats");
    for (const auto& route : stats["throttle_violations"].GetArray())
        FAIL_CHECK("sent while throttled: " << route.GetString());
    CHECK(w.writes() == Writes{});
}
