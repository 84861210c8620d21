// The thread rules of calsync.h ("Clients"): one client used from several threads at
// once. Run under ThreadSanitizer by the tsan preset (label threads); under the other
// presets it still checks that concurrent work adds up.
#define CATCH_CONFIG_MAIN
#include <calsync.h>
#include <rapidjson/document.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.hpp"

namespace {

const unsigned char kKey[32] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

std::atomic<int> diffs_seen{0};
void count_diff(const char*, void*) {
    ++diffs_seen;
}

// The answer of `call`, which fills the char** it is given.
template <class Call>
std::string take(Call&& call) {
    char* out = nullptr;
    REQUIRE(call(&out) == CALSYNC_OK);
    std::string text = out;
    calsync_string_free(out);
    return text;
}

}  // namespace

TEST_CASE("client: syncs, queries and appointments from several threads at once", "[threads]") {
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    o.config_json = R"({"network": {"allow_private_addresses": true},
                        "window": {"days_back": 400, "days_ahead": 400}})";
    o.slots_changed = count_diff;
    calsync_client* client = nullptr;
    REQUIRE(calsync_client_new(&o, &client) == CALSYNC_OK);

    const std::string path = std::string(CALSYNC_EXAMPLES_DATA_DIR) + "/personal.ics";
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        // Three feeds (one file each time under another URL): three connections.
        const std::string request = R"({"kind": "ics_feed", "connection_id": "feed)" +
                                    std::to_string(i) + R"(", "settings": {"url": ")" +
                                    feed.url("/feed?file=" + path + "&n=" + std::to_string(i)) +
                                    R"(", "name": "Feed"}})";
        calsync_connection* k = nullptr;
        REQUIRE(calsync_client_connect(client, request.c_str(), &k) == CALSYNC_OK);
        rapidjson::Document calendars;
        calendars.Parse(take([&](char** o) { return calsync_connection_calendars(k, o); }).c_str());
        const std::string select = R"({"calendar_id": ")" +
                                   std::string(calendars["calendars"][0]["id"].GetString()) +
                                   R"(", "direction": "import"})";
        REQUIRE(calsync_connection_select(k, select.c_str()) == CALSYNC_OK);
        calsync_connection_free(k);
        ids.push_back("feed" + std::to_string(i));
    }

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    // Each connection synced from its own thread, twice, while run_due runs too.
    for (const std::string& id : ids) {
        threads.emplace_back([&, id] {
            calsync_connection* k = nullptr;
            if (calsync_client_connection(client, id.c_str(), &k) != CALSYNC_OK) {
                ++failures;
                return;
            }
            for (int round = 0; round < 2; ++round) {
                char* out = nullptr;
                if (calsync_connection_sync(k, &out) != CALSYNC_OK)
                    ++failures;
                calsync_string_free(out);
            }
            calsync_connection_free(k);
        });
    }
    threads.emplace_back([&] {
        char* out = nullptr;
        if (calsync_client_run_due(client, &out) != CALSYNC_OK)
            ++failures;
        calsync_string_free(out);
    });
    // Readers ask while the engine changes under them.
    for (int r = 0; r < 2; ++r) {
        threads.emplace_back([&] {
            for (int i = 0; i < 30; ++i) {
                char* out = nullptr;
                if (calsync_client_blocked_slots(
                        client,
                        R"({"start": "2026-06-01T00:00:00Z", "end": "2026-07-01T00:00:00Z"})",
                        &out) != CALSYNC_OK)
                    ++failures;
                calsync_string_free(out);
                out = nullptr;
                if (calsync_client_free_slots(
                        client,
                        R"({"within": {"start": "2026-06-01T06:00:00Z", "end": "2026-06-01T18:00:00Z"},
                            "duration_seconds": 3600, "step_seconds": 900})",
                        &out) != CALSYNC_OK)
                    ++failures;
                calsync_string_free(out);
            }
        });
    }
    // Appointments written meanwhile.
    threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
            const std::string a =
                R"({"id": "t)" + std::to_string(i) +
                R"(", "start": "2026-06-05T08:00:00Z", "end": "2026-06-05T09:00:00Z"})";
            if (calsync_client_upsert_appointment(client, a.c_str()) != CALSYNC_OK)
                ++failures;
        }
    });
    for (std::thread& t : threads)
        t.join();
    CHECK(failures == 0);

    rapidjson::Document appointments;
    appointments.Parse(
        take([&](char** o) { return calsync_client_appointments(client, o); }).c_str());
    CHECK(appointments["appointments"].Size() == 20);
    rapidjson::Document june;
    june.Parse(take([&](char** o) {
                   return calsync_client_blocked_slots(
                       client,
                       R"({"start": "2026-06-01T00:00:00Z", "end": "2026-07-01T00:00:00Z"})", o);
               }).c_str());
    CHECK(june["slots"].Size() > 0);
    CHECK(diffs_seen > 0);
    rapidjson::Document list;
    list.Parse(take([&](char** o) { return calsync_client_connections(client, o); }).c_str());
    REQUIRE(list["connections"].Size() == 3);
    for (const auto& c : list["connections"].GetArray())
        CHECK(std::string(c["status"]["state"].GetString()) == "ok");
    calsync_client_free(client);
}
