#include "providers/microsoft/graph_error.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/ascii.hpp"
#include "core/bounded_json.hpp"
#include "net/retry.hpp"
#include "providers/microsoft/graph_client.hpp"

namespace calsync::providers::microsoft {
namespace {

// The innermost innerError code (Graph nests them; "use the most detailed one").
std::string innermost_code(const rapidjson::Value& error) {
    std::string code;
    const rapidjson::Value* at = &error;
    for (int depth = 0; depth < 8 && at->IsObject(); ++depth) {
        auto inner = at->FindMember("innerError");
        if (inner == at->MemberEnd())
            inner = at->FindMember("innererror");
        if (inner == at->MemberEnd() || !inner->value.IsObject())
            break;
        at = &inner->value;
        const std::string c = string_member(*at, "code");
        if (!c.empty())
            code = c;
    }
    return code;
}

// Graph's message is for developers and may be long; a short, single-line excerpt.
std::string excerpt(const std::string& text) {
    std::string out;
    for (char c : text.substr(0, 160))
        out += (c == '\n' || c == '\r') ? ' ' : c;
    return text.size() > 160 ? out + "..." : out;
}

}  // namespace

std::optional<GraphErrorBody> parse_graph_error(std::string_view body) {
    const rapidjson::Document doc = json::parse_bounded_or_null(body);
    if (!doc.IsObject())
        return std::nullopt;
    auto error = doc.FindMember("error");
    if (error == doc.MemberEnd() || !error->value.IsObject())
        return std::nullopt;
    GraphErrorBody out;
    out.code = string_member(error->value, "code");
    out.message = string_member(error->value, "message");
    out.inner_code = innermost_code(error->value);
    return out;
}

bool is_sync_reset(const net::HttpResponse& response) {
    if (response.status == 410)
        return true;
    if (response.status < 400 || response.status > 499)
        return false;
    auto body = parse_graph_error(response.body);
    if (!body)
        return false;
    for (const std::string* code : {&body->code, &body->inner_code}) {
        if (ascii::iequals(*code, "syncStateNotFound") || ascii::iequals(*code, "resyncRequired") ||
            ascii::iequals(*code, "syncStateInvalid"))
            return true;
    }
    return false;
}

Error graph_error(const net::HttpResponse& response, const std::string& what) {
    const int status = response.status;
    const auto body = parse_graph_error(response.body);
    const std::string code = body ? body->code : "";
    const std::string prefix = what + ": Microsoft Graph answered HTTP " + std::to_string(status) +
                               (code.empty() ? "" : " " + code);
    Error e;
    e.http_status = status;
    if (ascii::iequals(code, "ErrorItemNotFound") || status == 404) {
        e.code = ErrorCode::not_found;
        e.message = prefix + ": the event or calendar no longer exists";
    } else if (ascii::iequals(code, "ErrorAccessDenied") || ascii::iequals(code, "accessDenied") ||
               status == 403) {
        e.code = ErrorCode::auth;
        e.message = prefix +
                    ": access denied; the account may not change this calendar, or calsync "
                    "was granted read-only access (Calendars.Read)";
    } else if (ascii::iequals(code, "ErrorIrresolvableConflict") || status == 412) {
        e.code = ErrorCode::conflict;
        e.message = prefix + ": the event was changed by someone else since calsync read it";
    } else if (status == 401) {
        e.code = ErrorCode::auth;
        e.message = prefix + ": Microsoft refused the sign-in; the account must be connected again";
    } else if (status == 429) {
        e.code = ErrorCode::rate_limited;
        e.message = prefix + ": throttled by Microsoft Graph";
        if (const std::string* after = response.header("retry-after"))
            e.retry_after = net::parse_retry_after(*after, std::chrono::system_clock::now());
    } else if (status == 410) {
        e.code = ErrorCode::not_found;
        e.message = prefix + ": the sync state expired";
    } else {
        e.code = ErrorCode::http;
        e.message = prefix + (body && !body->message.empty() ? ": " + excerpt(body->message) : "");
    }
    return e;
}

}  // namespace calsync::providers::microsoft
