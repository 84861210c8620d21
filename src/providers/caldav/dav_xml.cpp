#include "providers/caldav/dav_xml.hpp"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <utility>

#include "core/ascii.hpp"
#include "core/utf8.hpp"

namespace calsync::providers::caldav {
namespace {

struct ParserDeleter {
    void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

int status_of(const std::string& text) {
    // "HTTP/1.1 404 Not Found"
    const auto space = text.find(' ');
    return space == std::string::npos ? 0 : std::atoi(text.c_str() + space + 1);
}

// The properties calsync asks for (caldav_provider.cpp); others are skipped unread.
constexpr std::string_view kReadProperties[] = {
    "DAV:|current-user-principal",
    "DAV:|current-user-privilege-set",
    "DAV:|displayname",
    "DAV:|getetag",
    "DAV:|resourcetype",
    "DAV:|sync-token",
    "urn:ietf:params:xml:ns:caldav|calendar-data",
    "urn:ietf:params:xml:ns:caldav|calendar-home-set",
    "urn:ietf:params:xml:ns:caldav|supported-calendar-component-set",
    "http://apple.com/ns/ical/|calendar-color",
    "http://calendarserver.org/ns/|getctag",
};

// The namespaces whose element names are kept (inside properties, in DAV:error), each
// packed as its index here.
constexpr std::string_view kReadNamespaces[] = {kDavNs, kCalDavNs, kCalServerNs, kAppleNs};

// Packed entries: a tag byte, the text, a NUL (XML text never holds one).
constexpr char kHref = 'h';
constexpr char kComponent = 'c';
constexpr char kElement = 'e';

void pack(std::string* into, char tag, std::string_view text) {
    into->push_back(tag);
    into->append(text);
    into->push_back('\0');
}

template <class Visit>
void each_packed(const std::string& packed, char tag, Visit&& visit) {
    std::size_t at = 0;
    while (at < packed.size()) {
        const std::size_t end = packed.find('\0', at);
        if (packed[at] == tag)
            visit(std::string_view(packed).substr(at + 1, end - at - 1));
        at = end + 1;
    }
}

bool packed_contains(const std::string& packed, char tag, std::string_view text) {
    bool found = false;
    each_packed(packed, tag, [&](std::string_view t) { found = found || t == text; });
    return found;
}

std::vector<std::string> packed_list(const std::string& packed, char tag) {
    std::vector<std::string> out;
    each_packed(packed, tag, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

// "DAV:|write" -> "0write"; empty for a namespace outside kReadNamespaces.
std::string packed_name(std::string_view qualified) {
    const auto bar = qualified.rfind('|');
    if (bar == std::string_view::npos)
        return {};
    const std::string_view ns = qualified.substr(0, bar);
    for (std::size_t i = 0; i < std::size(kReadNamespaces); ++i) {
        if (ns == kReadNamespaces[i])
            return static_cast<char>('0' + i) + std::string(qualified.substr(bar + 1));
    }
    return {};
}

bool packed_has_name(const std::string& packed, std::string_view qualified) {
    const std::string name = packed_name(qualified);
    return !name.empty() && packed_contains(packed, kElement, name);
}

// The elements the reader acts on; every other name is `other`.
enum class Element : unsigned char {
    other,
    multistatus,
    response,
    href,
    propstat,
    prop,
    status,
    sync_token,
    error,
};

Element element_of(std::string_view name) {
    static const std::pair<std::string_view, Element> kNames[] = {
        {"DAV:|multistatus", Element::multistatus},
        {"DAV:|response", Element::response},
        {"DAV:|href", Element::href},
        {"DAV:|propstat", Element::propstat},
        {"DAV:|prop", Element::prop},
        {"DAV:|status", Element::status},
        {"DAV:|sync-token", Element::sync_token},
        {"DAV:|error", Element::error},
    };
    for (const auto& [n, e] : kNames) {
        if (name == n)
            return e;
    }
    return Element::other;
}

const std::string_view* read_property(std::string_view name) {
    const auto* found = std::find(std::begin(kReadProperties), std::end(kReadProperties), name);
    return found != std::end(kReadProperties) ? found : nullptr;
}

// Where the reader is: the response, propstat and property being read are known by the
// depth they started at (0: none), so a misplaced element of the same name ends nothing.
struct Reader {
    XML_Parser parser = nullptr;
    Multistatus out;
    std::vector<Element> stack;
    std::string text;
    bool refused_entity = false;
    bool too_deep = false;
    DavResponse* response = nullptr;
    std::size_t response_depth = 0;
    std::size_t propstat_depth = 0;
    std::size_t propstat_first = 0;  // the first of `response->props` this propstat added
    int propstat_status = 0;
    DavProp* prop = nullptr;
    std::size_t prop_depth = 0;

    Element parent() const { return stack.size() > 1 ? stack[stack.size() - 2] : Element::other; }
    bool stopped() const { return refused_entity || too_deep; }

    void start(std::string_view name, const XML_Char** attributes) {
        if (stack.size() >= kMaxXmlDepth) {
            too_deep = true;
            XML_StopParser(parser, XML_FALSE);
            return;
        }
        const Element element = element_of(name);
        stack.push_back(element);
        text.clear();
        if (parent() == Element::error && prop == nullptr) {
            // A precondition or postcondition (RFC 4918 16), of the response or the body.
            const std::string packed = packed_name(name);
            if (!packed.empty())
                pack(response != nullptr ? &response->packed_errors : &out.packed_errors, kElement,
                     packed);
        }
        if (element == Element::response && response == nullptr) {
            response = &out.responses.emplace_back();
            response_depth = stack.size();
        } else if (element == Element::propstat && response != nullptr && propstat_depth == 0) {
            propstat_depth = stack.size();
            propstat_first = response->props.size();
            propstat_status = 0;
        } else if (propstat_depth != 0 && response != nullptr && prop == nullptr &&
                   parent() == Element::prop) {
            start_property(name);
        } else if (prop != nullptr) {
            const std::string packed = packed_name(name);
            if (!packed.empty())
                pack(&prop->packed, kElement, packed);
            if (name == "urn:ietf:params:xml:ns:caldav|comp") {
                for (const XML_Char** a = attributes; a != nullptr && *a != nullptr; a += 2) {
                    if (std::string_view(a[0]) == "name")
                        pack(&prop->packed, kComponent, a[1]);
                }
            }
        }
    }

    // A property calsync reads, unless this response has it already.
    void start_property(std::string_view name) {
        const std::string_view* known = read_property(name);
        if (known == nullptr || response->prop(*known) != nullptr)
            return;
        prop = &response->props.emplace_back(DavProp{*known, {}, {}});
        prop_depth = stack.size();
    }

    void end() {
        const Element element = stack.back();
        const std::size_t depth = stack.size();
        if (prop != nullptr && depth == prop_depth) {
            prop->text = std::move(text);
            prop = nullptr;
        } else if (prop != nullptr) {
            if (element == Element::href)
                pack(&prop->packed, kHref, text);
        } else if (depth == propstat_depth) {
            // Properties the server reports failed (404, 403) are as good as absent.
            if (propstat_status != 0 && (propstat_status < 200 || propstat_status > 299))
                response->props.erase(
                    response->props.begin() + static_cast<std::ptrdiff_t>(propstat_first),
                    response->props.end());
            propstat_depth = 0;
        } else if (depth == response_depth) {
            response->props.shrink_to_fit();
            // RFC 4918 14.24: a response names its resource; one that does not says nothing.
            if (response->href.empty())
                out.responses.pop_back();
            response = nullptr;
            response_depth = 0;
        } else if (element == Element::status && propstat_depth != 0 &&
                   depth == propstat_depth + 1) {
            propstat_status = status_of(text);
        } else if (response != nullptr && depth == response_depth + 1) {
            if (element == Element::href)
                response->href = text;
            if (element == Element::status)
                response->status = status_of(text);
        } else if (element == Element::sync_token && parent() == Element::multistatus) {
            out.sync_token = text;
        }
        stack.pop_back();
        if (prop == nullptr)
            text.clear();
    }
};

// XML 1.0 4.3.3: without a byte order mark or an encoding declaration, UTF-8.
bool reads_as_utf8(std::string_view body) {
    if (body.size() >= 2 && ((static_cast<unsigned char>(body[0]) == 0xFE &&
                              static_cast<unsigned char>(body[1]) == 0xFF) ||
                             (static_cast<unsigned char>(body[0]) == 0xFF &&
                              static_cast<unsigned char>(body[1]) == 0xFE) ||
                             body[0] == '\0' || body[1] == '\0'))
        return false;  // UTF-16
    if (body.rfind("<?xml", 0) != 0)
        return true;
    const std::string_view declaration = body.substr(0, body.find("?>"));
    const auto at = declaration.find("encoding");
    if (at == std::string_view::npos)
        return true;
    const auto quote = declaration.find_first_of("\"'", at);
    if (quote == std::string_view::npos)
        return true;
    const std::string name = ascii::lower(declaration.substr(quote + 1, 5));
    return name == "utf-8" || name.rfind("utf8", 0) == 0;
}

// After XML_StopParser expat may still deliver a call (the end of an empty element):
// nothing is read once the reader stopped.
void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** attributes) {
    auto* r = static_cast<Reader*>(user);
    if (!r->stopped())
        r->start(name, attributes);
}

void XMLCALL on_end(void* user, const XML_Char*) {
    auto* r = static_cast<Reader*>(user);
    if (!r->stopped())
        r->end();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    auto* r = static_cast<Reader*>(user);
    if (!r->stopped())
        r->text.append(s, static_cast<std::size_t>(len));
}

// A WebDAV body has no business declaring entities; refusing them closes the door on
// entity expansion attacks (billion laughs) and external entities.
void XMLCALL on_entity_decl(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                            const XML_Char*, const XML_Char*, const XML_Char*) {
    auto* r = static_cast<Reader*>(user);
    r->refused_entity = true;
    XML_StopParser(r->parser, XML_FALSE);
}

}  // namespace

Result<Multistatus> parse_multistatus(std::string_view body) {
    // expat refuses the whole body for one ill-formed UTF-8 sequence; a server's stray
    // Latin-1 byte in a display name or an event becomes U+FFFD instead. Bodies in another
    // encoding (an XML declaration naming one, a UTF-16 byte order) are expat's to read.
    std::string replaced;
    if (reads_as_utf8(body) && !utf8::is_valid(body)) {
        replaced = utf8::replace_invalid(body);
        body = replaced;
    }
    std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreateNS(nullptr, '|'));
    if (!parser)
        return make_error(ErrorCode::internal, "expat: cannot create a parser");
    Reader reader;
    reader.parser = parser.get();
    XML_SetUserData(parser.get(), &reader);
    XML_SetElementHandler(parser.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser.get(), on_text);
    XML_SetEntityDeclHandler(parser.get(), on_entity_decl);
    if (XML_Parse(parser.get(), body.data(), static_cast<int>(body.size()), XML_TRUE) ==
        XML_STATUS_ERROR) {
        if (reader.refused_entity)
            return make_error(ErrorCode::parse, "XML body declares entities; refused");
        if (reader.too_deep)
            return make_error(ErrorCode::limit_exceeded, "XML body nests elements deeper than " +
                                                             std::to_string(kMaxXmlDepth) +
                                                             " levels, the limit");
        return make_error(ErrorCode::parse,
                          std::string("XML body is not well-formed: ") +
                              XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                              std::to_string(XML_GetCurrentLineNumber(parser.get())));
    }
    return std::move(reader.out);
}

std::vector<std::string> DavProp::hrefs() const {
    return packed_list(packed, kHref);
}

std::vector<std::string> DavProp::comp_names() const {
    return packed_list(packed, kComponent);
}

bool DavProp::lists_component(std::string_view component) const {
    return packed_contains(packed, kComponent, component);
}

bool DavProp::contains(std::string_view qualified) const {
    return packed_has_name(packed, qualified);
}

const DavProp* DavResponse::prop(std::string_view name) const {
    auto found =
        std::find_if(props.begin(), props.end(), [&](const DavProp& p) { return p.name == name; });
    return found != props.end() ? &*found : nullptr;
}

bool DavResponse::has(std::string_view name, std::string_view descendant) const {
    const DavProp* p = prop(name);
    return p != nullptr && p->contains(descendant);
}

bool DavResponse::has_error(std::string_view qualified) const {
    return packed_has_name(packed_errors, qualified);
}

bool Multistatus::has_error(std::string_view qualified) const {
    return packed_has_name(packed_errors, qualified);
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

namespace {

const char* const kHeader = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

// "DAV:|getetag" -> "<d:getetag/>" with the prefixes declared on every body below.
std::string element(const std::string& qualified) {
    const auto bar = qualified.find('|');
    const std::string ns = qualified.substr(0, bar);
    const std::string local = qualified.substr(bar + 1);
    const char* prefix = ns == kDavNs         ? "d"
                         : ns == kCalDavNs    ? "c"
                         : ns == kCalServerNs ? "cs"
                                              : "a";
    return std::string("<") + prefix + ":" + local + "/>";
}

const char* const kNamespaces =
    " xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\""
    " xmlns:cs=\"http://calendarserver.org/ns/\" xmlns:a=\"http://apple.com/ns/ical/\"";

}  // namespace

std::string propfind_body(const std::vector<std::string>& names) {
    std::string body = std::string(kHeader) + "<d:propfind" + kNamespaces + "><d:prop>";
    for (const std::string& n : names)
        body += element(n);
    return body + "</d:prop></d:propfind>";
}

std::string sync_collection_body(const std::string& sync_token, bool with_data) {
    std::string body = std::string(kHeader) + "<d:sync-collection" + kNamespaces +
                       "><d:sync-token>" + xml_escape(sync_token) +
                       "</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>";
    if (with_data)
        body += "<c:calendar-data/>";
    return body + "</d:prop></d:sync-collection>";
}

std::string calendar_query_body(bool with_data) {
    std::string body =
        std::string(kHeader) + "<c:calendar-query" + kNamespaces + "><d:prop><d:getetag/>";
    if (with_data)
        body += "<c:calendar-data/>";
    return body +
           "</d:prop><c:filter><c:comp-filter name=\"VCALENDAR\"><c:comp-filter "
           "name=\"VEVENT\"/></c:comp-filter></c:filter></c:calendar-query>";
}

std::string calendar_multiget_body(const std::vector<std::string>& hrefs) {
    std::string body = std::string(kHeader) + "<c:calendar-multiget" + kNamespaces +
                       "><d:prop><d:getetag/><c:calendar-data/></d:prop>";
    for (const std::string& h : hrefs)
        body += "<d:href>" + xml_escape(h) + "</d:href>";
    return body + "</c:calendar-multiget>";
}

}  // namespace calsync::providers::caldav
