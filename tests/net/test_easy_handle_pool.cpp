// The process-wide pool of libcurl handles (src/net/easy_handle_pool.hpp): transports made one
// after another reuse each other's connections, and only under the same connection options;
// against tests/fakes/fault_server.py, whose /connection says which TCP connection it accepted
// carried the request.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "net/easy_handle_pool.hpp"

using calsync::ErrorCode;
using calsync::net::connection_key_of;
using calsync::net::ConnectionKey;
using calsync::net::CurlTransport;
using calsync::net::EasyHandlePool;
using calsync::net::HttpOptions;
using calsync::test::FaultServer;
using calsync::test::local_options;

namespace {

// GET /connection through a transport of its own, made and destroyed here.
calsync::Result<calsync::net::HttpResponse> get_connection(const FaultServer& server,
                                                           const HttpOptions& options) {
    CurlTransport transport(options);
    calsync::net::HttpRequest r;
    r.url = server.url("/connection");
    return transport.perform(r);
}

// "N of M" from /connection: the request came over the server's N-th accepted connection, of
// M so far.
std::string connection_of_request(const FaultServer& server, const HttpOptions& options) {
    auto answer = get_connection(server, options);
    REQUIRE(answer.ok());
    REQUIRE(answer->status == 200);
    return answer->body;
}

int accepted_connections(const FaultServer& server) {
    const std::string seen = connection_of_request(server, local_options());
    return std::stoi(seen.substr(seen.find(" of ") + 4));
}

}  // namespace

TEST_CASE("pool: two transports made one after the other send over one connection") {
    FaultServer server;
    CHECK(connection_of_request(server, local_options()) == "1 of 1");
    CHECK(connection_of_request(server, local_options()) == "1 of 1");
    SECTION("timeouts, user agent, response cap and cancel signal are not connection options") {
        HttpOptions other = local_options();
        other.connect_timeout = std::chrono::seconds(7);
        other.total_timeout = std::chrono::seconds(70);
        other.user_agent = "another-agent/1";
        other.max_response_bytes = 1 << 20;
        other.cancel = std::make_shared<calsync::CancelSignal>();
        CHECK(connection_of_request(server, other) == "1 of 1");
    }
}

TEST_CASE(
    "pool: a connection opened with private addresses allowed never serves a transport "
    "without that permission") {
    FaultServer server;
    CHECK(connection_of_request(server, local_options()) == "1 of 1");
    HttpOptions guarded = local_options();
    guarded.allow_private_addresses = false;
    auto refused = get_connection(server, guarded);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(refused.error().message, Catch::Contains("refused to connect"));
    // The guarded transport reached nothing; the permitted connection is still the only one.
    CHECK(connection_of_request(server, local_options()) == "1 of 1");
}

TEST_CASE(
    "pool: transports with another proxy, CA bundle or TLS test switch open their own "
    "connections") {
    FaultServer server;
    CHECK(connection_of_request(server, local_options()) == "1 of 1");
    HttpOptions other = local_options();
    SECTION("a proxy (the fault server itself, which answers the proxied request)") {
        other.proxy = server.url("");
    }
    SECTION("a CA bundle (unused over plain HTTP: libcurl alone would reuse the connection)") {
        other.ca_bundle_path = "/nonexistent/calsync-pool-test-ca.pem";
    }
    SECTION("the insecure TLS test switch") {
        other.insecure_skip_tls_verify_for_tests = true;
    }
    CHECK(connection_of_request(server, other) == "2 of 2");
    CHECK(connection_of_request(server, other) == "2 of 2");
    CHECK(connection_of_request(server, local_options()) == "1 of 2");
}

TEST_CASE("pool: the connection key holds the connection-level options only") {
    const HttpOptions base = local_options();
    HttpOptions same = base;
    same.total_timeout = std::chrono::seconds(1);
    same.connect_timeout = std::chrono::seconds(1);
    same.user_agent = "x";
    same.max_response_bytes = 1;
    same.cancel = std::make_shared<calsync::CancelSignal>();
    CHECK(connection_key_of(same) == connection_key_of(base));
    for (int which = 0; which < 4; ++which) {
        HttpOptions other = base;
        if (which == 0)
            other.allow_private_addresses = !other.allow_private_addresses;
        if (which == 1)
            other.proxy = "http://proxy.example:3128";
        if (which == 2)
            other.ca_bundle_path = "/etc/calsync/ca.pem";
        if (which == 3)
            other.insecure_skip_tls_verify_for_tests = true;
        INFO(which);
        CHECK_FALSE(connection_key_of(other) == connection_key_of(base));
        const ConnectionKey a = connection_key_of(other), b = connection_key_of(base);
        CHECK((a < b) != (b < a));
    }
}

TEST_CASE("pool: idle handles are bounded per key, kept apart per key, and freed on close") {
    EasyHandlePool pool(3);
    const ConnectionKey open = connection_key_of(local_options());
    HttpOptions guarded_options = local_options();
    guarded_options.allow_private_addresses = false;
    const ConnectionKey guarded = connection_key_of(guarded_options);

    std::vector<calsync::net::EasyHandle> taken;
    for (int i = 0; i < 5; ++i) {
        taken.push_back(pool.take(open));
        REQUIRE(taken.back() != nullptr);
    }
    CURL* last_kept = taken[2].get();  // the pool keeps the first three given back
    for (auto& handle : taken)
        pool.give_back(open, std::move(handle));
    CHECK(pool.idle_count(open) == 3);
    CHECK(pool.idle_count(guarded) == 0);

    auto again = pool.take(open);
    CHECK(again.get() == last_kept);  // the one kept last
    CHECK(pool.idle_count(open) == 2);
    auto other = pool.take(guarded);
    REQUIRE(other != nullptr);
    CHECK(other.get() != last_kept);
    CHECK(pool.idle_count(open) == 2);

    pool.close();
    CHECK(pool.idle_count(open) == 0);
    pool.give_back(open, std::move(again));
    CHECK(pool.idle_count(open) == 0);
}

TEST_CASE("pool: many threads making transports and requests at once share few connections") {
    FaultServer server;
    const ConnectionKey key = connection_key_of(local_options());
    constexpr int threads = 6;
    constexpr int rounds = 15;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (int i = 0; i < rounds; ++i) {
                auto answer = get_connection(server, local_options());
                if (!answer.ok() || answer->status != 200 ||
                    answer->body.find(" of ") == std::string::npos)
                    ++failures;
            }
        });
    }
    for (auto& w : workers)
        w.join();
    CHECK(failures.load() == 0);
    // At most `threads` transports were alive at once, so at most that many handles were
    // made or taken; each keeps its one connection to the server (without the pool: one
    // connection per transport, threads x rounds).
    CHECK(accepted_connections(server) <= threads);
    CHECK(EasyHandlePool::process_wide().idle_count(key) >= 1);
}

TEST_CASE(
    "pool: a handle whose transfer stopped part-way is freed, one that met a network "
    "error is given back") {
    FaultServer server;
    HttpOptions options = local_options();
    // A key of this test's own, so the process-wide pool's other handles do not count.
    options.ca_bundle_path = "/nonexistent/calsync-pool-test-stopped.pem";
    options.max_response_bytes = 1000;
    const ConnectionKey key = connection_key_of(options);
    EasyHandlePool& pool = EasyHandlePool::process_wide();
    REQUIRE(pool.idle_count(key) == 0);
    auto perform = [&](const std::string& path) {
        CurlTransport transport(options);
        calsync::net::HttpRequest r;
        r.url = server.url(path);
        return transport.perform(r);
    };
    REQUIRE(perform("/ok").ok());
    CHECK(pool.idle_count(key) == 1);
    SECTION("a body over the cap (the transfer aborted by calsync)") {
        auto r = perform("/big?bytes=1001");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::limit_exceeded);
        CHECK(pool.idle_count(key) == 0);
    }
    SECTION("a truncated body (the server broke the connection)") {
        auto r = perform("/truncated");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::network);
        CHECK(pool.idle_count(key) == 1);
        CHECK(perform("/ok").ok());
    }
    // Leave the pool as found for the next section's REQUIRE.
    while (pool.idle_count(key) > 0)
        pool.take(key);
}

TEST_CASE("pool: a forked child never uses the connections its parent pooled") {
    FaultServer server;
    auto alive_across_fork = std::make_unique<CurlTransport>(local_options());
    calsync::net::HttpRequest r;
    r.url = server.url("/connection");
    auto first = alive_across_fork->perform(r);
    REQUIRE(first.ok());
    CHECK(first->body == "1 of 1");  // its handle is taken before the fork
    CHECK(connection_of_request(server, local_options()) == "2 of 2");  // pooled
    int out[2];
    REQUIRE(pipe(out) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(out[0]);
        alive_across_fork.reset();  // gives the parent's handle up in the child
        std::string seen;
        for (int i = 0; i < 2; ++i) {
            auto answer = get_connection(server, local_options());
            seen += (answer.ok() ? answer->body : std::string("error")) + ";";
        }
        static_cast<void>(write(out[1], seen.data(), seen.size()));
        _exit(0);
    }
    close(out[1]);
    std::string seen;
    char buffer[256];
    for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;)
        seen.append(buffer, static_cast<std::size_t>(n));
    close(out[0]);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    // The child opened a connection of its own, and then reused that one.
    CHECK(seen == "3 of 3;3 of 3;");
    // The parent's connections are still its own.
    CHECK(connection_of_request(server, local_options()) == "2 of 3");
    CHECK(alive_across_fork->perform(r)->body == "1 of 3");
}
