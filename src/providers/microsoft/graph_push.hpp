// Graph change notifications (webhooks) for one calendar: create, renew and delete the
// subscription, answer Graph's validationToken handshake, and read incoming notifications
// into "sync this connection's calendar now".
//
// Which connection and calendar a notification is for travels in the notificationUrl's
// query (Graph sends it back on every POST: "any query string parameter included in the
// notificationUrl ... will be included"), and clientState is an HMAC over both under a
// host key (base64url, 43 characters; Graph allows 128). Checking a notification needs
// no lookup, and one that was not sent for a subscription calsync made is refused.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/push.hpp"
#include "calsync/result.hpp"
#include "providers/microsoft/graph_client.hpp"

namespace calsync::providers::microsoft {

struct PushOptions {
    std::string host_key;  // signs clientState; at least 32 bytes, never leaves the host
    // Outlook events: 10,080 minutes ("under 7 days", subscription.md's current table;
    // the older table said 4230). Graph refuses an expiry past the maximum.
    std::chrono::minutes max_lifetime{10080};
};

struct Subscription {
    std::string id;
    std::string resource;  // "me/calendars/{id}/events"
    Instant expires_at;
};

// POST /subscriptions for created,updated,deleted on the calendar's events. Graph calls
// `endpoint` (with calsync's query added) for the handshake before it answers. The same
// URL is the lifecycleNotificationUrl: without one Graph delivers no missed and no
// subscriptionRemoved notification (change-notifications-lifecycle-events.md), and the
// host would go on trusting a subscription that is gone.
Result<Subscription> create_subscription(GraphClient& client, const PushOptions& options,
                                         const std::string& endpoint,
                                         const std::string& connection_id,
                                         const std::string& calendar_id, Instant now);
// PATCH /subscriptions/{id} with a new expirationDateTime (now + max_lifetime).
Result<Subscription> renew_subscription(GraphClient& client, const PushOptions& options,
                                        const std::string& subscription_id, Instant now);
// DELETE /subscriptions/{id}; 404 counts as done.
Result<void> delete_subscription(GraphClient& client, const std::string& subscription_id);

std::string client_state_for(std::string_view host_key, const std::string& connection_id,
                             const std::string& calendar_id);
// `endpoint` with the connection and calendar added to its query.
std::string notification_url_for(const std::string& endpoint, const std::string& connection_id,
                                 const std::string& calendar_id);

struct WebhookReply {
    int status = 200;
    std::string content_type;
    std::string body;
};

// Graph's handshake: a request whose query has validationToken is answered 200 text/plain
// with the URL-decoded token (within 10 seconds). nullopt when the query has none, i.e.
// the request is a notification.
std::optional<WebhookReply> answer_validation(std::string_view query);

// What a notification POST asks of the host. Reply 202 at once and sync afterwards
// (Graph wants an answer within 3 seconds and retries for 4 hours otherwise).
struct NotificationBatch {
    std::string connection_id;
    std::string calendar_id;
    bool sync = false;                          // at least one notification was genuine
    std::vector<std::string> subscription_ids;  // of the genuine ones, each once
    std::vector<std::string> lifecycle_events;  // "reauthorizationRequired", "missed" ...
    std::size_t accepted = 0;
    std::size_t refused = 0;  // wrong or missing clientState: not from Graph for calsync
};

// `query` is the POST's raw query string, `body` its JSON. invalid_argument when the
// query does not name a calsync connection or the body is not a notification collection.
Result<NotificationBatch> read_notifications(std::string_view host_key, std::string_view query,
                                             std::string_view body);

// The PushReader of Graph requests: the validationToken handshake, and notification
// batches whose URL names a calsync connection (read_notifications). A batch whose every
// notification has a wrong clientState is Error auth.
std::optional<Result<PushNotice>> read_push(const PushRequest& request, std::string_view host_key);

}  // namespace calsync::providers::microsoft
