// Following HTTP redirects by hand (libcurl's FOLLOWLOCATION stays off), so that every hop
// passes the URL guard, credentials go only where they were given, and nothing is ever
// sent from https down to plain http.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/origin.hpp"
#include "net/retry.hpp"

namespace calsync::net {

struct RedirectPolicy {
    int max_redirects = 5;
    // Headers that carry a credential (Authorization): sent only to a URL `scope` covers,
    // whether the request goes there first or a redirect leads there. Never leaked to
    // another origin, as libcurl, browsers and RFC 9110 15.4 expect of a client.
    std::vector<Header> credentials;
    std::optional<CredentialScope> scope;
    // Plain http is refused for the first request and every hop (the configured URL was
    // https). A chain that starts on https refuses http hops in any case.
    bool https_only = false;
};

struct Redirected {
    HttpResponse response;
    std::string url;                // the URL that answered
    bool sent_credentials = false;  // the answering request carried `credentials`
};

// Sends `request` through `http` and follows 301, 302, 307 and 308 (and 303 for GET and
// HEAD) up to `max_redirects` hops, each hop with the same method and body. Errors:
// invalid_argument for a refused hop (to http from https, to a scheme other than http
// and https, or a Location that is not a URL), http for too many redirects, and whatever
// the transport answers. The message names the hop without secrets (request.url_is_secret
// applies to every hop).
Result<Redirected> send_following(HttpClient& http, HttpRequest request,
                                  const RedirectPolicy& policy);

}  // namespace calsync::net
