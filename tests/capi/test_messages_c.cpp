// The messages a host shows its users (issue 15 item 12): a bad input through every family
// of the C ABI, and what calsync_last_error_message() says about it. A message names what
// was wrong in the user's terms: a member of a JSON document as `member "calendar_id"`, an
// argument as `argument "request_json"`, a store's failure as what could not be done. It
// never begins with, or carries, a C++ function or field name ("get_appointment:",
// "mark_due:", "open_fleet:", "business_zone") that no document or header mentions.
#include <calsync.h>

#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

namespace {

const unsigned char kKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

// An identifier followed by a colon, outside quotes: how a message starting with a C++
// function's name read ("claim_due: the owner is empty", "calendar_id: missing"). The C
// ABI's own function names (calsync_*) are the user's terms and may appear.
const std::regex kIdentifierPrefix(R"((^|[\s(])(?!calsync_)[a-z]+_[a-z0-9_]+:)");

// Names of the library's C++ internals that no header or JSON document uses.
const std::regex kInternalName(
    R"(\b(get_appointment|put_appointment|get_connection|put_connection|business_zone|run_due|)"
    R"(mark_due|claim_due|renew_lease|finish_lease|apply_slot_changes|list_blocked_slots|)"
    R"(open_fleet|begin_authorization|complete_authorization|add_connection|apply_changes)\b)");

// The message of a call that must have failed, checked for internal names.
std::string failed(calsync_status status) {
    REQUIRE(status != CALSYNC_OK);
    const std::string message = calsync_last_error_message();
    INFO("message: " << message);
    CHECK(!message.empty());
    CHECK_FALSE(std::regex_search(message, kIdentifierPrefix));
    CHECK_FALSE(std::regex_search(message, kInternalName));
    return message;
}

std::string engine_error(const char* request) {
    char* out = nullptr;
    return failed(calsync_engine_blocked_slots(request, &out));
}

calsync_status new_client(const char* config, calsync_client** out,
                          const char* store_path = nullptr) {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    o.config_json = config;
    o.store_path = store_path;
    return calsync_client_new(&o, out);
}

calsync_status new_worker(const char* store_url, calsync_worker** out) {
    calsync_worker_options o = CALSYNC_WORKER_OPTIONS_INIT;
    o.store_url = store_url;
    o.host_key = kKey;
    o.host_key_length = sizeof kKey;
    return calsync_worker_new(&o, out);
}

struct Client {
    Client() { REQUIRE(new_client(R"({"zone": "Europe/Berlin"})", &handle) == CALSYNC_OK); }
    ~Client() { calsync_client_free(handle); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    calsync_client* handle = nullptr;
};

const std::string kWindow =
    R"("window": {"start": "2026-06-01T00:00:00Z", "end": "2026-06-08T00:00:00Z"})";

}  // namespace

TEST_CASE("messages: JSON mistakes name the member by its path, as a member") {
    CHECK(engine_error(("{" + kWindow + R"(, "calendars": []})").c_str()) ==
          R"(member "zone": missing)");
    CHECK(engine_error(R"({"zone": "UTC", "calendars": []})") == R"(member "window": missing)");
    CHECK(engine_error(R"({"version": 2, "zone": "UTC"})") ==
          R"(member "version": this library reads version 1 requests)");
    CHECK(
        engine_error(R"({"zone": "UTC", "window": {"start": 5, "end": "2026-06-08T00:00:00Z"}})") ==
        R"(member "window.start": expected an RFC 3339 string)");
    CHECK(
        engine_error(("{" + kWindow + R"(, "zone": "Mars/Olympus_Mons", "calendars": []})").c_str())
            .rfind(R"(member "zone": )", 0) == 0);
    CHECK(engine_error(
              ("{" + kWindow + R"(, "zone": "UTC", "calendars": [], "windw": 1})").c_str()) ==
          R"(request: unknown member "windw" (did you mean "window"?))");
    CHECK(
        engine_error(("{" + kWindow +
                      R"(, "zone": "UTC", "calendars": [{"id": "c", "events": [], "evnts": []}]})")
                         .c_str()) ==
        R"(request: unknown member "calendars[0].evnts" (did you mean "events"?))");

    calsync_provider* provider = nullptr;
    CHECK(failed(calsync_provider_new(R"({"url": "https://dav.example.com/"})", &provider)) ==
          R"(member "kind": missing)");
    CHECK(failed(calsync_provider_new(
                     R"({"kind": "caldav", "url": "https://me:pw@dav.example.com/"})", &provider))
              .rfind(R"(member "url": has a user name and password)", 0) == 0);
    calsync_oauth* oauth = nullptr;
    CHECK(failed(calsync_oauth_new(
              R"({"kind": "google", "client_id": "c", "redirect_uri": "http://127.0.0.1/cb",
                  "host_key": "short"})",
              &oauth)) == R"(member "host_key": expected base64url of at least 32 random bytes)");
}

TEST_CASE("messages: C arguments are named as calsync.h names them") {
    char* out = nullptr;
    CHECK(failed(calsync_engine_blocked_slots(nullptr, &out)) ==
          R"(argument "request_json": must not be NULL)");
    CHECK(failed(calsync_provider_new(nullptr, nullptr)) ==
          R"(argument "config_json": must not be NULL)");
    CHECK(failed(calsync_secret_seal(nullptr, "text", &out)) ==
          R"(argument "host_key": must not be NULL)");
    CHECK(failed(calsync_secret_unseal("AAAA", "sealed", &out)) ==
          R"(argument "host_key": expected base64url of at least 32 random bytes)");
    Client c;
    CHECK(failed(calsync_client_run_due_within(c.handle, 0, &out)) ==
          R"(argument "wait_ms": expected from 1 to 3600000 milliseconds)");
    calsync_connection* connection = nullptr;
    CHECK(failed(calsync_client_connection(c.handle, "nobody", &connection)) ==
          R"(no connection "nobody")");
}

TEST_CASE("messages: client requests say what was wrong without internal names") {
    Client c;
    calsync_connection* connection = nullptr;
    CHECK(failed(calsync_client_connect(c.handle, R"({"settings": {}})", &connection)) ==
          R"(member "kind": missing)");
    CHECK(failed(calsync_client_connect(
                     c.handle, R"({"kind": "ics_feed", "connection_id": "a b/c", "settings":
                                   {"url": "https://example.com/cal.ics"}})",
                     &connection))
              .rfind(R"(member "connection_id": expected 1-128)", 0) == 0);
    CHECK(failed(calsync_client_upsert_appointment(
              c.handle, R"({"start": "2026-06-01T08:00:00Z", "end": "2026-06-01T09:00:00Z"})")) ==
          R"(member "id": missing)");
    // The store's not-found: what is missing, not the store call that looked for it.
    CHECK(failed(calsync_client_cancel_appointment(c.handle, "no-such-appointment")) ==
          "no appointment 'no-such-appointment'");
    calsync_client* refused = nullptr;
    CHECK(failed(new_client(R"({"zone": "Mars/Olympus_Mons"})", &refused))
              .rfind(R"(member "zone": )", 0) == 0);
    CHECK(failed(new_client(R"({"store": {"url": "sqlite:"}})", &refused))
              .rfind(R"(member "store.url": could not open the store: its URL names no file)", 0) ==
          0);
    CHECK(refused == nullptr);
}

TEST_CASE("messages: store and fleet failures say what could not be done") {
    calsync_worker* worker = nullptr;
    CHECK(failed(new_worker("sqlite:", &worker))
              .rfind(R"(argument "options.store_url": could not open the store)", 0) == 0);
    REQUIRE(new_worker("memory:", &worker) == CALSYNC_OK);
    CHECK(failed(calsync_worker_mark_due(worker, "default", "nobody")) ==
          "could not mark a connection due: no connection 'nobody' in business 'default'");
    calsync_worker_free(worker);

    // A store file that cannot be opened: SQLite's reason, after what was being done.
    calsync_client* client = nullptr;
    const std::string message =
        failed(new_client("{}", &client, "/nonexistent-calsync-dir/store.sqlite"));
    CHECK(message.find("sqlite store: could not open '/nonexistent-calsync-dir/store.sqlite': ") !=
          std::string::npos);
    CHECK(client == nullptr);
}
