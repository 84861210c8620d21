#include "providers/google/google_errors.hpp"

#include <rapidjson/document.h>

#include "core/bounded_json.hpp"
#include "net/retry.hpp"

namespace calsync::providers::google {
namespace {

std::string member_string(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject())
        return {};
    auto it = v.FindMember(name);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

bool is_rate_reason(const std::string& reason) {
    return reason == "rateLimitExceeded" || reason == "userRateLimitExceeded";
}

}  // namespace

GoogleErrorBody read_google_error(std::string_view body) {
    GoogleErrorBody out;
    const rapidjson::Document doc = json::parse_bounded_or_null(body);
    if (!doc.IsObject())
        return out;
    auto error = doc.FindMember("error");
    if (error == doc.MemberEnd() || !error->value.IsObject())
        return out;
    out.message = member_string(error->value, "message");
    auto errors = error->value.FindMember("errors");
    if (errors != error->value.MemberEnd() && errors->value.IsArray() && !errors->value.Empty()) {
        const rapidjson::Value& first = errors->value[0];
        out.domain = member_string(first, "domain");
        out.reason = member_string(first, "reason");
        if (out.message.empty())
            out.message = member_string(first, "message");
    }
    return out;
}

bool is_google_throttled(const net::HttpResponse& response) {
    if (response.status != 403)
        return false;
    return is_rate_reason(read_google_error(response.body).reason);
}

bool is_google_transient(const net::HttpResponse& response) {
    return response.status == 500;
}

Error google_status_error(const net::HttpResponse& response, const std::string& subject,
                          const std::string& request) {
    const int status = response.status;
    const GoogleErrorBody body = read_google_error(response.body);
    // Google's own words and reason code, then the request: enough for a person to act
    // on, and nothing from the request's headers or query (where tokens travel).
    std::string detail = body.message.empty() ? "" : ": " + body.message;
    std::string tail = " [" + request + ": HTTP " + std::to_string(status) +
                       (body.reason.empty() ? "" : " " + body.reason) + "]";
    ErrorCode code = ErrorCode::http;
    std::string what;
    if (status == 401) {
        code = ErrorCode::auth;
        what = "Google Calendar refused the access token for " + subject +
               " even after a refresh: the connection needs re-authorisation";
    } else if (status == 429 ||
               (status == 403 && (body.domain == "usageLimits" || is_rate_reason(body.reason)))) {
        code = ErrorCode::rate_limited;
        what = body.reason == "quotaExceeded" ? "Google Calendar usage limits exceeded for " +
                                                    subject + " (these last hours; try again later)"
                                              : "Google Calendar rate limit reached for " + subject;
    } else if (status == 403 && body.reason == "requiredAccessLevel") {
        what = subject +
               " is read-only for this Google account: calsync cannot write appointments "
               "there (share it with the account with \"Make changes to events\", or choose "
               "another calendar)";
    } else if (status == 403 && body.reason == "insufficientPermissions") {
        what = "Google Calendar refused calsync access to " + subject +
               ": the sign-in did not grant the permission this needs (connect the account "
               "again and allow calsync to see and edit events)";
    } else if (status == 403) {
        what = "Google Calendar denied access to " + subject + " (the account lacks permission)";
    } else if (status == 404) {
        code = ErrorCode::not_found;
        what = "Google Calendar has no " + subject +
               " (deleted, or no longer shared with this account)";
    } else if (status == 410) {
        code = ErrorCode::not_found;
        what = "Google Calendar says " + subject + " is gone";
    } else if (status == 409 || status == 412) {
        code = ErrorCode::conflict;
        what = status == 412 ? subject + " changed in Google Calendar since calsync read it"
                             : subject + " already exists in Google Calendar";
    } else {
        what = "Google Calendar could not serve " + subject;
    }
    Error e = make_error(code, what + detail + tail);
    e.http_status = status;
    if (const std::string* retry = response.header("retry-after"))
        e.retry_after = net::parse_retry_after(*retry, std::chrono::system_clock::now());
    return e;
}

}  // namespace calsync::providers::google
