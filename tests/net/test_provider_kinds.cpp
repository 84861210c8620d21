// providers/provider_kinds.cpp: what each kind can do before a provider exists is what a
// provider of that kind says it can do, and push readers answer for their own requests only.
#include <catch2/catch.hpp>

#include "core/provider_config.hpp"
#include "providers/provider_factory.hpp"
#include "providers/provider_kinds.hpp"

using namespace calsync;

namespace {

struct KindCase {
    ProviderKind kind;
    const char* config;  // a calsync_provider_new document; nothing is sent
};

const KindCase kKinds[] = {
    {ProviderKind::google,
     R"({"kind": "google", "oauth": {"client_id": "c"}, "tokens": {"access_token": "t"}})"},
    {ProviderKind::microsoft,
     R"({"kind": "microsoft", "oauth": {"client_id": "c"}, "tokens": {"access_token": "t"}})"},
    {ProviderKind::caldav,
     R"({"kind": "caldav", "url": "https://dav.example.com/", "username": "u", "password": "p"})"},
    {ProviderKind::icloud, R"({"kind": "icloud", "username": "u", "password": "p"})"},
    {ProviderKind::ics_feed, R"({"kind": "ics_feed", "url": "https://example.com/a.ics"})"},
};

bool same(const ProviderCapabilities& a, const ProviderCapabilities& b) {
    return a.oauth == b.oauth && a.windowed_reads == b.windowed_reads && a.push == b.push;
}

}  // namespace

TEST_CASE("provider kinds: a provider has the capabilities its kind's row says") {
    for (const KindCase& k : kKinds) {
        CAPTURE(providers::traits_of(k.kind).display_name);
        auto config = json::parse_provider_config(k.config);
        REQUIRE(config.ok());
        auto made = providers::make_provider(config.value());
        REQUIRE(made.ok());
        const ProviderCapabilities said = made->provider->capabilities();
        CHECK(same(said, providers::capabilities_of(k.kind)));
        CHECK((made->provider->push() != nullptr) == said.push);
        CHECK((providers::traits_of(k.kind).read_push != nullptr) == said.push);
        CHECK((providers::traits_of(k.kind).required_scopes != nullptr) == said.oauth);
    }
    // OAuth services read through a window and have push; the others read whole calendars.
    CHECK(providers::capabilities_of(ProviderKind::google).windowed_reads);
    CHECK_FALSE(providers::capabilities_of(ProviderKind::caldav).windowed_reads);
    CHECK_FALSE(providers::capabilities_of(ProviderKind::ics_feed).push);
}

TEST_CASE("provider kinds: each push reader takes its own service's requests only") {
    const std::string key(32, 'k');
    PushRequest google;
    google.headers = {{"x-goog-channel-id", "c1"}, {"X-Goog-Resource-State", "sync"}};
    PushRequest graph_handshake;
    graph_handshake.query = "validationToken=abc%20d";
    PushRequest neither;
    neither.query = "a=b";
    neither.headers = {{"Content-Type", "application/json"}};
    std::vector<std::string> took_google, took_handshake;
    for (const providers::ProviderKindTraits* kind : providers::push_kinds()) {
        if (kind->read_push(google, key))
            took_google.push_back(kind->display_name);
        if (auto read = kind->read_push(graph_handshake, key)) {
            took_handshake.push_back(kind->display_name);
            REQUIRE(read->ok());
            CHECK(read->value().handshake);
            CHECK(read->value().body == "abc d");
        }
        CHECK_FALSE(kind->read_push(neither, key).has_value());
    }
    CHECK(took_google == std::vector<std::string>{"Google"});
    CHECK(took_handshake == std::vector<std::string>{"Microsoft"});
}
