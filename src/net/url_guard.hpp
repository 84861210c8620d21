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

}  // namespace calsync::net
