// The one way calsync reads a JSON text: RapidJSON's iterative parser (no recursion, so no
// stack to overflow) through a handler that holds the text to limits a real document never
// reaches, and that decides what becomes of ill-formed UTF-8 in its strings. Every parse
// site (C ABI requests, token answers, Google and Graph pages, push bodies, stored
// settings, the CLI's files) goes through parse_bounded.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync::json {

// Nesting: the deepest document calsync reads (a Graph event's extensions, a C ABI
// request's calendars[].events[].recurrence) nests 6 levels; Graph's innerError chains a
// few more. 64 leaves room and keeps the writer's and our readers' recursion shallow.
constexpr unsigned kMaxDepth = 64;
// Size: the HTTP response cap (net::HttpOptions::max_response_bytes); a C ABI request with
// inline calendars is the largest input a host sends.
constexpr std::size_t kMaxTextBytes = std::size_t{64} << 20;
// Values (keys included): a Google page of 2,500 events with attendees holds under a
// million. Each costs 16 bytes in the document and 16 more while its parent is open, so
// this bounds the document's memory apart from its strings (which the size cap bounds).
constexpr std::size_t kMaxValues = 4'000'000;

struct Limits {
    unsigned max_depth = kMaxDepth;
    std::size_t max_bytes = kMaxTextBytes;
    std::size_t max_values = kMaxValues;
};

// What becomes of an ill-formed UTF-8 sequence in a string or key.
enum class InvalidUtf8 {
    replace,  // remote data: each becomes U+FFFD (core/utf8.hpp)
    refuse,   // host input: the parse fails naming the field ("calendars[0].name")
};

// Errors: parse (not JSON, with the offset), limit_exceeded (deeper, larger or with more
// values than `limits`, naming the limit), invalid_argument (ill-formed UTF-8 under
// InvalidUtf8::refuse, naming the field). Messages name no content of the text.
Result<rapidjson::Document> parse_bounded(std::string_view text, InvalidUtf8 invalid_utf8,
                                          const Limits& limits = {});

// For readers to which an unreadable text only means "nothing in it" (an error body, a
// stored record read for one optional member): the document, or a null one. Ill-formed
// UTF-8 is replaced.
rapidjson::Document parse_bounded_or_null(std::string_view text);

}  // namespace calsync::json
