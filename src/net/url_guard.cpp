#include "net/url_guard.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "core/ascii.hpp"
#include "net/origin.hpp"

namespace calsync::net {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return ascii::iequals(s.substr(0, prefix.size()), prefix);
}

bool is_public_v4(std::uint32_t a) {  // host byte order
    const auto in = [a](std::uint32_t net, int bits) {
        const std::uint32_t mask = bits == 0 ? 0 : ~0u << (32 - bits);
        return (a & mask) == net;
    };
    return !(in(0x00000000, 8) ||   // "this" network, 0.0.0.0
             in(0x0A000000, 8) ||   // 10/8
             in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
             in(0x7F000000, 8) ||   // loopback
             in(0xA9FE0000, 16) ||  // link-local, incl. cloud metadata 169.254.169.254
             in(0xAC100000, 12) ||  // 172.16/12
             in(0xC0000000, 24) ||  // IETF protocol assignments
             in(0xC0000200, 24) ||  // documentation TEST-NET-1
             in(0xC0586300, 24) ||  // 6to4 relay anycast (RFC 7526)
             in(0xC0A80000, 16) ||  // 192.168/16
             in(0xC6120000, 15) ||  // benchmarking 198.18/15
             in(0xC6336400, 24) ||  // documentation TEST-NET-2
             in(0xCB007100, 24) ||  // documentation TEST-NET-3
             in(0xE0000000, 4) ||   // multicast
             in(0xF0000000, 4));    // reserved, broadcast
}

std::uint32_t v4_at(const std::uint8_t* b) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           b[3];
}

bool starts_with_bytes(const std::uint8_t* b, std::initializer_list<std::uint8_t> prefix) {
    return std::equal(prefix.begin(), prefix.end(), b);
}

// An IPv6 address is public only inside global unicast (2000::/3, RFC 4291 2.4) and outside
// the special-purpose blocks there. Forms that carry an IPv4 address are judged by it, so
// a private IPv4 address cannot be reached through an IPv6 spelling of it.
bool is_public_v6(const std::uint8_t* b) {
    const bool zeros_80 = std::all_of(b, b + 10, [](std::uint8_t x) { return x == 0; });
    if (zeros_80 && b[10] == 0 && b[11] == 0)
        return is_public_v4(v4_at(b + 12));  // ::a.b.c.d, deprecated IPv4-compatible; :: and ::1
    if (zeros_80 && b[10] == 0xff && b[11] == 0xff)
        return is_public_v4(v4_at(b + 12));  // ::ffff:a.b.c.d, IPv4-mapped
    if (std::all_of(b, b + 8, [](std::uint8_t x) { return x == 0; }) && b[8] == 0xff &&
        b[9] == 0xff && b[10] == 0 && b[11] == 0)
        return is_public_v4(v4_at(b + 12));  // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765)
    if (starts_with_bytes(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}))
        return is_public_v4(v4_at(b + 12));  // 64:ff9b::/96, NAT64 well-known (RFC 6052)
    if ((b[0] & 0xe0) != 0x20)
        return false;  // outside 2000::/3: 64:ff9b:1::/48 local NAT64, fc00::/7, fec0::/10 ...
    if (b[0] == 0x20 && b[1] == 0x02)
        return is_public_v4(v4_at(b + 2));  // 2002::/16, 6to4 (RFC 3056)
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)
        return false;  // 2001::/23, IETF protocol assignments: Teredo 2001::/32 (whose IPv4
                       // address is obfuscated), benchmarking, ORCHID
    if (starts_with_bytes(b, {0x20, 0x01, 0x0d, 0xb8}))
        return false;  // 2001:db8::/32, documentation
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
        return false;  // 3fff::/20, documentation (RFC 9637)
    return true;
}

}  // namespace

Result<std::string> normalize_user_url(std::string_view url) {
    // Messages show no part of the URL past its scheme: a feed's address is its secret.
    std::string out(url);
    if (starts_with_nocase(url, "webcal://")) {
        out = "https://" + std::string(url.substr(9));
    } else if (starts_with_nocase(url, "webcals://")) {
        out = "https://" + std::string(url.substr(10));
    } else if (!starts_with_nocase(url, "https://") && !starts_with_nocase(url, "http://")) {
        const auto scheme = url.find("://");
        return make_error(ErrorCode::invalid_argument,
                          scheme == std::string_view::npos
                              ? std::string("URL: expected http://, https:// or webcal://")
                              : "URL: the scheme '" + std::string(url.substr(0, scheme)) +
                                    "' is not allowed; only http, https and webcal are");
    }
    const auto host_start = out.find("://") + 3;
    if (host_start >= out.size() || out[host_start] == '/' || !parse_origin(out).ok())
        return make_error(ErrorCode::invalid_argument, "URL: no host, or not a valid URL");
    return out;
}

bool is_public_address(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        return is_public_v4(ntohl(v4->sin_addr.s_addr));
    }
    if (address->sa_family != AF_INET6)
        return false;
    return is_public_v6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
}

std::string address_text(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                  sizeof text);
    if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                  sizeof text);
    return text;
}

}  // namespace calsync::net

namespace calsync::net {
namespace {

struct AddrInfoDeleter {
    void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

}  // namespace

Result<void> check_target_addresses(std::string_view url) {
    auto origin = parse_origin(url);
    if (!origin.ok())
        return origin.error();
    std::string host = origin->host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    std::unique_ptr<addrinfo, AddrInfoDeleter> owned(found);
    if (rc != 0)
        return make_error(ErrorCode::network, origin->text() + ": the name does not resolve (" +
                                                  gai_strerror(rc) + ")");
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        if (!is_public_address(a->ai_addr))
            return make_error(ErrorCode::invalid_argument,
                              origin->text() + ": refused to connect to " +
                                  address_text(a->ai_addr) +
                                  ", a loopback, private or link-local address");
    }
    return {};
}

}  // namespace calsync::net
