// Microsoft Graph's error answers as calsync Errors. Graph writes
// {"error":{"code","message","innerError":{...}}} (OData v4 error, Graph "Error responses");
// calsync branches on `code` only, as Graph asks, never on `message`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "calsync/result.hpp"
#include "net/http.hpp"

namespace calsync::providers::microsoft {

struct GraphErrorBody {
    std::string code;        // "ErrorItemNotFound", "syncStateNotFound" ...
    std::string message;     // developer text; not shown as it is
    std::string inner_code;  // the innermost innerError code, when there is one
};

// nullopt when the body is not a Graph error object.
std::optional<GraphErrorBody> parse_graph_error(std::string_view body);

// Whether an answer says the delta state is gone and the calendar must be read again
// (410 Gone, or syncStateNotFound / resyncRequired in any 4xx; Graph "delta query").
bool is_sync_reset(const net::HttpResponse& response);

// A readable Error for a Graph answer that is not a success. `what` names the request
// ("PATCH event", no URL query, no secret). Distinct codes a host can act on:
// ErrorItemNotFound -> not_found, ErrorAccessDenied -> auth (permission, not sign-in),
// 412 ErrorIrresolvableConflict -> conflict, 401 -> auth (sign in again),
// 429 -> rate_limited with Retry-After.
Error graph_error(const net::HttpResponse& response, const std::string& what);

}  // namespace calsync::providers::microsoft
