// What the hostile tests attack in process: a client with its state in memory, and a
// service whose every answer is one canned body (the parse is what is attacked, not the
// network).
#pragma once

#include <calsync.h>

#include <memory>
#include <string>
#include <utility>

#include "net/http.hpp"
#include "net/oauth.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"

namespace calsync::test {

inline const unsigned char kHostKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                           12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                           23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

// A client with its state in memory (or in SQLite at `store_path`), or nullptr.
inline calsync_client* new_client(const char* store_path = nullptr,
                                  const char* config_json = nullptr) {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.host_key = kHostKey;
    o.host_key_length = sizeof kHostKey;
    o.store_path = store_path;
    o.config_json = config_json;
    calsync_client* client = nullptr;
    return calsync_client_new(&o, &client) == CALSYNC_OK ? client : nullptr;
}

// Every request answered 200 with the same body.
struct CannedTransport : calsync::net::Transport {
    explicit CannedTransport(std::string body) {
        reply.status = 200;
        reply.body = std::move(body);
    }
    calsync::net::HttpResponse reply;
    calsync::Result<calsync::net::HttpResponse> perform(const calsync::net::HttpRequest&) override {
        return reply;
    }
};

inline std::shared_ptr<calsync::net::HttpClient> answering(const std::string& body) {
    return std::make_shared<calsync::net::HttpClient>(std::make_shared<CannedTransport>(body));
}

// Tokens that never expire, over `http`.
inline std::shared_ptr<calsync::net::OAuthSession> session_over(
    std::shared_ptr<calsync::net::HttpClient> http) {
    calsync::net::OAuthEndpoints endpoints;
    endpoints.token_url = "https://oauth.example/token";
    auto flow = std::make_shared<calsync::net::OAuthFlow>(
        endpoints, calsync::net::OAuthClient{"id", "", "", {}, {}}, std::string(32, 'k'), http);
    calsync::net::TokenSet tokens;
    tokens.access_token = "a";
    tokens.refresh_token = "r";
    tokens.expires_at = calsync::Instant::max();
    return std::make_shared<calsync::net::OAuthSession>(flow, tokens);
}

}  // namespace calsync::test
