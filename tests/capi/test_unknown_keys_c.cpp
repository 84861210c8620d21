// A member the library does not read is refused, not ignored (issue 15, item 6): a
// misspelt "windw" in the client config used to leave the default window in force
// silently. Each input document through the C ABI, the error naming the key and where.
#include <calsync.h>

#include <catch2/catch.hpp>
#include <string>

#include "fake_server.hpp"

namespace {

const unsigned char kKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

calsync_status new_client(const char* config, calsync_client** out) {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    o.config_json = config;
    return calsync_client_new(&o, out);
}

struct Client {
    Client() {
        REQUIRE(new_client(R"({"network": {"allow_private_addresses": true}})", &handle) ==
                CALSYNC_OK);
    }
    ~Client() { calsync_client_free(handle); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    calsync_client* handle = nullptr;
};

std::string last_error() {
    return calsync_last_error_message();
}

}  // namespace

TEST_CASE("client config: a misspelt key is refused, naming it and the key meant") {
    calsync_client* client = nullptr;
    SECTION("at the top") {
        CHECK(new_client(R"({"zone": "UTC", "windw": {"days_back": 3}})", &client) ==
              CALSYNC_EINVAL);
        CHECK(last_error() == R"(config: unknown member "windw" (did you mean "window"?))");
        CHECK(new_client(R"({"netwrok": {"allow_private_addresses": true}})", &client) ==
              CALSYNC_EINVAL);
        CHECK(last_error() == R"(config: unknown member "netwrok" (did you mean "network"?))");
    }
    SECTION("nested, with where it is") {
        CHECK(new_client(R"({"window": {"day_back": 3}})", &client) == CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(config: unknown member "window.day_back" (did you mean "days_back"?))");
        CHECK(new_client(R"({"network": {"proxi": "http://p:3128"}})", &client) == CALSYNC_EINVAL);
        CHECK(last_error() == R"(config: unknown member "network.proxi" (did you mean "proxy"?))");
    }
    SECTION("nothing like a known key: no suggestion") {
        CHECK(new_client(R"({"colour_scheme": "dark"})", &client) == CALSYNC_EINVAL);
        CHECK(last_error() == R"(config: unknown member "colour_scheme")");
    }
    CHECK(client == nullptr);
}

TEST_CASE("client requests: unknown keys are refused, naming the key") {
    Client c;
    SECTION("appointment") {
        CHECK(calsync_client_upsert_appointment(c.handle,
                                                R"({"id": "a1", "start": "2026-06-01T08:00:00Z",
                                "end": "2026-06-01T09:00:00Z", "vehicel": "VW Golf"})") ==
              CALSYNC_EINVAL);
        CHECK(last_error() == R"(appointment: unknown member "vehicel" (did you mean "vehicle"?))");
        char* out = nullptr;
        REQUIRE(calsync_client_appointments(c.handle, &out) == CALSYNC_OK);
        CHECK(std::string(out).find("a1") == std::string::npos);  // nothing was stored
        calsync_string_free(out);
    }
    SECTION("blocked slots range") {
        char* out = nullptr;
        CHECK(calsync_client_blocked_slots(
                  c.handle, R"({"start": "2026-06-01T00:00:00Z", "end": "2026-07-01T00:00:00Z",
                                "ends": "x"})",
                  &out) == CALSYNC_EINVAL);
        CHECK(last_error() == R"(range: unknown member "ends" (did you mean "end"?))");
        CHECK(out == nullptr);
    }
    SECTION("free slots query") {
        char* out = nullptr;
        CHECK(calsync_client_free_slots(c.handle, R"({"within": {"start": "2026-06-01T00:00:00Z",
                                           "end": "2026-06-02T00:00:00Z", "zone": "UTC"},
                                "duration_seconds": 3600, "step_seconds": 900})",
                                        &out) == CALSYNC_EINVAL);
        CHECK(last_error() == R"(request: unknown member "within.zone")");
        CHECK(out == nullptr);
    }
    SECTION("confirm free query") {
        char* out = nullptr;
        CHECK(calsync_client_confirm_free(
                  c.handle, R"({"start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z",
                                "timeout": 100})",
                  &out) == CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(confirm request: unknown member "timeout" (did you mean "timeout_ms"?))");
        CHECK(out == nullptr);
    }
    SECTION("connect") {
        calsync_connection* k = nullptr;
        CHECK(calsync_client_connect(c.handle, R"({"kind": "ics_feed", "setings": {}})", &k) ==
              CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(connect request: unknown member "setings" (did you mean "settings"?))");
        CHECK(k == nullptr);
    }
    SECTION("push") {
        char* out = nullptr;
        CHECK(calsync_client_handle_push(
                  c.handle, R"({"method": "POST", "headers": [{"name": "a", "valeu": "b"}]})",
                  &out) == CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(push request: unknown member "headers[0].valeu" (did you mean "value"?))");
    }
}

TEST_CASE("select: an unknown key is refused, and nothing is selected") {
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    Client c;
    const std::string path = std::string(CALSYNC_EXAMPLES_DATA_DIR) + "/personal.ics";
    const std::string request =
        R"({"kind": "ics_feed", "connection_id": "p", "settings": {"url": ")" +
        feed.url("/feed?file=" + path) + R"("}})";
    calsync_connection* k = nullptr;
    REQUIRE(calsync_client_connect(c.handle, request.c_str(), &k) == CALSYNC_OK);
    char* out = nullptr;
    REQUIRE(calsync_connection_calendars(k, &out) == CALSYNC_OK);
    const std::string calendars = out;
    calsync_string_free(out);
    const auto at = calendars.find(R"("id":")") + 6;
    const std::string id = calendars.substr(at, calendars.find('"', at) - at);
    CHECK(
        calsync_connection_select(
            k,
            (R"({"calendar_id": ")" + id + R"(", "direction": "import", "polciy": {}})").c_str()) ==
        CALSYNC_EINVAL);
    CHECK(last_error() == R"(select request: unknown member "polciy" (did you mean "policy"?))");
    CHECK(calsync_connection_select(
              k, (R"({"calendar_id": ")" + id +
                  R"(", "direction": "import", "policy": {"tentative_block": false}})")
                     .c_str()) == CALSYNC_EINVAL);
    CHECK(
        last_error() ==
        R"(select request: unknown member "policy.tentative_block" (did you mean "tentative_blocks"?))");
    REQUIRE(calsync_connection_calendars(k, &out) == CALSYNC_OK);
    CHECK(std::string(out).find(R"("selected":true)") == std::string::npos);
    calsync_string_free(out);
    calsync_connection_free(k);
}

TEST_CASE("engine, provider and OAuth documents refuse unknown keys too") {
    char* out = nullptr;
    SECTION("an event's misspelt member, with its path") {
        CHECK(calsync_engine_blocked_slots(
                  R"({"zone": "UTC", "window": {"start": "2026-06-01T00:00:00Z",
                      "end": "2026-06-02T00:00:00Z"},
                      "calendars": [{"id": "c", "events": [{"id": "e",
                        "start": {"date_time": "2026-06-01T08:00:00Z"}, "transparancy": "opaque"}]}]})",
                  &out) == CALSYNC_EINVAL);
        CHECK(
            last_error() ==
            R"(request: unknown member "calendars[0].events[0].transparancy" (did you mean "transparency"?))");
    }
    SECTION("the per-calendar policy map takes calendar ids as names, its flags are checked") {
        const char* base = R"({"zone": "UTC", "window": {"start": "2026-06-01T00:00:00Z",
                      "end": "2026-06-02T00:00:00Z"}, "calendars": [],
                      "policy": {"calendars": {"any id": {)";
        CHECK(calsync_engine_blocked_slots(
                  (std::string(base) + R"("all_day_blocks": false}}}})").c_str(), &out) ==
              CALSYNC_OK);
        calsync_string_free(out);
        out = nullptr;
        CHECK(calsync_engine_blocked_slots((std::string(base) + R"("all_day": false}}}})").c_str(),
                                           &out) == CALSYNC_EINVAL);
        CHECK(
            last_error() ==
            R"(request: unknown member "policy.calendars.any id.all_day" (did you mean "all_day_blocks"?))");
    }
    SECTION("free slots") {
        CHECK(calsync_engine_free_slots(R"({"busy": [], "within": {"start": "2026-06-01T00:00:00Z",
                  "end": "2026-06-02T00:00:00Z"}, "duration_seconds": 3600, "step_secs": 900})",
                                        &out) == CALSYNC_EINVAL);
        CHECK(last_error() == "step_seconds: missing");  // the reader's own error comes first
    }
    SECTION("provider") {
        calsync_provider* p = nullptr;
        CHECK(calsync_provider_new(
                  R"({"kind": "caldav", "url": "https://dav.example/", "usernme": "x"})", &p) ==
              CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(provider config: unknown member "usernme" (did you mean "username"?))");
        CHECK(p == nullptr);
    }
    SECTION("oauth") {
        calsync_oauth* o = nullptr;
        CHECK(calsync_oauth_new(R"({"kind": "google", "client_id": "c",
                  "host_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "redirect_url": "x"})",
                                &o) == CALSYNC_EINVAL);
        CHECK(last_error() ==
              R"(oauth config: unknown member "redirect_url" (did you mean "redirect_uri"?))");
        CHECK(o == nullptr);
    }
    CHECK(out == nullptr);
}
