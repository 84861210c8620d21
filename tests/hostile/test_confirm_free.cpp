// Issue 12, item 8: confirm_free against a feed that never answers. Each call used to start
// another read (50 calls with a 100 ms timeout left 51 threads), and calsync_client_free
// waited for all of them (over 145 s). Now one read per connection is in flight, later
// calls wait on it within their own timeout, and freeing the client cancels it.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "bounded_child.hpp"
#include "capi_session.hpp"
#include "memory_fence.hpp"

using calsync::test::call_json;
using calsync::test::check_within;
using calsync::test::run_in_child;

namespace {

int thread_count() {
    int n = 0;
    DIR* tasks = opendir("/proc/self/task");
    if (tasks == nullptr)
        return -1;
    while (const dirent* entry = readdir(tasks)) {
        if (entry->d_name[0] != '.')
            ++n;
    }
    closedir(tasks);
    return n;
}

// A server that answers with a small feed while `answering` holds (a feed is read when it
// is connected, listed and selected), then takes connections (the kernel completes the
// handshake) and never reads nor answers: every later request waits for ever. Returns the
// port.
int silent_server(const std::shared_ptr<std::atomic<bool>>& answering) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(fd, 128) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
        throw std::runtime_error("no silent server");
    std::thread([fd, answering] {
        for (;;) {
            const int peer = accept(fd, nullptr, nullptr);
            if (peer < 0)
                return;
            if (!answering->load())
                continue;  // left open, never read nor answered
            char request[4096];
            (void)!read(peer, request, sizeof request);
            const std::string feed =
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync "
                "tests//EN\r\nEND:VCALENDAR\r\n";
            const std::string answer =
                "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                "Connection: close\r\nContent-Length: " +
                std::to_string(feed.size()) + "\r\n\r\n" + feed;
            (void)!write(peer, answer.data(), answer.size());
            close(peer);
        }
    }).detach();
    return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("hostile confirm_free: a feed that never answers leaves one read, cancelled by free",
          "[hostile]") {
    // 50 calls of 100 ms each wait by design (5 s): the bound is the calls' own time plus
    // the 2 s of the issue.
    calsync::test::Bounds bounds;
    bounds.seconds = 7.0;
    auto run = run_in_child(
        [] {
            calsync::test::fence_address_space();
            const auto answering = std::make_shared<std::atomic<bool>>(true);
            const int port = silent_server(answering);
            calsync_client* client =
                calsync::test::open_client(nullptr, R"({"network": {"allow_private_addresses": true,
                                     "total_timeout_seconds": 600}})");
            calsync_connection* k = calsync::test::connect_feed(
                client, "silent", "http://127.0.0.1:" + std::to_string(port) + "/feed.ics");
            calsync_connection_free(k);
            answering->store(false);
            const int before = thread_count();
            int stale = 0;
            for (int i = 0; i < 50; ++i) {
                const auto answer = call_json([&](char** out) {
                    return calsync_client_confirm_free(
                        client,
                        R"({"start": "2026-06-01T09:00:00Z", "end": "2026-06-01T10:00:00Z",
                        "timeout_ms": 100})",
                        out);
                });
                if (answer.status != CALSYNC_OK)
                    return "confirm_free status " + std::to_string(answer.status) + ": " +
                           answer.text;
                const auto doc = calsync::test::parse_json(answer.text);
                stale += doc["fresh"].GetBool() ? 0 : 1;
            }
            const int during = thread_count();
            const auto freeing = std::chrono::steady_clock::now();
            calsync_client_free(client);
            const double free_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - freeing).count();
            // One read in flight (one thread) beyond what the client had before the calls.
            if (during > before + 1)
                return std::to_string(during - before) + " threads left by 50 calls";
            if (stale != 50)
                return std::to_string(stale) + " of 50 answers said they were stale";
            if (free_seconds > 2.0)
                return "calsync_client_free took " + std::to_string(free_seconds) + " s";
            return std::string("one read, cancelled by free");
        },
        std::chrono::seconds(40));
    check_within(run, "one read, cancelled by free", bounds);
}
