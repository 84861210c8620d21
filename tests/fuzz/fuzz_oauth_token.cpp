// The OAuth token endpoint's answers (RFC 6749 5.1/5.2, RFC 8628 3.2/3.5, RFC 7009) as the
// flow and the session read them: the code exchange, a refresh, the device flow, a
// revocation, and a session refreshing before a request and again after its 401.
//
// Input: one letter for the call ("e" exchange, "r" refresh, "b" device begin then a poll,
// "p" device poll, "v" revoke, "s" session), then the answers in order (fuzz_support.hpp's
// script format).
#include <cstdint>

#include "fuzz_support.hpp"
#include "net/oauth.hpp"

using namespace calsync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::Mode mode = fuzz::pick_mode(fuzz::text_of(data, size), "erbpvs");
    auto http = fuzz::scripted_http(mode.rest);
    const Instant now = fuzz::fixed_now();
    if (mode.index == 5) {
        // Expired: the first use refreshes.
        auto session = fuzz::scripted_session(http, now - std::chrono::hours(1));
        if (session->access_token().ok()) {
            net::HttpRequest request;
            request.url = "https://api.fuzz.example/calendars";
            (void)session->send(*http, request);
        }
        return 0;
    }
    net::OAuthEndpoints endpoints;
    endpoints.authorization_url = "https://login.fuzz.example/authorize";
    endpoints.token_url = "https://login.fuzz.example/token";
    endpoints.revocation_url = "https://login.fuzz.example/revoke";
    endpoints.device_authorization_url = "https://login.fuzz.example/device";
    net::OAuthClient client;
    client.client_id = "fuzz-client";
    client.client_secret = "fuzz-secret";
    client.redirect_uri = "http://127.0.0.1:8080/callback";
    client.scopes = {"calendar"};
    net::OAuthFlow flow(endpoints, client, fuzz::host_key(), http);
    const net::TokenSet current{"old-access", "old-refresh", "calendar", now};
    switch (mode.index) {
        case 0:
            (void)flow.exchange("fuzz-code", "fuzz-verifier", now);
            break;
        case 1:
            (void)flow.refresh(current, now);
            break;
        case 2: {
            auto device = flow.device_begin(now);
            if (device.ok())
                (void)flow.device_poll(device.value(), now);
            break;
        }
        case 3: {
            net::DeviceAuthorization device;
            device.device_code = "fuzz-device-code";
            device.user_code = "ABCD-EFGH";
            device.verification_uri = "https://login.fuzz.example/device";
            device.expires_at = now + std::chrono::minutes(15);
            (void)flow.device_poll(device, now);
            break;
        }
        default:
            (void)flow.revoke("old-refresh");
            break;
    }
    return 0;
}
