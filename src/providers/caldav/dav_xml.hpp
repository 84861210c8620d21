// WebDAV multistatus bodies (RFC 4918, 4791, 6578) read with expat, by namespace URI and
// never by prefix; and the request bodies calsync sends.
#pragma once

#include <deque>
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

// What the reader keeps of a body is bounded by the body itself, whatever namespace URIs
// or element counts it holds: only the properties calsync reads (kReadProperties in
// dav_xml.cpp), each once per response, and of what is inside them only elements of the
// namespaces above, packed a few bytes per element (no "namespace-uri|name" per element).

struct DavProp {
    std::string_view name;  // "DAV:|displayname" (static storage)
    std::string text;       // its text content (calendar-data, etag ...)

    // DAV:href inside it (principal, home set), in order.
    std::vector<std::string> hrefs() const;
    // CALDAV:comp name="VEVENT" attributes inside it, in order.
    std::vector<std::string> comp_names() const;
    bool lists_component(std::string_view name) const;
    // Whether an element named `qualified` ("DAV:|write") is inside it.
    bool contains(std::string_view qualified) const;

    std::string packed;  // hrefs, comp names and element names inside it (dav_xml.cpp)
};

struct DavResponse {
    std::string href;
    int status = 0;  // a response-level status (404 for a removed member), else 0
    // From propstats with a 2xx status (or none): the first of each name.
    std::vector<DavProp> props;

    // The property, or nullptr.
    const DavProp* prop(std::string_view name) const;
    bool has(std::string_view name, std::string_view descendant) const;
    // A child of DAV:error inside the response, by its qualified name.
    bool has_error(std::string_view qualified) const;

    std::string packed_errors;
};

struct Multistatus {
    std::deque<DavResponse> responses;  // a deque: growing it never copies what was read
    std::string sync_token;
    // A top-level DAV:error body (403/409 on sync-collection): whether it names `qualified`.
    bool has_error(std::string_view qualified) const;

    std::string packed_errors;
};

// Elements nested deeper than this are refused: a multistatus nests 8 levels.
constexpr std::size_t kMaxXmlDepth = 64;

// Parses a 207 body or a DAV:error body. Entity declarations and nesting deeper than
// kMaxXmlDepth are refused.
Result<Multistatus> parse_multistatus(std::string_view body);

std::string xml_escape(std::string_view text);

// Request bodies.
std::string propfind_body(const std::vector<std::string>& names);
std::string sync_collection_body(const std::string& sync_token, bool with_data);
std::string calendar_query_body(bool with_data);
std::string calendar_multiget_body(const std::vector<std::string>& hrefs);

}  // namespace calsync::providers::caldav
