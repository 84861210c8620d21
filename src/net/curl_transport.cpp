#include "net/curl_transport.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "net/deadline.hpp"
#include "net/easy_handle_pool.hpp"
#include "net/retry.hpp"
#include "net/url_guard.hpp"

namespace calsync::net {
namespace {

struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using ListPtr = std::unique_ptr<curl_slist, ListDeleter>;

// What one perform() collects; the callbacks write here.
struct Exchange {
    HttpResponse response;
    std::size_t cap = 0;
    bool over_cap = false;
    // Whether the socket's address is checked: not for a proxy the host configured (it may
    // well be on a private network; the target is checked before instead).
    bool check_socket = false;
    std::string refused;  // the address the guard refused, if any
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* x = static_cast<Exchange*>(user);
    const std::size_t n = size * count;
    if (x->response.body.size() + n > x->cap) {
        x->over_cap = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    x->response.body.append(data, n);
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* x = static_cast<Exchange*>(user);
    const std::size_t n = size * count;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        x->response.headers.clear();  // a new response (after 100 Continue)
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos)
        return n;
    std::string name = ascii::lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    x->response.headers.push_back({std::move(name), std::move(value)});
    return n;
}

// libcurl calls this about once a second even while nothing arrives (and more often while
// data flows); a non-zero answer aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const CancelSignal*>(user)->cancelled() ? 1 : 0;
}

// The guard runs on the address curl is about to connect to, after DNS, so a name that
// resolves to a private address (or is rebound to one) is refused.
curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    auto* x = static_cast<Exchange*>(user);
    if (x->check_socket && !is_public_address(&address->addr)) {
        x->refused = address_text(&address->addr);
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

// A transfer that stopped part-way on our side: cancelled, timed out, or over the response
// cap. libcurl closes such a connection rather than keep it, but the handle is dropped all the
// same rather than pooled: these are rare (the cancel signal means the client is closing), so
// freeing costs little, and nothing then depends on libcurl's bookkeeping of an aborted
// transfer. Other errors (reset, truncated body, refused address) leave a handle fit for
// reuse: libcurl drops the broken connection itself.
bool stopped_midway(CURLcode rc) {
    return rc == CURLE_ABORTED_BY_CALLBACK || rc == CURLE_OPERATION_TIMEDOUT ||
           rc == CURLE_WRITE_ERROR;
}

}  // namespace

// Taken from the process-wide pool at the first request, given back by the destructor (see
// easy_handle_pool.hpp): the next transport with the same connection options reuses its
// connections.
struct CurlTransport::Handle {
    ConnectionKey key;
    EasyHandle easy;
    pid_t taken_by = 0;  // a transport that outlives a fork() must not pool its parent's handle
};

CurlTransport::CurlTransport(HttpOptions options)
    : options_(std::move(options)), handle_(new Handle) {
    handle_->key = connection_key_of(options_);
    if (options_.user_agent.empty())
        options_.user_agent = std::string("calsync/") + CALSYNC_VERSION_STRING;
}

CurlTransport::~CurlTransport() {
    EasyHandlePool& pool = EasyHandlePool::process_wide();
    if (handle_->easy && handle_->taken_by != getpid())
        pool.abandon(std::move(handle_->easy));
    else
        pool.give_back(handle_->key, std::move(handle_->easy));
}

Result<HttpResponse> CurlTransport::perform(const HttpRequest& request) {
    if (!handle_->easy) {
        handle_->easy = EasyHandlePool::process_wide().take(handle_->key);
        handle_->taken_by = getpid();
    }
    CURL* c = handle_->easy.get();
    if (c == nullptr)
        return make_error(ErrorCode::internal, "libcurl could not be initialised");
    const std::string where = request.method + " " + shown_url(request);
    if (options_.cancel && options_.cancel->cancelled())
        return make_error(ErrorCode::cancelled, where + ": cancelled, the client is closing");
    curl_easy_reset(c);  // keeps the connection cache, drops the previous request's options
    Exchange x;
    x.cap = options_.max_response_bytes;
    x.check_socket = !options_.allow_private_addresses && options_.proxy.empty();
    if (!options_.allow_private_addresses && !options_.proxy.empty()) {
        auto target = check_target_addresses(request.url);
        if (!target.ok())
            return make_error(target.error().code, where + ": " + target.error().message);
    }
    // The time left of the operation's deadline bounds this request too; none left: not
    // sent at all (libcurl reads a timeout of 0 as "no timeout").
    const auto total = time_left(options_.total_timeout);
    const auto connect = std::min(options_.connect_timeout, total);
    if (total.count() <= 0)
        return make_error(ErrorCode::network,
                          where + ": not sent, the time limit of this sync ran out");

    ListPtr headers;
    for (const Header& h : request.headers) {
        curl_slist* grown = curl_slist_append(headers.get(), (h.name + ": " + h.value).c_str());
        if (grown == nullptr)
            return make_error(ErrorCode::internal, "out of memory");
        static_cast<void>(headers.release());  // grown is the same list, one header longer
        headers.reset(grown);
    }
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // providers follow redirects themselves
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
    // "" turns off the proxies the environment names; NOPROXY "" lets no host bypass the
    // configured one (a bypass would reach the target unchecked).
    curl_easy_setopt(c, CURLOPT_PROXY, options_.proxy.c_str());
    curl_easy_setopt(c, CURLOPT_NOPROXY, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER,
                     options_.insecure_skip_tls_verify_for_tests ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST,
                     options_.insecure_skip_tls_verify_for_tests ? 0L : 2L);
    if (!options_.ca_bundle_path.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle_path.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    // When a reused connection yields not a byte of answer, libcurl sends the request again on
    // a new connection by itself, POST bodies included (it takes the connection for one the
    // server had closed while idle). The server may have acted on the first one: a request
    // that must not be repeated (HttpClient looks up such a create's fate before sending it
    // again) therefore never goes over a reused connection.
    if (!is_retry_safe(request))
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x);
    if (options_.cancel) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, options_.cancel.get());
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    if (request.method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    }
    char message[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);

    const CURLcode rc = curl_easy_perform(c);
    if (stopped_midway(rc))
        handle_->easy.reset();  // not given back: see stopped_midway
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return make_error(ErrorCode::cancelled, where + ": cancelled, the client is closing");
    if (x.over_cap)
        return make_error(ErrorCode::limit_exceeded,
                          where + ": response larger than " +
                              std::to_string(options_.max_response_bytes) + " bytes");
    if (!x.refused.empty())
        return make_error(ErrorCode::invalid_argument,
                          where + ": refused to connect to " + x.refused +
                              ", a loopback, private or link-local address");
    const bool deadline_hit = rc == CURLE_OPERATION_TIMEDOUT && current_deadline() &&
                              time_left(options_.total_timeout) < std::chrono::milliseconds(50);
    if (deadline_hit)
        return make_error(ErrorCode::network, where + ": the time limit of this sync ran out (" +
                                                  std::to_string(total.count()) +
                                                  " ms were left for this request)");
    if (rc != CURLE_OK) {
        const std::string detail = message[0] != '\0' ? message : curl_easy_strerror(rc);
        return make_error(ErrorCode::network, where + ": " + detail);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    x.response.status = static_cast<int>(status);
    char* effective = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
    if (effective != nullptr)
        x.response.effective_url = effective;
    return std::move(x.response);
}

}  // namespace calsync::net
