// tests/fakes/google/google_fake.py for one test, its control API, and a GoogleProvider
// wired to it the way a host wires one to Google (OAuth session, paced API client).
#pragma once

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/provider_config.hpp"
#include "counting_transport.hpp"
#include "fake_server.hpp"
#include "net/oauth_session.hpp"
#include "providers/google/google_api_client.hpp"
#include "providers/google/google_provider.hpp"
#include "providers/provider_factory.hpp"

namespace calsync::test {

constexpr const char* kCalendar = "garage@example.com";
constexpr const char* kClientId = "test-client.apps.googleusercontent.com";
constexpr const char* kClientSecret = "test-client-secret";
constexpr const char* kAllScopes =
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly "
    "https://www.googleapis.com/auth/calendar.events";

inline rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

// A grant's tokens as the TOKENS document add_oauth_connection takes.
inline std::string tokens_document(const net::TokenSet& t) {
    return json::write_tokens(providers::to_tokens_config(t));
}

struct GoogleFake : FakeServer {
    GoogleFake() : FakeServer(CALSYNC_GOOGLE_FAKE) {
        control("calendar",
                R"({"id":"garage@example.com","summary":"Workshop","primary":true,)"
                R"("timeZone":"Europe/Berlin","accessRole":"owner","backgroundColor":"#16a765"})");
    }

    // POST /_control/<name_and_query> with a JSON body; the answer's body.
    std::string control(const std::string& name_and_query, const std::string& body = "{}",
                        int expect = 200) const {
        return control_call("POST", name_and_query, body, expect);
    }
    // GET /_control/<name_and_query>.
    std::string inspect(const std::string& name_and_query, int expect = 200) const {
        return control_call("GET", name_and_query, "", expect);
    }
    std::string control_call(const char* method, const std::string& name_and_query,
                             const std::string& body, int expect) const {
        net::CurlTransport direct(local_options());
        net::HttpRequest r;
        r.method = method;
        r.url = url("/_control/" + name_and_query);
        r.body = body;
        auto response = direct.perform(r);
        REQUIRE(response.ok());
        REQUIRE(response->status == expect);
        return response->body;
    }
    void put_event(const std::string& json, const std::string& calendar = kCalendar) const {
        control("event?calendar=" + calendar, json);
    }
    void remove_event(const std::string& id, const std::string& calendar = kCalendar) const {
        control("delete?calendar=" + calendar + "&id=" + id);
    }
    void fault(const std::string& json) const { control("fault", json); }
    // A token set as a finished authorization leaves it (scopes as given).
    net::TokenSet grant(const std::string& scope = kAllScopes,
                        const std::string& client_id = kClientId) const {
        auto doc = parse_json(
            control("grant", R"({"client_id":")" + client_id + R"(","scope":")" + scope + R"("})"));
        net::TokenSet t;
        t.access_token = doc["access_token"].GetString();
        t.refresh_token = doc["refresh_token"].GetString();
        t.scope = scope;
        t.expires_at =
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
            std::chrono::hours(1);
        return t;
    }
    net::OAuthEndpoints endpoints() const {
        return {url("/o/oauth2/v2/auth"), url("/token"), url("/revoke"), ""};
    }
    std::string api_base() const { return url("/calendar/v3"); }
    // Every API request the fake saw, as JSON (route, method, path, query, if_match).
    rapidjson::Document requests() const { return parse_json(inspect("requests")); }
    int route_count(const std::string& route) const {
        auto stats = parse_json(inspect("stats"));
        const auto& by = stats["by_route"];
        return by.HasMember(route.c_str()) ? by[route.c_str()].GetInt() : 0;
    }
};

// One connection to the fake: tokens, OAuth flow, session, paced API client, provider.
struct GoogleConnection {
    explicit GoogleConnection(const GoogleFake& fake, const std::string& client_id = kClientId,
                              const providers::google::GoogleClientLimits& limits = fast_limits(),
                              const std::string& scope = kAllScopes)
        : tokens_granted(fake.grant(scope, client_id)),
          flow(std::make_shared<net::OAuthFlow>(
              fake.endpoints(),
              net::OAuthClient{client_id, kClientSecret, "http://127.0.0.1:1/callback", {}, {}},
              std::string(32, 'k'), std::make_shared<net::HttpClient>(transport))),
          session(std::make_shared<net::OAuthSession>(flow, tokens_granted)),
          provider(providers::google::GoogleOptions{fake.api_base()}, session,
                   providers::google::google_api_client(transport, client_id, limits)) {
        session->on_tokens_changed([this](const net::TokenSet& t) { persisted.push_back(t); });
    }

    // Retries without real waiting: a test is about what is sent, not about time.
    static providers::google::GoogleClientLimits fast_limits() {
        providers::google::GoogleClientLimits l;
        l.retry.base_delay = std::chrono::milliseconds(1);
        l.retry.max_delay = std::chrono::milliseconds(2);
        l.rate = net::RateLimit{1e6, 1e6};
        l.seed = 1;
        return l;
    }

    std::shared_ptr<CountingTransport> transport = std::make_shared<CountingTransport>();
    net::TokenSet tokens_granted;
    std::shared_ptr<net::OAuthFlow> flow;
    std::shared_ptr<net::OAuthSession> session;
    providers::google::GoogleProvider provider;
    std::vector<net::TokenSet> persisted;
};

}  // namespace calsync::test
