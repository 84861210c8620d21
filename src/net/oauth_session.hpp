// One connection's OAuth tokens kept usable: refreshed shortly before they expire and once
// after a 401, rotated refresh tokens handed to the host to persist, and a sticky
// "needs re-authorisation" state once the grant is gone. Google and Graph providers send
// every API request through it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "net/oauth.hpp"
#include "net/retry.hpp"

namespace calsync::net {

class OAuthSession {
  public:
    // Called after every successful refresh, with the whole new token set (the store seals
    // and keeps it; a rotated refresh token must not be lost).
    using TokensChanged = std::function<void(const TokenSet&)>;

    OAuthSession(std::shared_ptr<OAuthFlow> flow, TokenSet tokens, WallClock now = {});

    void on_tokens_changed(TokensChanged callback) { changed_ = std::move(callback); }
    const TokenSet& tokens() const { return tokens_; }
    // True once a refresh failed with invalid_grant (or there is no refresh token): the
    // user must go through the authorization flow again; no further refresh is tried.
    bool needs_reauthorisation() const { return needs_reauthorisation_; }

    // A token valid for at least another minute, refreshing first when needed.
    Result<std::string> access_token();
    // Refreshes now, whatever the expiry says.
    Result<void> refresh();

    // Sends `request` through `http` with "Authorization: Bearer"; a 401 refreshes the
    // token once and repeats the request once. Other statuses are returned as they are.
    Result<HttpResponse> send(HttpClient& http, HttpRequest request);

  private:
    Instant now() const;

    std::shared_ptr<OAuthFlow> flow_;
    TokenSet tokens_;
    WallClock clock_;
    TokensChanged changed_;
    bool needs_reauthorisation_ = false;
};

}  // namespace calsync::net
