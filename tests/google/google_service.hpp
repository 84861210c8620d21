// The sync service opened over the Google fake as a host opens it (every Google endpoint
// the fake's, a memory store, a clock the test moves), and one Google connection to it.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "calsync/sync.hpp"
#include "google_fake.hpp"

namespace calsync::test {

inline Instant real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct GoogleService {
    GoogleFake fake;
    Instant now = real_now();
    std::shared_ptr<StateStore> store = make_memory_store();
    std::unique_ptr<SyncService> service;
    std::string id;  // the connection, once connect() made it

    GoogleService() {
        SyncServiceOptions o;
        o.settings.host_key = std::string(32, 'h');
        o.settings.google.client_id = kClientId;
        o.settings.google.client_secret = kClientSecret;
        o.settings.google.redirect_uri = "http://127.0.0.1:9/callback";
        o.settings.google.authorization_url = fake.url("/o/oauth2/v2/auth");
        o.settings.google.token_url = fake.url("/token");
        o.settings.google.revocation_url = fake.url("/revoke");
        o.settings.google.api_base_url = fake.api_base();
        o.settings.network.allow_private_addresses = true;
        o.store = store;
        o.clock = [this] { return now; };
        o.seed = 7;
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
    }

    // Connects with a grant of calsync's scopes, selects the workshop calendar with
    // `direction` and syncs it once.
    void connect(CalendarDirection direction) {
        auto connected =
            service->add_oauth_connection(ProviderKind::google, tokens_document(fake.grant()));
        INFO((connected.ok() ? "" : connected.error().message));
        REQUIRE(connected.ok());
        id = connected.value();
        REQUIRE(service->select_calendar(id, kCalendar, direction).ok());
        auto first = service->sync(id);
        INFO((first.ok() ? "" : first.error().message));
        REQUIRE(first.ok());
    }
};

}  // namespace calsync::test
