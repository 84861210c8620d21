// ASCII text helpers every layer needs, kept once: case-insensitive names (HTTP header
// and field names, iCalendar names, URL schemes) and lower-casing. Bytes are
// compared as ASCII only: protocol names are ASCII, and a locale must not change them.
#pragma once

#include <string>
#include <string_view>

namespace calsync::ascii {

// Equal ignoring ASCII case (RFC 9110 5.1 field names, RFC 5545 3.1 names).
bool iequals(std::string_view a, std::string_view b);

// `text` with A-Z lowered (upper: a-z raised); other bytes as they are.
std::string lower(std::string_view text);
std::string upper(std::string_view text);

}  // namespace calsync::ascii
