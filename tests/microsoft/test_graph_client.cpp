// graph_client.cpp: encoding of ids and query values (decoding: tests/unit/test_text_encoding),
// and the rule that links Graph hands back are followed only to the configured service.
#include <catch2/catch.hpp>
#include <memory>

#include "providers/microsoft/graph_client.hpp"

using namespace calsync::providers::microsoft;

TEST_CASE("graph client: Graph ids and OData values are percent-encoded") {
    CHECK(encode_component("AAMk+/x=") == "AAMk%2B%2Fx%3D");
    CHECK(encode_component("a b'c") == "a%20b%27c");
    CHECK(query_string({{"$select", "id,subject"}, {"startDateTime", "2026-03-01T00:00:00Z"}}) ==
          "?$select=id%2Csubject&startDateTime=2026-03-01T00%3A00%3A00Z");
    CHECK(query_string({}).empty());
}

TEST_CASE("graph client: only links to the configured service are own links") {
    GraphClient client("https://graph.microsoft.com/v1.0/", nullptr, nullptr);
    CHECK(client.base_url() == "https://graph.microsoft.com/v1.0");
    CHECK(client.is_own_link("https://graph.microsoft.com/v1.0/me/calendarView/delta?$x=1"));
    CHECK_FALSE(client.is_own_link("https://graph.microsoft.com.evil.example/v1.0/me"));
    CHECK_FALSE(client.is_own_link("https://evil.example/https://graph.microsoft.com/"));
    CHECK_FALSE(client.is_own_link("https://graph.microsoft.com"));
}
