#include "providers/caldav/dav_xml.hpp"

#include <expat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

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

struct Reader {
    XML_Parser parser = nullptr;
    Multistatus out;
    std::vector<std::string> stack;
    std::string text;
    bool refused_entity = false;
    DavResponse* response = nullptr;
    DavPropStat* propstat = nullptr;
    DavProp* prop = nullptr;
    std::size_t prop_depth = 0;

    const std::string& parent(std::size_t up = 1) const {
        static const std::string none;
        return stack.size() > up ? stack[stack.size() - 1 - up] : none;
    }

    void start(const std::string& name, const XML_Char** attributes) {
        stack.push_back(name);
        text.clear();
        if (name == "DAV:|response") {
            out.responses.emplace_back();
            response = &out.responses.back();
        } else if (response != nullptr && name == "DAV:|propstat") {
            response->propstats.emplace_back();
            propstat = &response->propstats.back();
        } else if (propstat != nullptr && prop == nullptr && parent() == "DAV:|prop") {
            propstat->props.push_back(DavProp{name, {}, {}, {}, {}});
            prop = &propstat->props.back();
            prop_depth = stack.size();
        } else if (prop != nullptr) {
            prop->descendants.push_back(name);
            if (name == std::string(kCalDavNs) + "|comp") {
                for (const XML_Char** a = attributes; a != nullptr && *a != nullptr; a += 2) {
                    if (std::string(a[0]) == "name")
                        prop->comp_names.emplace_back(a[1]);
                }
            }
        }
    }

    void end(const std::string& name) {
        const std::string& up = parent();
        if (prop != nullptr) {
            if (stack.size() == prop_depth) {
                prop->text = text;
                prop = nullptr;
            } else if (name == "DAV:|href") {
                prop->hrefs.push_back(text);
            }
        } else if (name == "DAV:|href" && up == "DAV:|response" && response != nullptr) {
            response->href = text;
        } else if (name == "DAV:|status" && up == "DAV:|propstat" && propstat != nullptr) {
            propstat->status = status_of(text);
        } else if (name == "DAV:|status" && up == "DAV:|response" && response != nullptr) {
            response->status = status_of(text);
        } else if (name == "DAV:|propstat") {
            propstat = nullptr;
        } else if (name == "DAV:|response") {
            response = nullptr;
        } else if (name == "DAV:|sync-token" && up == "DAV:|multistatus") {
            out.sync_token = text;
        } else if (up == "DAV:|error") {
            (response != nullptr ? response->errors : out.errors).push_back(name);
        }
        stack.pop_back();
        if (prop == nullptr)
            text.clear();
    }
};

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** attributes) {
    static_cast<Reader*>(user)->start(name, attributes);
}

void XMLCALL on_end(void* user, const XML_Char* name) {
    static_cast<Reader*>(user)->end(name);
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
    static_cast<Reader*>(user)->text.append(s, static_cast<std::size_t>(len));
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
        return make_error(ErrorCode::parse,
                          std::string("XML body is not well-formed: ") +
                              XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                              std::to_string(XML_GetCurrentLineNumber(parser.get())));
    }
    return std::move(reader.out);
}

const DavProp* DavResponse::prop(std::string_view name) const {
    for (const DavPropStat& ps : propstats) {
        if (ps.status != 0 && (ps.status < 200 || ps.status > 299))
            continue;
        auto found = std::find_if(ps.props.begin(), ps.props.end(),
                                  [&](const DavProp& p) { return p.name == name; });
        if (found != ps.props.end())
            return &*found;
    }
    return nullptr;
}

bool DavResponse::has(std::string_view name, std::string_view descendant) const {
    const DavProp* p = prop(name);
    if (p == nullptr)
        return false;
    return std::any_of(p->descendants.begin(), p->descendants.end(),
                       [&](const std::string& d) { return d == descendant; });
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
