// OAuth 2.0 authorization code flow with PKCE (RFC 6749, 7636), refresh with rotation, and
// revocation (RFC 7009); Google and Microsoft configure it with their endpoints.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calsync/civil_time.hpp"
#include "net/retry.hpp"

namespace calsync::net {

struct OAuthEndpoints {
    std::string authorization_url;
    std::string token_url;
    std::string revocation_url;            // empty: the provider has none
    std::string device_authorization_url;  // RFC 8628; empty: no device flow
    // The service lets only public clients use the device flow (Microsoft's identity
    // platform), so a client with a secret is refused before anything is sent.
    bool device_flow_public_clients_only = false;
};

// One OAuth client is of one type (RFC 6749 2.1), and every token request it makes (code,
// device code, refresh) authenticates as that type: a confidential client sends its
// secret each time, a public client never (Microsoft refuses either mix-up with 401
// invalid_client: AADSTS7000218 without the secret, AADSTS700025 with one).
struct OAuthClient {
    std::string client_id;
    std::string client_secret;  // empty for public clients
    std::string redirect_uri;
    std::vector<std::string> scopes;
    std::vector<std::pair<std::string, std::string>> extra_parameters;  // access_type=offline

    bool confidential() const { return !client_secret.empty(); }
};

struct TokenSet {
    std::string access_token;
    std::string refresh_token;
    std::string scope;
    Instant expires_at;
};

// RFC 8628 3.2: what the person is shown, and what the poll needs.
struct DeviceAuthorization {
    std::string device_code;  // secret to the host: it turns into tokens
    std::string user_code;
    std::string verification_uri;
    std::string message;  // the server's instructions, when it sends them (Microsoft)
    std::chrono::seconds interval{5};
    Instant expires_at;
};

struct AuthorizationRequest {
    std::string url;            // where the user's browser goes
    std::string state;          // also inside `url`
    std::string code_verifier;  // kept by the host until the redirect comes back
};

class OAuthFlow {
  public:
    // `host_key` (at least 32 bytes) signs `state`; it never leaves the host.
    OAuthFlow(OAuthEndpoints endpoints, OAuthClient client, std::string host_key,
              std::shared_ptr<HttpClient> http);

    // A fresh PKCE verifier (S256) and a state bound to `connection_id` for 10 minutes.
    AuthorizationRequest begin(const std::string& connection_id, Instant now);
    // The connection the state was issued for; refused when altered, expired or used.
    Result<std::string> accept_state(const std::string& state, Instant now);

    Result<TokenSet> exchange(const std::string& code, const std::string& code_verifier,
                              Instant now);
    // Keeps the old refresh token when the server does not rotate it; invalid_grant means
    // the user must authorise again (Error auth, "needs re-authorisation").
    Result<TokenSet> refresh(const TokenSet& current, Instant now);
    // RFC 7009. A token the server calls invalid (Google: 400 invalid_token) is revoked
    // already, which is what was asked (2.2: "the purpose ... is already achieved").
    Result<void> revoke(const std::string& token);
    // Whether the service has a revocation endpoint (Microsoft's identity platform has none).
    bool can_revoke() const { return !endpoints_.revocation_url.empty(); }

    // The device authorization grant (RFC 8628), for programs without a browser. Error
    // invalid_argument, before any request, for a confidential client where the service
    // keeps the device flow to public ones.
    Result<DeviceAuthorization> device_begin(Instant now);
    // One poll of the token endpoint: tokens once the person has approved, nullopt while
    // they have not (authorization_pending; on slow_down `device.interval` grows by 5 s as
    // 3.5 says). Denied or expired codes fail with Error auth.
    Result<std::optional<TokenSet>> device_poll(DeviceAuthorization& device, Instant now);

  private:
    // The token endpoint's answer; on an OAuth error (RFC 6749 5.2) `oauth_error` receives
    // its "error" code.
    Result<TokenSet> token_request(const std::string& form, const TokenSet* previous, Instant now,
                                   std::string* oauth_error = nullptr);
    std::string scope_list() const;
    // client_id, and the secret of a confidential client (RFC 6749 2.3.1; RFC 8628 3.4).
    void authenticate(std::vector<std::pair<std::string, std::string>>* form) const;
    std::optional<Error> refuse_device_flow() const;

    OAuthEndpoints endpoints_;
    OAuthClient client_;
    std::string host_key_;
    std::shared_ptr<HttpClient> http_;
    std::set<std::string> used_nonces_;
};

std::string pkce_challenge(const std::string& code_verifier);  // BASE64URL(SHA256(v))
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
// RFC 3986 2.1: every byte but the unreserved characters as %XX (a path segment, a value).
std::string percent_encode(std::string_view text);

}  // namespace calsync::net
