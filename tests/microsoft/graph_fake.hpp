// tests/fakes/graph/graph_fake.py for one test, its control API, and a GraphProvider wired
// to it through a real OAuthSession (tokens from the fake's token endpoint).
#pragma once

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "counting_transport.hpp"
#include "fake_server.hpp"
#include "net/oauth_session.hpp"
#include "providers/microsoft/graph_provider.hpp"

namespace calsync::test {

struct GraphFake : FakeServer {
    GraphFake() : FakeServer(CALSYNC_GRAPH_FAKE) {}

    // POST /_control/<what> with a JSON body; the JSON answer.
    rapidjson::Document control(const std::string& what, const std::string& json = "{}") const {
        net::CurlTransport direct(local_options());
        net::HttpRequest r;
        r.method = "POST";
        r.url = url("/_control/" + what);
        r.body = json;
        r.headers = {{"Content-Type", "application/json"}};
        auto reply = direct.perform(r);
        REQUIRE(reply.ok());
        INFO(reply->body);
        REQUIRE(reply->status == 200);
        rapidjson::Document doc;
        doc.Parse(reply->body.c_str());
        REQUIRE_FALSE(doc.HasParseError());
        return doc;
    }
    // The id another client's event got.
    std::string add_event(const std::string& json) const {
        return control("event", json)["id"].GetString();
    }
    std::string calendar_id(int index) const {
        return control("calendars")[index]["id"].GetString();
    }
    std::string default_calendar() const { return calendar_id(0); }
    std::string workshop_calendar() const { return calendar_id(1); }
    std::string holidays_calendar() const { return calendar_id(2); }
    // How many requests reached "<METHOD> <route>" (ids replaced by {id}).
    int route_count(const std::string& route) const {
        auto stats = control("stats");
        const auto& by = stats["by_route"];
        return by.HasMember(route.c_str()) ? by[route.c_str()].GetInt() : 0;
    }
    std::string api() const { return url("/v1.0"); }
    net::OAuthEndpoints endpoints(const std::string& tenant = "common") const {
        const std::string base = url("/" + tenant + "/oauth2/v2.0/");
        return {base + "authorize", base + "token", "", base + "devicecode"};
    }
};

// One connection to the fake: transport, session, provider.
struct GraphConnection {
    explicit GraphConnection(const GraphFake& fake,
                             const std::string& scope = "Calendars.ReadWrite offline_access",
                             providers::microsoft::GraphOptions options = {})
        : fake_(fake) {
        auto granted = fake.control("grant", "{\"scope\":\"" + scope + "\"}");
        net::TokenSet tokens;
        tokens.access_token = granted["access_token"].GetString();
        if (granted.HasMember("refresh_token"))
            tokens.refresh_token = granted["refresh_token"].GetString();
        tokens.expires_at =
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
            std::chrono::hours(1);
        flow = std::make_shared<net::OAuthFlow>(
            fake.endpoints(), net::OAuthClient{"calsync-tests", "", "http://localhost/cb", {}, {}},
            std::string(32, 'k'), http);
        session = std::make_shared<net::OAuthSession>(flow, tokens);
        session->on_tokens_changed([this](const net::TokenSet& t) { persisted.push_back(t); });
        options.api_base_url = fake.api();
        options.exports.sleep = [this](std::chrono::milliseconds d) { wait(d); };
        provider = std::make_unique<providers::microsoft::GraphProvider>(options, session, http);
    }

    // Waits are recorded, and slept only with `real_waits`: the fake answers a request made
    // before the Retry-After it gave has passed with another 429 (graph_throttle.py).
    void wait(std::chrono::milliseconds d) {
        waits.push_back(d);
        if (real_waits)
            std::this_thread::sleep_for(d);
    }

    const GraphFake& fake_;
    bool real_waits = false;
    std::shared_ptr<CountingTransport> transport = std::make_shared<CountingTransport>();
    std::vector<std::chrono::milliseconds> waits;  // what the client and exporter waited
    std::shared_ptr<net::HttpClient> http =
        std::make_shared<net::HttpClient>(transport,
                                          net::RetryPolicy{4,
                                                           std::chrono::milliseconds(1),
                                                           std::chrono::milliseconds(5),
                                                           std::chrono::seconds(120),
                                                           {},
                                                           {}},
                                          [this](std::chrono::milliseconds d) { wait(d); });
    std::shared_ptr<net::OAuthFlow> flow;
    std::shared_ptr<net::OAuthSession> session;
    std::vector<net::TokenSet> persisted;
    std::unique_ptr<providers::microsoft::GraphProvider> provider;
};

// March 2026, where the tests' events live.
inline TimeRange march_2026() {
    return {parse_rfc3339("2026-03-01T00:00:00Z").value(),
            parse_rfc3339("2026-04-01T00:00:00Z").value()};
}

inline Instant at(const char* rfc3339) {
    return parse_rfc3339(rfc3339).value();
}

}  // namespace calsync::test
