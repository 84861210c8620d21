// The sign-in redirect listener (examples/cli/loopback_listener.cpp) as a browser meets
// it: real sockets on 127.0.0.1, the requests a browser sends.
#define CATCH_CONFIG_MAIN
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "loopback_listener.hpp"

namespace {

// One HTTP exchange with the listener: sends `request`, reads until the listener closes.
std::string exchange(int port, const std::string& request) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    // A listener that never answers fails the test instead of hanging it.
    timeval limit{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string answer;
    char buf[4096];
    for (ssize_t n = 0; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
        answer.append(buf, static_cast<std::size_t>(n));
    close(fd);
    return answer;
}

std::string get(const std::string& target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n";
}

}  // namespace

TEST_CASE("loopback listener: the redirect's URL comes back and the browser gets the page") {
    cli::LoopbackListener listener;
    REQUIRE(listener.port() > 0);
    CHECK(listener.redirect_uri() ==
          "http://127.0.0.1:" + std::to_string(listener.port()) + "/callback");
    auto browser = std::async(std::launch::async, [&] {
        return exchange(listener.port(), get("/callback?code=4%2F0Ab&state=s.t-1"));
    });
    const auto url = listener.wait_for_redirect(std::chrono::seconds(10), "s.t-1");
    REQUIRE(url.has_value());
    CHECK(*url == "http://127.0.0.1:" + std::to_string(listener.port()) +
                      "/callback?code=4%2F0Ab&state=s.t-1");
    listener.answer("calsync is connected", "You can close <this> window.");
    const std::string page = browser.get();
    CHECK(page.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK_THAT(page, Catch::Contains("Content-Type: text/html; charset=utf-8"));
    CHECK_THAT(page, Catch::Contains("Cache-Control: no-store"));
    // The text is escaped: a reason from a server cannot inject markup into the page.
    CHECK_THAT(page, Catch::Contains("You can close &lt;this&gt; window."));
    CHECK_THAT(page, !Catch::Contains("<this>"));
}

TEST_CASE("loopback listener: other requests are refused and waiting goes on") {
    cli::LoopbackListener listener;
    auto browser = std::async(std::launch::async, [&] {
        std::string seen;
        seen += exchange(listener.port(), get("/favicon.ico"));
        seen += exchange(listener.port(), "POST /callback HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        seen += exchange(listener.port(),
                         "GET /callback?" + std::string(9000, 'x') + " HTTP/1.1\r\n\r\n");
        seen += exchange(listener.port(), get("/callback?error=access_denied&state=s"));
        return seen;
    });
    const auto url = listener.wait_for_redirect(std::chrono::seconds(10), "s");
    REQUIRE(url.has_value());
    CHECK_THAT(*url, Catch::EndsWith("/callback?error=access_denied&state=s"));
    listener.answer("declined", "The sign-in was declined.");
    const std::string seen = browser.get();
    CHECK_THAT(seen, Catch::Contains("HTTP/1.1 400 Bad Request"));  // favicon and the POST
    CHECK_THAT(seen, Catch::Contains("HTTP/1.1 431"));              // the 9 KB request
    CHECK_THAT(seen, Catch::Contains("The sign-in was declined."));
}

TEST_CASE("loopback listener: a callback without the expected state does not end the wait") {
    // Anything on this machine can reach 127.0.0.1 first (a page's script, another
    // program): only the redirect carrying the state calsync issued ends the sign-in.
    cli::LoopbackListener listener;
    auto others = std::async(std::launch::async, [&] {
        std::vector<std::string> answers;
        for (const char* target :
             {"/callback?code=forged&state=someone-else", "/callback?code=forged",
              "/callback?code=forged&state=", "/callback?code=x&state=good-statex", "/favicon.ico",
              "/elsewhere?state=good-state"})
            answers.push_back(exchange(listener.port(), get(target)));
        // Percent-encoded as a browser may send it, it is the same state.
        answers.push_back(exchange(listener.port(), get("/callback?code=real&state=good%2Dstate")));
        return answers;
    });
    const auto url = listener.wait_for_redirect(std::chrono::seconds(10), "good-state");
    REQUIRE(url.has_value());
    CHECK_THAT(*url, Catch::EndsWith("/callback?code=real&state=good%2Dstate"));
    listener.answer("calsync is connected", "You can close this window.");
    const auto answers = others.get();
    REQUIRE(answers.size() == 7);
    for (std::size_t i = 0; i + 1 < answers.size(); ++i) {
        INFO("request " << i);
        CHECK(answers[i].rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    }
    CHECK(answers.back().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

TEST_CASE("loopback listener: waiting for the right state still ends at the timeout") {
    cli::LoopbackListener listener;
    auto wrong = std::async(std::launch::async, [&] {
        return exchange(listener.port(), get("/callback?code=c&state=wrong"));
    });
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(listener.wait_for_redirect(std::chrono::milliseconds(500), "right").has_value());
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= std::chrono::milliseconds(500));
    CHECK(waited < std::chrono::seconds(5));
    CHECK(wrong.get().rfind("HTTP/1.1 400 Bad Request", 0) == 0);
}

TEST_CASE("loopback listener: no redirect within the timeout is nullopt") {
    cli::LoopbackListener listener;
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(listener.wait_for_redirect(std::chrono::milliseconds(200), "s").has_value());
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(200));
}

TEST_CASE("loopback listener: bound to 127.0.0.1 only, each on its own port") {
    cli::LoopbackListener a, b;
    CHECK(a.port() != b.port());
    // Nothing listens on the same port of another local address (the wildcard address
    // would accept there too).
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(a.port()));
    addr.sin_addr.s_addr = inet_addr("127.0.0.2");
    CHECK(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0);
    close(fd);
}
