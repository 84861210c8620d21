#include "core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace calsync::utf8 {
namespace {

// At `i`: the length of a well-formed sequence (true), or of the maximal ill-formed
// subpart to replace (false). Unicode 15 table 3-7 gives the allowed second bytes.
bool step(std::string_view s, std::size_t i, std::size_t* length) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        *length = 1;
        return true;
    }
    std::size_t trailing = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        trailing = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        trailing = 2;
        if (b0 == 0xE0)
            low = 0xA0;  // no overlong forms
        if (b0 == 0xED)
            high = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        trailing = 3;
        if (b0 == 0xF0)
            low = 0x90;  // no overlong forms
        if (b0 == 0xF4)
            high = 0x8F;  // nothing above U+10FFFF
    } else {
        *length = 1;  // a continuation byte, C0, C1 or F5..FF: never a lead byte
        return false;
    }
    for (std::size_t j = 1; j <= trailing; ++j) {
        if (i + j >= s.size()) {
            *length = j;
            return false;
        }
        const auto b = static_cast<unsigned char>(s[i + j]);
        if (b < low || b > high) {
            *length = j;
            return false;
        }
        low = 0x80;
        high = 0xBF;
    }
    *length = trailing + 1;
    return true;
}

}  // namespace

std::size_t first_invalid(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        // iCalendar text is mostly ASCII: eight bytes at a time until a byte has its high bit.
        while (i + 8 <= text.size()) {
            std::uint64_t chunk = 0;
            std::memcpy(&chunk, text.data() + i, sizeof chunk);
            if ((chunk & 0x8080808080808080ULL) != 0)
                break;
            i += 8;
        }
        if (i >= text.size())
            break;
        std::size_t length = 0;
        if (!step(text, i, &length))
            return i;
        i += length;
    }
    return npos;
}

std::string replace_invalid(std::string_view text) {
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t length = 0;
        if (step(text, i, &length))
            out.append(text.substr(i, length));
        else
            out.append(kReplacement);
        i += length;
    }
    return out;
}

bool make_valid(std::string* text) {
    if (is_valid(*text))
        return false;
    *text = replace_invalid(*text);
    return true;
}

}  // namespace calsync::utf8
