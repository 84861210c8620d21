// The OAuth calls of the C ABI (capi/oauth_c.cpp) against the local authorization, token
// and device endpoints of fault_server.py, through the shared library only.
#include <calsync.h>
#include <curl/curl.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "fake_server.hpp"

namespace {

// base64url of 32 bytes "0123456789abcdef0123456789abcdef".
const char* const kHostKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";

struct Answer {
    calsync_status status;
    std::string message;
    rapidjson::Document json;
};

Answer answer(calsync_status status, char* out) {
    Answer a{status, calsync_last_error_message(), {}};
    if (status == CALSYNC_OK) {
        a.json.Parse(out);
        calsync_string_free(out);
        REQUIRE(a.json.IsObject());
    }
    return a;
}

// A confidential client (with its secret) unless `secret` is empty.
std::string config(const calsync::test::FakeServer& s, const std::string& kind,
                   const std::string& extra = "",
                   const std::string& secret = "very-secret-client") {
    return R"({"version": 1, "kind": ")" + kind + R"(", "client_id": "client-1", )" +
           (secret.empty() ? "" : R"("client_secret": ")" + secret + R"(", )") +
           R"("redirect_uri": "http://127.0.0.1:1/cb", "host_key": ")" + kHostKey +
           R"(", "authorization_url": ")" + s.url("/authorize") + R"(", "token_url": ")" +
           s.url("/token") + R"(", "revocation_url": ")" + s.url("/revoke") +
           R"(", "device_authorization_url": ")" + s.url("/devicecode") +
           R"(", "network": {"allow_private_addresses": true})" + extra + "}";
}

struct OAuth {
    explicit OAuth(const std::string& config_json) {
        status = calsync_oauth_new(config_json.c_str(), &handle);
        message = calsync_last_error_message();
    }
    ~OAuth() { calsync_oauth_free(handle); }
    OAuth(const OAuth&) = delete;
    OAuth& operator=(const OAuth&) = delete;

    Answer begin(const char* connection) {
        char* out = nullptr;
        const calsync_status s = calsync_oauth_begin(handle, connection, &out);
        return answer(s, out);
    }
    Answer complete(const std::string& request) {
        char* out = nullptr;
        const calsync_status s = calsync_oauth_complete(handle, request.c_str(), &out);
        return answer(s, out);
    }
    calsync_oauth* handle = nullptr;
    calsync_status status;
    std::string message;
};

size_t collect_header(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// Plays the browser: opens the authorization URL and reads the redirect's query.
std::map<std::string, std::string> follow(const std::string& url) {
    CURL* curl = curl_easy_init();
    REQUIRE(curl != nullptr);
    std::string headers;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
    REQUIRE(curl_easy_perform(curl) == CURLE_OK);
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    REQUIRE(location != nullptr);
    std::string rest = location;
    curl_easy_cleanup(curl);
    rest = rest.substr(rest.find('?') + 1);
    std::map<std::string, std::string> q;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string kv = rest.substr(0, amp);
        q[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
    return q;
}

}  // namespace

TEST_CASE("oauth: google sign-in with PKCE, a state spent once, then refresh and revoke") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    OAuth o(config(server, "google", R"(, "exports": false)"));
    REQUIRE(o.status == CALSYNC_OK);
    Answer begun = o.begin("garage-7/google");
    REQUIRE(begun.status == CALSYNC_OK);
    const std::string url = begun.json["url"].GetString();
    // Google's preset: read-only scopes without exports, and the parameters that make it
    // issue a refresh token.
    CHECK_THAT(url, Catch::Contains("code_challenge_method=S256"));
    CHECK_THAT(url, Catch::Contains("access_type=offline"));
    CHECK_THAT(url, Catch::Contains("prompt=consent"));
    CHECK_THAT(url, Catch::Contains("calendar.events.readonly"));
    CHECK_THAT(url, !Catch::Contains("very-secret-client"));

    auto redirect = follow(url);
    CHECK(redirect["state"] == begun.json["state"].GetString());
    const std::string request = R"({"state": ")" + redirect["state"] + R"(", "code": ")" +
                                redirect["code"] + R"(", "code_verifier": ")" +
                                begun.json["code_verifier"].GetString() + R"("})";
    Answer done = o.complete(request);
    REQUIRE(done.status == CALSYNC_OK);
    CHECK(std::string(done.json["connection_id"].GetString()) == "garage-7/google");
    CHECK(std::string(done.json["tokens"]["access_token"].GetString()) == "a1");
    CHECK(std::string(done.json["tokens"]["refresh_token"].GetString()) == "r1");

    // The same redirect again (a reload, or an attacker replaying it) is refused.
    Answer replay = o.complete(request);
    CHECK(replay.status == CALSYNC_EAUTH);
    CHECK_THAT(replay.message, Catch::Contains("already used"));

    char* out = nullptr;
    calsync_status refreshed_status =
        calsync_oauth_refresh(o.handle, R"({"refresh_token": "r1"})", &out);
    Answer refreshed = answer(refreshed_status, out);
    REQUIRE(refreshed.status == CALSYNC_OK);
    CHECK(std::string(refreshed.json["refresh_token"].GetString()) == "r2");  // rotated
    REQUIRE(calsync_oauth_revoke(o.handle, "r2") == CALSYNC_OK);
    out = nullptr;
    calsync_status dead_status =
        calsync_oauth_refresh(o.handle, R"({"refresh_token": "r2"})", &out);
    Answer dead = answer(dead_status, out);
    CHECK(dead.status == CALSYNC_EAUTH);
    CHECK(out == nullptr);
    CHECK_THAT(dead.message, Catch::Contains("re-authorisation"));
    CHECK_THAT(dead.message, !Catch::Contains("r2"));
}

TEST_CASE("oauth: a state from another handle, or altered, is refused") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    OAuth a(config(server, "google"));
    std::string other_key = config(server, "google");
    other_key.replace(other_key.find(kHostKey), std::string(kHostKey).size(),
                      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY");
    OAuth b(other_key);
    REQUIRE(a.status == CALSYNC_OK);
    REQUIRE(b.status == CALSYNC_OK);
    Answer begun = a.begin("c1");
    REQUIRE(begun.status == CALSYNC_OK);
    const std::string state = begun.json["state"].GetString();
    Answer foreign =
        b.complete(R"({"state": ")" + state + R"(", "code": "good-code", "code_verifier": "v"})");
    CHECK(foreign.status == CALSYNC_EAUTH);
    CHECK_THAT(foreign.message, Catch::Contains("altered or not issued here"));
}

TEST_CASE("oauth: microsoft device sign-in is pending, slowed down, then approved") {
    calsync::test::FakeServer server(CALSYNC_FAULT_SERVER);
    // Microsoft's device flow is for public clients: with a secret it is refused at once.
    OAuth confidential(config(server, "microsoft"));
    REQUIRE(confidential.status == CALSYNC_OK);
    char* refused = nullptr;
    CHECK(calsync_oauth_device_begin(confidential.handle, &refused) == CALSYNC_EINVAL);
    CHECK(refused == nullptr);
    CHECK_THAT(calsync_last_error_message(),
               Catch::Contains("for public clients") && !Catch::Contains("very-secret-client"));

    OAuth o(config(server, "microsoft", "", ""));
    REQUIRE(o.status == CALSYNC_OK);
    char* out = nullptr;
    calsync_status device_status = calsync_oauth_device_begin(o.handle, &out);
    Answer device = answer(device_status, out);
    REQUIRE(device.status == CALSYNC_OK);
    const std::string code = device.json["device_code"].GetString();
    CHECK_THAT(device.json["user_code"].GetString(), Catch::StartsWith("WDJB-MJH"));
    CHECK(device.json["interval_seconds"].GetInt64() == 1);

    out = nullptr;
    CHECK(calsync_oauth_device_poll(o.handle, code.c_str(), &out) == CALSYNC_EPENDING);
    CHECK(out == nullptr);
    CHECK(calsync_oauth_device_poll(o.handle, code.c_str(), &out) == CALSYNC_EPENDING);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains("poll again in 6 s"));
    calsync_status tokens_status = calsync_oauth_device_poll(o.handle, code.c_str(), &out);
    Answer tokens = answer(tokens_status, out);
    REQUIRE(tokens.status == CALSYNC_OK);
    CHECK(std::string(tokens.json["access_token"].GetString()) == "a2");
    // A code is spent once it turned into tokens.
    CHECK(calsync_oauth_device_poll(o.handle, code.c_str(), &out) == CALSYNC_EINVAL);
}

TEST_CASE("oauth: microsoft endpoints follow the tenant and authority") {
    // No endpoint overrides: the URL is built from the authority and tenant.
    OAuth o(R"({"kind": "microsoft", "client_id": "c", "redirect_uri": "http://127.0.0.1/cb",
               "tenant": "organizations", "authority_url": "https://login.microsoftonline.us/",
               "host_key": ")" +
            std::string(kHostKey) + R"("})");
    REQUIRE(o.status == CALSYNC_OK);
    Answer begun = o.begin("c1");
    REQUIRE(begun.status == CALSYNC_OK);
    const std::string url = begun.json["url"].GetString();
    CHECK_THAT(url, Catch::StartsWith(
                        "https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize?"));
    CHECK_THAT(url, Catch::Contains("scope=Calendars.ReadWrite%20offline_access"));
    CHECK(calsync_oauth_revoke(o.handle, "some-token") == CALSYNC_EINVAL);
}

TEST_CASE("oauth config mistakes are named, and no secret appears") {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"client_id": "c", "host_key": "x"})", R"(member "kind": missing)"},
        {R"({"kind": "yahoo", "client_id": "c"})", "member \"kind\": unknown value \"yahoo\""},
        {R"({"kind": "google", "client_secret": "very-secret-client"})",
         R"(member "client_id": missing)"},
        {R"({"kind": "google", "client_id": "c", "client_secret": "very-secret-client"})",
         R"(member "host_key": missing)"},
        {R"({"kind": "google", "client_id": "c", "host_key": "dG9vLXNob3J0"})",
         R"(member "host_key": expected base64url of at least 32 random bytes)"},
        {R"({"kind": "google", "client_id": "c", "scopes": "calendar"})",
         R"(member "scopes": expected an array of strings)"},
    };
    for (const auto& [config_json, expected] : cases) {
        INFO(config_json);
        OAuth o(config_json);
        CHECK(o.status == CALSYNC_EINVAL);
        CHECK(o.handle == nullptr);
        CHECK_THAT(o.message, Catch::Contains(expected));
        CHECK_THAT(o.message, !Catch::Contains("very-secret-client"));
    }
    calsync_provider* p = nullptr;
    CHECK(calsync_provider_new(R"({"kind": "google", "oauth": {"client_id": "c"}})", &p) ==
          CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains(R"(member "tokens": missing)"));
    CHECK(calsync_provider_new(R"({"kind": "microsoft", "tokens": {"access_token": "t"}})", &p) ==
          CALSYNC_EINVAL);
    CHECK_THAT(calsync_last_error_message(), Catch::Contains(R"(member "oauth": missing)"));
    CHECK(p == nullptr);
    char* out = nullptr;
    CHECK(calsync_oauth_begin(nullptr, "c", &out) == CALSYNC_EINVAL);
    CHECK(calsync_oauth_device_poll(nullptr, "d", &out) == CALSYNC_EINVAL);
    CHECK(out == nullptr);
}
