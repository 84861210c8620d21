// A process-wide pool of idle libcurl easy handles, so that a connection outlives the
// transport that opened it.
//
// Why: providers, and so their transports, are made per sync, and a fleet worker makes them
// per leased connection. With one easy handle per transport every sync opened new TCP (in
// production TLS) connections to the same few hosts: Google, Graph, token endpoints, feed
// servers. A handle keeps its connection cache across curl_easy_reset, so a transport that
// takes a handle another transport gave back sends its first request over a live connection.
//
// Why keyed: libcurl checks proxy and TLS options itself before reusing a connection, but not
// what calsync's own open-socket callback decided. A connection opened with
// allow_private_addresses (the guard skipped: a test server on 127.0.0.1) never passes that
// callback again when reused, so it must never serve a transport that forbids private
// addresses. Handles are therefore pooled per set of connection-level options (the URL guard,
// proxy, CA bundle, the TLS test switch), never shared between sets; per-request options
// (timeouts, user agent, response cap, cancel signal, headers) are set again before each
// request and play no part in the key.
//
// Nothing else a handle keeps carries one business's data into another's request: calsync
// turns on no cookie engine, HSTS or alt-svc cache, sets no user name or HTTP auth (tokens
// go in a per-request Authorization header), and curl_easy_reset drops every option before a
// handle is reused. What stays is the connections, TLS session ids and the DNS cache.
// A forked child never uses its parent's handles (their sockets are shared with it).
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>

#include "net/http.hpp"

namespace calsync::net {

struct EasyHandleDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyHandleDeleter>;

// The options a connection is opened under: two transports share connections only when
// these are equal.
struct ConnectionKey {
    bool allow_private_addresses = false;
    bool insecure_skip_tls_verify_for_tests = false;
    std::string proxy;
    std::string ca_bundle_path;

    bool operator<(const ConnectionKey& o) const { return tied() < o.tied(); }
    bool operator==(const ConnectionKey& o) const { return tied() == o.tied(); }

  private:
    std::tuple<const bool&, const bool&, const std::string&, const std::string&> tied() const {
        return std::tie(allow_private_addresses, insecure_skip_tls_verify_for_tests, proxy,
                        ca_bundle_path);
    }
};

ConnectionKey connection_key_of(const HttpOptions& options);

// curl_global_init, once per process (before any handle is made).
void curl_global_init_once();

class EasyHandlePool {
  public:
    // Idle handles kept per key; more given back are freed (each handle keeps libcurl's
    // default connection cache, so this bounds the idle connections per key too).
    static constexpr std::size_t default_max_idle_per_key = 16;

    // The pool every CurlTransport uses. It is never destroyed: a transport destroyed late
    // during exit (a host's static) still finds it. Its idle handles are freed at exit, and
    // handles given back after that are freed at once.
    static EasyHandlePool& process_wide();

    explicit EasyHandlePool(std::size_t max_idle_per_key = default_max_idle_per_key);
    ~EasyHandlePool();
    EasyHandlePool(const EasyHandlePool&) = delete;
    EasyHandlePool& operator=(const EasyHandlePool&) = delete;

    // An idle handle opened under `key` (the one given back last: its connections are the
    // most likely alive), or a new one; null only when libcurl cannot make one. The caller
    // has it to itself until it gives it back.
    EasyHandle take(const ConnectionKey& key);
    // Resets `handle` (no request's options or pointers stay in it; its connections do) and
    // keeps it for the next take() of `key`, or frees it when `key` has enough idle ones.
    void give_back(const ConnectionKey& key, EasyHandle handle);
    // Frees every idle handle; from then on handles given back are freed too.
    void close();
    // Keeps, unused and never freed, a handle taken by the process this one was forked from
    // (its connections are shared with that process). The pool does the same with its idle
    // handles at its first use in a forked child.
    void abandon(EasyHandle handle);

    std::size_t idle_count(const ConnectionKey& key) const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace calsync::net
