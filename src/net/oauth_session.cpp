#include "net/oauth_session.hpp"

#include <chrono>
#include <utility>

namespace calsync::net {
namespace {

// Refresh this long before the stated expiry: clocks drift and a request takes time.
constexpr std::chrono::seconds kExpiryMargin{60};

Error reauthorisation_error() {
    return make_error(ErrorCode::auth,
                      "the authorization was revoked or expired: needs "
                      "re-authorisation");
}

}  // namespace

OAuthSession::OAuthSession(std::shared_ptr<OAuthFlow> flow, TokenSet tokens, WallClock now)
    : flow_(std::move(flow)), tokens_(std::move(tokens)), clock_(std::move(now)) {}

Instant OAuthSession::now() const {
    const auto t = clock_ ? clock_() : std::chrono::system_clock::now();
    return std::chrono::time_point_cast<std::chrono::seconds>(t);
}

Result<void> OAuthSession::refresh() {
    if (needs_reauthorisation_)
        return reauthorisation_error();
    if (tokens_.refresh_token.empty()) {
        needs_reauthorisation_ = true;
        return reauthorisation_error();
    }
    auto fresh = flow_->refresh(tokens_, now());
    if (!fresh.ok()) {
        // Only invalid_grant is final; a network failure or a 5xx may pass.
        if (fresh.error().code == ErrorCode::auth)
            needs_reauthorisation_ = true;
        return fresh.error();
    }
    tokens_ = std::move(fresh).value();
    if (changed_)
        changed_(tokens_);
    return {};
}

Result<std::string> OAuthSession::access_token() {
    if (needs_reauthorisation_)
        return reauthorisation_error();
    if (tokens_.access_token.empty() || now() + kExpiryMargin >= tokens_.expires_at) {
        auto r = refresh();
        if (!r.ok())
            return r.error();
    }
    return tokens_.access_token;
}

Result<HttpResponse> OAuthSession::send(HttpClient& http, HttpRequest request) {
    const auto with_token = [&request](const std::string& token) {
        HttpRequest r = request;
        r.headers.push_back({"Authorization", "Bearer " + token});
        return r;
    };
    auto token = access_token();
    if (!token.ok())
        return token.error();
    auto response = http.send(with_token(token.value()));
    if (!response.ok() || response->status != 401)
        return response;
    // The server no longer takes this token (revoked, or its clock differs): one refresh.
    auto refreshed = refresh();
    if (!refreshed.ok())
        return refreshed.error();
    return http.send(with_token(tokens_.access_token));
}

}  // namespace calsync::net
