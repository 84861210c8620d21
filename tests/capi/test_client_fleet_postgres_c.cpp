// A C ABI client of one business on a fleet store (CLIENT_CONFIG "store"), on the real
// PostgreSQL server the store tests start (pg_server.sh): the clients of two garages on
// one database see nothing of each other; a second client of one garage sees what the
// first wrote; the single-business options stay as they were.
#include <calsync.h>
#include <rapidjson/document.h>

#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "fake_control.hpp"
#include "fake_server.hpp"
#include "kept_slots_scenario.hpp"
#include "pg_test_server.hpp"

namespace {

using calsync::test::kept_answer;  // a call's JSON answer, freed

const unsigned char kKey[32] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

// `conninfo` (a new schema of the test server) as a libpq URI (open_fleet takes
// postgresql:// URLs): the socket directory as "host", the schema through "options".
std::string database_url(const std::string& conninfo) {
    const std::string schema =
        conninfo.substr(conninfo.find("search_path=") + 12,
                        conninfo.rfind('\'') - conninfo.find("search_path=") - 12);
    const auto field = [&conninfo](const std::string& key) {
        const std::size_t at = conninfo.find(key + "=") + key.size() + 1;
        return conninfo.substr(at, conninfo.find(' ', at) - at);
    };
    return "postgresql:///postgres?host=" + field("host") + "&port=" + field("port") +
           "&user=calsync&options=-c%20search_path%3D" + schema;
}

std::string new_database_url() {
    return database_url(calsync::test::PostgresTestServer::shared().new_database());
}

struct Client {
    // `members`: more of CLIENT_CONFIG, each followed by a comma.
    Client(const std::string& url, const std::string& business, const std::string& members = "") {
        const std::string config =
            R"({"network": {"allow_private_addresses": true}, "window": {"days_back": 400, "days_ahead": 400}, )" +
            members + R"("store": {"url": ")" + url + R"(", "business_id": ")" + business +
            R"("}})";
        calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
        o.host_key = kKey;
        o.host_key_length = sizeof kKey;
        o.config_json = config.c_str();
        status = calsync_client_new(&o, &handle);
    }
    ~Client() { calsync_client_free(handle); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    calsync_status status = CALSYNC_ERROR;
    calsync_client* handle = nullptr;
};

rapidjson::Document appointments(calsync_client* c) {
    char* out = nullptr;
    const calsync_status s = calsync_client_appointments(c, &out);
    return kept_answer(s, out);
}

rapidjson::Document connections(calsync_client* c) {
    char* out = nullptr;
    const calsync_status s = calsync_client_connections(c, &out);
    return kept_answer(s, out);
}

std::size_t blocked_in_2026(calsync_client* c) {
    char* out = nullptr;
    const calsync_status s = calsync_client_blocked_slots(
        c, R"({"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"})", &out);
    return kept_answer(s, out)["slots"].Size();
}

}  // namespace

TEST_CASE("client on PostgreSQL: two garages on one database see nothing of each other",
          "[fleet][postgres]") {
    const std::string url = new_database_url();
    Client g1(url, "garage-1");
    Client g2(url, "garage-2");
    REQUIRE(g1.status == CALSYNC_OK);
    REQUIRE(g2.status == CALSYNC_OK);

    REQUIRE(calsync_client_upsert_appointment(g1.handle,
                                              R"({"id": "a1", "start": "2026-06-01T09:00:00Z",
                               "end": "2026-06-01T10:00:00Z"})") == CALSYNC_OK);
    REQUIRE(calsync_client_upsert_appointment(g2.handle,
                                              R"({"id": "a2", "start": "2026-06-02T09:00:00Z",
                               "end": "2026-06-02T10:00:00Z"})") == CALSYNC_OK);
    // g1 connects and syncs a feed: its slots and connection are g1's alone.
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    const std::string path = std::string(CALSYNC_EXAMPLES_DATA_DIR) + "/personal.ics";
    const std::string request =
        R"({"kind": "ics_feed", "connection_id": "personal", "settings": {"url": ")" +
        feed.url("/feed?file=" + path) + R"(", "name": "Personal"}})";
    calsync_connection* k = nullptr;
    REQUIRE(calsync_client_connect(g1.handle, request.c_str(), &k) == CALSYNC_OK);
    char* out = nullptr;
    calsync_status s = calsync_connection_calendars(k, &out);
    auto calendars = kept_answer(s, out);
    REQUIRE(calendars["calendars"].Size() == 1);
    const std::string id = calendars["calendars"][0]["id"].GetString();
    REQUIRE(calsync_connection_select(
                k, (R"({"calendar_id": ")" + id + R"(", "direction": "import"})").c_str()) ==
            CALSYNC_OK);
    out = nullptr;
    s = calsync_connection_sync(k, &out);
    kept_answer(s, out);
    calsync_connection_free(k);
    const std::size_t g1_slots = blocked_in_2026(g1.handle);
    CHECK(g1_slots > 0);

    auto a1 = appointments(g1.handle);
    REQUIRE(a1["appointments"].Size() == 1);
    CHECK(std::string(a1["appointments"][0]["id"].GetString()) == "a1");
    auto a2 = appointments(g2.handle);
    REQUIRE(a2["appointments"].Size() == 1);
    CHECK(std::string(a2["appointments"][0]["id"].GetString()) == "a2");
    CHECK(connections(g1.handle)["connections"].Size() == 1);
    CHECK(connections(g2.handle)["connections"].Size() == 0);
    CHECK(blocked_in_2026(g2.handle) == 0);
    k = nullptr;
    CHECK(calsync_client_connection(g2.handle, "personal", &k) == CALSYNC_ENOTFOUND);
    CHECK(calsync_client_cancel_appointment(g2.handle, "a1") == CALSYNC_ENOTFOUND);

    // Another client of garage-1 (another process of the host, say) sees what g1 wrote.
    Client again(url, "garage-1");
    REQUIRE(again.status == CALSYNC_OK);
    CHECK(appointments(again.handle)["appointments"].Size() == 1);
    CHECK(connections(again.handle)["connections"].Size() == 1);
    CHECK(blocked_in_2026(again.handle) == g1_slots);
}

TEST_CASE("client on PostgreSQL: answers from the slots a worker stored, and their changes",
          "[fleet][postgres][slots]") {
    calsync::test::check_client_reads_worker_slots(new_database_url());
}

namespace {

// The first column of every row `sql` returns on `conninfo`.
std::vector<std::string> column(const std::string& conninfo, const char* sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(conninfo.c_str()), &PQfinish);
    REQUIRE(PQstatus(db.get()) == CONNECTION_OK);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(db.get(), sql), &PQclear);
    REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
    std::vector<std::string> values;
    for (int i = 0; i < PQntuples(r.get()); ++i)
        values.emplace_back(PQgetvalue(r.get(), i, 0));
    return values;
}

}  // namespace

TEST_CASE("client on PostgreSQL: its Google requests spend the budget the fleet's workers share",
          "[fleet][postgres]") {
    const std::string conninfo = calsync::test::PostgresTestServer::shared().new_database();
    const std::string client_id = "garages.apps.googleusercontent.com";
    calsync::test::FakeServer google(CALSYNC_GOOGLE_FAKE);
    calsync::test::fake_control(
        google, "calendar",
        R"({"id": "garage@example.com", "summary": "Workshop", "primary": true,
                       "timeZone": "Europe/Berlin", "accessRole": "owner"})");
    rapidjson::Document granted;
    granted.Parse(
        calsync::test::fake_control(
            google, "grant",
            R"({"client_id": ")" + client_id +
                R"(", "scope": "https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events.readonly"})")
            .c_str());
    REQUIRE(granted.IsObject());
    Client garage(database_url(conninfo), "garage-1",
                  R"("google": {"client_id": ")" + client_id +
                      R"(", "client_secret": "secret", "exports": false, "token_url": ")" +
                      google.url("/token") + R"(", "api_base_url": ")" +
                      google.url("/calendar/v3") + R"("}, )");
    REQUIRE(garage.status == CALSYNC_OK);
    CHECK(column(conninfo, "SELECT budget_key FROM request_budgets").empty());

    const std::string request =
        R"({"version": 1, "kind": "google", "connection_id": "work", "tokens": {"version": 1, "access_token": ")" +
        std::string(granted["access_token"].GetString()) + R"(", "refresh_token": ")" +
        granted["refresh_token"].GetString() +
        R"(", "scope": "https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events.readonly", "expires_at": "2099-01-01T00:00:00Z"}})";
    calsync_connection* k = nullptr;
    REQUIRE(calsync_client_connect(garage.handle, request.c_str(), &k) == CALSYNC_OK);
    REQUIRE(calsync_connection_select(
                k, R"({"calendar_id": "garage@example.com", "direction": "import"})") ==
            CALSYNC_OK);
    char* out = nullptr;
    const calsync_status s = calsync_connection_sync(k, &out);
    kept_answer(s, out);
    calsync_connection_free(k);
    // The fleet's bucket for this OAuth client was taken from: each worker of the fleet
    // takes from the same row.
    const auto keys = column(conninfo, "SELECT budget_key FROM request_budgets");
    REQUIRE(keys.size() == 1);
    CHECK_THAT(keys[0], Catch::Contains(client_id));
}

TEST_CASE("client on a fleet store: what the options refuse", "[fleet]") {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    calsync_client* c = nullptr;
    SECTION("a store path and a config store at once") {
        o.store_path = "/tmp/never-created.sqlite";
        o.config_json = R"({"store": {"url": "memory:", "business_id": "g"}})";
        CHECK(calsync_client_new(&o, &c) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("store"));
    }
    SECTION("no url") {
        o.config_json = R"({"store": {"business_id": "g"}})";
        CHECK(calsync_client_new(&o, &c) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("store.url"));
    }
    SECTION("an unknown key in store") {
        o.config_json = R"({"store": {"url": "memory:", "bussiness_id": "g"}})";
        CHECK(calsync_client_new(&o, &c) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("bussiness_id"));
    }
    SECTION("a business id too long") {
        const std::string config =
            R"({"store": {"url": "memory:", "business_id": ")" + std::string(201, 'g') + "\"}}";
        o.config_json = config.c_str();
        CHECK(calsync_client_new(&o, &c) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("business"));
    }
    SECTION("a PostgreSQL server that is not there, its password kept out of the message") {
        o.config_json =
            R"({"store": {"url": "postgresql://calsync:s3cret-pw@/db?host=/nonexistent&port=1"}})";
        CHECK(calsync_client_new(&o, &c) == CALSYNC_ERROR);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("store.url"));
        CHECK_THAT(calsync_last_error_message(), !Catch::Contains("s3cret-pw"));
    }
    SECTION("a worker's config names no store of its own") {
        calsync_worker_options w = CALSYNC_WORKER_OPTIONS_INIT;
        w.store_url = "memory:";
        w.host_key = kKey;
        w.host_key_length = sizeof kKey;
        w.config_json = R"({"store": {"url": "memory:"}})";
        calsync_worker* worker = nullptr;
        CHECK(calsync_worker_new(&w, &worker) == CALSYNC_EINVAL);
        CHECK_THAT(calsync_last_error_message(), Catch::Contains("store"));
        CHECK(worker == nullptr);
    }
    CHECK(c == nullptr);
}
