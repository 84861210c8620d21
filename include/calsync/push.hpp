// Push notifications as a provider offers them: a channel the service calls back on when a
// calendar changes (a Google events.watch channel, a Graph subscription), renewed and
// stopped through the provider, and the reading of what the host's endpoint received.
//
// The wire formats (X-Goog-* headers, Graph's validationToken and lifecycle events) stay
// in the adapters; the sync service keeps the channels in the store and decides what a
// notification may do from a PushNotice.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/result.hpp"

namespace calsync {

// What calsync asks of Google for a channel's lifetime (Google may shorten it).
constexpr std::chrono::hours kGoogleChannelLifetime{24 * 7};

// What the host's HTTP endpoint received, handed over as it came.
struct PushRequest {
    std::string method;  // "POST"
    std::string query;   // the raw query string, without '?'
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// What watching one calendar needs. The channel's secret is an HMAC under `host_key` over
// the connection and the calendar, so a notification names both without a lookup and a
// forged one is refused.
struct PushChannelRequest {
    std::string connection_id;
    std::string calendar_id;
    std::string address;  // the host's HTTPS endpoint
    std::string host_key;
    Instant now{};
};

// A channel as the service made it.
struct PushSubscription {
    std::string channel_id;   // Google channel id, Graph subscription id
    std::string resource_id;  // what stopping needs besides the id (Google); "" otherwise
    Instant expires_at{};
    // What the service echoes on every notification (Google's channel token, Graph's
    // clientState): a secret, sealed at rest; "" on a renewal, which keeps the old one.
    std::string secret;
};

// The change notifications of one provider (CalendarProvider::push()).
class PushChannels {
  public:
    virtual ~PushChannels() = default;
    virtual Result<PushSubscription> subscribe(const PushChannelRequest& request) = 0;
    // The same channel with a later expiry. Error not_found when the service no longer
    // holds it or does not renew channels (Google): the caller subscribes anew and stops
    // the old one.
    virtual Result<PushSubscription> renew(const PushSubscription& channel,
                                           const PushChannelRequest& request) = 0;
    // A channel the service no longer knows counts as stopped.
    virtual Result<void> stop(const PushSubscription& channel) = 0;
};

// An incoming request, read by the service it came from.
struct PushNotice {
    std::string source;  // "google", "graph", "graph_validation" (PushAnswer::source)
    int status = 200;    // the reply the service expects (Graph notifications: 202)
    std::string content_type;
    std::string body;
    // A handshake (Graph's validationToken): the reply above is all there is to do.
    bool handshake = false;
    std::string connection_id;  // what its signed secret names
    std::string calendar_id;
    std::vector<std::string> channel_ids;  // the genuine channels it came from, each once
    // The service's own names: Graph lifecycle events, Google's "sync" (channel made).
    std::vector<std::string> events;
    bool calendar_changed = false;   // read the calendar
    bool channel_ended = false;      // the service ended the channel: forget it
    bool renewal_requested = false;  // renew the channel as soon as possible
    std::size_t refused = 0;         // parts with a wrong secret (Graph batches)
};

// Reads `request` when it is its service's: nullopt when it is not. An Error when it is
// but is malformed (invalid_argument), too large (limit_exceeded) or not signed by
// `host_key` (auth). Needs no provider: a notification arrives before anything says which
// connection it is for.
using PushReader = std::optional<Result<PushNotice>> (*)(const PushRequest& request,
                                                         std::string_view host_key);

}  // namespace calsync
