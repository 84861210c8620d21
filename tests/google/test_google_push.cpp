// Push channels (src/providers/google/google_push.cpp and GoogleProvider::watch /
// stop_channel): signed channel tokens, the check of a notification's headers, and the
// notifications the fake records for a channel.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/text_encoding.hpp"
#include "google_fake.hpp"
#include "net/crypto.hpp"
#include "providers/google/google_push.hpp"

using calsync::ErrorCode;
using calsync::net::Header;
using calsync::providers::google::channel_token;
using calsync::providers::google::read_push_notification;
using calsync::test::GoogleConnection;
using calsync::test::GoogleFake;
using calsync::test::kCalendar;

namespace {

const std::string kHostKey(32, 'h');

std::vector<Header> notification(const std::string& channel, const std::string& token,
                                 const std::string& state) {
    return {{"x-goog-channel-id", channel},
            {"X-Goog-Channel-Token", token},
            {"X-Goog-Resource-State", state},
            {"X-Goog-Resource-ID", "res-1"},
            {"X-Goog-Message-Number", "2"}};
}

std::vector<Header> headers_of(const rapidjson::Value& note) {
    const auto headers = note["headers"].GetObject();
    std::vector<Header> out;
    std::transform(headers.begin(), headers.end(), std::back_inserter(out), [](const auto& h) {
        return Header{h.name.GetString(), h.value.GetString()};
    });
    return out;
}

}  // namespace

TEST_CASE("google push: a signed token says which connection and calendar to sync") {
    auto token = channel_token(kHostKey, "chan-1", "conn-7", kCalendar);
    REQUIRE(token.ok());
    CHECK(token->size() <= 256);
    auto target = read_push_notification(notification("chan-1", token.value(), "exists"), kHostKey);
    REQUIRE(target.ok());
    CHECK(target->connection_id == "conn-7");
    CHECK(target->calendar_id == kCalendar);
    CHECK(target->channel_id == "chan-1");
    CHECK(target->resource_id == "res-1");
    CHECK(target->sync_needed);
    CHECK(read_push_notification(notification("chan-1", token.value(), "not_exists"), kHostKey)
              ->sync_needed);
    // "sync" only says the channel now exists.
    auto hello = read_push_notification(notification("chan-1", token.value(), "sync"), kHostKey);
    REQUIRE(hello.ok());
    CHECK_FALSE(hello->sync_needed);
}

TEST_CASE("google push: forged, altered or incomplete notifications are refused") {
    const std::string token = channel_token(kHostKey, "chan-1", "conn-7", kCalendar).value();
    const auto refused = [](const std::vector<Header>& h, ErrorCode code) {
        auto r = read_push_notification(h, kHostKey);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == code);
    };
    SECTION("signed with another key") {
        const std::string other =
            channel_token(std::string(32, 'x'), "chan-1", "conn-7", kCalendar).value();
        refused(notification("chan-1", other, "exists"), ErrorCode::auth);
    }
    SECTION("another calendar spliced into the token") {
        std::string altered = token;
        const auto first = altered.find('.', 3);
        const auto second = altered.find('.', first + 1);
        altered.replace(first + 1, second - first - 1,
                        calsync::encoding::base64url("boss@example.com"));
        refused(notification("chan-1", altered, "exists"), ErrorCode::auth);
    }
    SECTION("a token copied to another channel") {
        refused(notification("chan-2", token, "exists"), ErrorCode::auth);
    }
    SECTION("no token, not ours, or no state") {
        refused(notification("chan-1", "", "exists"), ErrorCode::auth);
        refused(notification("chan-1", "target=someone-else", "exists"), ErrorCode::auth);
        auto no_state = notification("chan-1", token, "exists");
        no_state.erase(no_state.begin() + 2);
        refused(no_state, ErrorCode::invalid_argument);
        refused(notification("chan-1", token, "maybe"), ErrorCode::invalid_argument);
    }
}

TEST_CASE("google push: ids too long for Google's 256-character token are refused") {
    auto token = channel_token(kHostKey, "chan-1", std::string(120, 'c'), std::string(90, 'k'));
    REQUIRE_FALSE(token.ok());
    CHECK(token.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("google push: watch, the fake's notifications pass the check, stop twice") {
    GoogleFake fake;
    GoogleConnection c(fake);
    calsync::providers::google::WatchRequest request;
    request.channel_id = "0b6f6a52-8f4e-4a5e-9d0e-5b1a2f3c4d5e";
    request.address = "https://hooks.garage.example/google";
    request.connection_id = "conn-7";
    request.host_key = kHostKey;
    request.expiration = calsync::parse_rfc3339("2026-12-24T00:00:00Z").value();
    auto channel = c.provider.watch(kCalendar, request);
    REQUIRE(channel.ok());
    CHECK(channel->id == request.channel_id);
    CHECK_FALSE(channel->resource_id.empty());
    CHECK(channel->calendar_id == kCalendar);
    CHECK(channel->expiration == request.expiration);

    fake.put_event(
        R"({"id":"changed1","start":{"date":"2026-03-02"},"end":{"date":"2026-03-03"}})");
    auto notes = calsync::test::parse_json(fake.inspect("notifications"));
    REQUIRE(notes.Size() == 2);
    auto created = read_push_notification(headers_of(notes[0]), kHostKey);
    REQUIRE(created.ok());
    CHECK(created->resource_state == "sync");
    CHECK_FALSE(created->sync_needed);
    auto changed = read_push_notification(headers_of(notes[1]), kHostKey);
    REQUIRE(changed.ok());
    CHECK(changed->sync_needed);
    CHECK(changed->connection_id == "conn-7");
    CHECK(changed->calendar_id == kCalendar);
    CHECK(changed->resource_id == channel->resource_id);

    REQUIRE(c.provider.stop_channel(channel->id, channel->resource_id).ok());
    REQUIRE(c.provider.stop_channel(channel->id, channel->resource_id).ok());  // 404: gone

    request.channel_id = "not a channel id!";
    auto bad = c.provider.watch(kCalendar, request);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::invalid_argument);
}
