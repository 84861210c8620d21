// Google Calendar's JSON error bodies ("Handle API errors" guide) read into calsync Errors
// a host can act on: rate limits, permissions, a deleted calendar, version conflicts.
#pragma once

#include <string>
#include <string_view>

#include "calsync/result.hpp"
#include "net/http.hpp"

namespace calsync::providers::google {

// {"error":{"errors":[{"domain","reason","message",...}],"code","message"}}; the first
// entry of "errors" (empty fields when the body is not of that shape).
struct GoogleErrorBody {
    std::string domain;
    std::string reason;
    std::string message;
};
GoogleErrorBody read_google_error(std::string_view body);

// RetryPolicy::is_throttled for Google: 403 usageLimits/rateLimitExceeded or
// userRateLimitExceeded ("403 or 429 ... respond the same way": exponential backoff).
// quotaExceeded ("Calendar usage limits exceeded") is not retried: it lasts for hours.
bool is_google_throttled(const net::HttpResponse& response);

// RetryPolicy::is_transient for Google: 500 ("backendError ... Suggested action: use
// exponential backoff"). Safe for inserts too: calsync chooses the event id, so a repeated
// insert meets 409 and becomes a read.
bool is_google_transient(const net::HttpResponse& response);

// An answer the caller did not expect, as an Error whose message says what it concerned
// (`subject`, e.g. "calendar 'garage@example.com'") and which request it was (`request`,
// method and redacted URL). 401 (the token refused even after a refresh): auth; 403/429
// limits: rate_limited; 404 and 410: not_found; 409 and 412: conflict; others, 403 for a
// permission included (a read-only calendar, a narrow grant): http. Signing in again is
// asked for only where it can help: a grant Google refuses (invalid_grant, net/oauth).
Error google_status_error(const net::HttpResponse& response, const std::string& subject,
                          const std::string& request);

}  // namespace calsync::providers::google
