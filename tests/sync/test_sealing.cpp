// Sealed values bound to their row (src/sync/sealing.cpp): a SQLite store written before
// binding, with a feed whose address sits in its clear settings, is brought up to date
// when the service opens it.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "net/crypto.hpp"
#include "sync_world.hpp"

using namespace calsync;
using calsync::test::SyncWorld;

namespace {

// How stores were sealed before values were bound: the same key, no associated data.
std::string sealed_the_old_way(const std::string& host_key, const std::string& clear) {
    const std::string key = net::hmac_sha256(host_key, "calsync: sealing credentials at rest, v1");
    return net::seal_unbound(clear, key).value();
}

const char* const kFeedUrl =
    "https://calendar.google.com/calendar/ical/garage%40example.com/private-0a1b2c3d4e5f/"
    "basic.ics";

}  // namespace

TEST_CASE("sealing: a store from before bound sealing is migrated when the service opens it") {
    char dir[] = "/tmp/calsync-sealing-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/calsync.sqlite";
    SyncWorld world;
    const std::string& key = world.settings.host_key;
    {
        auto store = open_sqlite_store(path);
        REQUIRE(store.ok());
        StateStore& s = *store.value();
        ConnectionRecord dav{"dav-1",
                             ProviderKind::caldav,
                             "garage at https://dav.example.com/",
                             R"({"url": "https://dav.example.com/", "username": "garage"})",
                             sealed_the_old_way(key, R"({"password": "pw-old-1"})"),
                             ConnectionState::active,
                             {}};
        REQUIRE(s.put_connection(dav).ok());
        ConnectionRecord feed{"feed-1",
                              ProviderKind::ics_feed,
                              std::string(kFeedUrl) + " #abcdefghij",
                              R"({"url": ")" + std::string(kFeedUrl) + R"(", "name": "Holidays"})",
                              sealed_the_old_way(key, "{}"),
                              ConnectionState::active,
                              {}};
        REQUIRE(s.put_connection(feed).ok());
        SyncStatus failed;
        failed.state = SyncState::calendar_gone;
        failed.last_error = std::string("calendar \"Holidays\": GET ") + kFeedUrl + ": HTTP 404";
        REQUIRE(s.put_connection_status("feed-1", failed).ok());
        CalendarRecord work;
        work.connection_id = "dav-1";
        work.calendar = test::calendar("work", "Work");
        REQUIRE(s.put_calendar(work).ok());
        REQUIRE(s.put_push_channel({"ch-1", "dav-1", "work", "res-1",
                                    sealed_the_old_way(key, R"({"token": "t", "address": "a"})"),
                                    test::at("2026-07-01T00:00:00Z")})
                    .ok());
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store.ok());
    world.store = std::shared_ptr<StateStore>(std::move(store).value());
    auto service = world.open();

    auto dav = world.store->get_connection("dav-1");
    REQUIRE(dav.ok());
    CHECK(dav->sealed_credentials.rfind("v2.", 0) == 0);
    auto channels = world.store->list_push_channels("dav-1");
    REQUIRE(channels.ok());
    REQUIRE(channels->size() == 1);
    CHECK(channels->at(0).sealed_token.rfind("v2.", 0) == 0);

    auto feed = world.store->get_connection("feed-1");
    REQUIRE(feed.ok());
    CHECK(feed->sealed_credentials.rfind("v2.", 0) == 0);
    CHECK_THAT(feed->settings_json, !Catch::Contains("private-"));
    CHECK_THAT(feed->settings_json, Catch::Contains("Holidays"));
    CHECK_THAT(feed->account, Catch::StartsWith("https://calendar.google.com/... #"));
    auto status = world.store->get_connection_status("feed-1");
    REQUIRE(status.ok());
    CHECK(status->last_error ==
          "calendar \"Holidays\": GET https://calendar.google.com/...: HTTP 404");

    // The credentials open for their own connection, the feed's with its address in them.
    REQUIRE(service->list_calendars("dav-1").ok());
    REQUIRE(service->list_calendars("feed-1").ok());
    CHECK(world.credentials_seen.at(0) == R"({"password": "pw-old-1"})");
    CHECK(world.credentials_seen.at(1) == std::string(R"({"url":")") + kFeedUrl + "\"}");

    // Opening again changes nothing more.
    service.reset();
    auto again = world.open();
    auto dav_again = world.store->get_connection("dav-1");
    CHECK(dav_again->sealed_credentials == dav->sealed_credentials);
}

TEST_CASE("sealing: credentials copied into another connection's row name it and send nothing") {
    SyncWorld world;
    world.account("https://a.example/")->add_calendar(test::calendar("work", "Work"));
    world.account("https://b.example/")->add_calendar(test::calendar("work", "Work"));
    auto service = world.open();
    const std::string a = SyncWorld::connect(*service, "https://a.example/", "pw-of-a");
    const std::string b = SyncWorld::connect(*service, "https://b.example/", "pw-of-b");
    REQUIRE(service->select_calendar(b, "work", CalendarDirection::import_only).ok());
    const std::string a_blob = world.store->get_connection(a)->sealed_credentials;
    REQUIRE(world.store->set_credentials(b, a_blob).ok());

    service.reset();  // a new process: nothing cached from before
    service = world.open();
    const std::size_t built = world.providers.size();
    auto report = service->sync(b);
    REQUIRE(report.ok());
    CHECK(report->status.state == SyncState::needs_reauthorisation);
    CHECK_THAT(report->status.last_error, Catch::Contains("connection " + b));
    CHECK_THAT(report->status.last_error, !Catch::Contains("pw-of-a"));
    CHECK(world.providers.size() == built);  // no provider, so no request, for b
    CHECK(world.credentials_seen.back() != R"({"password": "pw-of-a"})");
}
