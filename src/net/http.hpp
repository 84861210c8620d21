// The HTTP shapes every provider uses, and the seam (Transport) that tests replace to
// count requests and inject faults.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/cancel.hpp"
#include "calsync/result.hpp"

namespace calsync::net {

struct Header {
    std::string name;
    std::string value;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<Header> headers;
    std::string body;
    // POST is retried only when the caller knows a repeat is harmless (an OAuth refresh,
    // a create with a client-chosen id).
    bool retry_safe_post = false;
    // The URL is itself a credential (a private feed address): messages show its origin
    // only.
    bool url_is_secret = false;
};

struct HttpResponse {
    int status = 0;
    std::vector<Header> headers;  // names lower-cased
    std::string body;
    std::string effective_url;

    // The first header of that name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

struct HttpOptions {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{120'000};
    std::size_t max_response_bytes = 64u << 20;
    std::string ca_bundle_path;  // empty: the system's CA store
    std::string user_agent;      // empty: "calsync/<version>"
    // The proxy every request goes through, as the host configures it; empty: none.
    // Proxies named by the environment (http_proxy, https_proxy, ALL_PROXY) are ignored:
    // through a proxy the URL guard can no longer see where a request really goes, so only
    // a proxy the host chose is used, and the guard then checks the target's addresses.
    std::string proxy;
    // User-supplied URLs may not reach loopback, private, link-local or multicast
    // addresses unless the host allows it (tests do, for servers on 127.0.0.1).
    bool allow_private_addresses = false;
    // Never set outside tests: turns off certificate and host name checks.
    bool insecure_skip_tls_verify_for_tests = false;
    // Set: a transfer in flight stops within about a second of cancel() (libcurl's progress
    // callback), and none starts after it; the error is ErrorCode::cancelled.
    std::shared_ptr<const CancelSignal> cancel;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // One request, no retries. Errors: network (connection, reset, truncated body),
    // limit_exceeded (response over the cap), invalid_argument (refused address or URL),
    // cancelled (HttpOptions::cancel).
    virtual Result<HttpResponse> perform(const HttpRequest& request) = 0;
};

// An unexpected HTTP status as an Error: 401/403 auth, 404/410 not_found, 412 conflict,
// 429 rate_limited, anything else http; `what` says which request (no secrets).
Error http_status_error(int status, const std::string& what);

// "https://host:port" of an absolute URL (the URL itself when it has no path).
std::string origin_of(std::string_view url);

// The URL without user information and query, for messages: feed URLs and some CalDAV
// URLs carry secrets in those parts.
std::string redact_url(std::string_view url);

// The request's URL as messages may show it: redact_url, or only its origin when the URL
// is itself a secret.
std::string shown_url(const HttpRequest& request);

}  // namespace calsync::net
