// The sync service with a real GoogleProvider against the Google fake (issue 14): what an
// account's sign-in grants, a calendar that became read-only, and exports another app or
// the owner touched. Requests are counted by route at the fake.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>

#include "google_service.hpp"
#include "providers/google/google_event_id.hpp"

using namespace calsync;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;
using calsync::test::parse_json;

namespace {

const std::string kAuth = "https://www.googleapis.com/auth/";

struct GoogleSyncWorld : calsync::test::GoogleService {
    void connect_for_both() {
        connect(CalendarDirection::both);
        REQUIRE(synced().status.state == SyncState::ok);
    }

    SyncReport synced() {
        auto report = service->sync(id);
        INFO((report.ok() ? "" : report.error().message));
        REQUIRE(report.ok());
        return report.value();
    }

    Appointment appointment(const std::string& appointment_id, int hours_ahead = 48) const {
        Appointment a;
        a.id = appointment_id;
        a.time = {now + std::chrono::hours(hours_ahead), now + std::chrono::hours(hours_ahead + 1)};
        a.client = "J. Weber";
        a.service = "Oil change";
        a.vehicle = "VW Golf";
        return a;
    }

    rapidjson::Document stored(const std::string& event_id) const {
        return parse_json(fake.inspect("stored?calendar=garage@example.com&id=" + event_id));
    }
    // The routes of the API requests the fake saw from the `from`-th on.
    std::vector<std::string> routes_since(std::size_t from) const {
        auto all = fake.requests();
        std::vector<std::string> out;
        for (rapidjson::SizeType i = static_cast<rapidjson::SizeType>(from); i < all.Size(); ++i)
            out.emplace_back(all[i]["route"].GetString());
        return out;
    }
    std::size_t request_count() const { return fake.requests().Size(); }
};

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    return buffer.GetString();
}

}  // namespace

// Issue 14, item 3.
TEST_CASE("google sync: a calendar that became read-only is that calendar's error") {
    GoogleSyncWorld w;
    w.connect_for_both();
    // The owner shares the calendar read-only now; the account's sign-in is as good as ever.
    w.fake.control("calendar", R"({"id":"garage@example.com","accessRole":"reader"})");
    REQUIRE(w.service->upsert_appointment(w.appointment("g-ro")).ok());
    const SyncReport report = w.synced();
    CHECK(report.status.state == SyncState::error);
    CHECK(report.status.state != SyncState::needs_reauthorisation);
    CHECK_THAT(report.status.last_error,
               Catch::Contains("\"Workshop\"") && Catch::Contains("read-only"));
    CHECK(report.status.next_due.has_value());  // tried again later, no sign-in needed
    auto statuses = w.store->list_calendar_statuses(w.id);
    REQUIRE(statuses.ok());
    REQUIRE(statuses->count(kCalendar) == 1);
    CHECK(statuses->at(kCalendar).state == SyncState::error);
    CHECK_THAT(statuses->at(kCalendar).last_error, Catch::Contains("read-only"));
}

// Issue 14, item 4: Google's granular consent screen lets the person untick a permission.
TEST_CASE("google sync: a sign-in without the events permission is refused, naming it") {
    GoogleSyncWorld w;
    SECTION("in the browser") {
        w.fake.control("consent", R"({"untick":[")" + kAuth + R"(calendar.events"]})");
        auto start = w.service->begin_authorization(ProviderKind::google);
        REQUIRE(start.ok());
        net::CurlTransport browser(calsync::test::local_options());
        net::HttpRequest consent;
        consent.url = start->url;
        auto back = browser.perform(consent);
        REQUIRE(back.ok());
        REQUIRE(back->status == 302);
        const std::string location = *back->header("location");
        const auto code_at = location.find("code=") + 5;
        std::string code = location.substr(code_at, location.find('&', code_at) - code_at);
        code.replace(code.find("%2F"), 3, "/");
        auto refused = w.service->complete_authorization(start->state, code);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == ErrorCode::auth);
        CHECK_THAT(refused.error().message, Catch::Contains("calendar.events") &&
                                                Catch::Contains("events on all your calendars"));
    }
    SECTION("tokens from a device sign-in") {
        auto refused = w.service->add_oauth_connection(
            ProviderKind::google,
            calsync::test::tokens_document(w.fake.grant(kAuth + "calendar.calendarlist.readonly")));
        REQUIRE_FALSE(refused.ok());
        CHECK_THAT(refused.error().message, Catch::Contains("calendar.events"));
    }
    SECTION("without the calendar list") {
        auto refused = w.service->add_oauth_connection(
            ProviderKind::google,
            calsync::test::tokens_document(w.fake.grant(kAuth + "calendar.events")));
        REQUIRE_FALSE(refused.ok());
        CHECK_THAT(refused.error().message, Catch::Contains("calendar.calendarlist.readonly"));
    }
    CHECK(w.service->connections()->empty());
    CHECK(w.fake.route_count("calendarList.list") == 0);  // refused before any use

    SECTION("a broader or a read-only grant is enough to connect") {
        for (const std::string& scope :
             {kAuth + "calendar", kAuth + "calendar.readonly",
              kAuth + "calendar.calendarlist.readonly " + kAuth + "calendar.events.readonly"}) {
            auto connected = w.service->add_oauth_connection(
                ProviderKind::google, calsync::test::tokens_document(w.fake.grant(scope)));
            INFO(scope << ": " << (connected.ok() ? "" : connected.error().message));
            CHECK(connected.ok());
        }
    }
}

// Issue 14, items 7 and 8 (Google).
TEST_CASE("google sync: an export another app rewrote without its marker is ours, mended once") {
    GoogleSyncWorld w;
    w.connect_for_both();
    REQUIRE(w.service->upsert_appointment(w.appointment("g-7")).ok());
    REQUIRE(w.synced().status.state == SyncState::ok);
    const std::string event_id = providers::google::export_event_id("g-7");
    REQUIRE(w.fake.route_count("events.insert") == 1);

    // Another app keeps the event and its id, moves it an hour and drops the property.
    auto held = w.stored(event_id);
    const Instant start = parse_rfc3339(held["start"]["dateTime"].GetString()).value();
    w.fake.put_event(R"({"id":")" + event_id + R"(","summary":"Oil change","start":{"dateTime":")" +
                     format_rfc3339(start + std::chrono::hours(1)) + R"("},"end":{"dateTime":")" +
                     format_rfc3339(start + std::chrono::hours(2)) + R"("}})");
    const SyncReport mended = w.synced();
    CHECK(mended.status.state == SyncState::ok);
    // Never blocking as an import of its own calendar.
    CHECK(w.service->blocked_slots({w.now, w.now + std::chrono::hours(24 * 7)}).empty());
    auto after = w.stored(event_id);
    CHECK(parse_rfc3339(after["start"]["dateTime"].GetString()).value() == start);
    REQUIRE(after.HasMember("extendedProperties"));
    CHECK(std::string(after["extendedProperties"]["private"]["calsyncAppointmentId"].GetString()) ==
          "g-7");
    CHECK(w.fake.route_count("events.insert") == 1);  // never a second event
    CHECK(w.fake.route_count("events.patch") == 1);

    // Item 8: an unchanged appointment makes no request beyond the read.
    const std::size_t before = w.request_count();
    CHECK(w.synced().status.state == SyncState::ok);
    CHECK(w.routes_since(before) == std::vector<std::string>{"events.list"});

    // Cancelled: the event goes, as ours.
    Appointment cancelled = w.appointment("g-7");
    cancelled.status = AppointmentStatus::cancelled;
    REQUIRE(w.service->upsert_appointment(cancelled).ok());
    CHECK(w.synced().status.state == SyncState::ok);
    CHECK(std::string(w.stored(event_id)["status"].GetString()) == "cancelled");
}

// Issue 14, item 2.
TEST_CASE("google sync: the owner's colour or reminder on an export is no reason to write") {
    GoogleSyncWorld w;
    w.connect_for_both();
    REQUIRE(w.service->upsert_appointment(w.appointment("g-2")).ok());
    REQUIRE(w.synced().status.state == SyncState::ok);
    const std::string event_id = providers::google::export_event_id("g-2");
    // The owner's edit in Google Calendar: the event as it is, plus a colour and a reminder.
    auto edited = w.stored(event_id);
    auto& a = edited.GetAllocator();
    edited.AddMember("colorId", "11", a);
    rapidjson::Value reminders(rapidjson::kObjectType);
    reminders.AddMember("useDefault", false, a);
    rapidjson::Value overrides(rapidjson::kArrayType);
    rapidjson::Value popup(rapidjson::kObjectType);
    popup.AddMember("method", "popup", a);
    popup.AddMember("minutes", 30, a);
    overrides.PushBack(popup, a);
    reminders.AddMember("overrides", overrides, a);
    edited.RemoveMember("reminders");
    edited.AddMember("reminders", reminders, a);
    w.fake.put_event(to_json(edited));

    const std::size_t before = w.request_count();
    CHECK(w.synced().status.state == SyncState::ok);
    for (const std::string& route : w.routes_since(before)) {
        INFO(route);
        CHECK((route == "events.list" || route == "events.get"));
    }
    auto after = w.stored(event_id);
    REQUIRE(after.HasMember("colorId"));
    REQUIRE(after["reminders"].HasMember("overrides"));
    CHECK(std::string(after["colorId"].GetString()) == "11");
    CHECK(after["reminders"]["overrides"][0]["minutes"].GetInt() == 30);
    // Its new version is known now: the next sync only reads.
    const std::size_t settled = w.request_count();
    CHECK(w.synced().status.state == SyncState::ok);
    CHECK(w.routes_since(settled) == std::vector<std::string>{"events.list"});
}
