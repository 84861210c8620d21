// WebDAV multistatus bodies (RFC 4918, 4791, 6578) read with expat, by namespace URI and
// never by prefix; and the request bodies calsync sends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "calsync/result.hpp"

namespace calsync::providers::caldav {

// Element names are "namespace-uri|local-name".
constexpr const char* kDavNs = "DAV:";
constexpr const char* kCalDavNs = "urn:ietf:params:xml:ns:caldav";
constexpr const char* kCalServerNs = "http://calendarserver.org/ns/";
constexpr const char* kAppleNs = "http://apple.com/ns/ical/";

struct DavProp {
    std::string name;                      // "DAV:|displayname"
    std::string text;                      // its text content (calendar-data, etag ...)
    std::vector<std::string> hrefs;        // DAV:href inside it (principal, home set)
    std::vector<std::string> descendants;  // names of elements inside it
    std::vector<std::string> comp_names;   // CALDAV:comp name="VEVENT" attributes
};

struct DavPropStat {
    int status = 0;
    std::vector<DavProp> props;
};

struct DavResponse {
    std::string href;
    int status = 0;  // a response-level status (404 for a removed member), else 0
    std::vector<DavPropStat> propstats;
    std::vector<std::string> errors;  // children of DAV:error

    // The property with status 200 (or the response's own 2xx), or nullptr.
    const DavProp* prop(std::string_view name) const;
    bool has(std::string_view name, std::string_view descendant) const;
};

struct Multistatus {
    std::vector<DavResponse> responses;
    std::string sync_token;
    std::vector<std::string> errors;  // a top-level DAV:error body (403/409 on sync-collection)
};

// Parses a 207 body or a DAV:error body. Entity declarations are refused.
Result<Multistatus> parse_multistatus(std::string_view body);

std::string xml_escape(std::string_view text);

// Request bodies.
std::string propfind_body(const std::vector<std::string>& names);
std::string sync_collection_body(const std::string& sync_token, bool with_data);
std::string calendar_query_body(bool with_data);
std::string calendar_multiget_body(const std::vector<std::string>& hrefs);

}  // namespace calsync::providers::caldav
