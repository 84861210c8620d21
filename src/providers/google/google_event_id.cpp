#include "providers/google/google_event_id.hpp"

#include <cstdint>

#include "net/crypto.hpp"

namespace calsync::providers::google {
namespace {

constexpr std::size_t kMaxIdLength = 1024;  // Event.id in the Calendar API reference
constexpr std::string_view kPrefix = "calsync:";

// RFC 4648 section 7, lower case, no padding; nullopt for a character outside the
// alphabet or bits left over that a canonical encoding would not leave.
std::optional<std::string> base32hex_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = -1;
        if (c >= '0' && c <= '9')
            value = c - '0';
        else if (c >= 'a' && c <= 'v')
            value = c - 'a' + 10;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

}  // namespace

std::string base32hex(std::string_view bytes) {
    static const char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
    std::string out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += kAlphabet[(buffer >> bits) & 0x1f];
        }
    }
    if (bits > 0)
        out += kAlphabet[(buffer << (5 - bits)) & 0x1f];
    return out;
}

std::string export_event_id(std::string_view export_marker) {
    const std::string named = std::string(kPrefix) + std::string(export_marker);
    std::string id = base32hex(named);
    if (id.size() <= kMaxIdLength)
        return id;
    return "h" + base32hex(net::sha256(named));
}

std::optional<std::string> marker_of_event_id(std::string_view event_id) {
    if (event_id.empty() || event_id.front() != 'c')
        return std::nullopt;
    auto bytes = base32hex_decode(event_id);
    if (!bytes || bytes->size() <= kPrefix.size() ||
        bytes->compare(0, kPrefix.size(), kPrefix) != 0)
        return std::nullopt;
    return bytes->substr(kPrefix.size());
}

}  // namespace calsync::providers::google
