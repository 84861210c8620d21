// UTF-8 well-formedness (RFC 3629 section 4, Unicode 15 table 3-7): the one place that
// decides it. Text from remote sources (iCalendar, DAV XML, Google and Graph JSON) has its
// ill-formed sequences replaced where it enters; host input is refused, naming the field.
// Every string calsync hands out is then valid UTF-8, which bindings (Python's json, Go's
// encoding/json) rely on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace calsync::utf8 {

constexpr std::size_t npos = std::string_view::npos;

// The byte offset of the first ill-formed sequence (overlong forms, surrogates, code
// points above U+10FFFF, stray continuation bytes, truncated sequences), or npos.
std::size_t first_invalid(std::string_view text);

inline bool is_valid(std::string_view text) {
    return first_invalid(text) == npos;
}

// `text` with each maximal ill-formed subpart replaced by U+FFFD, as Unicode 3.9 (U+FFFD
// substitution of maximal subparts) and the WHATWG decoder do.
std::string replace_invalid(std::string_view text);

// In place; true when something was replaced. Costs one scan when nothing is.
bool make_valid(std::string* text);

}  // namespace calsync::utf8
