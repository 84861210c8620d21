// Text encodings of bytes every layer needs, kept once: hex, base64 and base64url (RFC 4648),
// and the decoding of URL query strings (application/x-www-form-urlencoded). Pure
// functions, no I/O: core is the lowest layer that uses them, and the CLI links core.
//
// Query strings are decoded here rather than by libcurl: curl_easy_unescape does not read
// '+' as a space, and CURLU decodes a whole query at once, where a '&' or '=' inside an
// encoded value must stay part of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/result.hpp"

namespace calsync::encoding {

// Lower-case hex, two digits a byte.
std::string hex(std::string_view bytes);
// The bytes of an even number of hex digits (either case); nullopt otherwise.
std::optional<std::string> hex_decode(std::string_view digits);

std::string base64url(std::string_view data);  // RFC 4648 5, no padding
std::string base64(std::string_view data);     // RFC 4648 4, padded (HTTP Basic auth)
Result<std::string> base64url_decode(std::string_view text);

// application/x-www-form-urlencoded decoding (WHATWG URL 5.1): '+' is a space, %XX a byte;
// a malformed escape stays as it is.
std::string form_decode(std::string_view text);
// The decoded values of `key` in `query` ("a=1&b=2", a leading '?' allowed), in order; a
// key without '=' has the value "".
std::vector<std::string> query_values(std::string_view query, std::string_view key);
// The first of them; nullopt when `key` is absent.
std::optional<std::string> query_value(std::string_view query, std::string_view key);

}  // namespace calsync::encoding
