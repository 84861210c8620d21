// The one way requests reach Microsoft Graph: the configured base URL (national clouds
// differ only there), a bearer token from the connection's OAuthSession (refreshed before
// expiry and once after a 401), the shared HttpClient's retries, and JSON bodies parsed
// with RapidJSON. Internal to providers/microsoft.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calsync/result.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"

namespace calsync::providers::microsoft {

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding of one path segment or query value (Graph ids carry '=', '+'
// and '/'; $filter values carry spaces, quotes and parentheses).
std::string encode_component(std::string_view text);
// "?k=v&k2=v2" with the values encoded and the keys ("$select", "startDateTime") kept as
// they are; empty when there are none.
std::string query_string(const QueryParameters& parameters);

// One page of a Graph collection: {"value": [...], "@odata.nextLink"?, "@odata.deltaLink"?}.
struct GraphPage {
    rapidjson::Document doc;
    std::string next_link;
    std::string delta_link;
    const rapidjson::Value& items() const { return doc["value"]; }
};

class GraphClient {
  public:
    GraphClient(std::string base_url, std::shared_ptr<net::OAuthSession> session,
                std::shared_ptr<net::HttpClient> http);

    const std::string& base_url() const { return base_url_; }
    // base_url + path (path starts with '/', segments already encoded).
    std::string url(std::string_view path) const { return base_url_ + std::string(path); }
    // Whether a link Graph handed back (a nextLink, a deltaLink) points at the configured
    // service; the bearer token is never sent anywhere else.
    bool is_own_link(std::string_view link) const;

    // Sends with "Authorization: Bearer" (via the session) and "Accept: application/json".
    Result<net::HttpResponse> send(net::HttpRequest request);
    Result<net::HttpResponse> get(const std::string& url, std::vector<net::Header> headers = {});
    // A 200 answer holding a collection page; a link in it to anywhere but the configured
    // service is refused (it would take the bearer token there). Other statuses are
    // graph_error()s naming `what`.
    Result<GraphPage> read_collection(const net::HttpResponse& response,
                                      const std::string& what) const;

  private:
    std::string base_url_;
    std::string origin_;
    std::shared_ptr<net::OAuthSession> session_;
    std::shared_ptr<net::HttpClient> http_;
};

// Parses a JSON object body; a parse error names `what`.
Result<rapidjson::Document> parse_object(const std::string& body, const std::string& what);

// Member accessors that tolerate absent or mistyped members.
std::string string_member(const rapidjson::Value& object, const char* name);
bool bool_member(const rapidjson::Value& object, const char* name, bool fallback);
const rapidjson::Value* object_member(const rapidjson::Value& object, const char* name);

}  // namespace calsync::providers::microsoft
