#include "net/url_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "net/http.hpp"  // redact_url

namespace calsync::net {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char lower, char c) {
               return std::tolower(static_cast<unsigned char>(c)) == lower;
           });
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
             in(0xC0A80000, 16) ||  // 192.168/16
             in(0xC6120000, 15) ||  // benchmarking 198.18/15
             in(0xE0000000, 4) ||   // multicast
             in(0xF0000000, 4));    // reserved, broadcast
}

}  // namespace

Result<std::string> normalize_user_url(std::string_view url) {
    std::string out(url);
    if (starts_with_nocase(url, "webcal://")) {
        out = "https://" + std::string(url.substr(9));
    } else if (starts_with_nocase(url, "webcals://")) {
        out = "https://" + std::string(url.substr(10));
    } else if (!starts_with_nocase(url, "https://") && !starts_with_nocase(url, "http://")) {
        return make_error(ErrorCode::invalid_argument,
                          "URL '" + redact_url(url) + "': only http, https and webcal are allowed");
    }
    const auto host_start = out.find("://") + 3;
    if (host_start >= out.size() || out[host_start] == '/')
        return make_error(ErrorCode::invalid_argument, "URL '" + redact_url(url) + "': no host");
    return out;
}

bool is_public_address(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        return is_public_v4(ntohl(v4->sin_addr.s_addr));
    }
    if (address->sa_family != AF_INET6)
        return false;
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    const std::uint8_t* b = v6->sin6_addr.s6_addr;
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, kMapped, 12) == 0) {
        const std::uint32_t a = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                                (std::uint32_t{b[14]} << 8) | b[15];
        return is_public_v4(a);
    }
    const bool unspecified_or_loopback =
        std::all_of(b, b + 15, [](std::uint8_t x) { return x == 0; }) && b[15] <= 1;
    if (unspecified_or_loopback)
        return false;
    if ((b[0] & 0xfe) == 0xfc)
        return false;  // fc00::/7 unique local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return false;  // fe80::/10 link-local
    if (b[0] == 0xff)
        return false;  // multicast
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return false;  // docs
    return true;
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
