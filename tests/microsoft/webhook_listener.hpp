// A minimal HTTP/1.1 endpoint on 127.0.0.1 standing in for a host's webhook receiver: each
// request (method, target, body) goes to a handler on the listener's thread, one
// connection at a time, answered with Connection: close. Enough for Graph's handshake and
// notification POSTs from the fake.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <thread>

#include "providers/microsoft/graph_push.hpp"

namespace calsync::test {

class WebhookListener {
  public:
    using Handler = std::function<providers::microsoft::WebhookReply(
        const std::string& method, const std::string& target, const std::string& body)>;

    explicit WebhookListener(Handler handler) : handler_(std::move(handler)) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(listen(fd_, 8) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    WebhookListener(const WebhookListener&) = delete;
    WebhookListener& operator=(const WebhookListener&) = delete;
    ~WebhookListener() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0)
                continue;
            const int client = accept(fd_, nullptr, nullptr);
            if (client >= 0) {
                answer(client);
                close(client);
            }
        }
    }

    void answer(int client) {
        std::string data;
        char buf[4096];
        std::size_t header_end = std::string::npos;
        std::size_t length = 0;
        while (true) {
            const ssize_t n = recv(client, buf, sizeof buf, 0);
            if (n <= 0)
                return;
            data.append(buf, static_cast<std::size_t>(n));
            if (header_end == std::string::npos) {
                header_end = data.find("\r\n\r\n");
                if (header_end == std::string::npos)
                    continue;
                const auto cl = data.find("Content-Length:");
                if (cl != std::string::npos && cl < header_end)
                    length = std::stoul(data.substr(cl + 15));
            }
            if (data.size() >= header_end + 4 + length)
                break;
        }
        const auto sp1 = data.find(' ');
        const auto sp2 = data.find(' ', sp1 + 1);
        const auto reply = handler_(data.substr(0, sp1), data.substr(sp1 + 1, sp2 - sp1 - 1),
                                    data.substr(header_end + 4, length));
        const std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                                " X\r\nContent-Type: " +
                                (reply.content_type.empty() ? "text/plain" : reply.content_type) +
                                "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                                "\r\nConnection: close\r\n\r\n" + reply.body;
        send(client, out.data(), out.size(), MSG_NOSIGNAL);
    }

    Handler handler_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace calsync::test
