#include "loopback_redirect.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace calsync_cli {
namespace {

constexpr std::size_t kMaxRequestBytes = 16 * 1024;

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16));
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
    std::map<std::string, std::string> out;
    std::size_t from = 0;
    while (from <= query.size()) {
        auto amp = query.find('&', from);
        if (amp == std::string::npos)
            amp = query.size();
        const std::string pair = query.substr(from, amp - from);
        const auto eq = pair.find('=');
        if (!pair.empty())
            out[percent_decode(pair.substr(0, eq))] =
                eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
        from = amp + 1;
    }
    return out;
}

// `text` is calsync's own (no part of the request is echoed, so nothing needs escaping).
void answer(int client, const char* status, const std::string& text) {
    const std::string body =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>calsync"
        "</title></head><body><p>" +
        text + "</p></body></html>\n";
    const std::string response = std::string("HTTP/1.1 ") + status +
                                 "\r\nContent-Type: text/html; charset=utf-8\r\n"
                                 "Content-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                 body;
    std::size_t sent = 0;
    while (sent < response.size()) {
        const ssize_t n =
            send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        sent += static_cast<std::size_t>(n);
    }
}

// The request line's target ("/callback?code=..."), or "" when the request is unreadable.
std::string read_target(int client) {
    timeval limit{5, 0};  // a browser sends its request at once
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequestBytes) {
        const ssize_t n = recv(client, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        request.append(buf, static_cast<std::size_t>(n));
    }
    if (request.rfind("GET ", 0) != 0)
        return "";
    const auto end = request.find(' ', 4);
    return end == std::string::npos ? "" : request.substr(4, end - 4);
}

}  // namespace

LoopbackRedirect::LoopbackRedirect() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // never reachable from elsewhere
    address.sin_port = 0;                              // a free port
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd_ >= 0)
            close(fd_);
        throw std::runtime_error("cannot listen on 127.0.0.1 for the sign-in redirect");
    }
    port_ = ntohs(address.sin_port);
}

LoopbackRedirect::~LoopbackRedirect() {
    close(fd_);
}

std::string LoopbackRedirect::redirect_uri() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/callback";
}

bool LoopbackRedirect::wait(std::chrono::seconds timeout,
                            std::map<std::string, std::string>* query) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        const std::string target = read_target(client);
        const auto mark = target.find('?');
        if (target.substr(0, mark) != "/callback") {
            answer(client, "404 Not Found", "Not the sign-in address.");
            close(client);
            continue;
        }
        *query = parse_query(mark == std::string::npos ? "" : target.substr(mark + 1));
        const auto error = query->find("error");
        answer(client, "200 OK",
               error != query->end() ? "Google did not grant access (" + error->second +
                                           "). You can close this window; calsync has stopped."
                                     : "calsync received the sign-in. You can close this window.");
        close(client);
        return true;
    }
}

}  // namespace calsync_cli
