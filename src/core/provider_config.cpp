#include "core/provider_config.hpp"

#include "core/json_read.hpp"
#include "core/user_terms.hpp"

namespace calsync::json {

using namespace detail;

bool read_network_member(const Value& doc, NetworkConfig* out, Problem* p) {
    const Value* network = member(doc, "network");
    if (network == nullptr)
        return true;
    if (!network->IsObject())
        return p->fail("network", "expected an object");
    if (const Value* v = member(*network, "allow_private_addresses")) {
        if (!read_bool(*v, "network.allow_private_addresses", &out->allow_private_addresses, p))
            return false;
    }
    if (!read_strings(*network, "network", {{"ca_bundle", &out->ca_bundle}, {"proxy", &out->proxy}},
                      p))
        return false;
    const std::pair<SecondsRange, std::int64_t*> seconds[] = {
        {kConnectTimeoutRange, &out->connect_timeout_seconds},
        {kTotalTimeoutRange, &out->total_timeout_seconds},
        {kSyncTimeoutRange, &out->sync_timeout_seconds}};
    for (const auto& [range, field] : seconds) {
        if (const Value* v = member(*network, range.name)) {
            if (!v->IsInt64() || v->GetInt64() < range.min || v->GetInt64() > range.max)
                return p->fail(child("network", range.name),
                               "expected a whole number of seconds from " +
                                   std::to_string(range.min) + " to " + std::to_string(range.max));
            *field = v->GetInt64();
        }
    }
    return true;
}

// The OAuth client settings found in `obj` (a whole calsync_oauth_new document, or a
// provider's "oauth" object); `path` prefixes field names in messages.
bool read_oauth_client(const Value& obj, const std::string& path, OAuthConfig* out, Problem* p) {
    if (!read_strings(obj, path,
                      {{"client_id", &out->client_id},
                       {"client_secret", &out->client_secret},
                       {"redirect_uri", &out->redirect_uri},
                       {"tenant", &out->tenant},
                       {"authority_url", &out->authority_url},
                       {"authorization_url", &out->authorization_url},
                       {"token_url", &out->token_url},
                       {"revocation_url", &out->revocation_url},
                       {"device_authorization_url", &out->device_authorization_url},
                       {"host_key", &out->host_key}},
                      p))
        return false;
    if (const Value* v = member(obj, "exports")) {
        if (!read_bool(*v, child(path, "exports"), &out->exports, p))
            return false;
    }
    if (const Value* v = member(obj, "scopes")) {
        if (!read_string_array(*v, child(path, "scopes"), &out->scopes, p))
            return false;
    }
    if (const Value* v = member(obj, "requests_per_minute")) {
        if (!v->IsInt64() || v->GetInt64() < 1 || v->GetInt64() > kMaxRequestsPerMinute)
            return p->fail(
                child(path, "requests_per_minute"),
                "expected a whole number from 1 to " + std::to_string(kMaxRequestsPerMinute));
        out->requests_per_minute = v->GetInt64();
    }
    return true;
}

namespace {

// A provider or a calsync_oauth_new document cannot work without the client id; a client
// configuration may name only where the service lives and leave the client to each connect.
bool read_required_oauth_client(const Value& obj, const std::string& path, OAuthConfig* out,
                                Problem* p) {
    if (!read_oauth_client(obj, path, out, p))
        return false;
    if (out->client_id.empty())
        return p->fail(child(path, "client_id"), "missing");
    return true;
}

bool read_tokens(const Value& obj, const std::string& path, TokensConfig* out, Problem* p) {
    if (!obj.IsObject())
        return p->fail(path, "expected an object");
    // TOKENS carry their own "version" (calsync_oauth_complete writes it), also nested.
    if (const Value* v = member(obj, "version"); v != nullptr && !(v->IsInt() && v->GetInt() == 1))
        return p->fail(child(path, "version"), "this library reads version 1 tokens");
    if (!read_strings(obj, path,
                      {{"access_token", &out->access_token},
                       {"refresh_token", &out->refresh_token},
                       {"scope", &out->scope}},
                      p))
        return false;
    if (const Value* v = member(obj, "expires_at")) {
        if (!read_instant(*v, child(path, "expires_at"), &out->expires_at, p))
            return false;
    }
    if (out->access_token.empty() && out->refresh_token.empty())
        return p->fail(path, "needs an access_token or a refresh_token");
    return true;
}

}  // namespace

Result<ProviderConfig> parse_provider_config(std::string_view text) {
    return read_document(text, "provider config", [&](const Value& doc) -> Result<ProviderConfig> {
        ProviderConfig config;
        Problem p;
        const Value* kind = member(doc, "kind");
        if (kind == nullptr)
            return member_error("kind", "missing");
        if (!read_enum(*kind, "kind", &config.kind,
                       {{"caldav", ProviderConfig::Kind::caldav},
                        {"icloud", ProviderConfig::Kind::icloud},
                        {"ics_feed", ProviderConfig::Kind::ics_feed},
                        {"google", ProviderConfig::Kind::google},
                        {"microsoft", ProviderConfig::Kind::microsoft}},
                       &p))
            return invalid(p);
        if (!read_strings(doc, "",
                          {{"url", &config.url},
                           {"username", &config.username},
                           {"password", &config.password},
                           {"name", &config.name},
                           {"api_base_url", &config.api_base_url},
                           {"calendar_home", &config.calendar_home}},
                          &p))
            return invalid(p);
        if (const Value* owners = member(doc, "owner_addresses")) {
            if (!read_string_array(*owners, "owner_addresses", &config.owner_addresses, &p))
                return invalid(p);
        }
        if (!read_network_member(doc, &config.network, &p))
            return invalid(p);
        switch (config.kind) {
            case ProviderConfig::Kind::google:
            case ProviderConfig::Kind::microsoft: {
                config.oauth.service = config.kind == ProviderConfig::Kind::google
                                           ? OAuthConfig::Service::google
                                           : OAuthConfig::Service::microsoft;
                const Value* oauth = member(doc, "oauth");
                if (oauth == nullptr || !oauth->IsObject())
                    return member_error("oauth", "missing; expected the OAuth client's object");
                if (!read_required_oauth_client(*oauth, "oauth", &config.oauth, &p))
                    return invalid(p);
                config.oauth.network = config.network;
                const Value* tokens = member(doc, "tokens");
                if (tokens == nullptr)
                    return member_error("tokens",
                                        "missing; connect first (calsync_oauth_complete)");
                if (!read_tokens(*tokens, "tokens", &config.tokens, &p))
                    return invalid(p);
                break;
            }
            case ProviderConfig::Kind::icloud:
                if (config.username.empty() || config.password.empty())
                    return make_error(ErrorCode::invalid_argument,
                                      "username, password: iCloud needs the Apple ID and an "
                                      "app-specific password");
                break;
            case ProviderConfig::Kind::caldav:
            case ProviderConfig::Kind::ics_feed:
                if (config.url.empty())
                    return member_error("url", "missing");
                break;
        }
        return config;
    });
}

Result<OAuthConfig> parse_oauth_config(std::string_view text) {
    return read_document(text, "oauth config", [&](const Value& doc) -> Result<OAuthConfig> {
        OAuthConfig config;
        Problem p;
        const Value* kind = member(doc, "kind");
        if (kind == nullptr)
            return member_error("kind", "missing");
        if (!read_enum(*kind, "kind", &config.service,
                       {{"google", OAuthConfig::Service::google},
                        {"microsoft", OAuthConfig::Service::microsoft}},
                       &p) ||
            !read_required_oauth_client(doc, "", &config, &p) ||
            !read_network_member(doc, &config.network, &p))
            return invalid(p);
        if (config.host_key.empty())
            return member_error("host_key", "missing; the key that signs authorization states");
        return config;
    });
}

Result<OAuthCompletion> parse_oauth_completion(std::string_view text) {
    return read_document(text, "request", [&](const Value& doc) -> Result<OAuthCompletion> {
        OAuthCompletion c;
        Problem p;
        if (!read_strings(
                doc, "",
                {{"state", &c.state}, {"code", &c.code}, {"code_verifier", &c.code_verifier}}, &p))
            return invalid(p);
        for (const auto& [name, value] :
             {std::pair<const char*, const std::string*>{"state", &c.state},
              {"code", &c.code},
              {"code_verifier", &c.code_verifier}}) {
            if (value->empty())
                return make_error(ErrorCode::invalid_argument, std::string(name) + ": missing");
        }
        return c;
    });
}

Result<TokensConfig> parse_tokens(std::string_view text) {
    return read_document(text, "tokens", [&](const Value& doc) -> Result<TokensConfig> {
        TokensConfig t;
        Problem p;
        if (!read_tokens(doc, "tokens", &t, &p))
            return invalid(p);
        return t;
    });
}

namespace {

void write_token_fields(Writer& w, const TokensConfig& tokens) {
    w.StartObject();
    w.Key("version");
    w.Int(1);
    write_string(w, "access_token", tokens.access_token);
    write_string(w, "refresh_token", tokens.refresh_token);
    write_string(w, "scope", tokens.scope);
    write_string(w, "expires_at", format_rfc3339(tokens.expires_at));
    w.EndObject();
}

}  // namespace

std::string write_tokens(const TokensConfig& tokens) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_token_fields(w, tokens);
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string write_authorization_request(const std::string& url, const std::string& state,
                                        const std::string& code_verifier) {
    return write_document([&](Writer& w) {
        write_string(w, "url", url);
        write_string(w, "state", state);
        write_string(w, "code_verifier", code_verifier);
    });
}

std::string write_oauth_completion(const std::string& connection_id, const TokensConfig& tokens) {
    return write_document([&](Writer& w) {
        write_string(w, "connection_id", connection_id);
        w.Key("tokens");
        write_token_fields(w, tokens);
    });
}

std::string write_device_code(const DeviceCodeDocument& device) {
    return write_document([&](Writer& w) {
        write_string(w, "device_code", device.device_code);
        write_string(w, "user_code", device.user_code);
        write_string(w, "verification_uri", device.verification_uri);
        write_string(w, "message", device.message);
        w.Key("interval_seconds");
        w.Int64(device.interval_seconds);
        write_string(w, "expires_at", format_rfc3339(device.expires_at));
    });
}

}  // namespace calsync::json
