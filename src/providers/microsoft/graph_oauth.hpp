// Microsoft identity platform (v2.0 endpoints) preset for Graph calendars: endpoints per
// authority and tenant, and the scopes for the chosen directions.
#pragma once

#include "core/provider_config.hpp"
#include "net/oauth.hpp"

namespace calsync::providers::microsoft {

// "Calendars.ReadWrite offline_access", or "Calendars.Read offline_access" when no calendar
// takes exports; offline_access is what yields a refresh token.
std::vector<std::string> oauth_scopes(bool exports);

// {authority}/{tenant}/oauth2/v2.0/{authorize,token,devicecode}; the authority defaults to
// https://login.microsoftonline.com (national clouds have their own) and the tenant to
// "common". Microsoft has no RFC 7009 revocation endpoint: revocation_url stays empty
// unless configured, and disconnecting forgets the tokens. The device flow is for public
// clients only: with a client secret configured, use the authorization code flow.
net::OAuthEndpoints oauth_endpoints(const json::OAuthConfig& config);
net::OAuthClient oauth_client(const json::OAuthConfig& config);

}  // namespace calsync::providers::microsoft
