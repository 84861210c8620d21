// A fake's control endpoint (POST /_control/<name>, e.g. the Google fake's "grant" and
// "calendar"), called with libcurl by a test that sets the fake up.
#pragma once

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "fake_server.hpp"

namespace calsync::test {

// POST /_control/<name> of `fake` with `body`; its answer.
inline std::string fake_control(const FakeServer& fake, const std::string& name,
                                const std::string& body = "{}") {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    REQUIRE(curl != nullptr);
    std::string answer;
    const std::string url = fake.url("/_control/" + name);
    const auto collect = +[](char* data, std::size_t size, std::size_t n, void* user) {
        static_cast<std::string*>(user)->append(data, size * n);
        return size * n;
    };
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
    REQUIRE(curl_easy_perform(curl.get()) == CURLE_OK);
    return answer;
}

}  // namespace calsync::test
