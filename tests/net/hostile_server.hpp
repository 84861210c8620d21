// tests/fakes/hostile_server.py: two plain-HTTP origins (A, B) and an HTTPS one (S) that
// redirect across origins and down to http, act as a proxy, or answer as slowly as they
// can; and what they saw.
#pragma once

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "counting_transport.hpp"
#include "fake_server.hpp"

namespace calsync::test {

struct HostileServer : FakeServer {
    HostileServer() : FakeServer(CALSYNC_HOSTILE_SERVER, 3) {}
    ~HostileServer() {
        if (!ca_file_.empty())
            std::remove(ca_file_.c_str());
    }

    std::string a(const std::string& path) const { return url(path, 0); }
    std::string b(const std::string& path) const { return url(path, 1); }
    // The HTTPS port: https://127.0.0.1:S/path.
    std::string s(const std::string& path) const { return "https" + url(path, 2).substr(4); }

    // Transport options that trust the HTTPS port's self-signed certificate.
    calsync::net::HttpOptions options() {
        calsync::net::HttpOptions o = local_options();
        if (ca_file_.empty()) {
            ca_file_ = "/tmp/calsync-hostile-ca-" + std::to_string(getpid()) + "-" +
                       std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".pem";
            std::ofstream(ca_file_, std::ios::binary) << get(a("/_cert"));
        }
        o.ca_bundle_path = ca_file_;
        return o;
    }

    // Every request the server saw (tests/fakes/hostile_server.py, /_seen).
    rapidjson::Document seen() const {
        rapidjson::Document doc;
        doc.Parse(get(a("/_seen")).c_str());
        REQUIRE(doc.IsArray());
        return doc;
    }
    // How many requests port `name` ("A", "B", "S") saw, and how many of them carried an
    // Authorization header or came as a proxy's.
    struct Count {
        int requests = 0;
        int with_authorization = 0;
        int proxied = 0;
    };
    Count count(const char* name) const {
        Count c;
        const rapidjson::Document doc = seen();
        for (const auto& r : doc.GetArray()) {
            if (std::string(r["port"].GetString()) != name)
                continue;
            ++c.requests;
            c.with_authorization += r["authorization"].GetBool() ? 1 : 0;
            c.proxied += r["proxied"].GetBool() ? 1 : 0;
        }
        return c;
    }

  private:
    static std::string get(const std::string& url) {
        calsync::net::CurlTransport direct(local_options());
        calsync::net::HttpRequest r;
        r.url = url;
        auto answer = direct.perform(r);
        REQUIRE(answer.ok());
        REQUIRE(answer->status == 200);
        return answer->body;
    }
    std::string ca_file_;
};

}  // namespace calsync::test
