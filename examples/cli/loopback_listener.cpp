#include "loopback_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include "core/text_encoding.hpp"
#include "exit_codes.hpp"
#include "state_dir.hpp"

namespace cli {
namespace {

constexpr std::size_t kMaxRequest = 8192;
constexpr int kClientReadMs = 5000;  // a browser sends its request at once

using SteadyClock = std::chrono::steady_clock;

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return;  // the browser went away: nothing to tell it
        sent += static_cast<std::size_t>(n);
    }
}

std::string html_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string response(const char* status, const std::string& title, const std::string& text) {
    const std::string body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                             html_escape(title) + "</title></head><body><h1>" + html_escape(title) +
                             "</h1><p>" + html_escape(text) + "</p></body></html>\n";
    return std::string("HTTP/1.1 ") + status +
           "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Reads one request head; "" when the client sent nothing usable in time or too much.
std::string read_head(int fd, bool* too_big) {
    std::string head;
    char buf[1024];
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(kClientReadMs);
    while (head.find("\r\n\r\n") == std::string::npos) {
        if (head.size() > kMaxRequest) {
            *too_big = true;
            return "";
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0)
            return "";
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return "";
        head.append(buf, static_cast<std::size_t>(n));
    }
    if (head.size() > kMaxRequest) {
        *too_big = true;
        return "";
    }
    return head;
}

// The decoded values of `name` in the query of a request target ("/callback?a=1&b=2").
std::vector<std::string> query_values(const std::string& target, const std::string& name) {
    const auto question = target.find('?');
    if (question == std::string::npos)
        return {};
    const std::string query = target.substr(question + 1, target.find('#') - question - 1);
    return calsync::encoding::query_values(query, name);
}

// Closes after an answer without losing it: closing with unread request bytes makes the
// kernel reset the connection (RFC 1122 4.2.2.13), and the browser may never show the
// answer. So: end our side, read what is still coming for a moment, then close.
void close_gently(int fd) {
    shutdown(fd, SHUT_WR);
    char buf[4096];
    for (int i = 0; i < 16; ++i) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0 || recv(fd, buf, sizeof buf, 0) <= 0)
            break;
    }
    close(fd);
}

}  // namespace

LoopbackListener::LoopbackListener(std::string path)
    : path_(std::move(path)), listen_fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (listen_fd_ < 0)
        fail_with(kExitFailure, std::string("no socket for the sign-in: ") +
                                    std::generic_category().message(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // the system picks a free port
    socklen_t length = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 8) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
        const std::string why = std::generic_category().message(errno);
        close(listen_fd_);
        listen_fd_ = -1;
        fail_with(kExitFailure, "cannot listen on 127.0.0.1 for the sign-in: " + why);
    }
    port_ = ntohs(addr.sin_port);
}

LoopbackListener::~LoopbackListener() {
    if (client_fd_ >= 0)
        close(client_fd_);
    if (listen_fd_ >= 0)
        close(listen_fd_);
}

std::string LoopbackListener::redirect_uri() const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_;
}

std::optional<std::string> LoopbackListener::wait_for_redirect(std::chrono::milliseconds timeout,
                                                               const std::string& expected_state) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
        if (left <= 0)
            return std::nullopt;
        pollfd p{listen_fd_, POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left));
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue;  // the loop's deadline decides (poll may wake a little early)
        if (ready < 0)
            return std::nullopt;
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        bool too_big = false;
        const std::string head = read_head(fd, &too_big);
        // The request line: "GET /callback?code=...&state=... HTTP/1.1".
        const auto line_end = head.find("\r\n");
        const std::string line = head.substr(0, line_end);
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 == std::string::npos ? sp1 : sp1 + 1);
        const std::string method = line.substr(0, sp1);
        const std::string target = sp1 == std::string::npos || sp2 == std::string::npos
                                       ? ""
                                       : line.substr(sp1 + 1, sp2 - sp1 - 1);
        const std::string target_path = target.substr(0, target.find('?'));
        // One state, exactly the one issued (RFC 6749 10.12): a redirect with another, or
        // none, is not this sign-in's.
        const bool ours = method == "GET" && target_path == path_ &&
                          query_values(target, "state") == std::vector<std::string>{expected_state};
        if (too_big) {
            send_all(fd, response("431 Request Header Fields Too Large", "Request too large",
                                  "calsync expected a sign-in redirect."));
        } else if (ours) {
            client_fd_ = fd;
            return "http://127.0.0.1:" + std::to_string(port_) + target;
        } else if (!head.empty()) {
            send_all(fd, response("400 Bad Request", "Not the sign-in calsync is waiting for",
                                  "calsync is waiting for the sign-in it started to come back "
                                  "to " +
                                      redirect_uri() + "."));
        }
        close_gently(fd);
    }
}

void LoopbackListener::answer(const std::string& title, const std::string& text) {
    if (client_fd_ < 0)
        return;
    send_all(client_fd_, response("200 OK", title, text));
    close_gently(client_fd_);
    client_fd_ = -1;
}

}  // namespace cli
