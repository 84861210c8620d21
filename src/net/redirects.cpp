#include "net/redirects.hpp"

namespace calsync::net {
namespace {

bool is_redirect(int status, const std::string& method) {
    if (status == 303)
        return method == "GET" || method == "HEAD";
    return status == 301 || status == 302 || status == 307 || status == 308;
}

Error refused_hop(const HttpRequest& request, const std::string& why) {
    return make_error(ErrorCode::invalid_argument, request.method + " " + shown_url(request) +
                                                       ": redirect not followed: " + why);
}

}  // namespace

Result<Redirected> send_following(HttpClient& http, HttpRequest request,
                                  const RedirectPolicy& policy) {
    auto origin = parse_origin(request.url);
    if (!origin.ok())
        return make_error(ErrorCode::invalid_argument, request.method + " " + shown_url(request) +
                                                           ": " + origin.error().message);
    const bool https_only = policy.https_only || origin->scheme == "https";
    if (https_only && origin->scheme != "https")
        return make_error(
            ErrorCode::invalid_argument,
            request.method + " " + shown_url(request) +
                ": refused: a plain http link from a server reached over https (it would "
                "send the request, and any password, unencrypted)");
    const std::vector<Header> plain = request.headers;
    for (int hop = 0;; ++hop) {
        const bool with_credentials = policy.scope && policy.scope->covers(origin.value());
        request.headers = plain;
        if (with_credentials)
            request.headers.insert(request.headers.end(), policy.credentials.begin(),
                                   policy.credentials.end());
        auto answer = http.send(request);
        if (!answer.ok())
            return answer.error();
        const std::string* location = answer->header("location");
        if (!is_redirect(answer->status, request.method) || location == nullptr)
            return Redirected{std::move(answer).value(), request.url, with_credentials};
        if (hop >= policy.max_redirects)
            return make_error(ErrorCode::http,
                              request.method + " " + shown_url(request) + ": more than " +
                                  std::to_string(policy.max_redirects) + " redirects");
        auto next = resolve_reference(request.url, *location);
        if (!next.ok())
            return refused_hop(request, "the Location is not a URL");
        auto next_origin = parse_origin(next.value());
        if (!next_origin.ok())
            return refused_hop(request, "it leads to a scheme other than http and https");
        if (https_only && next_origin->scheme != "https")
            return refused_hop(request,
                               "it leads from https to plain http (" + next_origin->text() +
                                   "), which would send the request and any password unencrypted");
        request.url = std::move(next).value();
        origin = std::move(next_origin);
        if (answer->status == 303)
            request.body.clear();
    }
}

}  // namespace calsync::net
