// Which addresses a user-supplied URL may reach, and how such URLs are normalised.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync::net {

// "webcal://" and "webcals://" mean https (RFC 5545 feeds); only http and https pass.
Result<std::string> normalize_user_url(std::string_view url);

// False for loopback, private (RFC 1918, fc00::/7), link-local, multicast, unspecified and
// other non-global addresses, IPv4-mapped IPv6 forms included.
bool is_public_address(const sockaddr* address);

std::string address_text(const sockaddr* address);

// Every address the URL's host resolves to here (or the address it names) must be public.
// For requests through a proxy, where the socket calsync opens leads to the proxy and not
// to the target. The proxy resolves the name again itself, so a name rebound between the
// two lookups is for the proxy's own egress rules to stop.
Result<void> check_target_addresses(std::string_view url);

}  // namespace calsync::net
