// Where a credential may go: the origin (scheme, host, port: RFC 6454) of a URL, read with
// libcurl's URL parser rather than by hand, and the scope a password or token was given
// for.
#pragma once

#include <string>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync::net {

struct Origin {
    std::string scheme;  // "http" or "https", lower case
    std::string host;    // lower case; an IPv6 address in brackets
    int port = 0;        // the explicit port, else the scheme's default

    bool operator==(const Origin& o) const {
        return scheme == o.scheme && host == o.host && port == o.port;
    }
    bool operator!=(const Origin& o) const { return !(*this == o); }
    // "https://host" or "https://host:8443": what messages show of it.
    std::string text() const;
};

// The origin of an absolute http or https URL; invalid_argument for anything else.
Result<Origin> parse_origin(std::string_view url);

// Whether an absolute URL carries user information ("https://user:pw@host/").
bool has_user_info(std::string_view url);

// `reference` (a Location header, an href) resolved against `base` (RFC 3986 5.2), with
// any user information dropped: a server's link never carries credentials onward.
Result<std::string> resolve_reference(std::string_view base, std::string_view reference);

// A URL whose path and query are themselves the secret (a private feed address): only its
// origin, for messages and for the account name ("https://calendar.google.com/...").
std::string redact_secret_url(std::string_view url);

// Where one password or token may be sent: the origin it was given for, and for a preset
// service that spans hosts (iCloud's partitions p01-caldav.icloud.com ...) any https host
// inside that service's DNS domain on the default port.
struct CredentialScope {
    Origin origin;
    std::string https_domain;  // e.g. "icloud.com"; empty: the origin alone

    bool covers(const Origin& target) const;
};

}  // namespace calsync::net
