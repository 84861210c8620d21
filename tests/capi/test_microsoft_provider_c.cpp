// The "microsoft" provider kind through the shared library against tests/fakes/graph:
// device sign-in, calendars, blocked slots, and the rotated tokens a host reads back.
#include <calsync.h>
#include <curl/curl.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "fake_server.hpp"

namespace {

const char* const kHostKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";

size_t collect(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// POST /_control/<what> on the fake.
std::string control(const calsync::test::FakeServer& fake, const std::string& what,
                    const std::string& json) {
    CURL* curl = curl_easy_init();
    REQUIRE(curl != nullptr);
    std::string body;
    const std::string url = fake.url("/_control/" + what);
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    REQUIRE(curl_easy_perform(curl) == CURLE_OK);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return body;
}

rapidjson::Document parse(char* out) {
    rapidjson::Document d;
    d.Parse(out);
    calsync_string_free(out);
    REQUIRE(d.IsObject());
    return d;
}

std::string oauth_fields(const calsync::test::FakeServer& fake) {
    return R"("client_id": "calsync-cli", "tenant": "consumers", "authority_url": ")" +
           fake.url("") + R"(")";
}

}  // namespace

TEST_CASE("microsoft provider: device sign-in, calendars, slots and rotated tokens") {
    calsync::test::FakeServer fake(CALSYNC_GRAPH_FAKE);
    control(fake, "config", R"({"device_interval": 1})");
    control(fake, "event", R"({"subject": "MOT", "start": "2026-03-02T09:00:00Z",
                               "end": "2026-03-02T10:00:00Z"})");
    control(fake, "event", R"({"subject": "free", "showAs": "free",
                               "start": "2026-03-03T09:00:00Z", "end": "2026-03-03T10:00:00Z"})");

    calsync_oauth* oauth = nullptr;
    const std::string oauth_config = R"({"kind": "microsoft", )" + oauth_fields(fake) +
                                     R"(, "host_key": ")" + kHostKey +
                                     R"(", "network": {"allow_private_addresses": true}})";
    REQUIRE(calsync_oauth_new(oauth_config.c_str(), &oauth) == CALSYNC_OK);
    char* out = nullptr;
    REQUIRE(calsync_oauth_device_begin(oauth, &out) == CALSYNC_OK);
    auto device = parse(out);
    const std::string device_code = device["device_code"].GetString();
    CHECK(calsync_oauth_device_poll(oauth, device_code.c_str(), &out) == CALSYNC_EPENDING);
    control(fake, "approve_device",
            std::string(R"({"user_code": ")") + device["user_code"].GetString() + "\"}");
    // The fake's interval is 1 s; a faster poll is answered slow_down, which adds 5 s to
    // it for good (RFC 8628 3.5), so the host waits the interval before every poll.
    sleep(1);
    const calsync_status polled = calsync_oauth_device_poll(oauth, device_code.c_str(), &out);
    REQUIRE(polled == CALSYNC_OK);
    const std::string tokens(out);
    calsync_string_free(out);
    calsync_oauth_free(oauth);

    calsync_provider* provider = nullptr;
    const std::string config = R"({"kind": "microsoft", "oauth": {)" + oauth_fields(fake) +
                               R"(}, "tokens": )" + tokens + R"(, "api_base_url": ")" +
                               fake.url("/v1.0") +
                               R"(", "network": {"allow_private_addresses": true}})";
    REQUIRE(calsync_provider_new(config.c_str(), &provider) == CALSYNC_OK);
    REQUIRE(calsync_provider_list_calendars(provider, &out) == CALSYNC_OK);
    auto calendars = parse(out);
    REQUIRE(calendars["calendars"].Size() == 3);
    const auto& main = calendars["calendars"][0];
    CHECK(main["is_primary"].GetBool());
    CHECK(main["can_write"].GetBool());
    CHECK(std::string(main["owner"].GetString()) == "owner@garage.example");
    CHECK_FALSE(calendars["calendars"][2]["can_write"].GetBool());

    const std::string request =
        std::string(R"({"calendar_id": ")") + main["id"].GetString() +
        R"(", "zone": "Europe/Berlin", "window": {"start": "2026-03-01T00:00:00Z",
            "end": "2026-04-01T00:00:00Z"}})";
    REQUIRE(calsync_provider_blocked_slots(provider, request.c_str(), &out) == CALSYNC_OK);
    auto slots = parse(out);
    REQUIRE(slots["slots"].Size() == 1);  // "free" does not block
    CHECK(std::string(slots["slots"][0]["start"].GetString()) == "2026-03-02T09:00:00Z");
    CHECK(std::string(slots["slots"][0]["label"].GetString()) == "Calendar");

    // The access token stops working: the provider refreshes, and Microsoft rotates the
    // refresh token, which the host reads back to store.
    rapidjson::Document before;
    before.Parse(tokens.c_str());
    control(fake, "expire_access_tokens", "{}");
    REQUIRE(calsync_provider_list_calendars(provider, &out) == CALSYNC_OK);
    calsync_string_free(out);
    REQUIRE(calsync_provider_tokens(provider, &out) == CALSYNC_OK);
    auto after = parse(out);
    CHECK(std::string(after["refresh_token"].GetString()) != before["refresh_token"].GetString());
    CHECK(std::string(after["access_token"].GetString()) != before["access_token"].GetString());
    calsync_provider_free(provider);
}
