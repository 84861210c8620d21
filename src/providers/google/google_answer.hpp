// What the Google provider's requests share (google_provider.cpp reads, google_exports.cpp
// writes): how a message names a request and a calendar, and reading an answer's JSON.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "calsync/result.hpp"
#include "core/bounded_json.hpp"
#include "net/http.hpp"

namespace calsync::providers::google {

inline std::string calendar_subject(const std::string& calendar_id) {
    return "calendar '" + calendar_id + "'";
}

// Method and URL without its query's secrets, for messages.
inline std::string request_text(const std::string& method, const std::string& url) {
    return method + " " + net::redact_url(url);
}

inline std::string json_string(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject())
        return {};
    auto it = v.FindMember(name);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// An answer's body as a JSON object (bounded; ill-formed UTF-8 replaced), or an Error
// naming `request`.
inline Result<rapidjson::Document> parse_json(const std::string& body, const std::string& request) {
    auto doc = json::parse_bounded(body, json::InvalidUtf8::replace);
    if (!doc.ok())
        return make_error(doc.error().code, request + ": " + doc.error().message);
    if (!doc->IsObject())
        return make_error(ErrorCode::parse, request + ": the answer is not a JSON object");
    return doc;
}

}  // namespace calsync::providers::google
