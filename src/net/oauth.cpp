#include "net/oauth.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <cstdio>

#include "core/bounded_json.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"

namespace calsync::net {
namespace {

constexpr std::int64_t kStateLifetimeSeconds = 600;
// The longest token lifetime believed: RFC 6749 gives none, a year is past any provider's,
// and the endpoint's number must not overflow the clock.
constexpr std::int64_t kLongestLifetime = std::int64_t{366} * 86'400;

// `value` brought inside [lo, hi]: an endpoint's seconds are untrusted.
std::int64_t within(std::int64_t value, std::int64_t lo, std::int64_t hi) {
    return value < lo ? lo : value > hi ? hi : value;
}

// What a device-code poll's OAuth error means (RFC 8628 3.5).
enum class DeviceAnswer { pending, slow_down, declined, expired, other };

DeviceAnswer device_answer(const std::string& oauth_error) {
    if (oauth_error == "authorization_pending")
        return DeviceAnswer::pending;
    if (oauth_error == "slow_down")
        return DeviceAnswer::slow_down;
    // RFC 8628 says access_denied; the Microsoft identity platform answers
    // authorization_declined ("The end user denied the authorization request").
    if (oauth_error == "access_denied" || oauth_error == "authorization_declined")
        return DeviceAnswer::declined;
    if (oauth_error == "expired_token")
        return DeviceAnswer::expired;
    return DeviceAnswer::other;
}

}  // namespace

std::string percent_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty())
            out += '&';
        out += percent_encode(k) + "=" + percent_encode(v);
    }
    return out;
}

std::string pkce_challenge(const std::string& code_verifier) {
    return encoding::base64url(sha256(code_verifier));
}

OAuthFlow::OAuthFlow(OAuthEndpoints endpoints, OAuthClient client, std::string host_key,
                     std::shared_ptr<HttpClient> http)
    : endpoints_(std::move(endpoints)),
      client_(std::move(client)),
      host_key_(std::move(host_key)),
      http_(std::move(http)) {}

AuthorizationRequest OAuthFlow::begin(const std::string& connection_id, Instant now) {
    AuthorizationRequest r;
    r.code_verifier = encoding::base64url(random_bytes(32));  // 43 characters, RFC 7636 4.1
    // state = payload "." HMAC(payload); the payload binds the connection, an expiry and a
    // nonce that can be spent once.
    const std::string payload = encoding::base64url(
        connection_id + "\n" + std::to_string(to_unix(now) + kStateLifetimeSeconds) + "\n" +
        encoding::base64url(random_bytes(16)));
    r.state = payload + "." + encoding::base64url(hmac_sha256(host_key_, payload));
    const std::string scopes = scope_list();
    std::vector<std::pair<std::string, std::string>> q{
        {"response_type", "code"},
        {"client_id", client_.client_id},
        {"redirect_uri", client_.redirect_uri},
        {"scope", scopes},
        {"state", r.state},
        {"code_challenge", pkce_challenge(r.code_verifier)},
        {"code_challenge_method", "S256"}};
    q.insert(q.end(), client_.extra_parameters.begin(), client_.extra_parameters.end());
    const char joiner = endpoints_.authorization_url.find('?') == std::string::npos ? '?' : '&';
    r.url = endpoints_.authorization_url + joiner + form_encode(q);
    return r;
}

std::string OAuthFlow::scope_list() const {
    std::string scopes;
    for (const std::string& s : client_.scopes)
        scopes += (scopes.empty() ? "" : " ") + s;
    return scopes;
}

Result<std::string> OAuthFlow::accept_state(const std::string& state, Instant now) {
    const auto refused = [](const char* why) {
        return make_error(ErrorCode::auth, std::string("authorization state refused: ") + why);
    };
    const auto dot = state.find('.');
    if (dot == std::string::npos)
        return refused("malformed");
    const std::string payload = state.substr(0, dot);
    if (!constant_time_equal(state.substr(dot + 1),
                             encoding::base64url(hmac_sha256(host_key_, payload))))
        return refused("altered or not issued here");
    auto decoded = encoding::base64url_decode(payload);
    if (!decoded.ok())
        return refused("malformed");
    const std::string& text = decoded.value();
    const auto a = text.find('\n');
    const auto b = text.find('\n', a + 1);
    if (a == std::string::npos || b == std::string::npos)
        return refused("malformed");
    const std::int64_t expires = std::stoll(text.substr(a + 1, b - a - 1));
    if (to_unix(now) > expires)
        return refused("expired");
    if (!used_nonces_.insert(text.substr(b + 1)).second)
        return refused("already used");
    return text.substr(0, a);
}

Result<TokenSet> OAuthFlow::token_request(const std::string& form, const TokenSet* previous,
                                          Instant now, std::string* oauth_error) {
    HttpRequest request;
    request.method = "POST";
    request.url = endpoints_.token_url;
    request.body = form;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    // A token request may be repeated: a code is single-use (a repeat fails cleanly), a
    // refresh yields the same grant.
    request.retry_safe_post = true;
    auto response = http_->send(request);
    if (!response.ok())
        return response.error();
    auto parsed = json::parse_bounded(response->body, json::InvalidUtf8::replace);
    if (!parsed.ok() && response->status == 200)
        return make_error(parsed.error().code, "token endpoint answer: " + parsed.error().message);
    const rapidjson::Document doc = parsed.ok() ? std::move(parsed).value() : rapidjson::Document();
    if (response->status != 200) {
        std::string code = doc.IsObject() && doc.HasMember("error") && doc["error"].IsString()
                               ? doc["error"].GetString()
                               : "";
        if (oauth_error != nullptr)
            *oauth_error = code;
        std::string message = code == "invalid_grant"
                                  ? "the grant was revoked or expired: needs re-authorisation"
                                  : "token endpoint answered HTTP " +
                                        std::to_string(response->status) +
                                        (code.empty() ? "" : " (" + code + ")");
        // RFC 6749 5.2: the client itself failed to authenticate; signing in again cannot
        // help, configuring the client can.
        if (code == "invalid_client")
            message += ": the OAuth client was refused; check its client id and secret";
        Error e = make_error(code == "invalid_grant" ? ErrorCode::auth : ErrorCode::http, message);
        e.http_status = response->status;
        return e;
    }
    if (!doc.IsObject() || !doc.HasMember("access_token") || !doc["access_token"].IsString())
        return make_error(ErrorCode::parse, "token endpoint answered without an access_token");
    TokenSet t;
    t.access_token = doc["access_token"].GetString();
    if (doc.HasMember("refresh_token") && doc["refresh_token"].IsString())
        t.refresh_token = doc["refresh_token"].GetString();
    else if (previous != nullptr)
        t.refresh_token = previous->refresh_token;  // not rotated: keep the one we have
    if (doc.HasMember("scope") && doc["scope"].IsString())
        t.scope = doc["scope"].GetString();
    const std::int64_t lifetime = doc.HasMember("expires_in") && doc["expires_in"].IsInt64()
                                      ? doc["expires_in"].GetInt64()
                                      : 3600;
    t.expires_at = now + std::chrono::seconds(within(lifetime, 0, kLongestLifetime));
    return t;
}

void OAuthFlow::authenticate(std::vector<std::pair<std::string, std::string>>* form) const {
    form->emplace_back("client_id", client_.client_id);
    if (client_.confidential())
        form->emplace_back("client_secret", client_.client_secret);
}

Result<TokenSet> OAuthFlow::exchange(const std::string& code, const std::string& code_verifier,
                                     Instant now) {
    std::vector<std::pair<std::string, std::string>> f{{"grant_type", "authorization_code"},
                                                       {"code", code},
                                                       {"redirect_uri", client_.redirect_uri},
                                                       {"code_verifier", code_verifier}};
    authenticate(&f);
    return token_request(form_encode(f), nullptr, now);
}

Result<TokenSet> OAuthFlow::refresh(const TokenSet& current, Instant now) {
    std::vector<std::pair<std::string, std::string>> f{{"grant_type", "refresh_token"},
                                                       {"refresh_token", current.refresh_token}};
    authenticate(&f);
    return token_request(form_encode(f), &current, now);
}

std::optional<Error> OAuthFlow::refuse_device_flow() const {
    if (endpoints_.device_authorization_url.empty())
        return make_error(ErrorCode::invalid_argument,
                          "this provider has no device authorization endpoint");
    if (endpoints_.device_flow_public_clients_only && client_.confidential())
        return make_error(ErrorCode::invalid_argument,
                          "the device sign-in is for public clients, but a client secret is "
                          "configured for this OAuth client (a confidential client, which "
                          "must send it on every token request): remove the client secret "
                          "to sign in with the device code (a public client, with public "
                          "client flows allowed), or sign in through the browser");
    return std::nullopt;
}

Result<DeviceAuthorization> OAuthFlow::device_begin(Instant now) {
    if (auto refused = refuse_device_flow())
        return *refused;
    HttpRequest request;
    request.method = "POST";
    request.url = endpoints_.device_authorization_url;
    request.body = form_encode({{"client_id", client_.client_id}, {"scope", scope_list()}});
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    request.retry_safe_post = true;  // a repeat only issues another code
    auto response = http_->send(request);
    if (!response.ok())
        return response.error();
    if (response->status != 200)
        return http_status_error(response->status, "device authorization request");
    auto parsed = json::parse_bounded(response->body, json::InvalidUtf8::replace);
    if (!parsed.ok())
        return make_error(parsed.error().code,
                          "device authorization answer: " + parsed.error().message);
    const rapidjson::Document& doc = parsed.value();
    const auto text = [&doc](const char* name) -> std::string {
        return doc.IsObject() && doc.HasMember(name) && doc[name].IsString() ? doc[name].GetString()
                                                                             : "";
    };
    const auto seconds = [&doc](const char* name, std::int64_t fallback) {
        return doc.IsObject() && doc.HasMember(name) && doc[name].IsInt64() ? doc[name].GetInt64()
                                                                            : fallback;
    };
    DeviceAuthorization d;
    d.device_code = text("device_code");
    d.user_code = text("user_code");
    // RFC 8628 names it verification_uri; Google's endpoint says verification_url.
    d.verification_uri = text("verification_uri");
    if (d.verification_uri.empty())
        d.verification_uri = text("verification_url");
    d.message = text("message");
    if (d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty())
        return make_error(ErrorCode::parse,
                          "device authorization answer lacks device_code, user_code or "
                          "verification_uri");
    d.interval = std::chrono::seconds(within(seconds("interval", 5), 1, 600));  // 3.2: default 5
    d.expires_at = now + std::chrono::seconds(within(seconds("expires_in", 900), 0, 86'400));
    return d;
}

Result<std::optional<TokenSet>> OAuthFlow::device_poll(DeviceAuthorization& device, Instant now) {
    if (auto refused = refuse_device_flow())
        return *refused;
    if (now >= device.expires_at)
        return make_error(ErrorCode::auth, "the device code expired before it was approved");
    std::vector<std::pair<std::string, std::string>> f{
        {"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
        {"device_code", device.device_code}};
    authenticate(&f);
    std::string oauth_error;
    auto tokens = token_request(form_encode(f), nullptr, now, &oauth_error);
    if (tokens.ok())
        return std::optional<TokenSet>(std::move(tokens).value());
    switch (device_answer(oauth_error)) {
        case DeviceAnswer::pending:
            return std::optional<TokenSet>();
        case DeviceAnswer::slow_down:
            device.interval += std::chrono::seconds(5);
            return std::optional<TokenSet>();
        case DeviceAnswer::declined:
            return make_error(ErrorCode::auth, "the person declined the authorization request");
        case DeviceAnswer::expired:
            return make_error(ErrorCode::auth, "the device code expired before it was approved");
        case DeviceAnswer::other:
            break;
    }
    return tokens.error();
}

Result<void> OAuthFlow::revoke(const std::string& token) {
    if (endpoints_.revocation_url.empty())
        return make_error(ErrorCode::invalid_argument, "this provider has no revocation endpoint");
    HttpRequest request;
    request.method = "POST";
    request.url = endpoints_.revocation_url;
    request.body = form_encode({{"token", token}, {"client_id", client_.client_id}});
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.retry_safe_post = true;  // revoking twice is harmless
    auto response = http_->send(request);
    if (!response.ok())
        return response.error();
    if (response->status == 200)
        return {};
    const rapidjson::Document doc = json::parse_bounded_or_null(response->body);
    const std::string code = doc.IsObject() && doc.HasMember("error") && doc["error"].IsString()
                                 ? doc["error"].GetString()
                                 : "";
    if (response->status == 400 && code == "invalid_token")
        return {};
    Error e = make_error(ErrorCode::http, "revocation endpoint answered HTTP " +
                                              std::to_string(response->status) +
                                              (code.empty() ? "" : " (" + code + ")"));
    e.http_status = response->status;
    return e;
}

}  // namespace calsync::net
