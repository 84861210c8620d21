// How a message names what the user got wrong, in the user's terms (issue 15 item 12): a
// member of a JSON document the user sent, or an argument of a C ABI call, always quoted
// and said to be one, so that no message reads as if it began with an internal name
// ("calendar_id: missing" looked like a function's complaint). Every such message is built
// here, so they all read alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync {

// `member "window.start": expected a string`; `path` is the member's place in the document
// ("window.start", "calendars[2].id").
inline std::string member_message(std::string_view path, std::string_view what) {
    std::string message = "member \"";
    message.append(path).append("\": ").append(what);
    return message;
}

// `argument "request_json": must not be NULL`; `name` as the function's documentation in
// calsync.h names it ("request_json", "options.host_key").
inline std::string argument_message(std::string_view name, std::string_view what) {
    std::string message = "argument \"";
    message.append(name).append("\": ").append(what);
    return message;
}

// "1 calendar", "3 calendars": `singular` made plural with an "s" (every noun counted in a
// message is regular).
inline std::string counted(std::size_t n, std::string_view singular) {
    std::string text = std::to_string(n);
    text.append(" ").append(singular);
    if (n != 1)
        text += 's';
    return text;
}

inline Error member_error(std::string_view path, std::string_view what) {
    return make_error(ErrorCode::invalid_argument, member_message(path, what));
}

}  // namespace calsync
