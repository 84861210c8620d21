// CalDavProvider against the fault server: answers no real server gives on purpose.
#include <catch2/catch.hpp>

#include "fault_server.hpp"
#include "net/curl_transport.hpp"
#include "providers/caldav/caldav_provider.hpp"

using calsync::providers::caldav::CalDavOptions;
using calsync::providers::caldav::CalDavProvider;

namespace {

std::shared_ptr<calsync::net::HttpClient> client() {
    return std::make_shared<calsync::net::HttpClient>(
        std::make_shared<calsync::net::CurlTransport>(calsync::test::local_options()));
}

}  // namespace

TEST_CASE("caldav: iCloud's 401 names app-specific passwords and never the password") {
    calsync::test::FaultServer server;
    auto options = calsync::providers::caldav::icloud_options("owner@garage.example",
                                                              "hunter2-account-password");
    options.url = server.url("/401/");
    CalDavProvider provider(options, client());
    auto r = provider.list_calendars();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(r.error().message, Catch::Contains("app-specific password"));
    CHECK_THAT(r.error().message, !Catch::Contains("hunter2"));
}

TEST_CASE("caldav: a 401 from another server says the credentials were refused") {
    calsync::test::FaultServer server;
    CalDavProvider provider(CalDavOptions{server.url("/401/"), "u", "secret-pw", false}, client());
    auto r = provider.fetch_changes(server.url("/401/cal/"), "", calsync::TimeRange{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::auth);
    CHECK_THAT(r.error().message, !Catch::Contains("secret-pw"));
}

TEST_CASE("caldav: a multistatus that is not XML fails the sync without a partial change set") {
    calsync::test::FaultServer server;
    CalDavProvider provider(CalDavOptions{server.url("/badxml/"), "", "", false}, client());
    auto r = provider.fetch_changes(server.url("/badxml/cal/"), "", calsync::TimeRange{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == calsync::ErrorCode::parse);
    CHECK_THAT(r.error().message, Catch::Contains("not well-formed"));
}
