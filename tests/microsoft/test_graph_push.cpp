// graph_push.cpp: subscriptions against the Graph fake, with the validationToken handshake
// and notifications delivered to a real local endpoint, and clientState checks.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "graph_fake.hpp"
#include "webhook_listener.hpp"

using namespace calsync;
using namespace calsync::providers::microsoft;
using calsync::test::GraphConnection;
using calsync::test::GraphFake;
using calsync::test::WebhookListener;

namespace {

const std::string kHostKey(32, 'h');

std::string query_of(const std::string& target) {
    const auto q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
}

// A host's webhook endpoint: the handshake, then notifications read as calsync reads them.
struct Endpoint {
    std::mutex lock;
    std::vector<NotificationBatch> batches;
    std::vector<std::string> targets;
    std::atomic<bool> echo_token{true};  // read on the listener's thread
    WebhookListener listener{
        [this](const std::string&, const std::string& target, const std::string& body) {
            std::lock_guard<std::mutex> hold(lock);
            targets.push_back(target);
            const std::string query = query_of(target);
            if (auto validation = answer_validation(query)) {
                if (!echo_token)
                    validation->body = "not the token";
                return *validation;
            }
            auto batch = read_notifications(kHostKey, query, body);
            if (batch.ok())
                batches.push_back(batch.value());
            return WebhookReply{batch.ok() ? 202 : 400, "text/plain", ""};
        }};
};

Instant now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

GraphOptions push_options() {
    GraphOptions o;
    o.push.host_key = kHostKey;
    return o;
}

}  // namespace

TEST_CASE("graph push: a subscription is made through the validation handshake") {
    GraphFake fake;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", push_options());
    Endpoint endpoint;
    const std::string cal = fake.workshop_calendar();
    const Instant t = now();
    auto sub = c.provider->subscribe(cal, "conn-7", endpoint.listener.url("/graph/hook"), t);
    INFO((sub.ok() ? "" : sub.error().message));
    REQUIRE(sub.ok());
    CHECK_FALSE(sub->id.empty());
    CHECK(sub->resource == "me/calendars/" + cal + "/events");
    CHECK(sub->expires_at == t + std::chrono::minutes(10080));  // Outlook events' maximum
    REQUIRE(endpoint.targets.size() == 2);                      // Graph validates both URLs
    for (const std::string& target : endpoint.targets) {
        CHECK_THAT(target, Catch::StartsWith("/graph/hook?calsync_connection=conn-7&"));
        CHECK_THAT(target, Catch::Contains("validationToken="));
    }

    auto stats = fake.control("stats");
    const auto& held = stats["subscriptions"][0];
    CHECK(std::string(held["changeType"].GetString()) == "created,updated,deleted");
    CHECK(std::string(held["clientState"].GetString()) ==
          client_state_for(kHostKey, "conn-7", cal));

    // A change: the endpoint learns which connection and calendar to sync.
    fake.control("notify", "{\"subscription_id\":\"" + sub->id + "\",\"event_id\":\"AAMkE1=\"}");
    REQUIRE(endpoint.batches.size() == 1);
    const NotificationBatch& batch = endpoint.batches[0];
    CHECK(batch.sync);
    CHECK(batch.connection_id == "conn-7");
    CHECK(batch.calendar_id == cal);
    CHECK(batch.subscription_ids == std::vector<std::string>{sub->id});
    CHECK(batch.accepted == 1);
    CHECK(batch.refused == 0);

    // A forged one (wrong clientState) is refused and asks for nothing.
    auto forged = fake.control(
        "notify", "{\"subscription_id\":\"" + sub->id + "\",\"client_state\":\"guessed\"}");
    CHECK(forged["status"].GetInt() == 202);
    REQUIRE(endpoint.batches.size() == 2);
    CHECK_FALSE(endpoint.batches[1].sync);
    CHECK(endpoint.batches[1].refused == 1);
}

// Regression: subscriptions named no lifecycleNotificationUrl, so Graph delivered no
// "missed" and no "subscriptionRemoved" notification; the host went on trusting a
// subscription Graph had dropped, and changes missed were never read until the next poll.
TEST_CASE("graph push: lifecycle notifications reach the host") {
    GraphFake fake;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", push_options());
    Endpoint endpoint;
    const std::string cal = fake.workshop_calendar();
    auto sub = c.provider->subscribe(cal, "conn-3", endpoint.listener.url("/graph/hook"), now());
    REQUIRE(sub.ok());
    for (const char* event : {"missed", "subscriptionRemoved"}) {
        INFO(event);
        auto delivered = fake.control(
            "lifecycle", "{\"subscription_id\":\"" + sub->id + "\",\"event\":\"" + event + "\"}");
        REQUIRE(delivered["status"].IsInt());
        CHECK(delivered["status"].GetInt() == 202);
        std::lock_guard<std::mutex> hold(endpoint.lock);
        REQUIRE_FALSE(endpoint.batches.empty());
        const NotificationBatch& batch = endpoint.batches.back();
        CHECK(batch.connection_id == "conn-3");
        CHECK(batch.calendar_id == cal);
        CHECK(batch.lifecycle_events == std::vector<std::string>{event});
        CHECK(batch.refused == 0);
    }
}

TEST_CASE("graph push: renew and delete") {
    GraphFake fake;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", push_options());
    Endpoint endpoint;
    const Instant t = now();
    auto sub = c.provider->subscribe(fake.default_calendar(), "conn-1",
                                     endpoint.listener.url("/hook"), t - std::chrono::hours(1));
    REQUIRE(sub.ok());
    auto renewed = c.provider->renew(sub->id, t);
    REQUIRE(renewed.ok());
    CHECK(renewed->id == sub->id);
    CHECK(renewed->expires_at == t + std::chrono::minutes(10080));
    CHECK(renewed->expires_at > sub->expires_at);
    REQUIRE(c.provider->unsubscribe(sub->id).ok());
    CHECK(fake.control("stats")["subscriptions"].Empty());
    CHECK(c.provider->unsubscribe(sub->id).ok());  // already gone
    auto lost = c.provider->renew(sub->id, t);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::not_found);
}

TEST_CASE("graph push: Graph's refusals come back readable") {
    GraphFake fake;
    Endpoint endpoint;
    endpoint.echo_token = false;
    GraphConnection c(fake, "Calendars.ReadWrite offline_access", push_options());
    auto failed = c.provider->subscribe(fake.default_calendar(), "conn-1",
                                        endpoint.listener.url("/hook"), now());
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().http_status == 400);
    CHECK_THAT(failed.error().message, Catch::Contains("validation request failed"));

    GraphOptions too_long = push_options();
    too_long.push.max_lifetime = std::chrono::minutes(10080 + 60);  // the fake allows 10080
    GraphConnection eager(fake, "Calendars.ReadWrite offline_access", too_long);
    endpoint.echo_token = true;
    auto refused = eager.provider->subscribe(fake.default_calendar(), "conn-1",
                                             endpoint.listener.url("/hook"), now());
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("10080 minutes"));

    GraphOptions keyless;
    GraphConnection no_key(fake, "Calendars.ReadWrite offline_access", keyless);
    auto unsigned_sub = no_key.provider->subscribe(fake.default_calendar(), "conn-1",
                                                   endpoint.listener.url("/hook"), now());
    REQUIRE_FALSE(unsigned_sub.ok());
    CHECK(unsigned_sub.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("graph push: clientState is short, bound to the connection, calendar and key") {
    const std::string state = client_state_for(kHostKey, "conn-1", "AAMkCal=");
    CHECK(state.size() <= 128);
    CHECK(state != client_state_for(kHostKey, "conn-2", "AAMkCal="));
    CHECK(state != client_state_for(kHostKey, "conn-1", "AAMkOther="));
    CHECK(state != client_state_for(std::string(32, 'x'), "conn-1", "AAMkCal="));
    // "conn-1" + "\n" + "A" and "conn-1\nA" + "" do not collide with the fields swapped.
    CHECK(client_state_for(kHostKey, "a", "b") != client_state_for(kHostKey, "b", "a"));
}

TEST_CASE("graph push: handshake answers and notification bodies as they arrive") {
    auto reply = answer_validation("validationToken=Validation%3A+Testing+client+reachability");
    REQUIRE(reply.has_value());
    CHECK(reply->status == 200);
    CHECK(reply->content_type == "text/plain");
    CHECK(reply->body == "Validation: Testing client reachability");
    CHECK_FALSE(answer_validation("calsync_connection=c").has_value());

    const std::string query = "calsync_connection=c1&calsync_calendar=AAMk%3D";
    const std::string good = client_state_for(kHostKey, "c1", "AAMk=");
    auto batch = read_notifications(
        kHostKey, query,
        R"({"value":[{"subscriptionId":"s1","clientState":")" + good +
            R"(","changeType":"updated"},{"subscriptionId":"s1","clientState":")" + good +
            R"(","changeType":"deleted"},{"subscriptionId":"s2","clientState":"x"},)"
            R"({"subscriptionId":"s1","clientState":")" +
            good + R"(","lifecycleEvent":"reauthorizationRequired"}]})");
    REQUIRE(batch.ok());
    CHECK(batch->sync);
    CHECK(batch->calendar_id == "AAMk=");
    CHECK(batch->accepted == 3);
    CHECK(batch->refused == 1);
    CHECK(batch->subscription_ids == std::vector<std::string>{"s1"});
    CHECK(batch->lifecycle_events == std::vector<std::string>{"reauthorizationRequired"});

    auto no_ids = read_notifications(kHostKey, "", R"({"value":[]})");
    REQUIRE_FALSE(no_ids.ok());
    CHECK(no_ids.error().code == ErrorCode::invalid_argument);
    auto not_json = read_notifications(kHostKey, query, "hello");
    REQUIRE_FALSE(not_json.ok());
    CHECK_THAT(not_json.error().message, Catch::Contains("not a change notification"));
}
