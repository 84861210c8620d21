#include "providers/microsoft/graph_push.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "core/bounded_json.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"
#include "providers/microsoft/graph_error.hpp"

namespace calsync::providers::microsoft {
namespace {

constexpr const char* kConnectionParameter = "calsync_connection";
constexpr const char* kCalendarParameter = "calsync_calendar";

std::string subscription_body(const std::vector<std::pair<const char*, std::string>>& fields) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    for (const auto& [key, value] : fields) {
        w.Key(key);
        w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.EndObject();
    return buffer.GetString();
}

Result<Subscription> read_subscription(const net::HttpResponse& response, const std::string& what) {
    auto doc = parse_object(response.body, what);
    if (!doc.ok())
        return doc.error();
    Subscription s;
    s.id = string_member(doc.value(), "id");
    s.resource = string_member(doc.value(), "resource");
    auto expires = parse_rfc3339(string_member(doc.value(), "expirationDateTime"));
    if (s.id.empty() || !expires.ok())
        return make_error(ErrorCode::parse, what + ": the subscription has no id or expiry");
    s.expires_at = expires.value();
    return s;
}

std::string expiry(const PushOptions& options, Instant now) {
    return format_rfc3339(now +
                          std::chrono::duration_cast<std::chrono::seconds>(options.max_lifetime));
}

}  // namespace

std::string client_state_for(std::string_view host_key, const std::string& connection_id,
                             const std::string& calendar_id) {
    return encoding::base64url(net::hmac_sha256(
        host_key, "calsync graph clientState v1\n" + connection_id + "\n" + calendar_id));
}

std::string notification_url_for(const std::string& endpoint, const std::string& connection_id,
                                 const std::string& calendar_id) {
    const char joiner = endpoint.find('?') == std::string::npos ? '?' : '&';
    return endpoint + joiner + kConnectionParameter + "=" + encode_component(connection_id) + "&" +
           kCalendarParameter + "=" + encode_component(calendar_id);
}

Result<Subscription> create_subscription(GraphClient& client, const PushOptions& options,
                                         const std::string& endpoint,
                                         const std::string& connection_id,
                                         const std::string& calendar_id, Instant now) {
    if (options.host_key.size() < 32)
        return make_error(ErrorCode::invalid_argument,
                          "push: the host key must be at least 32 bytes");
    net::HttpRequest request;
    request.method = "POST";
    request.url = client.url("/subscriptions");
    const std::string url = notification_url_for(endpoint, connection_id, calendar_id);
    request.body = subscription_body(
        {{"changeType", "created,updated,deleted"},
         {"notificationUrl", url},
         {"lifecycleNotificationUrl", url},
         {"resource", "me/calendars/" + calendar_id + "/events"},
         {"expirationDateTime", expiry(options, now)},
         {"clientState", client_state_for(options.host_key, connection_id, calendar_id)}});
    auto response = client.send(request);
    if (!response.ok())
        return response.error();
    if (response->status != 201 && response->status != 200)
        return graph_error(response.value(), "POST subscription");
    return read_subscription(response.value(), "POST subscription");
}

Result<Subscription> renew_subscription(GraphClient& client, const PushOptions& options,
                                        const std::string& subscription_id, Instant now) {
    net::HttpRequest request;
    request.method = "PATCH";
    request.url = client.url("/subscriptions/" + encode_component(subscription_id));
    request.body = subscription_body({{"expirationDateTime", expiry(options, now)}});
    auto response = client.send(request);
    if (!response.ok())
        return response.error();
    if (response->status != 200)
        return graph_error(response.value(), "PATCH subscription");
    return read_subscription(response.value(), "PATCH subscription");
}

Result<void> delete_subscription(GraphClient& client, const std::string& subscription_id) {
    net::HttpRequest request;
    request.method = "DELETE";
    request.url = client.url("/subscriptions/" + encode_component(subscription_id));
    auto response = client.send(request);
    if (!response.ok())
        return response.error();
    if ((response->status >= 200 && response->status <= 299) || response->status == 404)
        return {};
    return graph_error(response.value(), "DELETE subscription");
}

std::optional<WebhookReply> answer_validation(std::string_view query) {
    auto token = encoding::query_value(query, "validationToken");
    if (!token)
        return std::nullopt;
    return WebhookReply{200, "text/plain", *token};
}

Result<NotificationBatch> read_notifications(std::string_view host_key, std::string_view query,
                                             std::string_view body) {
    NotificationBatch batch;
    auto connection = encoding::query_value(query, kConnectionParameter);
    auto calendar = encoding::query_value(query, kCalendarParameter);
    if (!connection || !calendar || connection->empty() || calendar->empty())
        return make_error(ErrorCode::invalid_argument,
                          "notification: the URL names no calsync connection and calendar");
    batch.connection_id = *connection;
    batch.calendar_id = *calendar;
    auto doc = json::parse_bounded(body, json::InvalidUtf8::replace);
    if (!doc.ok() && doc.error().code == ErrorCode::limit_exceeded)
        return make_error(ErrorCode::limit_exceeded, "notification: " + doc.error().message);
    const rapidjson::Value* value = nullptr;
    if (doc.ok() && doc->IsObject()) {
        auto it = doc->FindMember("value");
        if (it != doc->MemberEnd() && it->value.IsArray())
            value = &it->value;
    }
    if (value == nullptr)
        return make_error(ErrorCode::invalid_argument,
                          "notification: the body is not a change notification collection");
    const std::string expected = client_state_for(host_key, batch.connection_id, batch.calendar_id);
    for (const auto& n : value->GetArray()) {
        if (!net::constant_time_equal(string_member(n, "clientState"), expected)) {
            ++batch.refused;
            continue;
        }
        ++batch.accepted;
        batch.sync = true;
        const std::string id = string_member(n, "subscriptionId");
        if (!id.empty() && std::find(batch.subscription_ids.begin(), batch.subscription_ids.end(),
                                     id) == batch.subscription_ids.end())
            batch.subscription_ids.push_back(id);
        const std::string lifecycle = string_member(n, "lifecycleEvent");
        if (!lifecycle.empty())
            batch.lifecycle_events.push_back(lifecycle);
    }
    return batch;
}

std::optional<Result<PushNotice>> read_push(const PushRequest& request, std::string_view host_key) {
    PushNotice notice;
    // The handshake comes before any subscription exists (it is how one is made), so it is
    // answered without a lookup.
    if (auto validation = answer_validation(request.query)) {
        notice.source = "graph_validation";
        notice.handshake = true;
        notice.status = validation->status;
        notice.content_type = validation->content_type;
        notice.body = validation->body;
        return Result<PushNotice>(std::move(notice));
    }
    if (!encoding::query_value(request.query, kConnectionParameter))
        return std::nullopt;
    auto batch = read_notifications(host_key, request.query, request.body);
    if (!batch.ok())
        return Result<PushNotice>(batch.error());
    if (batch->accepted == 0 && batch->refused > 0)
        return Result<PushNotice>(make_error(
            ErrorCode::auth, "notification refused: its clientState was not signed by this host"));
    notice.source = "graph";
    notice.status = 202;  // Graph: 202 Accepted within 3 seconds, then do the work
    notice.connection_id = batch->connection_id;
    notice.calendar_id = batch->calendar_id;
    notice.channel_ids = batch->subscription_ids;
    notice.events = batch->lifecycle_events;
    notice.refused = batch->refused;
    const auto has = [&](const char* event) {
        return std::find(notice.events.begin(), notice.events.end(), event) != notice.events.end();
    };
    // Graph ended it: a new one needs subscribing again; until then the calendar is polled.
    notice.channel_ended = has("subscriptionRemoved");
    // Renewing is a request to Graph, too slow for the 3 s reply: the channel is marked for
    // the next renewal (Graph: reauthorize "as soon as possible").
    notice.renewal_requested = has("reauthorizationRequired");
    // "missed" and every change: read the calendar. A reauthorizationRequired alone changed
    // nothing in the calendar.
    const bool only_reauthorization =
        !notice.events.empty() &&
        std::all_of(notice.events.begin(), notice.events.end(),
                    [](const std::string& e) { return e == "reauthorizationRequired"; }) &&
        batch->accepted == notice.events.size();
    notice.calendar_changed = batch->sync && !only_reauthorization;
    return Result<PushNotice>(std::move(notice));
}

}  // namespace calsync::providers::microsoft
