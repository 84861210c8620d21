#include "providers/google/google_push.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"

namespace calsync::providers::google {
namespace {

constexpr std::size_t kMaxTokenLength = 256;
constexpr std::size_t kSignatureBytes = 16;  // 128 bits of HMAC-SHA-256 (RFC 2104 5)
constexpr const char* kTokenVersion = "v1";

std::string signature(std::string_view host_key, const std::string& channel_id,
                      const std::string& connection_id, const std::string& calendar_id) {
    // Length-prefixed fields: no choice of ids can make two different triples sign alike.
    std::string data = "calsync google push\n";
    for (const std::string* part : {&channel_id, &connection_id, &calendar_id})
        data += std::to_string(part->size()) + ":" + *part + "\n";
    return encoding::base64url(net::hmac_sha256(host_key, data).substr(0, kSignatureBytes));
}

// The headers with lower-cased names, so HttpResponse::header finds them as it finds a
// response's.
net::HttpResponse with_lowercase_names(const std::vector<net::Header>& headers) {
    net::HttpResponse r;
    for (const net::Header& h : headers)
        r.headers.push_back({ascii::lower(h.name), h.value});
    return r;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    for (;;) {
        const auto at = text.find(sep, from);
        parts.push_back(text.substr(from, at - from));
        if (at == std::string::npos)
            return parts;
        from = at + 1;
    }
}

}  // namespace

Result<std::string> channel_token(std::string_view host_key, const std::string& channel_id,
                                  const std::string& connection_id,
                                  const std::string& calendar_id) {
    const std::string token = std::string(kTokenVersion) + "." +
                              encoding::base64url(connection_id) + "." +
                              encoding::base64url(calendar_id) + "." +
                              signature(host_key, channel_id, connection_id, calendar_id);
    if (token.size() > kMaxTokenLength)
        return make_error(ErrorCode::invalid_argument,
                          "the connection and calendar ids are too long for a push channel token "
                          "(Google allows 256 characters)");
    return token;
}

Result<PushTarget> read_push_notification(const std::vector<net::Header>& headers,
                                          std::string_view host_key) {
    const net::HttpResponse received = with_lowercase_names(headers);
    const auto required = [&](const char* name) -> Result<std::string> {
        const std::string* value = received.header(name);
        if (value == nullptr || value->empty())
            return make_error(ErrorCode::invalid_argument,
                              std::string("push notification without ") + name);
        return *value;
    };
    auto channel = required("X-Goog-Channel-ID");
    if (!channel.ok())
        return channel.error();
    const std::string* token = received.header("X-Goog-Channel-Token");
    const auto refused = [](const char* why) {
        return make_error(ErrorCode::auth, std::string("push notification refused: ") + why);
    };
    if (token == nullptr || token->empty())
        return refused("no channel token");
    const std::vector<std::string> parts = split(*token, '.');
    if (parts.size() != 4 || parts[0] != kTokenVersion)
        return refused("the channel token is not one calsync issued");
    auto connection = encoding::base64url_decode(parts[1]);
    auto calendar = encoding::base64url_decode(parts[2]);
    if (!connection.ok() || !calendar.ok())
        return refused("the channel token is malformed");
    if (!net::constant_time_equal(
            parts[3], signature(host_key, channel.value(), connection.value(), calendar.value())))
        return refused("the channel token is not signed for this channel (forged or altered)");
    auto state = required("X-Goog-Resource-State");
    if (!state.ok())
        return state.error();
    if (state.value() != "sync" && state.value() != "exists" && state.value() != "not_exists")
        return make_error(ErrorCode::invalid_argument,
                          "push notification with an unknown resource state");
    auto resource = required("X-Goog-Resource-ID");
    if (!resource.ok())
        return resource.error();
    PushTarget t;
    t.connection_id = connection.value();
    t.calendar_id = calendar.value();
    t.channel_id = channel.value();
    t.resource_id = resource.value();
    t.resource_state = state.value();
    t.sync_needed = state.value() != "sync";
    return t;
}

std::string random_channel_id() {
    std::string bytes = net::random_bytes(16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // RFC 4122 4.4: version 4
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // and its variant
    const std::string hex = encoding::hex(bytes);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<Result<PushNotice>> read_push(const PushRequest& request, std::string_view host_key) {
    std::vector<net::Header> headers;
    for (const auto& [name, value] : request.headers)
        headers.push_back({name, value});
    if (with_lowercase_names(headers).header("X-Goog-Channel-ID") == nullptr)
        return std::nullopt;
    auto target = read_push_notification(headers, host_key);
    if (!target.ok())
        return Result<PushNotice>(target.error());
    PushNotice notice;
    notice.source = "google";
    notice.status = 200;  // Google takes any 2xx; others are retried with backoff
    notice.connection_id = target->connection_id;
    notice.calendar_id = target->calendar_id;
    notice.channel_ids.push_back(target->channel_id);
    // "sync": the channel was just made; nothing changed (Push guide, "Sync message").
    if (!target->sync_needed)
        notice.events.push_back(target->resource_state);
    notice.calendar_changed = target->sync_needed;
    return Result<PushNotice>(std::move(notice));
}

}  // namespace calsync::providers::google
