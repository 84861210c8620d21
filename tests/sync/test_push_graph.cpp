// src/sync/push.cpp against tests/fakes/graph/graph_fake.py: a Graph subscription made by
// the service through the validation handshake, answered by handle_push behind a real
// local endpoint; notifications delivered by the fake; renewal, lifecycle events and
// disconnect.
#include <catch2/catch.hpp>
#include <mutex>

#include "calsync/sync.hpp"
#include "graph_fake.hpp"
#include "webhook_listener.hpp"

using namespace calsync;
using calsync::test::GraphFake;
using calsync::test::WebhookListener;

namespace {

const std::string kHostKey(32, 'h');

Instant real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct GraphWorld {
    GraphFake fake;
    // Graph's fake checks expiries against its own clock: the service's starts 6.5 days
    // back, so a subscription made now (10,080 minutes) is within the renewal margin at
    // real time.
    std::mutex clock_lock;
    Instant now = real_now() - std::chrono::hours(156);
    std::shared_ptr<StateStore> store = make_memory_store();
    std::unique_ptr<SyncService> service;
    std::string id;
    std::string calendar;
    std::mutex answers_lock;
    std::vector<Result<PushAnswer>> answers;  // what handle_push said, in order
    // The host's endpoint: everything it receives goes to handle_push.
    WebhookListener endpoint{
        [this](const std::string& method, const std::string& target, const std::string& body) {
            PushRequest r;
            r.method = method;
            const auto q = target.find('?');
            r.query = q == std::string::npos ? "" : target.substr(q + 1);
            r.body = body;
            auto answer = service->handle_push(r);
            std::lock_guard<std::mutex> hold(answers_lock);
            answers.push_back(answer);
            if (!answer.ok())
                return providers::microsoft::WebhookReply{
                    answer.error().code == ErrorCode::auth ? 403 : 400, "text/plain", ""};
            return providers::microsoft::WebhookReply{answer->status, answer->content_type,
                                                      answer->body};
        }};

    GraphWorld() {
        SyncServiceOptions o;
        o.settings.host_key = kHostKey;
        o.settings.microsoft.client_id = "calsync-tests";
        o.settings.microsoft.token_url = fake.url("/common/oauth2/v2.0/token");
        o.settings.microsoft.api_base_url = fake.api();
        o.settings.network.allow_private_addresses = true;
        o.store = store;
        o.clock = [this] {
            std::lock_guard<std::mutex> hold(clock_lock);
            return now;
        };
        o.seed = 7;
        auto opened = SyncService::open(std::move(o));
        REQUIRE(opened.ok());
        service = std::move(opened).value();
        auto granted = fake.control("grant", R"({"scope":"Calendars.ReadWrite offline_access"})");
        std::string tokens =
            R"({"access_token":")" + std::string(granted["access_token"].GetString()) + R"(")";
        if (granted.HasMember("refresh_token"))
            tokens += R"(,"refresh_token":")" + std::string(granted["refresh_token"].GetString()) +
                      R"(")";
        tokens +=
            R"(,"expires_at":")" + format_rfc3339(real_now() + std::chrono::hours(1)) + R"("})";
        auto connected = service->add_oauth_connection(ProviderKind::microsoft, tokens);
        INFO((connected.ok() ? "" : connected.error().message));
        REQUIRE(connected.ok());
        id = connected.value();
        calendar = fake.workshop_calendar();
        REQUIRE(service->select_calendar(id, calendar, CalendarDirection::import_only).ok());
        REQUIRE(service->sync(id).ok());
    }
    Instant clock() {
        std::lock_guard<std::mutex> hold(clock_lock);
        return now;
    }
    void set_clock(Instant t) {
        std::lock_guard<std::mutex> hold(clock_lock);
        now = t;
    }
    bool due_now() { return service->next_due(id).value() == std::optional<Instant>(clock()); }
    Result<PushAnswer> last_answer() {
        std::lock_guard<std::mutex> hold(answers_lock);
        REQUIRE_FALSE(answers.empty());
        return answers.back();
    }
    // Requests whose route starts with `prefix` (subscription ids are not folded to {id}).
    int requests_to(const std::string& prefix) const {
        int n = 0;
        auto stats = fake.control("stats");
        for (const auto& r : stats["by_route"].GetObject()) {
            if (std::string(r.name.GetString()).rfind(prefix, 0) == 0)
                n += r.value.GetInt();
        }
        return n;
    }
    std::string address() const { return endpoint.url("/graph/hook"); }
    int notify(const std::string& subscription, const std::string& extra = "") {
        auto reply =
            fake.control("notify", R"({"subscription_id":")" + subscription + R"(")" + extra + "}");
        return reply["status"].GetInt();
    }
    // A notification body as Graph sends one, here a lifecycle notification.
    PushRequest lifecycle(const std::string& subscription, const std::string& event) const {
        PushRequest r;
        r.method = "POST";
        r.query = providers::microsoft::notification_url_for("", id, calendar).substr(1);
        r.body = R"({"value":[{"subscriptionId":")" + subscription +
                 R"(","subscriptionExpirationDateTime":"2030-01-01T00:00:00Z","clientState":")" +
                 providers::microsoft::client_state_for(kHostKey, id, calendar) +
                 R"(","lifecycleEvent":")" + event +
                 R"(","tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95"}]})";
        return r;
    }
};

}  // namespace

TEST_CASE("push graph: a subscription made through the handshake, then a change makes it due") {
    GraphWorld w;
    auto watched = w.service->watch(w.id, w.calendar, w.address());
    INFO((watched.ok() ? "" : watched.error().message));
    REQUIRE(watched.ok());
    CHECK(watched->kind == ProviderKind::microsoft);
    CHECK(watched->expires_at == w.clock() + std::chrono::minutes(10080));
    auto handshake = w.last_answer();
    REQUIRE(handshake.ok());
    CHECK(handshake->source == "graph_validation");
    CHECK(handshake->status == 200);
    CHECK(handshake->content_type == "text/plain");
    const auto stats = w.fake.control("stats");  // `held` points into it
    auto held = stats["subscriptions"].GetArray();
    REQUIRE(held.Size() == 1);
    CHECK(std::string(held[0]["id"].GetString()) == watched->channel_id);
    auto stored = w.store->get_push_channel(watched->channel_id);
    REQUIRE(stored.ok());
    CHECK(stored->calendar_id == w.calendar);
    CHECK(stored->sealed_token.find(held[0]["clientState"].GetString()) == std::string::npos);

    CHECK_FALSE(w.due_now());
    w.fake.add_event(R"({"calendar":")" + w.calendar + R"(","subject":"Brakes","start":")" +
                     format_rfc3339(w.clock() + std::chrono::hours(30)) + R"(","end":")" +
                     format_rfc3339(w.clock() + std::chrono::hours(31)) + R"("})");
    CHECK(w.notify(watched->channel_id) == 202);
    auto changed = w.last_answer();
    REQUIRE(changed.ok());
    CHECK(changed->source == "graph");
    REQUIRE(changed->marked.size() == 1);
    CHECK(changed->marked[0].connection_id == w.id);
    CHECK(changed->marked[0].calendar_id == w.calendar);
    CHECK(w.due_now());
    auto reports = w.service->run_due();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].slots.added.size() == 1);
    CHECK_FALSE(w.due_now());

    // A forged one: the endpoint answers 403 and nothing is due.
    CHECK(w.notify(watched->channel_id, R"(,"client_state":"guessed")") == 403);
    auto forged = w.last_answer();
    REQUIRE_FALSE(forged.ok());
    CHECK(forged.error().code == ErrorCode::auth);
    CHECK_FALSE(w.due_now());
}

TEST_CASE("push graph: renewal near expiry, lifecycle events, disconnect deletes") {
    GraphWorld w;
    auto watched = w.service->watch(w.id, w.calendar, w.address());
    REQUIRE(watched.ok());
    w.set_clock(real_now());  // less than a day left now
    auto renewed = w.service->renew_push();
    REQUIRE(renewed.size() == 1);
    INFO((renewed[0].error ? renewed[0].error->message : ""));
    REQUIRE_FALSE(renewed[0].error.has_value());
    CHECK(renewed[0].channel_id == watched->channel_id);  // Graph renews in place
    CHECK(renewed[0].expires_at == w.clock() + std::chrono::minutes(10080));
    CHECK(w.requests_to("PATCH /subscriptions/") == 1);
    const auto stats = w.fake.control("stats");  // `held` points into it
    auto held = stats["subscriptions"].GetArray();
    REQUIRE(held.Size() == 1);
    CHECK(std::string(held[0]["expirationDateTime"].GetString()) ==
          format_rfc3339(renewed[0].expires_at));
    CHECK(w.service->renew_push().empty());

    SECTION("reauthorizationRequired: due for renewal, nothing to read") {
        auto a =
            w.service->handle_push(w.lifecycle(watched->channel_id, "reauthorizationRequired"));
        REQUIRE(a.ok());
        CHECK(a->status == 202);
        CHECK(a->renewed == std::vector<std::string>{watched->channel_id});
        CHECK(a->marked.empty());
        auto again = w.service->renew_push();
        REQUIRE(again.size() == 1);
        CHECK_FALSE(again[0].error.has_value());
    }
    SECTION("missed: read the calendar") {
        auto a = w.service->handle_push(w.lifecycle(watched->channel_id, "missed"));
        REQUIRE(a.ok());
        CHECK(a->events == std::vector<std::string>{"missed"});
        CHECK(a->marked.size() == 1);
        CHECK(w.due_now());
    }
    SECTION("subscriptionRemoved: forgotten") {
        auto a = w.service->handle_push(w.lifecycle(watched->channel_id, "subscriptionRemoved"));
        REQUIRE(a.ok());
        CHECK(a->forgotten == std::vector<std::string>{watched->channel_id});
        CHECK(w.store->list_push_channels(w.id)->empty());
    }
    SECTION("disconnect deletes the subscription") {
        REQUIRE(w.service->disconnect(w.id).ok());
        CHECK(w.fake.control("stats")["subscriptions"].Empty());
        CHECK(w.requests_to("DELETE /subscriptions/") == 1);
    }
}

TEST_CASE("push graph: a lost subscription is made anew by renew_push") {
    GraphWorld w;
    auto watched = w.service->watch(w.id, w.calendar, w.address());
    REQUIRE(watched.ok());
    // Graph deleted it (it lapsed, or reauthorization was missed).
    REQUIRE(w.store->get_push_channel(watched->channel_id).ok());
    w.set_clock(real_now());
    // Another client of the API deletes it, as Graph would.
    net::CurlTransport direct(calsync::test::local_options());
    net::HttpRequest del;
    del.method = "DELETE";
    auto granted = w.fake.control("grant", R"({"scope":"Calendars.ReadWrite"})");
    del.url = w.fake.api() + "/subscriptions/" + watched->channel_id;
    del.headers = {{"Authorization", std::string("Bearer ") + granted["access_token"].GetString()}};
    auto gone = direct.perform(del);
    REQUIRE(gone.ok());
    REQUIRE(gone->status == 204);
    auto renewed = w.service->renew_push();
    REQUIRE(renewed.size() == 1);
    INFO((renewed[0].error ? renewed[0].error->message : ""));
    REQUIRE_FALSE(renewed[0].error.has_value());
    CHECK(renewed[0].channel_id != watched->channel_id);
    CHECK(w.fake.control("stats")["subscriptions"].Size() == 1);
    CHECK_FALSE(w.store->get_push_channel(watched->channel_id).ok());
    CHECK(w.store->get_push_channel(renewed[0].channel_id).ok());
}
