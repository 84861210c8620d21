// The provider calls of the C ABI (capi/provider_c.cpp) against the fake servers, through
// the shared library only.
#include <calsync.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "fake_control.hpp"
#include "fake_server.hpp"

namespace {

struct Outcome {
    calsync_status status;
    std::string message;
    rapidjson::Document json;
};

Outcome outcome(calsync_status status, char* out) {
    Outcome o{status, calsync_last_error_message(), {}};
    if (status == CALSYNC_OK) {
        o.json.Parse(out);
        calsync_string_free(out);
        REQUIRE(o.json.IsObject());
    }
    return o;
}

// A provider handle freed at the end of the test.
struct Provider {
    explicit Provider(const std::string& config) {
        status = calsync_provider_new(config.c_str(), &handle);
        message = calsync_last_error_message();
    }
    ~Provider() { calsync_provider_free(handle); }
    Provider(const Provider&) = delete;
    Provider& operator=(const Provider&) = delete;

    Outcome calendars() {
        char* out = nullptr;
        const calsync_status status = calsync_provider_list_calendars(handle, &out);
        return outcome(status, out);
    }
    Outcome slots(const std::string& request) {
        char* out = nullptr;
        const calsync_status status = calsync_provider_blocked_slots(handle, request.c_str(), &out);
        return outcome(status, out);
    }

    calsync_provider* handle = nullptr;
    calsync_status status;
    std::string message;
};

std::string caldav_config(const calsync::test::FakeServer& fake, const std::string& password) {
    return R"({"version": 1, "kind": "caldav", "url": ")" + fake.url("/") +
           R"(", "username": "garage", "password": ")" + password +
           R"(", "network": {"allow_private_addresses": true}})";
}

const char* const kJune =
    R"("zone": "Europe/Berlin",
       "window": {"start": "2026-06-01T00:00:00Z", "end": "2026-06-15T00:00:00Z"})";

}  // namespace

TEST_CASE("provider config mistakes are named, and the password never appears") {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"url": "https://dav.example.com/"})", R"(member "kind": missing)"},
        {R"({"kind": "exchange", "url": "https://x/"})",
         "member \"kind\": unknown value \"exchange\"; expected one of \"caldav\", \"icloud\", "
         "\"ics_feed\""},
        {R"({"kind": "caldav", "password": "pw-in-config"})", R"(member "url": missing)"},
        {R"({"kind": "icloud", "username": "me@icloud.com"})", "app-specific password"},
        {R"({"kind": "ics_feed", "url": "ftp://example.com/cal.ics"})", R"(member "url": )"},
        {R"({"kind": "caldav", "url": "https://x/", "password": 42})",
         R"(member "password": expected a string)"},
        {R"({"kind": "caldav", "url": "https://x/", "network": {"total_timeout_seconds": 0}})",
         R"(member "network.total_timeout_seconds": expected a whole number of seconds from 1 to 3600)"},
        {R"({"kind": "caldav", "url": "https://garage:pw-in-config@dav.example.com/"})",
         R"(member "url": has a user name and password in it (user:password@); give the URL without )"
         "them, and the user name and password as \"username\" and \"password\""},
    };
    for (const auto& [config, expected] : cases) {
        INFO(config);
        Provider p(config);
        CHECK(p.status == CALSYNC_EINVAL);
        CHECK(p.handle == nullptr);
        CHECK_THAT(p.message, Catch::Contains(expected));
        CHECK_THAT(p.message, !Catch::Contains("pw-in-config"));
    }
}

TEST_CASE("an ICS feed read through a provider blocks what the engine computes from the file") {
    calsync::test::FakeServer feed(CALSYNC_FAULT_SERVER);
    const std::string path = std::string(CALSYNC_EXAMPLES_DATA_DIR) + "/personal.ics";
    Provider p(R"({"kind": "ics_feed", "url": ")" + feed.url("/feed?file=" + path) +
               R"(", "owner_addresses": ["owner@garage.example"],
                  "network": {"allow_private_addresses": true}})");
    REQUIRE(p.status == CALSYNC_OK);
    Outcome got = p.slots(std::string(R"({"calendar_id": "feed", )") + kJune + "}");
    REQUIRE(got.status == CALSYNC_OK);

    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document request;
    request.Parse((std::string("{") + kJune + R"(, "calendars": [{"id": "feed",
                   "owner_addresses": ["owner@garage.example"], "ics": ""}]})")
                      .c_str());
    request["calendars"][0]["ics"].SetString(text.str().c_str(), request.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    request.Accept(writer);
    char* out = nullptr;
    const calsync_status status = calsync_engine_blocked_slots(buffer.GetString(), &out);
    Outcome expected = outcome(status, out);
    REQUIRE(expected.status == CALSYNC_OK);

    REQUIRE(got.json["slots"].Size() > 0);
    CHECK(got.json["slots"] == expected.json["slots"]);
    CHECK(got.json["busy"] == expected.json["busy"]);
    CHECK(std::string(got.json["slots"][0]["label"].GetString()) == "Personal");
    for (const auto& slot : got.json["slots"].GetArray())
        CHECK(std::string(slot["event_id"].GetString()) != "declined-webinar");
}

TEST_CASE("a CalDAV provider lists the calendars discovery finds") {
    calsync::test::FakeServer fake(CALSYNC_CALDAV_FAKE, 2);
    Provider p(caldav_config(fake, "test-only-password"));
    REQUIRE(p.status == CALSYNC_OK);
    Outcome listed = p.calendars();
    REQUIRE(listed.status == CALSYNC_OK);
    const auto& calendars = listed.json["calendars"];
    REQUIRE(calendars.Size() == 2);
    CHECK(calendars[0]["id"].GetString() == fake.url("/home/cal/"));
    CHECK(std::string(calendars[0]["name"].GetString()) == "Workshop");
    CHECK(calendars[0]["can_write"].GetBool());
    CHECK(std::string(calendars[1]["name"].GetString()) == "Holidays");
    CHECK_FALSE(calendars[1]["can_write"].GetBool());

    Outcome empty = p.slots(R"({"calendar_id": ")" + fake.url("/home/cal/") + "\", " + kJune + "}");
    REQUIRE(empty.status == CALSYNC_OK);
    CHECK(empty.json["slots"].Size() == 0);
}

TEST_CASE("refused credentials are CALSYNC_EAUTH, unreachable servers CALSYNC_ENETWORK") {
    calsync::test::FakeServer fake(CALSYNC_CALDAV_FAKE, 2);
    Provider wrong(caldav_config(fake, "wrong-password"));
    REQUIRE(wrong.status == CALSYNC_OK);
    Outcome refused = wrong.calendars();
    CHECK(refused.status == CALSYNC_EAUTH);
    CHECK_THAT(refused.message, Catch::Contains("HTTP 401"));
    CHECK_THAT(refused.message, !Catch::Contains("wrong-password"));

    // Not allowed to reach loopback: the URL guard refuses before anything is sent.
    Provider guarded(R"({"kind": "caldav", "url": ")" + fake.url("/") +
                     R"(", "username": "garage", "password": "test-only-password"})");
    REQUIRE(guarded.status == CALSYNC_OK);
    Outcome blocked = guarded.calendars();
    CHECK(blocked.status != CALSYNC_OK);
    CHECK_THAT(blocked.message, Catch::Contains("127.0.0.1"));

    Provider nobody(R"({"kind": "caldav", "url": "http://127.0.0.1:9/",
                        "network": {"allow_private_addresses": true}})");
    CHECK(nobody.calendars().status == CALSYNC_ENETWORK);
}

TEST_CASE("provider calls check their arguments") {
    char* out = nullptr;
    CHECK(calsync_provider_list_calendars(nullptr, &out) == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(),
               Catch::Contains(R"(argument "provider": must not be NULL)"));
    Provider p(R"({"kind": "caldav", "url": "https://dav.example.com/"})");
    REQUIRE(p.status == CALSYNC_OK);
    CHECK(p.slots(R"({"zone": "UTC"})").status == CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains(R"(member "calendar_id": missing)"));
    CHECK(p.slots(R"({"calendar_id": "x", "zone": "Mars/Base",
                     "window": {"start": "2026-06-01T00:00:00Z",
                                "end": "2026-06-02T00:00:00Z"}})")
              .status == CALSYNC_EZONE);
    calsync_provider_free(nullptr);
}

namespace {

std::string google_config(const calsync::test::FakeServer& fake, const std::string& tokens) {
    rapidjson::Document granted;
    granted.Parse(tokens.c_str());
    return R"({"version": 1, "kind": "google",
               "oauth": {"client_id": "test-client.apps.googleusercontent.com",
                         "client_secret": "test-client-secret", "exports": false,
                         "token_url": ")" +
           fake.url("/token") + R"("},
               "tokens": {"version": 1, "access_token": ")" +
           granted["access_token"].GetString() + R"(", "refresh_token": ")" +
           granted["refresh_token"].GetString() +
           R"(", "scope": "", "expires_at": "2099-01-01T00:00:00Z"},
               "api_base_url": ")" +
           fake.url("/calendar/v3") + R"(", "network": {"allow_private_addresses": true}})";
}

}  // namespace

TEST_CASE("provider google: calendars, blocked slots and refreshed tokens through the C ABI") {
    calsync::test::FakeServer fake(CALSYNC_GOOGLE_FAKE);
    calsync::test::fake_control(
        fake, "calendar",
        R"({"id": "garage@example.com", "summary": "Workshop", "primary": true,
                       "timeZone": "Europe/Berlin", "accessRole": "owner"})");
    calsync::test::fake_control(fake, "event?calendar=garage@example.com",
                                R"({"id": "lift1", "summary": "Lift inspection",
                       "start": {"dateTime": "2026-03-02T09:00:00+01:00"},
                       "end": {"dateTime": "2026-03-02T10:00:00+01:00"}})");
    const std::string tokens = calsync::test::fake_control(
        fake, "grant",
        R"({"client_id": "test-client.apps.googleusercontent.com", "scope":
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events.readonly"})");
    Provider p(google_config(fake, tokens));
    REQUIRE(p.status == CALSYNC_OK);
    Outcome listed = p.calendars();
    REQUIRE(listed.status == CALSYNC_OK);
    REQUIRE(listed.json["calendars"].Size() == 1);
    CHECK(std::string(listed.json["calendars"][0]["name"].GetString()) == "Workshop");
    CHECK(listed.json["calendars"][0]["is_primary"].GetBool());

    // Google stops taking the access token: the provider refreshes once and goes on.
    calsync::test::fake_control(fake, "drop_access_tokens");
    Outcome slots = p.slots(R"({"version": 1, "calendar_id": "garage@example.com",
        "zone": "Europe/Berlin",
        "window": {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}})");
    REQUIRE(slots.status == CALSYNC_OK);
    REQUIRE(slots.json["slots"].Size() == 1);
    CHECK(std::string(slots.json["slots"][0]["start"].GetString()) == "2026-03-02T08:00:00Z");
    CHECK(std::string(slots.json["slots"][0]["label"].GetString()) == "Workshop");

    char* out = nullptr;
    REQUIRE(calsync_provider_tokens(p.handle, &out) == CALSYNC_OK);
    rapidjson::Document now;
    now.Parse(out);
    calsync_string_free(out);
    rapidjson::Document before;
    before.Parse(tokens.c_str());
    CHECK(std::string(now["access_token"].GetString()) != before["access_token"].GetString());
    CHECK(std::string(now["refresh_token"].GetString()) == before["refresh_token"].GetString());

    Outcome missing = p.slots(R"({"version": 1, "calendar_id": "gone@example.com",
        "zone": "Europe/Berlin",
        "window": {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}})");
    CHECK(missing.status == CALSYNC_ENOTFOUND);
    CHECK_THAT(missing.message, Catch::Contains("gone@example.com"));
    CHECK(missing.message.find(before["access_token"].GetString()) == std::string::npos);
}

TEST_CASE("a server's HTTP status and Retry-After reach the caller through the last error") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    const auto feed = [&](const std::string& path) {
        return R"({"kind": "ics_feed", "url": ")" + server.url(path) +
               R"(", "network": {"allow_private_addresses": true}})";
    };
    const std::string request = std::string(R"({"calendar_id": "feed", )") + kJune + "}";

    // A Retry-After longer than calsync waits (120 s): 429 is a rate limit, 503 an HTTP
    // error; both carry the status and the seconds.
    const struct {
        const char* path;
        calsync_status status;
        int http_status;
        long long retry_after;
    } busy_servers[] = {{"/busy/429/3600/cal.ics", CALSYNC_ERATELIMIT, 429, 3600},
                        {"/busy/503/600/cal.ics", CALSYNC_EHTTP, 503, 600}};
    for (const auto& server_answer : busy_servers) {
        INFO(server_answer.path);
        Provider p(feed(server_answer.path));
        REQUIRE(p.status == CALSYNC_OK);
        CHECK(p.slots(request).status == server_answer.status);
        CHECK(calsync_last_error_http_status() == server_answer.http_status);
        CHECK(calsync_last_error_retry_after() == server_answer.retry_after);
    }
    SECTION("404 names no wait; a later failure without an answer, and a success, clear it") {
        Provider p(feed("/missing.ics"));
        REQUIRE(p.status == CALSYNC_OK);
        CHECK(p.slots(request).status != CALSYNC_OK);
        CHECK(calsync_last_error_http_status() == 404);
        CHECK(calsync_last_error_retry_after() == -1);

        CHECK(p.slots("{}").status == CALSYNC_EINVAL);
        CHECK(calsync_last_error_http_status() == 0);

        Provider busy(feed("/busy/429/3600/cal.ics"));
        CHECK(busy.slots(request).status == CALSYNC_ERATELIMIT);
        char* out = nullptr;
        REQUIRE(calsync_engine_free_slots(
                    R"({"busy": [], "within": {"start": "2026-06-01T00:00:00Z",
                        "end": "2026-06-01T01:00:00Z"}, "duration_seconds": 3600,
                        "step_seconds": 900})",
                    &out) == CALSYNC_OK);
        calsync_string_free(out);
        CHECK(calsync_last_error_http_status() == 0);
        CHECK(calsync_last_error_retry_after() == -1);
    }
}
