// The OAuth half of the C ABI: a calsync_oauth runs the authorization code flow with PKCE
// and the device flow for one OAuth client of Google or Microsoft, and refreshes and
// revokes tokens. It keeps the states it issued (spent once) and the device codes it
// handed out, so one handle serves one sign-in from begin to complete.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "calsync.h"
#include "capi_support.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"
#include "providers/provider_factory.hpp"

struct calsync_oauth {
    std::shared_ptr<calsync::net::OAuthFlow> flow;
    std::map<std::string, calsync::net::DeviceAuthorization> devices;  // by device code
};

namespace {

using namespace calsync;
using namespace calsync::capi;
using providers::to_token_set;
using providers::to_tokens_config;

constexpr std::size_t kMinHostKeyBytes = 32;

Instant now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

calsync_status oauth_new(const char* config_json, calsync_oauth** out) {
    if (config_json == nullptr)
        return null_argument("config_json");
    if (out == nullptr)
        return null_argument("oauth");
    auto config = json::parse_oauth_config(config_json);
    if (!config.ok())
        return fail(config.error());
    auto key = encoding::base64url_decode(config->host_key);
    if (!key.ok() || key->size() < kMinHostKeyBytes)
        return fail(member_error("host_key", "expected base64url of at least 32 random bytes"));
    auto handle = std::make_unique<calsync_oauth>();
    handle->flow = providers::make_oauth_flow(
        config.value(), providers::make_http_client(config->network), std::move(key).value());
    *out = handle.release();
    last_error.clear();
    return CALSYNC_OK;
}

calsync_status begin(calsync_oauth* o, const char* connection_id, char** out) {
    if (o == nullptr)
        return null_argument("oauth");
    if (connection_id == nullptr || *connection_id == '\0')
        return invalid_argument("connection_id", "must be a non-empty string");
    if (out == nullptr)
        return null_argument("response_json");
    const auto request = o->flow->begin(connection_id, now());
    return hand_out(
        json::write_authorization_request(request.url, request.state, request.code_verifier), out);
}

calsync_status complete(calsync_oauth* o, const char* request_json, char** out) {
    if (o == nullptr)
        return null_argument("oauth");
    if (request_json == nullptr)
        return null_argument("request_json");
    if (out == nullptr)
        return null_argument("response_json");
    auto request = json::parse_oauth_completion(request_json);
    if (!request.ok())
        return fail(request.error());
    auto connection = o->flow->accept_state(request->state, now());
    if (!connection.ok())
        return fail(connection.error());
    auto tokens = o->flow->exchange(request->code, request->code_verifier, now());
    if (!tokens.ok())
        return fail(tokens.error());
    return hand_out(
        json::write_oauth_completion(connection.value(), to_tokens_config(tokens.value())), out);
}

calsync_status device_begin(calsync_oauth* o, char** out) {
    if (o == nullptr)
        return null_argument("oauth");
    if (out == nullptr)
        return null_argument("response_json");
    auto device = o->flow->device_begin(now());
    if (!device.ok())
        return fail(device.error());
    const std::string answer =
        json::write_device_code({device->device_code, device->user_code, device->verification_uri,
                                 device->message, device->interval.count(), device->expires_at});
    o->devices[device->device_code] = device.value();
    return hand_out(answer, out);
}

calsync_status device_poll(calsync_oauth* o, const char* device_code, char** out) {
    if (o == nullptr)
        return null_argument("oauth");
    if (device_code == nullptr)
        return null_argument("device_code");
    if (out == nullptr)
        return null_argument("tokens_json");
    auto it = o->devices.find(device_code);
    if (it == o->devices.end())
        return invalid_argument("device_code",
                                "not one calsync_oauth_device_begin handed out on this handle");
    auto tokens = o->flow->device_poll(it->second, now());
    if (!tokens.ok()) {
        o->devices.erase(it);  // declined or expired: the code is spent
        return fail(tokens.error());
    }
    if (!tokens->has_value())
        return fail(CALSYNC_EPENDING,
                    "waiting for the person to approve the sign-in; poll again "
                    "in " +
                        std::to_string(it->second.interval.count()) + " s");
    o->devices.erase(it);
    return hand_out(json::write_tokens(to_tokens_config(**tokens)), out);
}

calsync_status refresh(calsync_oauth* o, const char* tokens_json, char** out) {
    if (o == nullptr)
        return null_argument("oauth");
    if (tokens_json == nullptr)
        return null_argument("tokens_json");
    if (out == nullptr)
        return null_argument("response_json");
    auto current = json::parse_tokens(tokens_json);
    if (!current.ok())
        return fail(current.error());
    auto fresh = o->flow->refresh(to_token_set(current.value()), now());
    if (!fresh.ok())
        return fail(fresh.error());
    return hand_out(json::write_tokens(to_tokens_config(fresh.value())), out);
}

calsync_status revoke(calsync_oauth* o, const char* token) {
    if (o == nullptr)
        return null_argument("oauth");
    if (token == nullptr || *token == '\0')
        return invalid_argument("token", "must be a non-empty string");
    auto done = o->flow->revoke(token);
    if (!done.ok())
        return fail(done.error());
    last_error.clear();
    return CALSYNC_OK;
}

}  // namespace

extern "C" {

calsync_status calsync_oauth_new(const char* config_json, calsync_oauth** oauth) {
    return guarded("calsync_oauth_new", [&] { return oauth_new(config_json, oauth); });
}

void calsync_oauth_free(calsync_oauth* oauth) {
    delete oauth;
}

calsync_status calsync_oauth_begin(calsync_oauth* oauth, const char* connection_id,
                                   char** response_json) {
    return guarded("calsync_oauth_begin",
                   [&] { return begin(oauth, connection_id, response_json); });
}

calsync_status calsync_oauth_complete(calsync_oauth* oauth, const char* request_json,
                                      char** response_json) {
    return guarded("calsync_oauth_complete",
                   [&] { return complete(oauth, request_json, response_json); });
}

calsync_status calsync_oauth_device_begin(calsync_oauth* oauth, char** response_json) {
    return guarded("calsync_oauth_device_begin",
                   [&] { return device_begin(oauth, response_json); });
}

calsync_status calsync_oauth_device_poll(calsync_oauth* oauth, const char* device_code,
                                         char** tokens_json) {
    return guarded("calsync_oauth_device_poll",
                   [&] { return device_poll(oauth, device_code, tokens_json); });
}

calsync_status calsync_oauth_refresh(calsync_oauth* oauth, const char* tokens_json,
                                     char** response_json) {
    return guarded("calsync_oauth_refresh",
                   [&] { return refresh(oauth, tokens_json, response_json); });
}

calsync_status calsync_oauth_revoke(calsync_oauth* oauth, const char* token) {
    return guarded("calsync_oauth_revoke", [&] { return revoke(oauth, token); });
}

}  // extern "C"
