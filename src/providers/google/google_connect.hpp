// What connecting a Google account needs: the OAuth 2.0 endpoints, the parameters that
// make Google hand out a refresh token, and the narrowest scopes for what calsync will do.
//
// Scopes (under https://www.googleapis.com/auth/), narrowest that do the job:
//   calendar.calendarlist.readonly  "See the list of Google calendars you're subscribed to":
//                                   calendarList.list, to offer calendars to pick; always.
//   calendar.events.readonly        events.list/get and events.watch/channels.stop:
//                                   reading busy times (import only).
//   calendar.events                 events.insert/update/delete (and every read above):
//                                   exports; replaces events.readonly, never added to it.
// Not asked for: `calendar` (also shares and deletes calendars), `calendar.readonly` (also
// ACLs and settings), `calendar.events.owned` (would exclude calendars shared with write
// access, which garages use for a shared workshop calendar).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "net/oauth.hpp"

namespace calsync::providers::google {

struct GoogleDirections {
    bool import_events = true;   // read busy times
    bool export_events = false;  // write appointments
};

std::vector<std::string> google_scopes(const GoogleDirections& directions);

// accounts.google.com's authorization endpoint, oauth2.googleapis.com's token and revoke.
net::OAuthEndpoints google_oauth_endpoints();

// access_type=offline (a refresh token) and prompt=consent (one each time the user
// authorises, not only the first); PKCE S256 is added by net::OAuthFlow.
std::vector<std::pair<std::string, std::string>> google_oauth_extra_parameters();

}  // namespace calsync::providers::google
