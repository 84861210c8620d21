// The configuration documents of calsync_provider_new and calsync_oauth_new (schemas in
// capi/include/calsync.h) as plain data; the C ABI turns them into providers and OAuth
// flows. Secrets (passwords, client secrets, tokens, the host key) are never echoed in a
// message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/cancel.hpp"
#include "calsync/civil_time.hpp"
#include "calsync/request_budget.hpp"
#include "calsync/result.hpp"
#include "core/json_read.hpp"

namespace calsync::json {

struct NetworkConfig {
    bool allow_private_addresses = false;
    std::string ca_bundle;
    std::string proxy;  // empty: none (environment proxies are never used)
    std::int64_t connect_timeout_seconds = 10;
    std::int64_t total_timeout_seconds = 120;  // one request
    // One connection's sync (or one calsync_provider_* call): every request and retry wait.
    std::int64_t sync_timeout_seconds = 300;
    // Not from JSON: the sync service's, so freeing a client stops its transfers.
    std::shared_ptr<const CancelSignal> cancel;
};

// The allowed range of each timeout, in seconds: read_network_member refuses values
// outside it, naming the key and the range.
struct SecondsRange {
    const char* name;
    std::int64_t min;
    std::int64_t max;
};
constexpr SecondsRange kConnectTimeoutRange{"connect_timeout_seconds", 1, 300};
constexpr SecondsRange kTotalTimeoutRange{"total_timeout_seconds", 1, 3600};
constexpr SecondsRange kSyncTimeoutRange{"sync_timeout_seconds", 1, 3600};

// An OAuth 2.0 client of Google or Microsoft; every endpoint can be overridden (national
// clouds, fakes in tests).
struct OAuthConfig {
    enum class Service { google, microsoft };
    Service service = Service::google;
    std::string client_id;
    std::string client_secret;  // empty for public clients (PKCE only)
    std::string redirect_uri;
    bool exports = true;              // some calendar takes exports: write scopes
    std::vector<std::string> scopes;  // empty: the service's narrowest for `exports`
    std::string tenant;               // microsoft: common, organizations, consumers or an id
    std::string authority_url;        // microsoft: empty = https://login.microsoftonline.com
    std::string authorization_url;    // each: empty = the service's own
    std::string token_url;
    std::string revocation_url;
    std::string device_authorization_url;
    std::string host_key;  // base64url text as given; calsync_oauth_new needs one
    // google: the Cloud project's Calendar API quota, requests per minute; 0: Google's
    // default (10,000).
    std::int64_t requests_per_minute = 0;
    NetworkConfig network;
};

// The bounds of "requests_per_minute".
constexpr std::int64_t kMaxRequestsPerMinute = 10000000;

struct TokensConfig {
    std::string access_token;
    std::string refresh_token;
    std::string scope;
    Instant expires_at{};
};

struct ProviderConfig {
    enum class Kind { caldav, icloud, ics_feed, google, microsoft };
    Kind kind = Kind::caldav;
    std::string url;
    std::string username;
    std::string password;  // never echoed in a message
    std::string name;      // ics_feed: the label; else the feed's X-WR-CALNAME
    std::vector<std::string> owner_addresses;
    OAuthConfig oauth;         // google, microsoft
    TokensConfig tokens;       // google, microsoft
    std::string api_base_url;  // google, microsoft: empty = the service's own
    // caldav, icloud: the calendar home an earlier discovery found (the provider's
    // learned_settings), so listing the calendars starts there; empty: discover.
    std::string calendar_home;
    NetworkConfig network;
    // Not from JSON: set by a fleet's worker, so the processes sending on one OAuth
    // project share its quota (empty: this process paces itself).
    RequestBudgets request_budgets;
};

Result<ProviderConfig> parse_provider_config(std::string_view text);

// For other documents that embed these objects (the client configuration): the "network"
// member of `doc`, when present; and an OAuth client's fields in `obj`, `path` prefixing
// names in messages. Both report the first mistake in `p`.
bool read_network_member(const rapidjson::Value& doc, NetworkConfig* out, detail::Problem* p);
bool read_oauth_client(const rapidjson::Value& obj, const std::string& path, OAuthConfig* out,
                       detail::Problem* p);
Result<OAuthConfig> parse_oauth_config(std::string_view text);
// {"state", "code", "code_verifier"}: what calsync_oauth_complete takes.
struct OAuthCompletion {
    std::string state;
    std::string code;
    std::string code_verifier;
};
Result<OAuthCompletion> parse_oauth_completion(std::string_view text);
Result<TokensConfig> parse_tokens(std::string_view text);
// {"version": 1, "access_token", "refresh_token", "scope", "expires_at"}
std::string write_tokens(const TokensConfig& tokens);
// calsync_oauth_begin's answer: {"version": 1, "url", "state", "code_verifier"}
std::string write_authorization_request(const std::string& url, const std::string& state,
                                        const std::string& code_verifier);
// calsync_oauth_complete's answer: {"version": 1, "connection_id", "tokens": TOKENS}
std::string write_oauth_completion(const std::string& connection_id, const TokensConfig& tokens);
// calsync_oauth_device_begin's answer (RFC 8628 3.2, as calsync.h documents it).
struct DeviceCodeDocument {
    std::string device_code;
    std::string user_code;
    std::string verification_uri;
    std::string message;
    std::int64_t interval_seconds = 5;
    Instant expires_at{};
};
std::string write_device_code(const DeviceCodeDocument& device);

}  // namespace calsync::json
