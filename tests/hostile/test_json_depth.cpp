// Issue 12, item 1: deeply nested JSON overflowed the stack (SIGSEGV) wherever calsync read
// JSON: a Graph push body, a C ABI request, a token endpoint's answer, Google and Graph
// pages. Each bomb must come back as an error naming the limit, within the bounds.
#include <calsync.h>

#include <memory>
#include <string>
#include <utility>

#include "bounded_child.hpp"
#include "in_process.hpp"
#include "net/oauth.hpp"
#include "providers/google/google_provider.hpp"
#include "providers/microsoft/graph_provider.hpp"

using calsync::test::answering;
using calsync::test::check_within;
using calsync::test::new_client;
using calsync::test::run_in_child;
using calsync::test::session_over;

namespace {

const std::string kBomb(200'000, '[');

// What a C ABI call answered: the status and, for the limit, which one it named.
std::string verdict_of(calsync_status status) {
    const std::string message = calsync_last_error_message();
    if (status == CALSYNC_ELIMIT && message.find("deeper than 64") != std::string::npos)
        return "refused: too deep";
    if (status == CALSYNC_ELIMIT && message.find("push body of ") == 0 &&
        message.find("is over the 1048576-byte limit") != std::string::npos)
        return "refused: too large";
    return "status " + std::to_string(status) + ": " + message.substr(0, 200);
}

// A Graph notification naming a connection and calendar no store holds, with `body`
// (JSON-escaped already), given to a client with its state in memory.
std::string graph_push_verdict(const std::string& body) {
    calsync_client* client = new_client();
    if (client == nullptr)
        return std::string("no client: ") + calsync_last_error_message();
    const std::string request = R"({"version": 1, "method": "POST", "headers": [],)"
                                R"( "query": "calsync_connection=a&calsync_calendar=b",)"
                                R"( "body": ")" +
                                body + "\"}";
    char* out = nullptr;
    const std::string verdict =
        verdict_of(calsync_client_handle_push(client, request.c_str(), &out));
    calsync_client_free(client);
    calsync_string_free(out);
    return verdict + (out == nullptr ? "" : " (and an answer)");
}

std::string verdict_of(const calsync::Error& e) {
    if (e.code == calsync::ErrorCode::limit_exceeded &&
        e.message.find("deeper than 64") != std::string::npos)
        return "refused: too deep";
    return calsync::to_string(e.code) + std::string(": ") + e.message.substr(0, 200);
}

template <class T>
std::string verdict_of(const calsync::Result<T>& r) {
    return r.ok() ? std::string("accepted") : verdict_of(r.error());
}

const calsync::TimeRange kWindow{calsync::instant_from_unix(1'780'000'000),
                                 calsync::instant_from_unix(1'790'000'000)};

}  // namespace

TEST_CASE(
    "json depth: a Graph push body of 200,000 open brackets is refused before any state is read",
    "[hostile][json]") {
    check_within(run_in_child([] { return graph_push_verdict(kBomb); }), "refused: too deep");
}

TEST_CASE("json depth: a push body over the size cap is refused before it is parsed",
          "[hostile][json]") {
    auto run = run_in_child(
        [] { return graph_push_verdict(std::string(2u << 20, ' ') + R"({\"value\": []})"); });
    check_within(run, "refused: too large");
}

TEST_CASE("json depth: C ABI requests nested 200,000 deep are refused", "[hostile][json]") {
    SECTION("the whole request") {
        auto run = run_in_child([] {
            char* out = nullptr;
            return verdict_of(calsync_engine_blocked_slots(kBomb.c_str(), &out));
        });
        check_within(run, "refused: too deep");
    }
    SECTION("inside a valid request") {
        auto run = run_in_child([] {
            const std::string request = R"({"version": 1, "calendars": )" + kBomb;
            char* out = nullptr;
            return verdict_of(calsync_engine_free_slots(request.c_str(), &out));
        });
        check_within(run, "refused: too deep");
    }
    SECTION("a provider's configuration") {
        auto run = run_in_child([] {
            const std::string config = R"({"kind": "google", "tokens": )" + kBomb;
            calsync_provider* provider = nullptr;
            return verdict_of(calsync_provider_new(config.c_str(), &provider));
        });
        check_within(run, "refused: too deep");
    }
}

TEST_CASE("json depth: a token endpoint answering 200,000 open brackets fails the exchange",
          "[hostile][json]") {
    for (const std::string& body : {kBomb, R"({"access_token": "a", "x": )" + kBomb}) {
        auto run = run_in_child([&body] {
            calsync::net::OAuthEndpoints endpoints;
            endpoints.token_url = "https://oauth.example/token";
            calsync::net::OAuthFlow flow(endpoints, calsync::net::OAuthClient{"id", "", "", {}, {}},
                                         std::string(32, 'k'), answering(body));
            return verdict_of(flow.exchange("code", "verifier", calsync::Instant{}));
        });
        check_within(run, "refused: too deep");
    }
}

TEST_CASE("json depth: Google pages nested 200,000 deep fail the listing and the sync",
          "[hostile][json]") {
    auto run = run_in_child([] {
        auto http = answering(R"({"kind": "calendar#calendarList", "items": )" + kBomb);
        calsync::providers::google::GoogleProvider google({}, session_over(http), http);
        return verdict_of(google.list_calendars()) + "; " +
               verdict_of(google.fetch_changes("primary", "", kWindow));
    });
    check_within(run, "refused: too deep; refused: too deep");
}

TEST_CASE("json depth: Graph pages nested 200,000 deep fail the listing and the sync",
          "[hostile][json]") {
    auto run = run_in_child([] {
        auto http = answering(R"({"value": )" + kBomb);
        calsync::providers::microsoft::GraphProvider graph({}, session_over(http), http);
        return verdict_of(graph.list_calendars()) + "; " +
               verdict_of(graph.fetch_changes("cal", "", kWindow));
    });
    check_within(run, "refused: too deep; refused: too deep");
}
