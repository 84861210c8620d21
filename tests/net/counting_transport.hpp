// The transport seam the provider tests share: real HTTP to a server on loopback, with
// every request that reaches the network counted.
#pragma once

#include <chrono>
#include <utility>

#include "net/curl_transport.hpp"
#include "net/http.hpp"

namespace calsync::test {

inline calsync::net::HttpOptions local_options() {
    calsync::net::HttpOptions o;
    o.allow_private_addresses = true;  // the test servers are on loopback
    o.connect_timeout = std::chrono::seconds(5);
    o.total_timeout = std::chrono::seconds(30);
    return o;
}

struct CountingTransport : calsync::net::Transport {
    explicit CountingTransport(calsync::net::HttpOptions options = local_options())
        : inner(std::move(options)) {}

    calsync::net::CurlTransport inner;
    int requests = 0;
    calsync::Result<calsync::net::HttpResponse> perform(
        const calsync::net::HttpRequest& r) override {
        ++requests;
        return inner.perform(r);
    }
};

}  // namespace calsync::test
