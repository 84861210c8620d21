// src/sync/push.cpp against tests/fakes/google/google_fake.py: a real GoogleProvider built
// by the service from its settings, a channel watched, the notifications the fake records
// handed to handle_push as the host's endpoint would, renewal by a new channel, disconnect.
#include <algorithm>
#include <catch2/catch.hpp>

#include "google_service.hpp"
#include "net/crypto.hpp"
#include "providers/google/google_push.hpp"

using namespace calsync;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;

namespace {

const std::string kAddress = "https://hooks.garage.example/google";

struct GoogleWorld : calsync::test::GoogleService {
    GoogleWorld() { connect(CalendarDirection::import_only); }

    rapidjson::Document notes() const {
        return calsync::test::parse_json(fake.inspect("notifications"));
    }

    PushRequest request_of(const rapidjson::Value& note) const {
        PushRequest r;
        r.method = "POST";
        for (const auto& h : note["headers"].GetObject())
            r.headers.emplace_back(h.name.GetString(), h.value.GetString());
        return r;
    }
    // The last notification the fake "sent".
    PushRequest last_note() const {
        auto all = notes();
        REQUIRE(all.Size() > 0);
        return request_of(all[all.Size() - 1]);
    }
    std::string header(const PushRequest& r, const char* name) const {
        for (const auto& [n, v] : r.headers) {
            if (n == name)
                return v;
        }
        return {};
    }
    void add_event(const std::string& event_id) const {
        const std::string start = format_rfc3339(now + std::chrono::hours(48));
        const std::string end = format_rfc3339(now + std::chrono::hours(49));
        fake.put_event(R"({"id":")" + event_id + R"(","summary":"MOT","start":{"dateTime":")" +
                       start + R"("},"end":{"dateTime":")" + end + R"("}})");
    }
    bool due_now() const { return service->next_due(id).value() == std::optional<Instant>(now); }
};

}  // namespace

TEST_CASE("push google: a watched calendar's change makes its connection due, then synced") {
    GoogleWorld w;
    CHECK_FALSE(w.due_now());
    auto watched = w.service->watch(w.id, kCalendar, kAddress);
    INFO((watched.ok() ? "" : watched.error().message));
    REQUIRE(watched.ok());
    CHECK(watched->kind == ProviderKind::google);
    CHECK(watched->channel_id.size() == 36);  // a UUID
    CHECK(watched->expires_at == w.now + kGoogleChannelLifetime);
    auto stored = w.store->list_push_channels(w.id);
    REQUIRE(stored.ok());
    REQUIRE(stored->size() == 1);
    CHECK(stored->at(0).channel_id == watched->channel_id);
    CHECK(stored->at(0).calendar_id == kCalendar);
    CHECK_FALSE(stored->at(0).resource_id.empty());
    // The secret never sits in clear in the store.
    const std::string token = w.header(w.last_note(), "X-Goog-Channel-Token");
    REQUIRE_FALSE(token.empty());
    CHECK(stored->at(0).sealed_token.find(token) == std::string::npos);

    // Google's first message says only that the channel exists.
    auto hello = w.service->handle_push(w.last_note());
    REQUIRE(hello.ok());
    CHECK(hello->status == 200);
    CHECK(hello->marked.empty());
    CHECK(hello->events == std::vector<std::string>{"sync"});
    CHECK_FALSE(w.due_now());

    w.add_event("mot1");
    auto changed = w.service->handle_push(w.last_note());
    REQUIRE(changed.ok());
    CHECK(changed->source == "google");
    CHECK(changed->status == 200);
    REQUIRE(changed->marked.size() == 1);
    CHECK(changed->marked[0].connection_id == w.id);
    CHECK(changed->marked[0].calendar_id == kCalendar);
    CHECK(w.due_now());
    auto reports = w.service->run_due();
    REQUIRE(reports.size() == 1);
    REQUIRE(reports[0].slots.added.size() == 1);
    CHECK(reports[0].slots.added[0].event_id == "mot1");
    CHECK_FALSE(w.due_now());
}

TEST_CASE("push google: forged or copied notifications are refused and mark nothing") {
    GoogleWorld w;
    REQUIRE(w.service->watch(w.id, kCalendar, kAddress).ok());
    w.add_event("mot1");
    PushRequest genuine = w.last_note();
    SECTION("a token signed with another key") {
        PushRequest forged = genuine;
        for (auto& [n, v] : forged.headers) {
            if (n == "X-Goog-Channel-Token")
                v = providers::google::channel_token(std::string(32, 'x'),
                                                     w.header(genuine, "X-Goog-Channel-ID"), w.id,
                                                     kCalendar)
                        .value();
        }
        auto refused = w.service->handle_push(forged);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == ErrorCode::auth);
        CHECK(refused.error().message.find(w.header(forged, "X-Goog-Channel-Token")) ==
              std::string::npos);
    }
    SECTION("no token") {
        PushRequest forged = genuine;
        forged.headers.erase(
            std::remove_if(forged.headers.begin(), forged.headers.end(),
                           [](const auto& h) { return h.first == "X-Goog-Channel-Token"; }),
            forged.headers.end());
        auto refused = w.service->handle_push(forged);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == ErrorCode::auth);
    }
    SECTION("neither Google nor Graph") {
        PushRequest nothing;
        nothing.method = "POST";
        nothing.body = "{}";
        auto refused = w.service->handle_push(nothing);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == ErrorCode::invalid_argument);
    }
    CHECK_FALSE(w.due_now());
}

TEST_CASE("push google: near expiry a new channel replaces the old, which is stopped") {
    GoogleWorld w;
    auto first = w.service->watch(w.id, kCalendar, kAddress);
    REQUIRE(first.ok());
    CHECK(w.service->renew_push().empty());  // a week left: nothing to do
    w.now += kGoogleChannelLifetime - std::chrono::hours(2);
    auto renewed = w.service->renew_push();
    REQUIRE(renewed.size() == 1);
    INFO((renewed[0].error ? renewed[0].error->message : ""));
    REQUIRE_FALSE(renewed[0].error.has_value());
    CHECK(renewed[0].old_channel_id == first->channel_id);
    CHECK(renewed[0].channel_id != first->channel_id);
    CHECK(renewed[0].expires_at == w.now + kGoogleChannelLifetime);
    auto stored = w.store->list_push_channels(w.id);
    REQUIRE(stored->size() == 1);
    CHECK(stored->at(0).channel_id == renewed[0].channel_id);

    // On the fake only the new channel is left: a change notifies it alone.
    const auto before = w.notes().Size();
    w.add_event("mot2");
    auto after = w.notes();
    REQUIRE(after.Size() == before + 1);
    PushRequest note = w.request_of(after[after.Size() - 1]);
    CHECK(w.header(note, "X-Goog-Channel-ID") == renewed[0].channel_id);
    REQUIRE(w.service->handle_push(note)->marked.size() == 1);

    // A late message of the old channel is genuine but no longer ours to act on.
    PushRequest old = w.request_of(after[0]);  // the old channel's "sync" message
    for (auto& [n, v] : old.headers) {
        if (n == "X-Goog-Resource-State")
            v = "exists";
    }
    REQUIRE(w.header(old, "X-Goog-Channel-ID") == first->channel_id);
    auto ignored = w.service->handle_push(old);
    REQUIRE(ignored.ok());
    CHECK(ignored->marked.empty());
    CHECK(ignored->ignored == "unknown_channel");
}

TEST_CASE("push google: disconnect, deselect or export-only stop the channels on the service") {
    GoogleWorld w;
    REQUIRE(w.service->watch(w.id, kCalendar, kAddress).ok());
    SECTION("disconnect") {
        REQUIRE(w.service->disconnect(w.id).ok());
    }
    SECTION("deselect") {
        REQUIRE(w.service->deselect_calendar(w.id, kCalendar).ok());
        CHECK(w.store->list_push_channels(w.id)->empty());
    }
    SECTION("made export-only") {
        REQUIRE(w.service->select_calendar(w.id, kCalendar, CalendarDirection::export_only).ok());
        CHECK(w.store->list_push_channels(w.id)->empty());
    }
    const auto before = w.notes().Size();
    w.add_event("mot3");
    CHECK(w.notes().Size() == before);  // no channel left to notify
    CHECK(w.fake.route_count("channels.stop") == 1);
}

TEST_CASE("push google: only selected import calendars are watched") {
    GoogleWorld w;
    REQUIRE(w.service->deselect_calendar(w.id, kCalendar).ok());
    auto refused = w.service->watch(w.id, kCalendar, kAddress);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(refused.error().message, Catch::Contains("not selected for import"));
    auto missing = w.service->watch(w.id, "nobody@example.com", kAddress);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::not_found);
    CHECK_FALSE(w.service->watch(w.id, kCalendar, "").ok());
}
