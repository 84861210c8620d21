// An ICS feed's address is its secret: a Google private address (.../private-<token>/
// basic.ics) or an Outlook published calendar carries the key in its path. It is kept
// sealed with the connection's credentials, never in its clear settings, and shown by its
// origin only.
#pragma once

#include <string>

#include "sync/service_state.hpp"

namespace calsync {

struct FeedSecret {
    std::string settings_json;     // without "url"
    std::string credentials_json;  // with it
    std::string url;               // empty when the settings named none
};

// Moves "url" from a feed's settings into its credentials; both unchanged when the
// settings have none.
FeedSecret split_feed_secret(const std::string& settings_json, const std::string& credentials_json);

// The feed's account name: its origin and a digest of the whole address under the host
// key ("https://calendar.google.com/... #Ab3dE9xQ1z"): two feeds on one host differ, a
// reconnect finds its connection again, and the address cannot be had back from it.
std::string feed_account(const SyncService::State& s, const std::string& url);

}  // namespace calsync
