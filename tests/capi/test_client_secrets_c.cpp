// Secrets at rest and in what the client shows (issue 12, items 6 and 7), through the
// shared library and a real SQLite file: a feed's address is sealed and shown by its
// host only; a CalDAV URL with a password in it is refused; sealed credentials copied
// into another connection's row do not open, and that connection sends nothing.
#include <calsync.h>
#include <curl/curl.h>
#include <rapidjson/document.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fake_server.hpp"

namespace {

const unsigned char kHostKey[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4,
                                    3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8};

// One call's JSON answer, or its status and message.
struct Answer {
    calsync_status status = CALSYNC_OK;
    std::string text;
    rapidjson::Document json;
};

template <class Call>
Answer answer(Call&& call) {
    char* out = nullptr;
    Answer a;
    a.status = call(&out);
    if (a.status != CALSYNC_OK) {
        a.text = calsync_last_error_message();
        return a;
    }
    a.text = out;
    calsync_string_free(out);
    a.json.Parse(a.text.c_str());
    REQUIRE(a.json.IsObject());
    return a;
}

void remember_log(int, const char* message, void* user) {
    static_cast<std::vector<std::string>*>(user)->emplace_back(message);
}

// A client on the SQLite file at `store`, allowed to reach the fakes on loopback.
struct Host {
    explicit Host(const std::string& store) {
        calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
        o.store_path = store.c_str();
        o.host_key = kHostKey;
        o.host_key_length = sizeof kHostKey;
        o.config_json = R"({"network": {"allow_private_addresses": true}})";
        o.log = remember_log;
        o.user_data = &logs;
        REQUIRE(calsync_client_new(&o, &client) == CALSYNC_OK);
    }
    ~Host() {
        calsync_connection_free(connection);
        calsync_client_free(client);
    }
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    calsync_status connect(const std::string& request) {
        calsync_connection_free(connection);
        connection = nullptr;
        return calsync_client_connect(client, request.c_str(), &connection);
    }
    void use(const char* connection_id) {
        calsync_connection_free(connection);
        connection = nullptr;
        REQUIRE(calsync_client_connection(client, connection_id, &connection) == CALSYNC_OK);
    }
    void select(const std::string& calendar_id) {
        const std::string request =
            R"({"calendar_id": ")" + calendar_id + R"(", "direction": "import"})";
        REQUIRE(calsync_connection_select(connection, request.c_str()) == CALSYNC_OK);
    }
    Answer sync() {
        return answer([this](char** out) { return calsync_connection_sync(connection, out); });
    }

    calsync_client* client = nullptr;
    calsync_connection* connection = nullptr;
    std::vector<std::string> logs;
};

std::string new_store() {
    char pattern[] = "/tmp/calsync-secrets-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    return std::string(pattern) + "/calsync.sqlite";
}

// Everything SQLite keeps of the store: the file, its write-ahead log and shared memory.
std::string bytes_on_disk(const std::string& store) {
    std::string all;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::ifstream in(store + suffix, std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
}

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// How many requests a CalDAV fake has answered (tests/fakes/caldav_fake.py, its stats).
int requests_seen(const calsync::test::FakeServer& dav) {
    CURL* curl = curl_easy_init();
    REQUIRE(curl != nullptr);
    std::string body;
    const std::string url = dav.url("/_admin/stats");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    REQUIRE(curl_easy_perform(curl) == CURLE_OK);
    curl_easy_cleanup(curl);
    rapidjson::Document stats;
    stats.Parse(body.c_str());
    REQUIRE(stats.IsObject());
    return stats["requests"].GetInt();
}

std::string caldav_request(const char* id, const calsync::test::FakeServer& dav) {
    return R"({"kind": "caldav", "connection_id": ")" + std::string(id) +
           R"(", "settings": {"url": ")" + dav.url("/") +
           R"(", "username": "garage"}, "password": "test-only-password"})";
}

}  // namespace

TEST_CASE("client secrets: a feed's address is sealed, and shown by its host only") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    // A private address: the key is part of it. The feed is read at connect, so a dead one
    // is refused there, by its host only.
    const std::string secret = "private-5ecret0123456789";
    const std::string dead =
        server.url("/calendar/ical/garage%40example.com/" + secret + "/basic.ics");
    const std::string url = server.url(std::string("/feed?file=") + CALSYNC_EXAMPLES_DATA_DIR +
                                       "/personal.ics&key=" + secret);
    const std::string origin = server.url("/").substr(0, server.url("/").size() - 1);
    const std::string store = new_store();
    std::string first_id;
    {
        Host host(store);
        REQUIRE(host.connect(R"({"kind": "ics_feed", "settings": {"url": ")" + dead + R"("}})") ==
                CALSYNC_ENOTFOUND);
        const std::string refused = calsync_last_error_message();
        CHECK_THAT(refused, Catch::Contains("GET " + origin + "/...: HTTP 404"));
        CHECK_THAT(refused, !Catch::Contains(secret));
        CHECK(host.connection == nullptr);
        REQUIRE(host.connect(R"({"kind": "ics_feed", "settings": {"url": ")" + url + R"("}})") ==
                CALSYNC_OK);
        Answer info =
            answer([&](char** out) { return calsync_connection_info(host.connection, out); });
        first_id = info.json["id"].GetString();
        host.select("feed");
        Answer report = host.sync();
        REQUIRE(report.status == CALSYNC_OK);
        CHECK(std::string(report.json["status"]["state"].GetString()) == "ok");
        Answer listed =
            answer([&](char** out) { return calsync_client_connections(host.client, out); });
        Answer status =
            answer([&](char** out) { return calsync_connection_status(host.connection, out); });
        for (const Answer* shown : {&info, &report, &listed, &status})
            CHECK_THAT(shown->text, !Catch::Contains(secret));
        // Still recognisable: the host.
        CHECK_THAT(info.json["account"].GetString(), Catch::StartsWith(origin + "/... #"));
        for (const std::string& line : host.logs)
            CHECK_THAT(line, !Catch::Contains(secret));
        // Connecting the same feed again finds its connection, by the digest of the address.
        REQUIRE(host.connect(R"({"kind": "ics_feed", "settings": {"url": ")" + url + R"("}})") ==
                CALSYNC_OK);
        Answer again =
            answer([&](char** out) { return calsync_connection_info(host.connection, out); });
        CHECK(std::string(again.json["id"].GetString()) == first_id);
    }
    CHECK(bytes_on_disk(store).find(secret) == std::string::npos);
    // What the address is sealed in still opens for the feed: it is read from there.
    Host later(store);
    later.use(first_id.c_str());
    Answer report = later.sync();
    REQUIRE(report.status == CALSYNC_OK);
    CHECK(std::string(report.json["status"]["state"].GetString()) == "ok");
}

TEST_CASE("client secrets: a CalDAV URL with a password in it is refused at connect") {
    Host host(new_store());
    CHECK(host.connect(R"({"kind": "caldav", "settings": {"url":
                          "https://garage:pw-in-url-9@dav.example.com/dav/"}})") == CALSYNC_EINVAL);
    const std::string message = calsync_last_error_message();
    CHECK_THAT(message, Catch::Contains(R"(as "username" and "password")"));
    CHECK_THAT(message, !Catch::Contains("pw-in-url-9"));
    CHECK(host.connection == nullptr);
}

TEST_CASE("client secrets: credentials copied into another connection's row do not open") {
    calsync::test::FakeServer dav_a(CALSYNC_CALDAV_FAKE, 2);
    calsync::test::FakeServer dav_b(CALSYNC_CALDAV_FAKE, 2);
    const std::string store = new_store();
    {
        Host host(store);
        REQUIRE(host.connect(caldav_request("dav-a", dav_a)) == CALSYNC_OK);
        REQUIRE(host.connect(caldav_request("dav-b", dav_b)) == CALSYNC_OK);
        host.select(dav_b.url("/home/cal/"));
    }
    // Someone with write access to the database copies a's sealed credentials over b's.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(store.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "UPDATE connections SET sealed_credentials = (SELECT sealed_credentials "
                         "FROM connections WHERE id = 'dav-a') WHERE id = 'dav-b'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_changes(db) == 1);
    sqlite3_close(db);

    const int before = requests_seen(dav_b);
    Host host(store);
    host.use("dav-b");
    Answer report = host.sync();
    REQUIRE(report.status == CALSYNC_OK);
    const auto& status = report.json["status"];
    CHECK(std::string(status["state"].GetString()) == "needs_reauthorisation");
    const std::string error = status["last_error"].GetString();
    CHECK_THAT(error, Catch::Contains("connection dav-b"));
    CHECK_THAT(error, Catch::Contains("sealed for another connection"));
    CHECK_THAT(error, !Catch::Contains("test-only-password"));
    CHECK(requests_seen(dav_b) == before);  // not one request, so no password either
    // a's own credentials still open where they belong.
    host.use("dav-a");
    Answer calendars =
        answer([&](char** out) { return calsync_connection_calendars(host.connection, out); });
    CHECK(calendars.status == CALSYNC_OK);
}
