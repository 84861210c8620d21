#include "providers/microsoft/graph_client.hpp"

#include "core/bounded_json.hpp"
#include "net/oauth.hpp"
#include "providers/microsoft/graph_error.hpp"

namespace calsync::providers::microsoft {
std::string encode_component(std::string_view text) {
    // net::form_encode percent-encodes as RFC 3986 wants; "=value" minus its '='.
    return net::form_encode({{"", std::string(text)}}).substr(1);
}

std::string query_string(const QueryParameters& parameters) {
    std::string out;
    for (const auto& [key, value] : parameters)
        out += (out.empty() ? "?" : "&") + key + "=" + encode_component(value);
    return out;
}

GraphClient::GraphClient(std::string base_url, std::shared_ptr<net::OAuthSession> session,
                         std::shared_ptr<net::HttpClient> http)
    : base_url_(std::move(base_url)), session_(std::move(session)), http_(std::move(http)) {
    while (!base_url_.empty() && base_url_.back() == '/')
        base_url_.pop_back();
    origin_ = net::origin_of(base_url_);
}

bool GraphClient::is_own_link(std::string_view link) const {
    // The origin and a path boundary: "https://graph.microsoft.com.evil/" is not ours.
    return link.size() > origin_.size() && link.substr(0, origin_.size()) == origin_ &&
           link[origin_.size()] == '/';
}

Result<net::HttpResponse> GraphClient::send(net::HttpRequest request) {
    request.headers.push_back({"Accept", "application/json"});
    if (!request.body.empty())
        request.headers.push_back({"Content-Type", "application/json"});
    return session_->send(*http_, std::move(request));
}

Result<net::HttpResponse> GraphClient::get(const std::string& url,
                                           std::vector<net::Header> headers) {
    net::HttpRequest request;
    request.url = url;
    request.headers = std::move(headers);
    return send(std::move(request));
}

Result<GraphPage> GraphClient::read_collection(const net::HttpResponse& response,
                                               const std::string& what) const {
    if (response.status != 200)
        return graph_error(response, what);
    auto doc = parse_object(response.body, what);
    if (!doc.ok())
        return doc.error();
    GraphPage page;
    page.doc = std::move(doc).value();
    page.next_link = string_member(page.doc, "@odata.nextLink");
    page.delta_link = string_member(page.doc, "@odata.deltaLink");
    for (const std::string* link : {&page.next_link, &page.delta_link}) {
        if (!link->empty() && !is_own_link(*link))
            return make_error(ErrorCode::parse,
                              what + ": Microsoft Graph sent a link to another service (" +
                                  net::redact_url(*link) + "); not followed");
    }
    auto value = page.doc.FindMember("value");
    if (value == page.doc.MemberEnd() || !value->value.IsArray())
        return make_error(ErrorCode::parse, what + ": the page has no \"value\" array");
    return page;
}

Result<rapidjson::Document> parse_object(const std::string& body, const std::string& what) {
    auto doc = json::parse_bounded(body, json::InvalidUtf8::replace);
    if (!doc.ok())
        return make_error(doc.error().code,
                          what + ": Microsoft Graph's answer: " + doc.error().message);
    if (!doc->IsObject())
        return make_error(ErrorCode::parse, what +
                                                ": Microsoft Graph answered with a body that "
                                                "is not a JSON object");
    return doc;
}

std::string string_member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject())
        return {};
    auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
}

bool bool_member(const rapidjson::Value& object, const char* name, bool fallback) {
    if (!object.IsObject())
        return fallback;
    auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsBool() ? it->value.GetBool() : fallback;
}

const rapidjson::Value* object_member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject())
        return nullptr;
    auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

}  // namespace calsync::providers::microsoft
