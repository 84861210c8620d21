// The client calls of the C ABI (capi/client_c.cpp) through the shared library only:
// options and request mistakes, a whole import flow over an ICS feed with a SQLite store,
// appointments, disconnect, the team feed, and no exception crossing the boundary.
#include <calsync.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fake_server.hpp"

namespace {

const unsigned char kKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

struct Doc {
    calsync_status status;
    std::string message;
    rapidjson::Document json;
};

Doc doc(calsync_status status, char* out) {
    Doc d{status, calsync_last_error_message(), {}};
    if (status == CALSYNC_OK) {
        d.json.Parse(out);
        calsync_string_free(out);
        REQUIRE(d.json.IsObject());
    }
    return d;
}

std::string temp_dir() {
    char pattern[] = "/tmp/calsync-client-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    return pattern;
}

struct Recorder {
    std::vector<std::string> diffs;
    std::vector<std::string> logs;
};

void on_log(int, const char* message, void* user) {
    static_cast<Recorder*>(user)->logs.emplace_back(message);
}
void on_slots(const char* diff_json, void* user) {
    static_cast<Recorder*>(user)->diffs.emplace_back(diff_json);
}

struct Client {
    explicit Client(const std::string& store_path, Recorder* recorder = nullptr) {
        calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
        o.store_path = store_path.empty() ? nullptr : store_path.c_str();
        o.host_key = kKey;
        o.host_key_length = sizeof kKey;
        o.config_json = R"({"zone": "Europe/Berlin", "network": {"allow_private_addresses": true},
                            "window": {"days_back": 400, "days_ahead": 400}})";
        o.log = on_log;
        o.slots_changed = on_slots;
        o.user_data = recorder != nullptr ? recorder : &own;
        status = calsync_client_new(&o, &handle);
        message = calsync_last_error_message();
    }
    ~Client() { calsync_client_free(handle); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Doc slots(const char* range) {
        char* out = nullptr;
        const calsync_status s = calsync_client_blocked_slots(handle, range, &out);
        return doc(s, out);
    }

    Recorder own;
    calsync_client* handle = nullptr;
    calsync_status status;
    std::string message;
};

struct Connection {
    Connection() = default;
    ~Connection() { calsync_connection_free(handle); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    calsync_connection* handle = nullptr;
};

const char* const kJune2026 = R"({"start": "2026-06-01T00:00:00Z", "end": "2026-07-01T00:00:00Z"})";

std::string feed_request(const calsync::test::FakeServer& feed) {
    const std::string path = std::string(CALSYNC_EXAMPLES_DATA_DIR) + "/personal.ics";
    return R"({"kind": "ics_feed", "connection_id": "personal", "settings": {"url": ")" +
           feed.url("/feed?file=" + path) +
           R"(", "name": "Personal", "owner_addresses": ["owner@garage.example"]}})";
}

}  // namespace

TEST_CASE("timeouts and intervals out of range are refused, naming the key and the range") {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    const std::pair<const char*, const char*> refused[] = {
        // 2^63 - 1 seconds overflowed the milliseconds libcurl takes.
        {R"({"network": {"total_timeout_seconds": 9223372036854775807}})",
         R"(member "network.total_timeout_seconds": expected a whole number of seconds from 1 to 3600)"},
        {R"({"network": {"connect_timeout_seconds": 0}})",
         R"(member "network.connect_timeout_seconds": expected a whole number of seconds from 1 to 300)"},
        {R"({"network": {"sync_timeout_seconds": 86401}})",
         R"(member "network.sync_timeout_seconds": expected a whole number of seconds from 1 to 3600)"},
        {R"({"network": {"total_timeout_seconds": 1.5}})", "network.total_timeout_seconds"},
        {R"({"schedule": {"max_backoff_minutes": 9223372036854775807}})",
         R"(member "schedule.max_backoff_minutes": expected a whole number from 1 to 10080)"},
        {R"({"schedule": {"first_retry_seconds": 99999999999}})",
         R"(member "schedule.first_retry_seconds": expected a whole number from 1 to 86400)"},
        {R"({"window": {"days_ahead": 4294967297}})",
         R"(member "window.days_ahead": expected a whole number from 1 to 3660)"},
        {R"({"max_concurrent_syncs": 4294967297})",
         R"(member "max_concurrent_syncs": expected a whole number from 1 to 256)"},
        {R"({"google": {"requests_per_minute": 0}})",
         R"(member "google.requests_per_minute": expected a whole number from 1 to 10000000)"},
        {R"({"google": {"requests_per_minute": 600.5}})", "google.requests_per_minute"},
    };
    for (const auto& [config, message] : refused) {
        INFO(config);
        o.config_json = config;
        calsync_client* client = nullptr;
        CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains(message));
        CHECK(client == nullptr);
        calsync_client_free(client);
    }
    calsync_provider* provider = nullptr;
    CHECK(calsync_provider_new(R"({"kind": "ics_feed", "url": "https://feeds.example/a.ics",
                                   "network": {"total_timeout_seconds": 9223372036854775807}})",
                               &provider) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("from 1 to 3600"));
    CHECK(provider == nullptr);
}

TEST_CASE("client options and requests: mistakes are named and outputs left alone") {
    calsync_client* client = nullptr;
    CHECK(calsync_client_new(nullptr, &client) == CALSYNC_EINVAL);
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = 16;
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("host_key"));
    o.host_key_length = 32;
    o.version = 99;
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("options.version"));
    o.version = CALSYNC_CLIENT_OPTIONS_VERSION;
    o.config_json = R"({"zone": "Mars/Olympus"})";
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EZONE);
    o.config_json = R"({"schedule": {"min_interval_minutes": 0}})";
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
    CHECK_THAT(
        calsync_last_error_message(),
        Catch::Contains(R"(member "schedule.min_interval_minutes": expected a whole number)"));
    o.config_json = R"({"export": {"on_remote_edit": "shrug"}})";
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("export.on_remote_edit"));
    CHECK(client == nullptr);
    o.config_json = R"({"google": {"client_secret": 7}})";
    CHECK(calsync_client_new(&o, &client) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("google.client_secret"));
    CHECK(client == nullptr);
    // Where a service lives, without a client: each connect brings its own.
    o.config_json = R"({"google": {"api_base_url": "http://127.0.0.1:9/"}})";
    REQUIRE(calsync_client_new(&o, &client) == CALSYNC_OK);
    calsync_client_free(client);
    client = nullptr;

    Client c("");
    REQUIRE(c.status == CALSYNC_OK);
    calsync_connection* k = nullptr;
    const std::pair<const char*, const char*> bad[] = {
        {R"({"settings": {}})", R"(member "kind": missing)"},
        {R"({"kind": "caldav", "settings": {"url": "https://x/", "password": "in-clear-pw"}})",
         "settings.password"},
        {R"({"kind": "google"})", R"(member "tokens": missing)"},
        {R"({"kind": "caldav", "connection_id": "a/b", "settings": {"url": "https://x/"}})",
         R"(member "connection_id": expected)"},
    };
    for (const auto& [request, expected] : bad) {
        INFO(request);
        CHECK(calsync_client_connect(c.handle, request, &k) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains(expected));
        CHECK_THAT(calsync_last_error_message(), !Catch::Contains("in-clear-pw"));
        CHECK(k == nullptr);
    }
    CHECK(calsync_client_connection(c.handle, "nobody", &k) == CALSYNC_ENOTFOUND);
    CHECK(calsync_client_upsert_appointment(
              c.handle, R"({"id": "a1", "start": "2026-06-01T10:00:00Z"})") == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains(R"(member "end": missing)"));
    CHECK(
        calsync_client_upsert_appointment(c.handle, R"({"id": "a1", "start": "2026-06-01T10:00:00Z",
                           "end": "2026-06-01T09:00:00Z"})") == CALSYNC_EINVAL);
}

TEST_CASE("client: a feed connected, selected and synced blocks its events, kept in SQLite") {
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    const std::string dir = temp_dir();
    const std::string store = dir + "/calsync.sqlite";
    std::string before;
    {
        Recorder seen;
        Client c(store, &seen);
        REQUIRE(c.status == CALSYNC_OK);
        Connection k;
        REQUIRE(calsync_client_connect(c.handle, feed_request(feed).c_str(), &k.handle) ==
                CALSYNC_OK);
        char* out = nullptr;
        calsync_status s = calsync_connection_calendars(k.handle, &out);
        Doc calendars = doc(s, out);
        REQUIRE(calendars.status == CALSYNC_OK);
        REQUIRE(calendars.json["calendars"].Size() == 1);
        const std::string id = calendars.json["calendars"][0]["id"].GetString();
        CHECK_FALSE(calendars.json["calendars"][0]["selected"].GetBool());
        REQUIRE(
            calsync_connection_select(
                k.handle, (R"({"calendar_id": ")" + id + R"(", "direction": "import"})").c_str()) ==
            CALSYNC_OK);
        // A feed cannot take exports.
        CHECK(calsync_connection_select(
                  k.handle, (R"({"calendar_id": ")" + id + R"(", "direction": "both"})").c_str()) ==
              CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("read-only"));

        out = nullptr;
        s = calsync_connection_sync(k.handle, &out);
        Doc report = doc(s, out);
        REQUIRE(report.status == CALSYNC_OK);
        CHECK(std::string(report.json["status"]["state"].GetString()) == "ok");
        CHECK(report.json["added"].Size() > 0);
        REQUIRE_FALSE(seen.diffs.empty());  // the host callback got the same slots
        rapidjson::Document diff;
        diff.Parse(seen.diffs.back().c_str());
        CHECK(std::string(diff["connection_id"].GetString()) == "personal");
        CHECK(diff["added"].Size() == report.json["added"].Size());

        Doc june = c.slots(kJune2026);
        REQUIRE(june.status == CALSYNC_OK);
        REQUIRE(june.json["slots"].Size() > 0);
        const auto& slot = june.json["slots"][0];
        CHECK(std::string(slot["connection_id"].GetString()) == "personal");
        CHECK(std::string(slot["calendar_id"].GetString()) == id);
        CHECK(std::string(slot["label"].GetString()) == "Personal");
        before = std::string(june.json["slots"][0]["start"].GetString());

        out = nullptr;
        s = calsync_connection_status(k.handle, &out);
        Doc status = doc(s, out);
        REQUIRE(status.status == CALSYNC_OK);
        CHECK(std::string(status.json["state"].GetString()) == "ok");
        CHECK(status.json["calendars"].HasMember(id.c_str()));
        for (const std::string& line : seen.logs)
            CHECK_THAT(line, !Catch::Contains("owner@garage.example"));
    }
    // A new process on the same store answers as before, without a request.
    Client again(store);
    REQUIRE(again.status == CALSYNC_OK);
    Doc june = again.slots(kJune2026);
    REQUIRE(june.status == CALSYNC_OK);
    REQUIRE(june.json["slots"].Size() > 0);
    CHECK(std::string(june.json["slots"][0]["start"].GetString()) == before);

    char* out = nullptr;
    calsync_status s = calsync_client_free_slots(
        again.handle,
        R"({"within": {"start": "2026-06-01T06:00:00Z", "end": "2026-06-01T18:00:00Z"},
            "duration_seconds": 3600, "step_seconds": 1800})",
        &out);
    Doc free = doc(s, out);
    REQUIRE(free.status == CALSYNC_OK);
    CHECK(free.json["free"].IsArray());

    Connection k;
    REQUIRE(calsync_client_connection(again.handle, "personal", &k.handle) == CALSYNC_OK);
    // A feed has no grant to revoke: asked to, the disconnect does nothing and says so.
    CHECK(calsync_connection_disconnect(k.handle, 1) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("nothing was disconnected"));
    CHECK(again.slots(kJune2026).json["slots"].Size() > 0);
    REQUIRE(calsync_connection_disconnect(k.handle, 0) == CALSYNC_OK);
    Doc after = again.slots(kJune2026);
    CHECK(after.json["slots"].Size() == 0);  // freed at once
    out = nullptr;
    s = calsync_client_connections(again.handle, &out);
    Doc list = doc(s, out);
    REQUIRE(list.json["connections"].Size() == 1);
    CHECK(std::string(list.json["connections"][0]["state"].GetString()) == "disconnected");
}

TEST_CASE("client: appointments are kept, listed, cancelled and shared as a feed") {
    Client c("");
    REQUIRE(c.status == CALSYNC_OK);
    REQUIRE(
        calsync_client_upsert_appointment(c.handle, R"({"id": "a1", "start": "2026-06-05T08:00:00Z",
                             "end": "2026-06-05T09:00:00Z", "client": "J. Weber",
                             "service": "Oil change", "vehicle": "VW Golf"})") == CALSYNC_OK);
    REQUIRE(calsync_client_cancel_appointment(c.handle, "a1") == CALSYNC_OK);
    CHECK(calsync_client_cancel_appointment(c.handle, "a2") == CALSYNC_ENOTFOUND);
    char* out = nullptr;
    calsync_status s = calsync_client_appointments(c.handle, &out);
    Doc list = doc(s, out);
    REQUIRE(list.status == CALSYNC_OK);
    REQUIRE(list.json["appointments"].Size() == 1);
    CHECK(std::string(list.json["appointments"][0]["status"].GetString()) == "cancelled");

    REQUIRE(
        calsync_client_upsert_appointment(c.handle, R"({"id": "a3", "start": "2026-06-06T08:00:00Z",
                             "end": "2026-06-06T09:00:00Z", "client": "M. Keller"})") ==
        CALSYNC_OK);
    char* ics = nullptr;
    REQUIRE(calsync_client_team_feed(c.handle, R"({"calendar_name": "Team", "busy_only": true})",
                                     &ics) == CALSYNC_OK);
    const std::string text = ics;
    calsync_string_free(ics);
    CHECK_THAT(text, Catch::StartsWith("BEGIN:VCALENDAR"));
    CHECK_THAT(text, Catch::Contains("UID:calsync-a3"));
    CHECK_THAT(text, !Catch::Contains("Keller"));      // privacy mode
    CHECK_THAT(text, !Catch::Contains("calsync-a1"));  // cancelled: left out
}

TEST_CASE("client: a refused password is an auth error without the password") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    Client c("");
    calsync_connection* k = nullptr;
    const std::string request = R"({"kind": "caldav", "settings": {"url": ")" +
                                server.url("/401/") +
                                R"(", "username": "garage"}, "password": "pw-never-shown"})";
    CHECK(calsync_client_connect(c.handle, request.c_str(), &k) == CALSYNC_EAUTH);
    CHECK_THAT(calsync_last_error_message(), !Catch::Contains("pw-never-shown"));
    CHECK(k == nullptr);
}

TEST_CASE(
    "client: a CalDAV server answering 429 at discovery is a rate limit with its wait, "
    "not the well-known fallback's answer") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    Client c("");
    REQUIRE(c.status == CALSYNC_OK);
    calsync_connection* k = nullptr;
    const std::string request = R"({"kind": "caldav", "settings": {"url": ")" +
                                server.url("/busy/429/7200/") +
                                R"(", "username": "garage"}, "password": "pw"})";
    CHECK(calsync_client_connect(c.handle, request.c_str(), &k) == CALSYNC_ERATELIMIT);
    CHECK(calsync_last_error_http_status() == 429);
    CHECK(calsync_last_error_retry_after() == 7200);
    CHECK(k == nullptr);
}

TEST_CASE("client push: watch, renew and handle_push through the JSON") {
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    Client c("");
    REQUIRE(c.status == CALSYNC_OK);
    Connection k;
    REQUIRE(calsync_client_connect(c.handle, feed_request(feed).c_str(), &k.handle) == CALSYNC_OK);
    char* out = nullptr;
    calsync_status s = calsync_connection_calendars(k.handle, &out);
    Doc calendars = doc(s, out);
    REQUIRE(calendars.status == CALSYNC_OK);
    const std::string id = calendars.json["calendars"][0]["id"].GetString();
    REQUIRE(calsync_connection_select(
                k.handle, (R"({"calendar_id": ")" + id + R"(", "direction": "import"})").c_str()) ==
            CALSYNC_OK);

    SECTION("watch: mistakes are named, a service without push is refused clearly") {
        char* untouched = nullptr;
        CHECK(calsync_connection_watch(k.handle, nullptr, &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("request_json"));
        CHECK(calsync_connection_watch(k.handle, R"({"calendar_id": "x"})", &untouched) ==
              CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains(R"(member "address": missing)"));
        CHECK(calsync_connection_watch(k.handle, R"({"address": "https://h.example/"})",
                                       &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(),
                   Catch::Contains(R"(member "calendar_id": missing)"));
        CHECK(calsync_connection_watch(
                  k.handle,
                  (R"({"calendar_id": ")" + id + R"(", "address": "https://h.example/"})").c_str(),
                  &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("has no push notifications"));
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("polls it on the schedule"));
        CHECK(untouched == nullptr);
    }
    SECTION("renew_push: nothing to renew") {
        out = nullptr;
        s = calsync_client_renew_push(c.handle, &out);
        Doc renewed = doc(s, out);
        REQUIRE(renewed.status == CALSYNC_OK);
        CHECK(renewed.json["version"].GetInt() == 1);
        CHECK(renewed.json["channels"].Empty());
        CHECK(calsync_client_renew_push(nullptr, &out) == CALSYNC_EINVAL);
    }
    SECTION("handle_push: Graph's handshake answered, forgeries and mistakes refused") {
        out = nullptr;
        s = calsync_client_handle_push(
            c.handle,
            R"({"version": 1, "method": "POST", "query": "validationToken=)"
            R"(Validation%3A+Testing+client+application+reachability", "headers": [],
                "body": ""})",
            &out);
        Doc hello = doc(s, out);
        REQUIRE(hello.status == CALSYNC_OK);
        CHECK(hello.json["status"].GetInt() == 200);
        CHECK(std::string(hello.json["content_type"].GetString()) == "text/plain");
        CHECK(std::string(hello.json["body"].GetString()) ==
              "Validation: Testing client application reachability");
        CHECK(std::string(hello.json["source"].GetString()) == "graph_validation");
        CHECK(hello.json["marked"].Empty());

        char* untouched = nullptr;
        const char* forged_google =
            R"({"method": "POST", "headers": [{"name": "X-Goog-Channel-ID", "value": "c1"},
                {"name": "X-Goog-Channel-Token", "value": "v1.forged"},
                {"name": "X-Goog-Resource-State", "value": "exists"},
                {"name": "X-Goog-Resource-ID", "value": "r1"}]})";
        CHECK(calsync_client_handle_push(c.handle, forged_google, &untouched) == CALSYNC_EAUTH);
        CHECK_THAT(calsync_last_error_message(), !Catch::Contains("v1.forged"));
        const char* forged_graph =
            R"({"method": "POST", "query": "calsync_connection=personal&calsync_calendar=x",)"
            R"( "body": "{\"value\": [{\"subscriptionId\": \"s1\", \"clientState\": )"
            R"(\"guess\", \"changeType\": \"updated\"}]}"})";
        CHECK(calsync_client_handle_push(c.handle, forged_graph, &untouched) == CALSYNC_EAUTH);
        CHECK(calsync_client_handle_push(c.handle, R"({"headers": [{"value": "v"}]})",
                                         &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("headers[0].name"));
        CHECK(calsync_client_handle_push(c.handle, R"({"headers": {}})", &untouched) ==
              CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("headers"));
        CHECK(calsync_client_handle_push(c.handle, R"({"method": "POST", "body": "{}"})",
                                         &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("neither a Google"));
        CHECK(calsync_client_handle_push(c.handle, nullptr, &untouched) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("request_json"));
        CHECK(untouched == nullptr);
    }
}
