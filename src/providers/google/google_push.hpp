// Push notifications (Calendar API "Push notifications" guide): the token calsync gives
// each events.watch channel, and the check of an incoming notification's headers.
//
// A notification is a body-less POST to the host's HTTPS address with X-Goog-Channel-ID,
// X-Goog-Channel-Token, X-Goog-Resource-State (sync | exists | not_exists),
// X-Goog-Resource-ID, X-Goog-Resource-URI and X-Goog-Message-Number. The token is
// HMAC-signed over the channel id, the connection id and the calendar id with the host's
// key, so the host learns which connection and calendar to sync without a lookup, and a
// forged or altered notification is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/push.hpp"
#include "calsync/result.hpp"
#include "net/http.hpp"

namespace calsync::providers::google {

// The Channel "token" field is delivered verbatim in X-Goog-Channel-Token; Google caps it
// at 256 characters, so very long connection or calendar ids are refused (Error
// invalid_argument) rather than truncated.
Result<std::string> channel_token(std::string_view host_key, const std::string& channel_id,
                                  const std::string& connection_id, const std::string& calendar_id);

struct PushTarget {
    std::string connection_id;
    std::string calendar_id;
    std::string channel_id;
    std::string resource_id;     // with channel_id, what channels.stop needs
    std::string resource_state;  // sync, exists or not_exists
    // False for "sync", the message Google sends when a channel is created: nothing
    // changed, nothing to fetch. True otherwise: run an incremental sync of the calendar.
    bool sync_needed = false;
};

// Checks a notification's headers (names case-insensitive). Error auth when the token is
// missing, malformed, or not signed by `host_key` for this channel id; Error
// invalid_argument when a required header is missing or the state is unknown.
Result<PushTarget> read_push_notification(const std::vector<net::Header>& headers,
                                          std::string_view host_key);

// A random UUID (version 4), as the Push guide suggests: a channel id never repeats across
// processes.
std::string random_channel_id();

// The PushReader of Google notifications: those with an X-Goog-Channel-ID header, read
// by read_push_notification. A "sync" message (the channel was just made) changes nothing.
std::optional<Result<PushNotice>> read_push(const PushRequest& request, std::string_view host_key);

}  // namespace calsync::providers::google
