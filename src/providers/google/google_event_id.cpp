#include "providers/google/google_event_id.hpp"

#include <cstdint>

#include "net/crypto.hpp"

namespace calsync::providers::google {
namespace {

constexpr std::size_t kMaxIdLength = 1024;  // Event.id in the Calendar API reference

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
    const std::string named = "calsync:" + std::string(export_marker);
    std::string id = base32hex(named);
    if (id.size() <= kMaxIdLength)
        return id;
    return "h" + base32hex(net::sha256(named));
}

}  // namespace calsync::providers::google
