// Google's OAuth 2.0 preset: endpoints, the narrowest scopes for the chosen directions and
// the authorization parameters that make Google hand out a refresh token.
#pragma once

#include "core/provider_config.hpp"
#include "net/oauth.hpp"

namespace calsync::providers::google {

// Scopes (https://developers.google.com/calendar/api/auth):
//   calendar.calendarlist.readonly  list the account's calendars (names, colours, access)
//   calendar.events.readonly        read events and watch them (import only)
//   calendar.events                 read and write events (some calendar takes exports)
// Neither grants access to calendar settings, ACLs or creating calendars. Not asked for:
// `calendar` and `calendar.readonly` (sharing, ACLs, settings too), and
// `calendar.events.owned` (it would exclude calendars shared with write access, which a
// garage uses for a common workshop calendar).
std::vector<std::string> oauth_scopes(bool exports);

// What a grant (a token answer's space-separated "scope") lacks for calsync to work at all:
// listing the calendars and reading their events, each as a sentence naming the scope and
// the words of Google's consent screen; empty when nothing is missing. Google's granular
// consent screen lets the person untick any of the scopes asked for. A broader scope
// covers a narrower one (calendar covers calendar.events; calendar.events covers
// calendar.events.readonly). Writing is not required: an import-only grant is a valid
// one, and `doctor` says when exports lack it.
std::vector<std::string> missing_permissions(const std::string& granted_scope);

// Google's endpoints with any override of `config` applied; the client from `config`
// with access_type=offline and prompt=consent (without them a repeated consent returns no
// refresh token).
net::OAuthEndpoints oauth_endpoints(const json::OAuthConfig& config);
net::OAuthClient oauth_client(const json::OAuthConfig& config);

}  // namespace calsync::providers::google
